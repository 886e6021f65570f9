"""materialize (meta-device modules) and init_shard_ (one rank's part of a tensor), in one process.

The reference of materialize is init_module of the same module built on the CPU;
the reference of a shard is the same part cut out of init_ of the full tensor."""
import io
import math

import numpy as np
import pytest
import torch
from torch import nn

import nninit
from conftest import bits


class Rotary(nn.Module):
    """A buffer the module computes itself, through materialize's reset_buffers hook."""

    def __init__(self, device=None):
        super().__init__()
        self.register_buffer("inv_freq", torch.empty(4, device=device), persistent=False)
        if self.inv_freq.device.type != "meta":
            self.reset_buffers()

    def reset_buffers(self):
        self.inv_freq = 10000.0 ** -(torch.arange(0, 8, 2, dtype=torch.float32) / 8)


class Net(nn.Module):
    def __init__(self, device=None):
        super().__init__()
        d = {"device": device}
        self.emb = nn.Embedding(40, 16, padding_idx=5, **d)
        self.conv = nn.Conv1d(16, 8, 3, groups=2, **d)
        self.up = nn.ConvTranspose1d(8, 6, 2, **d)
        self.bn = nn.BatchNorm1d(6, **d)
        self.attn = nn.MultiheadAttention(16, 4, **d)
        self.lstm = nn.GRU(16, 12, **d)
        self.norm = nn.LayerNorm(12, **d)
        self.head = nn.Linear(16, 40, bias=False, **d)
        self.head.weight = self.emb.weight
        self.wide = nn.Linear(12, 12, dtype=torch.float64, **d)
        self.half = nn.Linear(12, 4, dtype=torch.bfloat16, **d)
        self.rot = Rotary(**d)


RULES = {"wide.weight": "orthogonal", "attn.in_proj_weight": "trunc_normal(std=0.02)"}


def state_bits(m):
    return {k: bits(v).copy() for k, v in m.state_dict().items()} | {"rot.inv_freq": bits(m.rot.inv_freq).copy()}


@pytest.mark.parametrize("rules", [None, RULES])
def test_materialize_equals_init_module_on_the_cpu(rules):
    cpu = Net()
    for b in cpu.buffers():
        b.fill_(3)                      # reset by init_module (statistics) or kept (inv_freq, recomputed below)
    cpu.rot.reset_buffers()
    nninit.init_module(cpu, rules, seed=11)
    for threads in (1, 2):
        meta = Net(device="meta")
        assert nninit.materialize(meta, rules, seed=11, threads=threads) is meta
        want, got = state_bits(cpu), state_bits(meta)
        assert sorted(want) == sorted(got)
        for k in want:
            assert np.array_equal(want[k], got[k]), k
        assert meta.head.weight is meta.emb.weight                     # the tie is kept
        assert all(p.requires_grad and p.device.type == "cpu" and type(p) is nn.Parameter
                   for p in meta.parameters())
        assert (meta.emb.weight[5] == 0).all() and (meta.bn.running_var == 1).all()
        assert meta.bn.num_batches_tracked.item() == 0


def test_one_allocation_each_parameter_its_own_storage():
    net = nn.Sequential(nn.Linear(1024, 1024), nn.Linear(1024, 8, dtype=torch.float64),
                        nn.Linear(8, 8, dtype=torch.bfloat16), nn.LayerNorm(8))
    meta = nn.Sequential(nn.Linear(1024, 1024, device="meta"), nn.Linear(1024, 8, dtype=torch.float64, device="meta"),
                         nn.Linear(8, 8, dtype=torch.bfloat16, device="meta"), nn.LayerNorm(8, device="meta"))
    nninit.materialize(meta, seed=1)
    nninit.init_module(net, seed=1)
    ps = list(meta.parameters())
    assert all(torch.equal(p, q) for p, q in zip(ps, net.parameters()))
    spans = sorted((p.data_ptr(), p.data_ptr() + p.numel() * p.element_size()) for p in ps)
    assert all(a % 64 == 0 for a, _ in spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))                  # disjoint
    used = sum(e - a for a, e in spans)
    assert spans[-1][1] - spans[0][0] < used + 64 * len(ps)                     # packed: one allocation
    assert len({p.storage().data_ptr() for p in ps}) == len(ps)                 # each its own storage
    assert all(p.storage().size() == p.numel() for p in ps)
    buf = io.BytesIO()
    torch.save(meta[3].weight, buf)
    assert len(buf.getvalue()) < 4096                                           # not the whole allocation


def test_unkeyed_materialize_draws_from_torch():
    torch.manual_seed(3)
    a = nninit.materialize(nn.Linear(8, 8, device="meta"))
    b = nninit.materialize(nn.Linear(8, 8, device="meta"))
    torch.manual_seed(3)
    c = nninit.materialize(nn.Linear(8, 8, device="meta"))
    assert torch.equal(a.weight, c.weight) and not torch.equal(a.weight, b.weight)
    d = nninit.materialize(nn.Linear(8, 8, device="meta"), generator=torch.Generator().manual_seed(3))
    cpu = nn.Linear(8, 8)             # (its construction draws from torch's generator)
    torch.manual_seed(3)
    assert torch.equal(d.weight, nninit.init_module(cpu).weight)


