"""Rank-local initialization under torch.distributed (gloo, 127.0.0.1 only).

World sizes 1, 2 and 4, processes started by torch.multiprocessing: every rank
materializes only its own shards of a meta model (Megatron-style column split
on dim 0, row split on dim 1, an FSDP-style flat split of the flattened tensor),
for a fan-based (kaiming), a truncated normal and an orthogonal scheme. The
shards are gathered on rank 0 and must equal, bit for bit, the single-process
init_module of the full model. Bounded in time; the processes are killed on failure."""
import os
import socket
import sys
import time

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import nn

import nninit

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20240601
SCHEMES = {"k": "kaiming_uniform(nonlinearity=relu)", "t": "trunc_normal(std=0.02)", "o": "orthogonal(gain=1.5)"}
SPLITS = ("col", "row", "flat")
IN, OUT = 12, 18            # 18 rows / columns: uneven chunks for world size 4 (5, 5, 5, 3)
DEADLINE_S = 150


def rules():
    return {"%s_%s.weight" % (split, k): v for split in SPLITS for k, v in SCHEMES.items()}


def full_model(device=None):
    """The one-process model: a Linear per split style and scheme (biases keep PyTorch's default)."""
    m = nn.Module()
    for split in SPLITS:
        for k in SCHEMES:
            if split == "row":
                setattr(m, "%s_%s" % (split, k), nn.Linear(OUT, IN, device=device))
            else:
                setattr(m, "%s_%s" % (split, k), nn.Linear(IN, OUT, device=device))
    return m


def chunk(n, rank, ws):
    """torch.chunk's (and FSDP's) split of range(n): ceil(n / ws) each, the last ones smaller or empty."""
    step = -(-n // ws)
    return min(rank * step, n), min((rank + 1) * step, n)


def local_model(rank, ws):
    """This rank's model on the meta device, and its shard(name, parameter) -> (full_shape, offset) or None."""
    m = full_model(device="meta")
    plan = {}
    for k in SCHEMES:
        lo, hi = chunk(OUT, rank, ws)           # column parallel: output rows, and the bias with them
        setattr(m, "col_%s" % k, nn.Linear(IN, hi - lo, device="meta"))
        plan["col_%s.weight" % k] = ((OUT, IN), (lo, 0))
        plan["col_%s.bias" % k] = ((OUT,), (lo,))
        lo, hi = chunk(OUT, rank, ws)           # row parallel: input columns; the bias is whole on every rank
        setattr(m, "row_%s" % k, nn.Linear(hi - lo, IN, device="meta"))
        plan["row_%s.weight" % k] = ((IN, OUT), (0, lo))
        lo, hi = chunk(OUT * IN, rank, ws)      # FSDP flat parameter: a range of the flattened weight
        layer = getattr(m, "flat_%s" % k)
        layer.weight = nn.Parameter(torch.empty(hi - lo, device="meta"))
        plan["flat_%s.weight" % k] = ((OUT, IN), lo)
    return m, plan


def assemble(name, pieces, plan_of_rank):
    """The full tensor from every rank's piece of parameter name."""
    full_shape, off0 = plan_of_rank[0].get(name, (None, None))
    if full_shape is None:                      # not sharded: every rank holds the same whole tensor
        assert all(torch.equal(p, pieces[0]) for p in pieces), name
        return pieces[0]
    if isinstance(off0, int):
        return torch.cat(pieces).reshape(full_shape)
    dim = 1 if name.startswith("row_") else 0
    return torch.cat(pieces, dim)


def worker(rank, ws, port, out_dir):
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method="tcp://127.0.0.1:%d" % port, rank=rank, world_size=ws,
                            timeout=__import__("datetime").timedelta(seconds=DEADLINE_S))
    try:
        m, plan = local_model(rank, ws)
        nninit.materialize(m, rules(), seed=SEED, threads=1, shard=lambda n, p: plan.get(n))
        mine = {n: p.detach().clone() for n, p in m.named_parameters()}
        gathered = [None] * ws
        dist.all_gather_object(gathered, (mine, plan))
        if rank == 0:
            ref = full_model()
            nninit.init_module(ref, rules(), seed=SEED, threads=1)
            plans = [g[1] for g in gathered]
            bad = []
            for n, p in ref.named_parameters():
                whole = assemble(n, [g[0][n] for g in gathered], plans)
                if whole.shape != p.shape or not torch.equal(whole, p.detach()):
                    bad.append(n)
            with open(os.path.join(out_dir, "result-%d" % ws), "w") as f:
                f.write("ok %d" % len(list(ref.parameters())) if not bad else "mismatch " + " ".join(bad))
        dist.barrier()
    finally:
        dist.destroy_process_group()


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def start_method():
    """forkserver: one fresh server process imports torch and nninit once, and every rank is forked from it
    (a fresh interpreter, unlike fork from this process, whose OpenMP threads must not be forked)."""
    import multiprocessing
    multiprocessing.set_forkserver_preload(["torch", "nninit", "test_distributed"])
    return "forkserver"


@pytest.mark.parametrize("ws", [1, 2, 4])
def test_gathered_shards_equal_the_one_process_model(ws, tmp_path, start_method):
    ctx = mp.start_processes(worker, args=(ws, free_port(), str(tmp_path)), nprocs=ws, join=False,
                             start_method=start_method)
    deadline = time.monotonic() + DEADLINE_S
    try:
        while not ctx.join(timeout=1):
            if time.monotonic() > deadline:
                pytest.fail("world size %d: the ranks did not finish in %d s" % (ws, DEADLINE_S))
    finally:
        for p in ctx.processes:
            if p.is_alive():
                p.kill()
            p.join(5)
    assert (tmp_path / ("result-%d" % ws)).read_text() == "ok %d" % (2 * len(SPLITS) * len(SCHEMES))


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
