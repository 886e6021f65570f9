"""The torch.nn.init-style helpers: names and argument order, shape rules, exact
results of the deterministic ones, and the distributions of the random ones,
checked against torch.nn.init's own output and formulas (fixed seeds)."""
import inspect
import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.init as tinit

import nninit
from conftest import bits

HELPERS = ["uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_", "dirac_",
           "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_", "sparse_"]


#: the helpers whose torch.nn.init 2.x form takes generator= (after its own arguments)
WITH_GENERATOR = {"uniform_", "normal_", "trunc_normal_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
                  "kaiming_normal_", "orthogonal_", "sparse_"}


@pytest.mark.parametrize("name", HELPERS + ["calculate_gain"])
def test_same_arguments_as_torch(name):
    """torch.nn.init.X_(w, ...) -> nninit.X_(w, ...): torch 1.13's positional arguments and
    defaults, then generator where torch 2.x has it; seed, name and stream are keyword-only
    (and generator, for the helpers that draw nothing)."""
    theirs = inspect.signature(getattr(tinit, name)).parameters
    ours = inspect.signature(getattr(nninit, name)).parameters
    positional = [p for p in ours.values() if p.kind != p.KEYWORD_ONLY]
    extra = ["generator"] if name in WITH_GENERATOR else []
    assert [p.name for p in positional] == list(theirs) + extra
    for p in positional:
        assert p.default == (None if p.name == "generator" else theirs[p.name].default), p.name
    keywords = {p.name: p.default for p in ours.values() if p.kind == p.KEYWORD_ONLY}
    if name == "calculate_gain":
        assert not keywords
    elif name in WITH_GENERATOR:
        assert keywords == {"seed": None, "name": None, "stream": None}
    else:
        assert keywords == {"seed": None, "name": None, "stream": None, "generator": None}
    assert getattr(nninit, name).__doc__


def test_helpers_are_init_with_a_spec(fill):
    w = torch.empty(64, 32, 3, 3)
    assert nninit.kaiming_uniform_(w, 0.1, "fan_out", "leaky_relu", seed=4, name="c") is w
    want = fill((64, 32, 3, 3), "kaiming_uniform(a=0.1, mode=fan_out, nonlinearity=leaky_relu)", seed=4, name="c")
    assert np.array_equal(bits(w), bits(want))
    w = torch.empty(100, 30, dtype=torch.bfloat16)
    nninit.trunc_normal_(w, 0.1, 0.5, -0.4, 0.9, seed=2, name="t")
    want = fill((100, 30), "trunc_normal(mean=0.1, std=0.5, low=-0.4, high=0.9)", "bf16", seed=2, name="t")
    assert np.array_equal(bits(w), bits(want))
    w = torch.empty(10, 20)
    nninit.normal_(w, std=1e-05, seed=1)                 # a number repr() writes with an exponent
    assert np.array_equal(bits(w), bits(fill((10, 20), "normal(std=1e-05)", seed=1)))


# ---- shape rules -------------------------------------------------------------------------
SHAPES = [(), (5,), (0,), (4, 3), (0, 3), (3, 0), (4, 3, 2), (4, 2, 3, 3), (6, 3, 2, 2, 2), (2,) * 6]
CALLS = {
    "uniform_": (), "normal_": (), "trunc_normal_": (), "constant_": (0.5,), "ones_": (), "zeros_": (),
    "eye_": (), "dirac_": (), "xavier_uniform_": (), "xavier_normal_": (), "kaiming_uniform_": (),
    "kaiming_normal_": (), "orthogonal_": (), "sparse_": (0.5,),
}


def outcome(fn, shape, args):
    t = torch.zeros(shape)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            fn(t, *args)
        except ValueError:
            return "ValueError", None
    return "ok", [str(x.message) for x in w]


@pytest.mark.parametrize("name", HELPERS)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_shape_rules_are_torch(name, shape):
    args = CALLS[name]
    theirs = outcome(getattr(tinit, name), shape, args)
    ours = outcome(getattr(nninit, name), shape, args)
    assert ours == theirs


@pytest.mark.parametrize("shape,groups,ok", [((4, 2, 3), 2, True), ((6, 1, 3, 3), 3, True), ((3, 2, 3), 2, False),
                                             ((8, 4, 1, 1, 1), 4, True), ((4, 4, 3), 3, False)])
def test_dirac_groups_rule(shape, groups, ok):
    for fn in (tinit.dirac_, nninit.dirac_):
        if ok:
            fn(torch.zeros(shape), groups)
        else:
            with pytest.raises(ValueError):
                fn(torch.zeros(shape), groups)


