"""init_module(module) with no rules: PyTorch's default init of each layer type.

Every parameter is compared with what torch 1.13's own constructor (reset_parameters)
draws for the same layer: constants must be equal exactly, random parameters
must pass a two-sample Kolmogorov-Smirnov test against torch's values (fixed seeds,
so the verdicts never change; 128 replicas of each layer give every parameter
thousands of samples). Also: user rules override, ties, shared storage, errors."""
import math

import numpy as np
import pytest
import scipy.stats
import torch
from torch import nn

import nninit
from conftest import bits

REPLICAS = 128


class LlamaRMSNorm(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n))


LAYERS = {
    "linear": lambda: nn.Linear(40, 30),
    "bilinear": lambda: nn.Bilinear(6, 9, 12),
    "conv1d": lambda: nn.Conv1d(8, 16, 5),
    "conv2d_groups": lambda: nn.Conv2d(8, 12, 3, groups=4),
    "conv3d": lambda: nn.Conv3d(4, 10, 2),
    "convT1d": lambda: nn.ConvTranspose1d(16, 10, 3),
    "convT2d_groups": lambda: nn.ConvTranspose2d(12, 8, 3, groups=2),
    "convT3d": lambda: nn.ConvTranspose3d(3, 10, 2),
    "embedding_pad": lambda: nn.Embedding(30, 16, padding_idx=3),
    "embedding_bag": lambda: nn.EmbeddingBag(20, 8, padding_idx=0),
    "layernorm": lambda: nn.LayerNorm(24),
    "groupnorm": lambda: nn.GroupNorm(4, 24),
    "batchnorm": lambda: nn.BatchNorm2d(24),
    "instancenorm": lambda: nn.InstanceNorm1d(24, affine=True, track_running_stats=True),
    "rmsnorm": lambda: LlamaRMSNorm(24),
    "mha": lambda: nn.MultiheadAttention(16, 4, add_bias_kv=True),
    "mha_kdim": lambda: nn.MultiheadAttention(16, 2, kdim=10, vdim=6, bias=False),
    "lstm": lambda: nn.LSTM(10, 20, num_layers=2, proj_size=8),
    "gru": lambda: nn.GRU(12, 18, bidirectional=True),
    "rnn": lambda: nn.RNN(8, 14, nonlinearity="relu"),
    "lstm_cell": lambda: nn.LSTMCell(6, 10),
    "transformer": lambda: nn.Transformer(d_model=16, nhead=2, num_encoder_layers=1, num_decoder_layers=1,
                                          dim_feedforward=24),
}


def samples(make, fill):
    """{name: values of every replica concatenated} after fill(module, replica index)."""
    out = {}
    for r in range(REPLICAS):
        m = make()
        fill(m, r)
        for n, p in m.named_parameters():
            out.setdefault(n, []).append(p.detach().double().reshape(-1).numpy().copy())
        for n, b in m.named_buffers():
            out.setdefault("buffer " + n, []).append(b.double().reshape(-1).numpy().copy())
    return {n: np.concatenate(v) for n, v in out.items()}


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_default_init_matches_torch(layer):
    make = LAYERS[layer]

    def torch_make():
        torch_make.r += 1
        torch.manual_seed(1000 + torch_make.r)
        m = make()
        if isinstance(m, LlamaRMSNorm):
            nn.init.ones_(m.weight)        # torch 1.13 has no RMSNorm; later torch's reset_parameters: ones
        return m
    torch_make.r = 0
    want = samples(torch_make, lambda m, r: None)

    def ours(m, r):
        for b in m.buffers():
            if b.is_floating_point():
                b.normal_()                 # garbage the statistics reset must overwrite
            else:
                b.fill_(7)
        nninit.init_module(m, seed=r)
    got = samples(make, ours)
    assert sorted(got) == sorted(want)
    for n in want:
        w, g = want[n], got[n]
        assert w.shape == g.shape, n
        if np.all(w == w[0]) or n.startswith("buffer"):
            assert np.array_equal(w, g), n
            continue
        if layer.startswith("embedding"):
            pad = LAYERS[layer]().padding_idx
            width = LAYERS[layer]().embedding_dim
            rows = g.reshape(REPLICAS, -1, width)
            assert np.all(rows[:, pad] == 0), n
            w = np.delete(w.reshape(REPLICAS, -1, width), pad, axis=1).reshape(-1)
            g = np.delete(rows, pad, axis=1).reshape(-1)
        assert g.size >= 1000, n
        p = scipy.stats.ks_2samp(w, g).pvalue
        assert p > 1e-4, (n, p)


def test_ks_detects_a_wrong_fan():
    """The comparison above has power: a ConvTranspose default with nninit's forward-pass fan (not torch's)
    is rejected."""
    torch.manual_seed(0)
    w = np.concatenate([nn.ConvTranspose2d(12, 6, 3).weight.detach().reshape(-1).numpy() for _ in range(32)])
    g = np.concatenate([nninit.init_(torch.empty(12, 6, 3, 3), "pytorch_default", layout="iohw", seed=s)
                        .reshape(-1).numpy() for s in range(32)])
    assert scipy.stats.ks_2samp(w, g).pvalue < 1e-6


