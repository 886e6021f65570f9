"""init_: the same bits as `nninit fill`, for every dtype; layout=; errors."""
import re

import numpy as np
import pytest
import torch

import nninit
from conftest import bits

SPECS = [
    ((64, 3, 7, 7), "kaiming_normal(mode=fan_out, nonlinearity=relu)"),
    ((33, 17), "uniform(low=-0.5, high=1.5)"),
    ((1000,), "normal(mean=0.25, std=0.02)"),
    ((31, 29), "trunc_normal(mean=0, std=1, low=-1.5, high=0.5)"),
    ((48, 16, 3), "xavier_uniform(gain=1.5)"),
    ((40, 24), "orthogonal(gain=2)"),
    ((50, 20), "sparse(sparsity=0.3, std=0.05)"),
    ((8, 4, 3, 3), "dirac(groups=2)"),
    ((5, 7), "eye"),
    ((3, 4), "constant(value=0.1)"),
    ((), "normal(std=3)"),
    ((2, 0, 3), "normal"),
    ((20, 10, 3, 3), "variance_scaling(scale=2, mode=fan_avg, distribution=truncated_normal)"),
]
NUMPY = {"f32": np.float32, "f64": np.float64, "f16": np.float16}
TORCH = {"f32": torch.float32, "f64": torch.float64, "f16": torch.float16, "bf16": torch.bfloat16}


@pytest.mark.parametrize("dtype", ["f32", "f64", "f16"])
@pytest.mark.parametrize("shape,spec", SPECS)
def test_numpy_equals_fill(fill, shape, spec, dtype):
    x = np.full(shape, np.nan, NUMPY[dtype])
    assert nninit.init_(x, spec, seed=1234, name="layer.w") is x
    want = fill(shape, spec, dtype, seed=1234, name="layer.w")
    assert want.dtype == x.dtype and want.shape == x.shape
    assert np.array_equal(bits(x), bits(want))


@pytest.mark.parametrize("dtype", ["f32", "f64", "f16", "bf16"])
@pytest.mark.parametrize("shape,spec", SPECS[:9])
def test_torch_equals_fill(fill, shape, spec, dtype):
    x = torch.full(shape, float("nan"), dtype=TORCH[dtype])
    assert nninit.init_(x, spec, seed=7) is x
    want = fill(shape, spec, dtype, seed=7)          # no name: stream 0
    if dtype == "bf16":
        assert want.dtype == np.uint16
    assert np.array_equal(bits(x), bits(want))


def test_parameter_with_grad_is_filled(fill):
    p = torch.nn.Parameter(torch.empty(16, 8))
    nninit.init_(p, "xavier_normal", seed=3, name="p")
    assert p.requires_grad and p.grad is None
    assert np.array_equal(bits(p), bits(fill((16, 8), "xavier_normal", seed=3, name="p")))


def test_streams(fill):
    big = 2 ** 64 - 1
    x = np.empty((100,), np.float32)
    nninit.init_(x, "normal", seed=big, stream=big)
    assert np.array_equal(x, fill((100,), "normal", seed=big, stream=big))
    y = np.empty_like(x)
    nninit.init_(y, "normal", seed=5, name="n")
    z = np.empty_like(x)
    nninit.init_(z, "normal", seed=5, stream=nninit.stream_id("n"))
    assert np.array_equal(y, z)
    nninit.init_(z, "normal", seed=5)
    assert np.array_equal(z, fill((100,), "normal", seed=5, stream=0))
    assert not np.array_equal(y, z)


def test_layout_as_a_model_tensor_field(fill, cli, tmp_path):
    shape = (3, 3, 16, 32)                              # Keras (kh, kw, in, out)
    x = np.empty(shape, np.float32)
    nninit.init_(x, "kaiming_normal(mode=fan_out)", seed=9, name="k", layout="hwio")
    assert np.array_equal(x, fill(shape, "kaiming_normal(mode=fan_out, layout=hwio)", seed=9, name="k"))
    # the same tensor in a model spec with "layout": "hwio"
    spec = tmp_path / "m.json"
    spec.write_text('{"seed": 9, "tensors": [{"name": "k", "shape": [3, 3, 16, 32], "layout": "hwio", '
                    '"init": "kaiming_normal(mode=fan_out)"}]}')
    cli("init", spec, "-o", tmp_path / "m.npy", "--format", "npy", "-q")
    assert np.array_equal(x, np.load(tmp_path / "m.npy" / "k.npy"))
    # a spec that sets its own layout keeps it; schemes without fans ignore layout
    nninit.init_(x, "kaiming_normal(mode=fan_out, layout=oihw)", seed=9, name="k", layout="hwio")
    assert np.array_equal(x, fill(shape, "kaiming_normal(mode=fan_out)", seed=9, name="k"))
    nninit.init_(x, "xavier_uniform(in_axis=0, out_axis=1)", seed=9, layout="hwio")
    assert np.array_equal(x, fill(shape, "xavier_uniform(in_axis=0, out_axis=1)", seed=9))
    nninit.init_(x, "normal(std=0.5)", seed=9, layout="hwio")
    assert np.array_equal(x, fill(shape, "normal(std=0.5)", seed=9))
    t = torch.empty(4, 6, 3)                            # ConvTranspose1d(4, 6, 3) weight
    nninit.init_(t, "dirac", layout="iohw")
    assert np.array_equal(bits(t), bits(fill((4, 6, 3), "dirac(layout=iohw)")))


def test_layout_errors():
    x = np.zeros((2, 3, 4), np.float32)
    with pytest.raises(ValueError, match="layout: 'nhwc' is not one of oihw, iohw, hwio, hwoi"):
        nninit.init_(x, "xavier_uniform", layout="nhwc")
    with pytest.raises(ValueError, match=r"^eye on shape \[2, 3, 4\]: needs a 2-D shape"):
        nninit.init_(x, "eye", layout="hwio")
    with pytest.raises(ValueError, match="column 8: unknown parameter 'sigma'"):
        nninit.init_(x, "normal(sigma=1)", layout="hwio")
    assert not x.any()