def test_argument_errors_are_torch():
    w = torch.zeros(8, 8)
    for fn in (tinit.kaiming_normal_, nninit.kaiming_normal_):
        with pytest.raises(ValueError, match="Mode fan_avg not supported"):
            fn(w, mode="fan_avg")
        with pytest.raises(ValueError, match="Unsupported nonlinearity gelu"):
            fn(w, nonlinearity="gelu")
        fn(w, mode="FAN_OUT")                              # torch lower-cases the mode
        fn(w, a=3, nonlinearity="relu")                    # a is read only with leaky_relu
    for fn in (tinit.calculate_gain, nninit.calculate_gain):
        with pytest.raises(ValueError, match="negative_slope True not a valid number"):
            fn("leaky_relu", True)


# ---- deterministic helpers: exactly torch's values --------------------------------------------
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16, torch.bfloat16])
def test_deterministic_helpers_equal_torch(dtype):
    cases = [("constant_", (7, 5), (0.3,)), ("constant_", (3, 2, 2), (-2.5,)), ("ones_", (4, 9), ()),
             ("zeros_", (2, 3, 4), ()), ("eye_", (5, 8), ()), ("eye_", (8, 5), ()), ("eye_", (1, 1), ()),
             ("dirac_", (6, 4, 3), ()), ("dirac_", (4, 6, 3, 5), ()), ("dirac_", (8, 2, 3, 3), (4,)),
             ("dirac_", (6, 4, 3, 3, 3), (2,)), ("dirac_", (9, 3, 2, 4), (3,))]
    for name, shape, args in cases:
        # torch 1.13 has no bfloat16 eye: its float32 identity, converted (exactly)
        tdt = torch.float32 if name == "eye_" and dtype == torch.bfloat16 else dtype
        theirs = getattr(tinit, name)(torch.full(shape, 9.0, dtype=tdt), *args).to(dtype)
        ours = getattr(nninit, name)(torch.full(shape, 9.0, dtype=dtype), *args)
        assert torch.equal(ours, theirs), (name, shape, args)


def test_calculate_gain_equals_torch():
    for nl in ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
               "sigmoid", "tanh", "relu", "selu"]:
        assert nninit.calculate_gain(nl) == pytest.approx(tinit.calculate_gain(nl), rel=1e-15), nl
    for p in (None, 0, 0.2, 1, -0.5):
        assert nninit.calculate_gain("leaky_relu", p) == pytest.approx(tinit.calculate_gain("leaky_relu", p),
                                                                       rel=1e-15)


# ---- random helpers: distributions ------------------------------------------------------------
def ks_distance(x, y):
    """Two-sample Kolmogorov-Smirnov statistic sup |F_x - F_y|."""
    x, y = np.sort(x), np.sort(y)
    grid = np.concatenate([x, y])
    return np.max(np.abs(np.searchsorted(x, grid, side="right") / x.size -
                         np.searchsorted(y, grid, side="right") / y.size))


def ks_critical(n, m, alpha=1e-6):
    """The asymptotic two-sample KS critical value at level alpha."""
    return math.sqrt(-math.log(alpha / 2) / 2) * math.sqrt((n + m) / (n * m))


def norm_cdf(x):
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def truncnorm_moments(mean, std, a, b):
    """Mean and std of N(mean, std^2) conditioned on [a, b] (closed forms)."""
    al, be = (a - mean) / std, (b - mean) / std
    pdf = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)   # noqa: E731
    z = norm_cdf(be) - norm_cdf(al)
    m = mean + std * (pdf(al) - pdf(be)) / z
    v = std * std * (1 + (al * pdf(al) - be * pdf(be)) / z - ((pdf(al) - pdf(be)) / z) ** 2)
    return m, math.sqrt(v)


def fans(shape):
    """torch's fans of an (out, in, *kernel) weight, computed here."""
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


GAIN = {"relu": math.sqrt(2), "tanh": 5 / 3, "linear": 1, "sigmoid": 1, "selu": 0.75}


def leaky_gain(a):
    return math.sqrt(2 / (1 + a * a))


# (helper, shape, positional args, expected (kind, parameters) derived from the formulas)
RANDOM = [
    ("uniform_", (400, 500), (-0.3, 0.7), ("uniform", -0.3, 0.7)),
    ("normal_", (400, 500), (0.5, 0.1), ("normal", 0.5, 0.1)),
    ("trunc_normal_", (400, 500), (0.1, 0.5, -0.4, 0.9), ("trunc", 0.1, 0.5, -0.4, 0.9)),
    ("trunc_normal_", (400, 500), (0.0, 0.02), ("trunc", 0.0, 0.02, -2.0, 2.0)),
    ("xavier_uniform_", (128, 96, 3, 3), (1.3,), ("uniform_sym", 1.3 * math.sqrt(6 / (96 * 9 + 128 * 9)))),
    ("xavier_normal_", (300, 700), (), ("normal", 0.0, math.sqrt(2 / 1000))),
    ("kaiming_uniform_", (128, 64, 3, 3), (0.2, "fan_out", "leaky_relu"),
     ("uniform_sym", leaky_gain(0.2) * math.sqrt(3 / (128 * 9)))),
    ("kaiming_uniform_", (256, 512), (3, "fan_in", "tanh"), ("uniform_sym", 5 / 3 * math.sqrt(3 / 512))),
    ("kaiming_normal_", (512, 384), (0, "fan_in", "relu"), ("normal", 0.0, math.sqrt(2) / math.sqrt(384))),
    ("kaiming_normal_", (96, 64, 5, 5), (), ("normal", 0.0, math.sqrt(2) / math.sqrt(64 * 25))),
    ("kaiming_normal_", (64, 3, 7, 7), (0, "fan_out", "relu"), ("normal", 0.0, math.sqrt(2 / (64 * 49)))),
]


