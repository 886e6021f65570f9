#!/usr/bin/env python3
"""nninit.materialize against PyTorch's own path for a model built on the meta
device: module.to_empty(device="cpu") then every module's reset_parameters().

The model is Llama-3.2-1B-shaped (vocab 128256, hidden 2048, 16 layers, 32 heads,
8 KV heads, FFN 8192, tied embedding; 1,235,814,400 parameters, f32: 4.9 GB),
built from torch.nn modules here. Both paths run in this process, one after the
other, each on a fresh meta model (the previous one freed), rounds alternated;
the first round (memory the process never touched) and the best are printed.

    /usr/bin/python3 bench/bench_materialize.py [--threads 2] [--rounds 2] [--layers 16]
"""
import argparse
import gc
import math
import os
import resource
import sys
import time

import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import nninit  # noqa: E402


class LlamaRMSNorm(nn.Module):
    """RMSNorm with a weight of ones (nninit recognizes *RMSNorm modules)."""

    def __init__(self, dim, device=None):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(dim, device=device))

    def reset_parameters(self):
        nn.init.ones_(self.weight)


class Rotary(nn.Module):
    """The rotary table, a buffer the module computes itself (reset_buffers, materialize's hook)."""

    def __init__(self, head_dim, base=500000.0, device=None):
        super().__init__()
        self.head_dim, self.base = head_dim, base
        self.register_buffer("inv_freq", torch.empty(head_dim // 2, device=device), persistent=False)
        if self.inv_freq.device.type != "meta":
            self.reset_buffers()

    def reset_buffers(self):
        self.inv_freq = self.base ** -(torch.arange(0, self.head_dim, 2, dtype=torch.float32) / self.head_dim)


class Block(nn.Module):
    def __init__(self, hidden, heads, kv_heads, ffn, device):
        super().__init__()
        hd = hidden // heads
        self.input_layernorm = LlamaRMSNorm(hidden, device)
        self.q_proj = nn.Linear(hidden, heads * hd, bias=False, device=device)
        self.k_proj = nn.Linear(hidden, kv_heads * hd, bias=False, device=device)
        self.v_proj = nn.Linear(hidden, kv_heads * hd, bias=False, device=device)
        self.o_proj = nn.Linear(heads * hd, hidden, bias=False, device=device)
        self.post_attention_layernorm = LlamaRMSNorm(hidden, device)
        self.gate_proj = nn.Linear(hidden, ffn, bias=False, device=device)
        self.up_proj = nn.Linear(hidden, ffn, bias=False, device=device)
        self.down_proj = nn.Linear(ffn, hidden, bias=False, device=device)


class Llama(nn.Module):
    def __init__(self, layers=16, vocab=128256, hidden=2048, heads=32, kv_heads=8, ffn=8192, device="meta"):
        super().__init__()
        self.embed_tokens = nn.Embedding(vocab, hidden, device=device)
        self.rotary = Rotary(hidden // heads, device=device)
        self.layers = nn.ModuleList(Block(hidden, heads, kv_heads, ffn, device) for _ in range(layers))
        self.norm = LlamaRMSNorm(hidden, device)
        self.lm_head = nn.Linear(hidden, vocab, bias=False, device=device)
        self.lm_head.weight = self.embed_tokens.weight


def torch_path(model):
    model.to_empty(device="cpu")
    # to_empty gives each module slot its own Parameter: tie again, and reset the tied
    # weight once (as its first owner, the embedding), so both paths fill the same values
    model.lm_head.weight = model.embed_tokens.weight
    with torch.no_grad():
        for m in model.modules():
            if hasattr(m, "reset_parameters") and m is not model.lm_head:
                m.reset_parameters()
            if hasattr(m, "reset_buffers"):
                m.reset_buffers()
    return model


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def timed(fn, layers):
    """(wall seconds, CPU seconds of the process) of fn(fresh meta model), and the model's
    parameter count; the model is freed after."""
    model = Llama(layers)
    gc.collect()
    c, t = cpu_seconds(), time.perf_counter()
    fn(model)
    t, c = time.perf_counter() - t, cpu_seconds() - c
    n = sum(p.numel() for p in model.parameters())
    del model
    gc.collect()
    return (t, c), n


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--layers", type=int, default=16)
    ap.add_argument("--breakdown", action="store_true",
                    help="only nninit: materialize, then init_module of the same (now resident) parameters, "
                         "user and system CPU seconds of each: the first touch against the fill")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.breakdown:
        model = Llama(a.layers)
        for label, fn in (("materialize (fresh memory)", nninit.materialize),
                          ("init_module (the same memory again)", nninit.init_module)):
            r0, t = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
            fn(model, seed=0, threads=a.threads)
            r1, t = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter() - t
            print("%s: %.2f s wall, %.2f s user, %.2f s system"
                  % (label, t, r1.ru_utime - r0.ru_utime, r1.ru_stime - r0.ru_stime))
        return
    ours, theirs, counts = [], [], set()
    for _ in range(a.rounds):          # alternated, so both see the same machine and the same memory state
        t, n = timed(lambda m: nninit.materialize(m, seed=0, threads=a.threads), a.layers)
        ours.append(t)
        counts.add(n)
        t, n = timed(torch_path, a.layers)
        theirs.append(t)
        counts.add(n)
    assert len(counts) == 1
    print("| llama-1b shape, f32, %d parameters, %d threads | first round s | best of %d s | CPU s (best) |"
          % (counts.pop(), a.threads, a.rounds))
    print("| --- | ---: | ---: | ---: |")
    for label, r in (("nninit.materialize(model)", ours),
                     ("model.to_empty(device='cpu') + reset_parameters()", theirs)):
        print("| %s | %.2f | %.2f | %.2f |" % (label, r[0][0], min(x[0] for x in r), min(x[1] for x in r)))
    print("| PyTorch / nninit | %.1fx | %.1fx | %.1fx |"
          % (theirs[0][0] / ours[0][0], min(x[0] for x in theirs) / min(x[0] for x in ours),
             min(x[1] for x in theirs) / min(x[1] for x in ours)))
    print("load average after: %.1f %.1f %.1f" % os.getloadavg())


if __name__ == "__main__":
    main()
