"""Views: a non-contiguous array or tensor is filled with the bits of a contiguous
one of its shape and key, and nothing outside the view is written.

Each case runs three ways: with the package's block sizes, and with blocks
shrunk to a few elements so that small tensors take every path of the block
walk (many blocks, one element per block, a dimension cut in the middle, runs
written in place)."""
import math

import numpy as np
import pytest
import torch

import nninit
from nninit import _init
from conftest import bits

SENTINEL = 1234.5

# (name, base shape, view of the base: the same function for arrays and tensors where both have it)
VIEWS_2D = [
    ("columns", (12, 20), lambda b: b[:, :13]),
    ("columns-offset", (12, 20), lambda b: b[:, 7:]),
    ("rows-step", (25, 9), lambda b: b[::2]),
    ("inner-box", (14, 17), lambda b: b[2:-3, 1:-4]),
    ("transposed", (9, 16), lambda b: b.T if isinstance(b, np.ndarray) else b.t()),
    ("transposed-box", (20, 18), lambda b: (b.T if isinstance(b, np.ndarray) else b.t())[3:15, 2:]),
    ("both-steps", (24, 30), lambda b: b[1::3, ::2]),
]
VIEWS_ND = [   # 3-D to 5-D, for the helpers that take any rank and dirac_
    ("permuted", (6, 5, 8), lambda b: b.transpose(2, 0, 1) if isinstance(b, np.ndarray) else b.permute(2, 0, 1)),
    ("middle-step", (8, 9, 3, 3), lambda b: b[:, ::2]),
    ("conv-box", (10, 6, 5, 5), lambda b: b[2:8, 1:5, 1:4, :]),
    ("5d-columns", (6, 4, 3, 3, 5), lambda b: b[..., 1:4]),
]
NEGATIVE = [   # NumPy only: torch has no negative strides
    ("reversed-rows", (10, 12), lambda b: b[::-1]),
    ("reversed-columns", (10, 12), lambda b: b[:, ::-1]),
    ("reversed-both-step", (21, 12), lambda b: b[::-2, ::-3]),
    ("reversed-3d", (6, 5, 4), lambda b: b[::-1, :, ::-1]),
]


def channels_last(b):
    return b.as_strided(b.shape, (b.shape[1] * b.shape[2] * b.shape[3], 1, b.shape[1] * b.shape[3], b.shape[1]))


CALLS_2D = [
    ("uniform_", (-0.5, 2.0)), ("normal_", (0.25, 0.5)), ("trunc_normal_", (0.0, 1.0, -0.5, 1.5)),
    ("constant_", (0.75,)), ("ones_", ()), ("zeros_", ()), ("eye_", ()), ("xavier_uniform_", (1.5,)),
    ("xavier_normal_", ()), ("kaiming_uniform_", (math.sqrt(5),)), ("kaiming_normal_", (0, "fan_out", "relu")),
    ("orthogonal_", (2.0,)), ("sparse_", (0.3, 0.1)),
]
CALLS_ND = [(n, a) for n, a in CALLS_2D if n not in ("eye_", "sparse_")] + [("dirac_", ())]

NUMPY_DTYPES = [np.float32, np.float64, np.float16]
TORCH_DTYPES = [torch.float32, torch.float64, torch.float16, torch.bfloat16]


@pytest.fixture(params=["default", "tiny-blocks", "tiny-runs"])
def blocks(request, monkeypatch):
    """The block sizes: the package's; 3 elements of scratch (runs never in place);
    runs in place from 2 elements, 3 elements of scratch."""
    if request.param == "tiny-blocks":
        monkeypatch.setattr(_init, "SCRATCH_BYTES", 12)
        monkeypatch.setattr(_init, "RUN_BYTES", 1 << 40)
    elif request.param == "tiny-runs":
        monkeypatch.setattr(_init, "SCRATCH_BYTES", 12)
        monkeypatch.setattr(_init, "RUN_BYTES", 8)
    return request.param