def expected_moments(exp):
    kind = exp[0]
    if kind == "uniform":
        lo, hi = exp[1], exp[2]
        return (lo + hi) / 2, (hi - lo) / math.sqrt(12), lo, hi
    if kind == "uniform_sym":
        return 0.0, exp[1] / math.sqrt(3), -exp[1], exp[1]
    if kind == "normal":
        return exp[1], exp[2], -math.inf, math.inf
    m, s = truncnorm_moments(*exp[1:])
    return m, s, exp[3], exp[4]


@pytest.mark.parametrize("name,shape,args,exp", RANDOM, ids=lambda v: str(v) if isinstance(v, str) else None)
def test_random_helpers_match_torch(name, shape, args, exp):
    ours = getattr(nninit, name)(torch.empty(shape), *args, seed=11, name="w").double().numpy().ravel()
    torch.manual_seed(11)
    theirs = getattr(tinit, name)(torch.empty(shape), *args).double().numpy().ravel()
    n = ours.size
    mean, std, lo, hi = expected_moments(exp)
    # the formulas: mean within 6 standard errors, std within 6 of its standard errors (+ f32 rounding)
    assert abs(ours.mean() - mean) < 6 * std / math.sqrt(n) + 1e-7
    assert abs(ours.std() / std - 1) < 6 / math.sqrt(2 * n) + 1e-6
    assert ours.min() >= lo and ours.max() <= hi
    if math.isfinite(hi) and exp[0] != "trunc":
        width = hi - lo                                   # uniform: the bounds are reached (closely)
        assert ours.min() < lo + 1e-3 * width and ours.max() > hi - 1e-3 * width
        assert abs(ours.max() - theirs.max()) < 1e-3 * width
    # and torch's own sample: the same distribution (two-sample KS)
    assert ks_distance(ours, theirs) < ks_critical(n, theirs.size)


def test_orthogonal_matches_torch():
    for shape, gain in [((96, 64), 2.0), ((64, 96), 1.0), ((32, 16, 3, 3), 0.5), ((50, 50), 1.5)]:
        ours = nninit.orthogonal_(torch.empty(shape, dtype=torch.float64), gain, seed=3)
        theirs = tinit.orthogonal_(torch.empty(shape, dtype=torch.float64), gain)
        for w in (ours, theirs):
            q = w.reshape(shape[0], -1)
            small = q @ q.T if q.shape[0] <= q.shape[1] else q.T @ q
            assert torch.allclose(small, gain * gain * torch.eye(small.shape[0], dtype=torch.float64), atol=1e-10)
        # entries of a Haar orthogonal matrix: the same distribution in both
        assert ks_distance(ours.numpy().ravel(), theirs.numpy().ravel()) < ks_critical(ours.numel(), ours.numel())
    # Haar: the sign of the diagonal is not fixed (sign-corrected QR)
    diag = [float(nninit.orthogonal_(torch.empty(8, 8, dtype=torch.float64), seed=s)[0, 0]) for s in range(64)]
    assert 16 < sum(d > 0 for d in diag) < 48


def test_sparse_matches_torch():
    rows, cols, sparsity, std = 100, 400, 0.3, 0.05
    ours = nninit.sparse_(torch.empty(rows, cols), sparsity, std, seed=8)
    torch.manual_seed(8)
    theirs = tinit.sparse_(torch.empty(rows, cols), sparsity, std)
    k = math.ceil(sparsity * rows)
    assert ((ours == 0).sum(0) == k).all() and ((theirs == 0).sum(0) == k).all()
    a, b = ours[ours != 0].numpy(), theirs[theirs != 0].numpy()
    assert abs(a.std() / std - 1) < 6 / math.sqrt(2 * a.size)
    assert ks_distance(a, b) < ks_critical(a.size, b.size)
    # the zeros fall on every row alike
    per_row = (ours == 0).sum(1).double()
    assert abs(per_row.mean().item() - k * cols / rows) < 1e-9 and per_row.std().item() < 5 * math.sqrt(cols * 0.3)
