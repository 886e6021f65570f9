"""spec_from_module and init_module: the spec a module gives, and bit-for-bit
equality with `nninit init` of that spec (read back by an independent reader)."""
import json
import math
import os
import sys

import numpy as np
import pytest
import torch
from torch import nn

import nninit
import streader
from conftest import ROOT, bits


class Net(nn.Module):
    """Convolutions (grouped, transposed), a tied pair, norms, a mixed-dtype parameter."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3)
        self.dw = nn.Conv2d(8, 8, 3, groups=4, bias=False)
        self.bn = nn.BatchNorm2d(8)
        self.up = nn.ConvTranspose2d(8, 4, 2)
        self.emb = nn.Embedding(50, 16)
        self.head = nn.Linear(16, 50, bias=False)
        self.head.weight = self.emb.weight
        self.gate = nn.Linear(16, 16)
        self.scale = nn.Parameter(torch.ones(3, dtype=torch.float64))


RULES = {
    "*bn.weight": "ones",
    "scale": "constant(value=0.5)",
    "*.bias": "zeros",
    "gate.weight": "orthogonal(gain=2)",
    "dw.weight": "dirac(groups=4)",
    "emb.weight": "trunc_normal(std=0.02, low=-0.04, high=0.04)",
    "*.weight": "kaiming_normal(mode=fan_out, nonlinearity=relu)",
}


def test_spec_of_a_module():
    spec = nninit.spec_from_module(Net(), RULES, seed=42)
    assert spec == {
        "seed": 42, "dtype": "f32", "rules": RULES,
        "tensors": [
            {"name": "scale", "shape": [3], "dtype": "f64"},          # the module's own come first
            {"name": "stem.weight", "shape": [8, 3, 3, 3]},
            {"name": "stem.bias", "shape": [8]},
            {"name": "dw.weight", "shape": [8, 2, 3, 3], "groups": 4},
            {"name": "bn.weight", "shape": [8]},
            {"name": "bn.bias", "shape": [8]},
            {"name": "up.weight", "shape": [8, 4, 2, 2], "layout": "iohw"},
            {"name": "up.bias", "shape": [4]},
            {"name": "emb.weight", "shape": [50, 16]},          # head.weight is the same parameter
            {"name": "gate.weight", "shape": [16, 16]},
            {"name": "gate.bias", "shape": [16]},
        ]}
    assert list(spec["rules"]) == list(RULES)                  # rule order is kept
    json.loads(json.dumps(spec))
    as_bf16 = nninit.spec_from_module(Net(), list(RULES.items()), seed=2 ** 60, dtype=torch.bfloat16)
    assert as_bf16["seed"] == str(2 ** 60) and as_bf16["dtype"] == "bf16"
    assert as_bf16["rules"] == [{"match": k, "init": v} for k, v in RULES.items()]
    assert all("dtype" not in t for t in as_bf16["tensors"])
    # dtype names: the library's table, short and long (as Hugging Face configs write them)
    for name, short in [("bfloat16", "bf16"), ("float16", "f16"), ("float32", "f32"), ("float64", "f64"),
                        ("bf16", "bf16"), ("f16", "f16")]:
        assert nninit.spec_from_module(Net(), RULES, dtype=name)["dtype"] == short
    for bad in ["Float32", "fp32", "bfloat", "float32\0"]:
        with pytest.raises(TypeError, match="expected 'f32'"):
            nninit.spec_from_module(Net(), RULES, dtype=bad)


def compare_with_cli(cli, tmp_path, module, rules, **kw):
    """init_module(module) and `nninit init` of its spec give the same bytes for every parameter."""
    kw.setdefault("seed", 0)
    spec = nninit.spec_from_module(module, rules, seed=kw.get("seed", 0), dtype=kw.get("dtype"))
    k = len(list(tmp_path.glob("spec*.json")))           # fresh names: the program does not replace files
    path = tmp_path / ("spec%d.json" % k)
    path.write_text(json.dumps(spec))
    out = tmp_path / ("cli%d.safetensors" % k)
    cli("init", path, "-o", out, "-q")
    assert nninit.init_module(module, rules, **kw) is module
    meta, tensors, _ = streader.read(out)
    params = dict(module.named_parameters())
    assert [n for n, _, _ in tensors] == list(params)
    for name, dt, arr in tensors:
        p = params[name]
        assert tuple(p.shape) == arr.shape, name
        assert np.array_equal(bits(p), bits(arr)), name
    return meta


def test_init_module_equals_nninit_init(cli, tmp_path):
    torch.manual_seed(0)
    net = Net()
    meta = compare_with_cli(cli, tmp_path, net, RULES, seed=42)
    assert json.loads(meta["spec"])["seed"] == 42
    assert net.head.weight is net.emb.weight                   # still tied
    assert (net.dw.weight[:, :, 1, 1].sum() == 8).item()       # dirac per group
    assert net.scale.dtype == torch.float64 and (net.scale == 0.5).all()
    q = net.gate.weight.double()
    assert torch.allclose(q @ q.T, 4 * torch.eye(16, dtype=torch.float64), atol=1e-5)


def test_thread_count_does_not_matter(tmp_path):
    a, b = Net(), Net()
    nninit.init_module(a, RULES, seed=5, threads=1)
    nninit.init_module(b, RULES, seed=5, threads=2)
    for (n, p), (_, q) in zip(a.named_parameters(), b.named_parameters()):
        assert np.array_equal(bits(p), bits(q)), n


def test_bf16_module_and_dtype_conversion(cli, tmp_path):
    net = Net().to(torch.bfloat16)
    compare_with_cli(cli, tmp_path, net, RULES, seed=3)
    net = Net()
    before = {n: p for n, p in net.named_parameters()}
    compare_with_cli(cli, tmp_path, net, RULES, seed=3, dtype="bf16")
    for n, p in net.named_parameters():
        assert p is before[n] and p.dtype == torch.bfloat16 and p.requires_grad
    assert net.head.weight is net.emb.weight and net.head.weight.dtype == torch.bfloat16


def test_non_contiguous_parameters(cli, tmp_path):
    net = nn.Sequential(nn.Conv2d(4, 6, 3), nn.Conv2d(6, 2, 1)).to(memory_format=torch.channels_last)
    assert not net[0].weight.is_contiguous()
    compare_with_cli(cli, tmp_path, net, {"*.weight": "xavier_uniform", "*.bias": "normal(std=0.1)"}, seed=9)
    assert net[0].weight.is_contiguous(memory_format=torch.channels_last)


def test_big_seed(cli, tmp_path):
    compare_with_cli(cli, tmp_path, nn.Linear(20, 30), [("weight", "normal"), ("bias", "uniform")], seed=2 ** 64 - 1)


def test_gen_models_reproduces_the_examples(tmp_path):
    """tools/gen_models.py writes examples/models/ through spec_from_module: the same bytes."""
    import subprocess
    p = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "gen_models.py"), str(tmp_path)],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    for name in ("mlp", "resnet50", "gpt2-124m", "llama-1b"):
        with open(os.path.join(ROOT, "examples", "models", name + ".json"), "rb") as f:
            assert (tmp_path / (name + ".json")).read_bytes() == f.read(), name
    gpt2 = json.loads((tmp_path / "gpt2-124m.json").read_text())
    assert sum(math.prod(t["shape"]) for t in gpt2["tensors"]) == 124439808


def params_bytes(module):
    return {n: bits(p).copy() for n, p in module.named_parameters()}


def test_errors_leave_the_module_untouched():
    net = Net()
    before = params_bytes(net)
    with pytest.raises(ValueError, match=r"parameter 'scale' \(of a test_module.Net\): no rule matches it and nninit "
                                         "knows no PyTorch default for that module type; give a rule for it"):
        nninit.init_module(net, {"*.weight": "zeros", "*.bias": "zeros"}, seed=0)
    with pytest.raises(ValueError, match=r'rules: pattern "\*.weight": init spec "normal\(sigma=1\)": column 8: '
                                         "unknown parameter 'sigma'"):
        nninit.init_module(net, {"*.weight": "normal(sigma=1)", "*": "zeros"})
    with pytest.raises(ValueError, match=r'tensor "gate.weight": init "dirac" \(rule "gate.weight"\): dirac on '
                                         r'shape \[16, 16\]: needs a 3-D, 4-D or 5-D shape'):
        nninit.init_module(net, {"gate.weight": "dirac", "*": "zeros"})
    with pytest.raises(ValueError, match=r"tensor 'scale': constant\(value=1e6\) as f16: .*out of range for "
                                         "this dtype"):
        nninit.init_module(net, {"*": "constant(value=1e6)"}, dtype="f16")
    with pytest.raises(TypeError, match="expected a torch.nn.Module"):
        nninit.init_module({"w": torch.zeros(2)}, {"*": "zeros"})
    with pytest.raises(TypeError, match="rules: expected a dict"):
        nninit.init_module(net, "*.weight")
    with pytest.raises(TypeError, match="rules: the init of '\\*' must be a str"):
        nninit.init_module(net, {"*": 0})
    with pytest.raises(ValueError, match="threads: -1 is negative"):
        nninit.init_module(net, {"*": "zeros"}, threads=-1)
    after = params_bytes(net)
    assert all(np.array_equal(before[n], after[n]) for n in before)
    assert all(p.dtype == (torch.float64 if n == "scale" else torch.float32) for n, p in net.named_parameters())


def test_modules_that_cannot_be_initialized():
    meta = nn.Linear(4, 4, device="meta")
    with pytest.raises(ValueError, match=r"'weight' is on the meta device: use nninit.materialize"):
        nninit.init_module(meta, {"*": "zeros"})
    assert nninit.spec_from_module(meta, {"*": "zeros"})["tensors"][0] == {"name": "weight", "shape": [4, 4]}
    with pytest.warns(UserWarning, match="Lazy modules"):
        lazy = nn.LazyLinear(3)
    with pytest.raises(ValueError, match="not materialized"):
        nninit.spec_from_module(lazy, {"*": "zeros"})
    odd = nn.Linear(2, 2)
    odd.weight = nn.Parameter(torch.zeros(2, 2, dtype=torch.complex64))
    with pytest.raises(TypeError, match="parameter 'weight': dtype torch.complex64"):
        nninit.init_module(odd, {"*": "zeros"})
    nninit.init_module(odd, {"*": "ones"}, dtype="f32")       # converted: its storage is replaced
    assert odd.weight.dtype == torch.float32 and (odd.weight == 1).all()


def test_init_module_after_to_empty(cli, tmp_path):
    net = nn.Sequential(nn.Linear(64, 128), nn.GELU(), nn.Linear(128, 64)).to(torch.device("meta"))
    net.to_empty(device="cpu")
    compare_with_cli(cli, tmp_path, net, {"*.weight": "trunc_normal(std=0.02)", "*.bias": "zeros"}, seed=1)


def test_module_without_parameters():
    relu = nn.ReLU()
    assert nninit.init_module(relu, {"*": "zeros"}) is relu
    assert nninit.spec_from_module(relu, {"*": "zeros"}, seed=3) == {"seed": 3, "dtype": "f32", "rules": {"*": "zeros"},
                                                                    "tensors": []}