def test_real_parameters_are_kept():
    net = nn.Sequential(nn.Linear(4, 4), nn.Linear(4, 4, device="meta"))
    keep = net[0].weight
    before = bits(keep).copy()
    nninit.materialize(net, seed=0)
    assert net[0].weight is keep and np.array_equal(bits(keep), before)
    ref = nn.Sequential(nn.Linear(4, 4), nn.Linear(4, 4))
    nninit.init_module(ref, seed=0)
    assert torch.equal(ref[1].weight, net[1].weight)


class Opaque(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 4, device="meta")
        self.register_buffer("table", torch.empty(3, device="meta"))


def unchanged_meta(net):
    return [(n, p) for n, p in net.named_parameters()], [(n, b) for n, b in net.named_buffers()]


def test_bad_input_leaves_the_module_unchanged():
    cases = [
        (Opaque(), {}, ValueError, r"buffer 'table' is on the meta device and nninit does not know its values: give "
                                   r"Opaque a reset_buffers\(\) method"),
        (Net(device="meta"), {"rules": {"wide.weight": "orthogonal(gain=x)"}}, ValueError, "gain"),
        (Net(device="meta"), {"device": "cuda"}, ValueError, r"device: cuda; nninit writes CPU memory"),
        (Net(device="meta"), {"threads": -2}, ValueError, "threads: -2 is negative"),
        (Net(device="meta"), {"seed": 1, "generator": torch.Generator()}, ValueError, "seed and generator"),
        (Net(device="meta"), {"shard": lambda n, p: ((1, 2), (0, 0))}, ValueError, "shard"),
        (Net(device="meta"), {"shard": lambda n, p: 5}, TypeError, r"shard\('emb.weight'\): expected"),
        (Net(device="meta"), {"shard": "rows"}, TypeError, "shard: expected a callable"),
    ]
    for net, kw, exc, msg in cases:
        before = unchanged_meta(net)
        with pytest.raises(exc, match=msg):
            nninit.materialize(net, **kw)
        after = unchanged_meta(net)
        assert [n for n, _ in before[0]] == [n for n, _ in after[0]]
        assert all(a is b and b.device.type == "meta" for (_, a), (_, b) in zip(before[0] + before[1],
                                                                               after[0] + after[1]))
    with pytest.raises(TypeError, match="expected a torch.nn.Module"):
        nninit.materialize([nn.Linear(2, 2)])


# ---- init_shard_ -------------------------------------------------------------------
SCHEMES = ["kaiming_uniform(nonlinearity=relu)", "trunc_normal(std=0.02)", "orthogonal(gain=2)", "xavier_normal",
           "normal", "sparse(sparsity=0.3)"]


def full_of(spec, shape, dtype=torch.float32, layout=None):
    t = torch.empty(shape, dtype=dtype)
    return nninit.init_(t, spec, seed=9, name="w", layout=layout)