def test_rules_override_defaults_and_the_rest_keep_theirs():
    net = nn.Sequential(nn.Linear(8, 8), nn.LayerNorm(8), nn.Embedding(10, 8, padding_idx=1))
    spec = nninit.spec_from_module(net, {"0.weight": "orthogonal", "2.*": "zeros"}, seed=3)
    assert spec["rules"] == {"0.weight": "orthogonal", "2.*": "zeros"}
    assert [t.get("init") for t in spec["tensors"]] == [None, "pytorch_default_bias(fan_in=8)", "ones", "zeros", None]
    nninit.init_module(net, {"0.weight": "orthogonal", "2.*": "ones"}, seed=3)
    q = net[0].weight.detach().double()
    assert torch.allclose(q @ q.T, torch.eye(8, dtype=torch.float64), atol=1e-6)
    assert (net[2].weight == 1).all()          # the rule covers it: no padding row from the default
    alone = nn.Linear(8, 8)
    nninit.init_(alone.bias, "pytorch_default_bias(fan_in=8)", seed=3, name="0.bias")
    assert torch.equal(alone.bias, net[0].bias)


def test_pytorch_default_bias_reads_the_weight():
    conv = nn.Conv2d(6, 4, 3, groups=2)
    spec = nninit.spec_from_module(conv, {"weight": "pytorch_default", "bias": "pytorch_default"})
    assert spec["tensors"][1]["name"] == "bias"
    nninit.init_module(conv, {"weight": "pytorch_default"}, seed=1)
    assert conv.bias.abs().max() <= 1 / math.sqrt(3 * 9)


def test_unkeyed_runs_repeat_under_torch_manual_seed_and_differ_otherwise():
    stack = nn.Sequential(nn.Linear(64, 64), nn.Linear(64, 64))
    torch.manual_seed(7)
    nninit.init_module(stack)
    a = [p.detach().clone() for p in stack.parameters()]
    assert not torch.equal(stack[0].weight, stack[1].weight)
    nninit.init_module(stack)
    assert not torch.equal(a[0], stack[0].weight)
    torch.manual_seed(7)
    nninit.init_module(stack)
    assert all(torch.equal(x, p) for x, p in zip(a, stack.parameters()))
    g = torch.Generator().manual_seed(7)
    seed = nninit._keys.draw_seed(torch.Generator().manual_seed(7), for_torch=True)
    nninit.init_module(stack, generator=g)
    ref = nn.Sequential(nn.Linear(64, 64), nn.Linear(64, 64))
    nninit.init_module(ref, seed=seed)             # the drawn seed is name-keyed as an explicit one
    assert all(torch.equal(x, p) for x, p in zip(ref.parameters(), stack.parameters()))
    with pytest.raises(ValueError, match="seed and generator both choose the key"):
        nninit.init_module(stack, seed=1, generator=g)


def test_a_tie_is_filled_once_under_its_first_name():
    net = nn.Sequential(nn.Embedding(20, 8), nn.Linear(8, 20, bias=False))
    net[1].weight = net[0].weight
    spec = nninit.spec_from_module(net)
    assert [(t["name"], t["init"]) for t in spec["tensors"]] == [("0.weight", "normal")]
    nninit.init_module(net, seed=4)
    ref = torch.empty(20, 8)
    nninit.init_(ref, "normal", seed=4, name="0.weight")
    assert torch.equal(net[1].weight, ref) and net[1].weight is net[0].weight


class Shared(nn.Module):
    """Two distinct Parameters over one storage (a second nn.Parameter over the same data)."""

    def __init__(self, overlap):
        super().__init__()
        base = torch.zeros(64, 64)
        self.a = nn.Linear(64, 64)
        self.a.weight = nn.Parameter(base)
        self.b = nn.Linear(64, 64)
        self.b.weight = nn.Parameter(base[overlap:] if overlap else base)


@pytest.mark.parametrize("overlap", [0, 32])
def test_overlapping_parameters_are_an_error_every_time(overlap):
    for _ in range(30):
        net = Shared(overlap)
        before = {n: bits(p).copy() for n, p in net.named_parameters()}
        with pytest.raises(ValueError, match="parameters 'a.weight' and 'b.weight' are distinct Parameters over "
                                             "overlapping memory"):
            nninit.init_module(net, seed=1, threads=2)
        assert all(np.array_equal(before[n], bits(p)) for n, p in net.named_parameters())


def test_adjacent_views_of_one_storage_are_filled_the_same_every_time():
    runs = set()
    for _ in range(30):
        base = torch.zeros(2, 64, 64)
        net = nn.Sequential(nn.Linear(64, 64, bias=False), nn.Linear(64, 64, bias=False))
        net[0].weight = nn.Parameter(base[0])
        net[1].weight = nn.Parameter(base[1])
        nninit.init_module(net, seed=1, threads=2)
        runs.add(bits(base).tobytes())
    assert len(runs) == 1
    ref = nn.Sequential(nn.Linear(64, 64, bias=False), nn.Linear(64, 64, bias=False))
    nninit.init_module(ref, seed=1)
    assert runs == {bits(torch.stack([ref[0].weight, ref[1].weight])).tobytes()}


class Custom(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 4)
        self.gamma = nn.Parameter(torch.ones(4))


def test_a_module_without_default_is_named_and_nothing_is_written():
    net = Custom()
    before = {n: bits(p).copy() for n, p in net.named_parameters()}
    with pytest.raises(ValueError, match=r"parameter 'gamma' \(of a test_defaults.Custom\): no rule matches it"):
        nninit.init_module(net, seed=0)
    with pytest.raises(ValueError, match=r"parameter 'gamma' \(of a test_defaults.Custom\)"):
        nninit.spec_from_module(net)
    with pytest.raises(ValueError, match="unknown scheme"):
        nninit.init_module(net, {"gamma": "nonsense"}, seed=0)
    assert all(np.array_equal(before[n], bits(p)) for n, p in net.named_parameters())
    nninit.init_module(net, {"gamma": "ones"}, seed=0)
    assert (net.gamma == 1).all()