def check_view(make_base, view_of, helper, args, key, mark):
    """Fills view_of(base) and a contiguous array of its shape with the same key;
    compares the bits and checks that every element outside the view kept SENTINEL."""
    base = make_base()
    v = view_of(base)
    if isinstance(v, np.ndarray):
        assert not v.flags.c_contiguous
        want = np.empty(v.shape, v.dtype)
    else:
        assert not v.is_contiguous()
        want = torch.empty(v.shape, dtype=v.dtype)
    fn = getattr(nninit, helper)
    assert fn(v, *args, **key) is v
    fn(want, *args, **key)
    assert np.array_equal(bits(v), bits(want)), (helper, v.shape)
    assert (base[~mark(base.shape)] == SENTINEL).all()


def numpy_mark(view_of):
    def mark(shape):
        m = np.zeros(shape, bool)
        view_of(m)[...] = True
        return m
    return mark


def torch_mark(view_of):
    def mark(shape):
        m = torch.zeros(shape, dtype=torch.bool)
        view_of(m).fill_(True)
        return m
    return mark


@pytest.mark.parametrize("helper,args", CALLS_2D, ids=[c[0] for c in CALLS_2D])
@pytest.mark.parametrize("kind,shape,view_of", VIEWS_2D, ids=[v[0] for v in VIEWS_2D])
def test_2d_views(blocks, helper, args, kind, shape, view_of):
    for dt in TORCH_DTYPES:
        check_view(lambda: torch.full(shape, SENTINEL, dtype=dt), view_of, helper, args,
                   {"seed": 17, "name": "w"}, torch_mark(view_of))
    for dt in NUMPY_DTYPES:
        check_view(lambda: np.full(shape, SENTINEL, dt), view_of, helper, args, {"stream": 5},
                   numpy_mark(view_of))


@pytest.mark.parametrize("helper,args", CALLS_ND, ids=[c[0] for c in CALLS_ND])
@pytest.mark.parametrize("kind,shape,view_of", VIEWS_ND, ids=[v[0] for v in VIEWS_ND])
def test_nd_views(blocks, helper, args, kind, shape, view_of):
    check_view(lambda: torch.full(shape, SENTINEL, dtype=torch.bfloat16), view_of, helper, args,
               {"seed": 3}, torch_mark(view_of))
    check_view(lambda: np.full(shape, SENTINEL, np.float32), view_of, helper, args, {"name": "conv"},
               numpy_mark(view_of))


@pytest.mark.parametrize("helper,args", CALLS_2D, ids=[c[0] for c in CALLS_2D])
@pytest.mark.parametrize("kind,shape,view_of", NEGATIVE, ids=[v[0] for v in NEGATIVE])
def test_negative_strides(blocks, helper, args, kind, shape, view_of):
    if len(shape) != 2 and helper in ("eye_", "sparse_"):
        pytest.skip("2-D only")
    check_view(lambda: np.full(shape, SENTINEL, np.float64), view_of, helper, args, {"seed": 8},
               numpy_mark(view_of))


@pytest.mark.parametrize("helper,args", CALLS_ND, ids=[c[0] for c in CALLS_ND])
def test_channels_last(blocks, helper, args):
    # a channels_last tensor, and a box of one (whose memory has gaps)
    t = torch.full((4, 6, 5, 3), SENTINEL).contiguous(memory_format=torch.channels_last)
    assert not t.is_contiguous()
    want = torch.empty(t.shape)
    getattr(nninit, helper)(t, *args, seed=21)
    getattr(nninit, helper)(want, *args, seed=21)
    assert np.array_equal(bits(t), bits(want))

    def view_of(b):
        return channels_last(b)[:, 1:7, 2:, 1:4]
    check_view(lambda: torch.full((2, 8, 7, 5), SENTINEL), view_of, helper, args, {"seed": 21},
               torch_mark(view_of))


def test_init_with_a_layout_on_a_view(fill, blocks):
    k = np.full((3, 3, 32, 20), SENTINEL, np.float32)            # Keras HWIO, a box of output channels
    v = k[..., 4:20]
    nninit.init_(v, "kaiming_normal(mode=fan_out)", seed=9, name="k", layout="hwio")
    assert np.array_equal(v, fill((3, 3, 32, 16), "kaiming_normal(mode=fan_out, layout=hwio)", seed=9, name="k"))
    assert (k[..., :4] == SENTINEL).all()