def test_did_you_mean():
    # the library's parser suggests the name meant (nninit_suggest); Python gets its message
    x = np.zeros((4, 4), np.float32)
    with pytest.raises(ValueError, match=re.escape("unknown scheme 'kaiming_unifrom'; did you mean 'kaiming_uniform'?")):
        nninit.init_(x, "kaiming_unifrom")
    with pytest.raises(ValueError, match=re.escape("unknown value 'rleu' for nonlinearity; did you mean 'relu'?")):
        nninit.init_(x, "kaiming_uniform(nonlinearity=rleu)")
    with pytest.raises(ValueError) as e:
        nninit.init_(x, "foo")
    assert "did you mean" not in str(e.value)
    assert not x.any()


def untouched(x, before):
    return np.array_equal(bits(x), bits(before))


def test_bad_spec_gives_the_library_message():
    x = np.full((4, 4), 7, np.float32)
    with pytest.raises(ValueError) as e:
        nninit.init_(x, "kaiming_normal(mode=fan_ot)")
    assert str(e.value) == ('init spec "kaiming_normal(mode=fan_ot)": column 21: unknown value \'fan_ot\' for mode '
                            'of kaiming_normal; did you mean \'fan_out\'? (expected fan_in or fan_out)')
    assert e.value.status == 8                          # NNINIT_E_SPEC
    for spec, what in [("xavier", "unknown scheme"), ("normal(std=-1)", "out of range"),
                       ("normal(std 2)", "syntax error"), ("constant", "missing parameter")]:
        with pytest.raises(ValueError, match=what):
            nninit.init_(x, spec)
    with pytest.raises(ValueError, match="needs a 2-D shape"):
        nninit.init_(np.zeros((2, 2, 2), np.float32), "eye")
    with pytest.raises(ValueError, match="out of range for this dtype"):
        nninit.init_(np.zeros(3, np.float16), "constant(value=1e6)")
    assert (x == 7).all()


def test_unsupported_arrays():
    with pytest.raises(TypeError, match="expected a numpy.ndarray or a torch.Tensor, got builtins.list"):
        nninit.init_([1.0, 2.0], "zeros")
    for dt in (np.int32, np.complex64, np.uint16):
        with pytest.raises(TypeError, match="is not supported"):
            nninit.init_(np.zeros(4, dt), "zeros")
    with pytest.raises(TypeError, match="byte-swapped"):
        nninit.init_(np.zeros(4, ">f4"), "zeros")
    with pytest.raises(TypeError, match="dtype torch.int64 is not supported"):
        nninit.init_(torch.zeros(4, dtype=torch.int64), "zeros")
    with pytest.raises(TypeError, match="sparse"):
        nninit.init_(torch.zeros(4, 4).to_sparse(), "zeros")
    with pytest.raises(ValueError, match="at most 8"):
        nninit.init_(np.zeros((1,) * 9, np.float32), "zeros")


def test_arrays_that_cannot_be_written_in_place():
    a = np.ones((6, 8), np.float32)
    with pytest.raises(ValueError, match=r"elements of this view share memory \(strides \(0, 4\)"):
        nninit.init_(np.lib.stride_tricks.as_strided(a, (6, 8), (0, 4)), "zeros")
    ro = np.ones(4, np.float32)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        nninit.init_(ro, "zeros")
    with pytest.raises(ValueError, match="read-only"):
        nninit.init_(np.broadcast_to(a[0], (6, 8)), "zeros")
    raw = np.zeros(4 * 4 + 1, np.uint8)[1:].view(np.float32)
    assert not raw.flags.aligned
    with pytest.raises(ValueError, match="not aligned"):
        nninit.init_(raw, "zeros")
    t = torch.ones(6, 8)
    with pytest.raises(ValueError, match="share memory"):
        nninit.init_(t[0].expand(6, 8), "zeros")
    with pytest.raises(ValueError, match="is on meta; nninit writes CPU memory"):
        nninit.init_(torch.empty(4, device="meta"), "zeros")
    assert (a == 1).all() and (t == 1).all()


def test_seed_name_stream_checks():
    x = np.zeros(4, np.float32)
    with pytest.raises(ValueError, match="seed: -1 is not in 0..2\\^64-1"):
        nninit.init_(x, "normal", seed=-1)
    with pytest.raises(ValueError, match="seed"):
        nninit.init_(x, "normal", seed=2 ** 64)
    with pytest.raises(TypeError, match="seed: expected an integer"):
        nninit.init_(x, "normal", seed=1.5)
    with pytest.raises(ValueError, match="name and stream both"):
        nninit.init_(x, "normal", name="a", stream=1)
    with pytest.raises(ValueError, match="NUL"):
        nninit.init_(x, "normal", name="a\0b")
    with pytest.raises(ValueError, match="NUL"):
        nninit.init_(x, "normal\0")
    with pytest.raises(TypeError, match="spec: expected a str"):
        nninit.init_(x, None)
    assert not x.any()
    nninit.init_(x, "normal", seed=np.uint64(2 ** 63))    # NumPy integers are integers
    assert x.any()


def test_empty_and_scalar_tensors(fill):
    e = torch.empty(0, 5)
    nninit.init_(e, "kaiming_uniform")
    s = torch.tensor(0.0)
    nninit.init_(s, "uniform(low=2, high=3)", seed=1)
    assert 2 <= s.item() < 3
    assert np.array_equal(bits(s), bits(fill((), "uniform(low=2, high=3)", seed=1)))