def chunks(n, parts):
    """torch.chunk's split of range(n): ceil(n / parts) each, the last ones smaller or empty."""
    step = -(-n // parts)
    return [(min(i * step, n), min((i + 1) * step, n)) for i in range(parts)]


@pytest.mark.parametrize("spec", SCHEMES)
def test_boxes_and_flat_ranges_are_parts_of_the_full_tensor(spec):
    shape = (18, 11)
    full = full_of(spec, shape)
    for parts in (1, 2, 3, 4, 7):
        for dim in (0, 1):
            got = []
            for lo, hi in chunks(shape[dim], parts):
                local_shape = list(shape)
                local_shape[dim] = hi - lo
                off = [0, 0]
                off[dim] = lo
                local = torch.full(local_shape, float("nan"))
                nninit.init_shard_(local, spec, full_shape=shape, offset=tuple(off), seed=9, name="w")
                got.append(local)
            assert torch.equal(torch.cat(got, dim), full), (parts, dim)
        flat = []
        for lo, hi in chunks(full.numel(), parts):
            local = torch.full((hi - lo,), float("nan"))
            nninit.init_shard_(local, spec, full_shape=shape, offset=lo, seed=9, name="w")
            flat.append(local)
        assert torch.equal(torch.cat(flat), full.reshape(-1)), parts


def test_flat_ranges_of_a_4d_tensor_and_a_block():
    shape = (6, 5, 3, 4)
    full = full_of("kaiming_normal", shape, torch.bfloat16, layout="iohw")
    for lo, hi in [(0, 360), (7, 8), (13, 301), (59, 61), (60, 120), (1, 359)]:
        local = torch.zeros(hi - lo, dtype=torch.bfloat16)
        nninit.init_shard_(local, "kaiming_normal", full_shape=shape, offset=lo, seed=9, name="w", layout="iohw")
        assert torch.equal(local, full.reshape(-1)[lo:hi]), (lo, hi)
    block = np.zeros((2, 3, 2, 2), np.float32)
    nninit.init_shard_(block, "trunc_normal(std=0.5)", full_shape=shape, offset=(4, 1, 1, 2), seed=9, name="w")
    assert np.array_equal(block, full_of("trunc_normal(std=0.5)", shape).numpy()[4:6, 1:4, 1:3, 2:4])


def test_flat_boxes_cover_the_range_in_order():
    from nninit._shard import flat_boxes
    shape = (4, 3, 5)
    idx = np.arange(60).reshape(shape)
    for lo in range(61):
        for hi in range(lo, 61):
            boxes = flat_boxes(shape, lo, hi)
            assert len(boxes) <= 2 * len(shape) - 1
            seq = [idx[tuple(slice(s, s + c) for s, c in zip(st, ct))].reshape(-1) for st, ct in boxes]
            assert np.array_equal(np.concatenate(seq) if seq else np.zeros(0), np.arange(lo, hi)), (lo, hi)


def test_shard_errors_leave_local_unchanged():
    local = torch.full((4, 5), 7.0)
    cases = [
        ({"full_shape": (8, 5), "offset": (6, 0)}, ValueError, r"dimension 0: the local range \[6, 10\) is outside"),
        ({"full_shape": (8, 5), "offset": (0,)}, ValueError, "same number of dimensions"),
        ({"full_shape": (8, 5), "offset": 3}, ValueError, "must be 1-D"),
        ({"full_shape": (8, -5), "offset": (0, 0)}, ValueError, "negative"),
        ({"full_shape": (8, 5), "offset": "0"}, TypeError, "offset: expected"),
        ({"full_shape": (8, 5), "offset": (0, 0), "seed": -1}, ValueError, "seed"),
        ({"full_shape": (8, 5), "offset": (0, 0), "spec": "dirac"}, ValueError, "dirac"),
        ({"full_shape": (8, 5), "offset": (0, 0), "spec": "normal(std=)"}, ValueError, "column"),
    ]
    for kw, exc, msg in cases:
        kw = dict(kw)
        spec = kw.pop("spec", "normal")
        kw.setdefault("seed", 1)
        with pytest.raises(exc, match=msg):
            nninit.init_shard_(local, spec, name="w", **kw)
        assert (local == 7).all()
    flat = torch.full((30,), 7.0)
    with pytest.raises(ValueError, match=r"the flat range \[20, 50\) is outside the 40 elements"):
        nninit.init_shard_(flat, "normal", full_shape=(8, 5), offset=20, seed=1)
    with pytest.raises(ValueError, match="orthogonal"):
        nninit.init_shard_(flat, "orthogonal(gain=0, layout=hwio, in_axis=0)", full_shape=(6, 5), offset=0, seed=1)
    assert (flat == 7).all()
    with pytest.raises(TypeError, match="seed"):
        nninit.init_shard_(flat, "normal", full_shape=(8, 5), offset=0)


def test_materialize_with_shards_in_one_process():
    """Ranks simulated in one process: column, row and flat splits of every world size give the full model."""
    rules = {"col.weight": "orthogonal", "row.weight": "kaiming_uniform(nonlinearity=relu)",
             "flat.weight": "trunc_normal(std=0.02)"}
    full = nn.Module()
    full.col, full.row, full.flat = nn.Linear(10, 14), nn.Linear(14, 10), nn.Linear(7, 13)
    nninit.init_module(full, rules, seed=5)
    for ws in (1, 2, 4):
        parts = {n: [] for n, _ in full.named_parameters()}
        for rank in range(ws):
            lo0, hi0 = chunks(14, ws)[rank]
            lo1, hi1 = chunks(14, ws)[rank]
            flo, fhi = chunks(91, ws)[rank]
            m = nn.Module()
            m.col = nn.Linear(10, hi0 - lo0, device="meta")
            m.row = nn.Linear(hi1 - lo1, 10, device="meta")
            m.flat = nn.Linear(7, 13, device="meta")
            m.flat.weight = nn.Parameter(torch.empty(fhi - flo, device="meta"))
            plan = {"col.weight": ((14, 10), (lo0, 0)), "col.bias": ((14,), (lo0,)),
                    "row.weight": ((10, 14), (0, lo1)), "flat.weight": ((13, 7), flo)}
            nninit.materialize(m, rules, seed=5, shard=lambda n, p: plan.get(n))
            for n, p in m.named_parameters():
                parts[n].append(p.detach())
        for n, p in full.named_parameters():
            got = parts[n]
            if n in ("col.weight", "col.bias"):
                whole = torch.cat(got, 0)
            elif n == "row.weight":
                whole = torch.cat(got, 1)
            elif n == "flat.weight":
                whole = torch.cat(got).reshape(13, 7)
            else:
                assert all(torch.equal(g, got[0]) for g in got)
                whole = got[0]
            assert torch.equal(whole, p), (ws, n)
    assert full.row.bias.abs().max().item() <= 1 / math.sqrt(14)       # the fan of the full row weight