def test_unkeyed_views_draw_as_contiguous_tensors(blocks):
    """An unkeyed view draws one seed, as a contiguous tensor does: the same
    generator state gives the same values."""
    w = torch.full((30, 40), SENTINEL)
    torch.manual_seed(6)
    nninit.kaiming_uniform_(w[:, 5:25].t(), a=math.sqrt(5))
    torch.manual_seed(6)
    want = nninit.kaiming_uniform_(torch.empty(20, 30), a=math.sqrt(5))
    assert torch.equal(w[:, 5:25].t(), want)
    a = np.full((9, 11), SENTINEL)
    nninit.orthogonal_(a[::-1, 1:], generator=np.random.default_rng(2))
    want = nninit.orthogonal_(np.empty((9, 10)), generator=np.random.default_rng(2))
    assert np.array_equal(a[::-1, 1:], want) and (a[:, 0] == SENTINEL).all()


def test_large_views_with_the_package_blocks(fill):
    """Sizes past the block sizes: runs written in place (rows of 72 KiB), and a
    transposed view through several scratch blocks, bf16 and f32."""
    w = torch.full((40, 20000), SENTINEL)
    v = w[:, 1000:19000]                                          # rows of 18000 f32
    nninit.trunc_normal_(v, std=0.02, seed=1, name="big")
    assert np.array_equal(bits(v), bits(fill((40, 18000), "trunc_normal(mean=0.0, std=0.02, low=-2.0, high=2.0)",
                                             seed=1, name="big")))
    assert (w[:, :1000] == SENTINEL).all() and (w[:, 19000:] == SENTINEL).all()
    t = torch.full((700, 900), SENTINEL, dtype=torch.bfloat16)
    nninit.normal_(t.t(), 0.0, 0.5, seed=2)
    assert np.array_equal(bits(t.t()), bits(fill((900, 700), "normal(mean=0.0, std=0.5)", "bf16", seed=2)))
    s = torch.full((600, 500), SENTINEL)
    nninit.sparse_(s.t(), 0.2, seed=4)
    assert np.array_equal(bits(s.t()), bits(fill((500, 600), "sparse(sparsity=0.2, std=0.01)", seed=4)))


def test_parameters_and_grad_views():
    lin = torch.nn.Linear(30, 20)
    nninit.normal_(lin.weight[:, :10], std=0.5, seed=1)       # a view of a Parameter that requires grad
    assert lin.weight.requires_grad and lin.weight.grad is None
    assert torch.equal(lin.weight[:, :10], nninit.normal_(torch.empty(20, 10), std=0.5, seed=1))


def test_bad_views_are_left_unchanged():
    a = np.full((8, 6), SENTINEL, np.float16)
    t = torch.full((8, 6), SENTINEL, dtype=torch.float16)
    for v in (a[:, 1:], a.T, t[:, 1:], t.t()):
        with pytest.raises(ValueError, match=r"on shape \[\d, \d\] as f16: a parameter is out of range"):
            nninit.uniform_(v, -1e6, 1e6, seed=1)
        with pytest.raises(ValueError, match="out of range for this dtype"):
            nninit.constant_(v, 1e6)
        with pytest.raises(ValueError, match="needs a 2-D shape"):
            nninit.init_(v[None], "eye")
        with pytest.raises(ValueError, match="column 8: std out of range"):
            nninit.init_(v, "normal(std=-1)")
        with pytest.raises(ValueError, match="only 2 or more|Only tensors with 2 or more"):
            nninit.orthogonal_(v[0])
    assert (a == SENTINEL).all() and (t == SENTINEL).all()
    ro = np.full((6, 8), SENTINEL, np.float32)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        nninit.normal_(ro[:, ::2])
    with pytest.raises(ValueError, match="share memory"):
        nninit.normal_(torch.full((1, 8), SENTINEL).expand(6, 8))
    with pytest.raises(TypeError, match="dtype torch.int32 is not supported"):
        nninit.normal_(torch.zeros(6, 8, dtype=torch.int32).t())
    with pytest.raises(ValueError, match="is on meta"):
        nninit.normal_(torch.empty(6, 8, device="meta").t())
