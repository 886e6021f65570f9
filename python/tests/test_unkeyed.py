"""The two contracts of the helpers and init_ (docs/PYTHON.md, "Keyed or unkeyed").

Unkeyed (no seed=, name=, stream=): torch.nn.init's contract, a fresh seed per
call from generator=, torch's default CPU generator or nninit's own. Keyed: the
fixed stream {seed, stream}, bit for bit `nninit fill`."""
import math

import numpy as np
import pytest
import torch

import nninit
from conftest import bits

U64 = 2 ** 64 - 1
RANDOM = {   # helper: positional arguments for a (64, 48) weight
    "uniform_": (-0.5, 0.5), "normal_": (0.0, 0.1), "trunc_normal_": (0.0, 0.1), "xavier_uniform_": (),
    "xavier_normal_": (), "kaiming_uniform_": (math.sqrt(5),), "kaiming_normal_": (), "orthogonal_": (),
    "sparse_": (0.25,),
}
DETERMINISTIC = {"constant_": ((64, 48), (0.5,)), "ones_": ((64, 48), ()), "zeros_": ((64, 48), ()),
                 "eye_": ((64, 48), ()), "dirac_": ((8, 4, 3, 3), (2,))}


def torch_state():
    return torch.get_rng_state().clone()


def corr(a, b):
    a = a.double().flatten() - a.double().mean()
    b = b.double().flatten() - b.double().mean()
    return float((a @ b) / (a.norm() * b.norm()))


# ---- torch's contract -----------------------------------------------------------------------
def test_a_torch_init_loop_gives_distinct_layers():
    torch.manual_seed(0)
    model = torch.nn.Sequential(*[torch.nn.Linear(256, 256) for _ in range(3)])
    for m in model.modules():
        if isinstance(m, torch.nn.Linear):
            nninit.kaiming_uniform_(m.weight, a=math.sqrt(5))
            nninit.uniform_(m.bias, -1 / 16, 1 / 16)
    w = [m.weight.detach() for m in model]
    n = w[0].numel()
    for i in range(3):
        for j in range(i):
            assert not torch.equal(w[i], w[j])
            # independent draws: correlation within 6 standard errors of 0
            assert abs(corr(w[i], w[j])) < 6 / math.sqrt(n)
            assert not torch.equal(model[i].bias, model[j].bias)


@pytest.mark.parametrize("helper", sorted(RANDOM))
def test_a_repeated_call_differs(helper):
    fn, args = getattr(nninit, helper), RANDOM[helper]
    a = fn(torch.empty(64, 48), *args).clone()
    b = fn(torch.empty(64, 48), *args)
    assert not torch.equal(a, b)
    x = np.empty((64, 48), np.float32)
    y = fn(x, *args).copy()
    assert not np.array_equal(y, fn(x, *args))


def run(seed):
    """A training script's initialization: nninit calls among torch's own draws."""
    torch.manual_seed(seed)
    out = [nninit.normal_(torch.empty(10, 20), std=0.02), torch.randn(5),
           nninit.kaiming_uniform_(torch.empty(32, 16, 3, 3), a=math.sqrt(5)), nninit.zeros_(torch.empty(7)),
           nninit.orthogonal_(torch.empty(12, 30)), nninit.init_(torch.empty(100), "trunc_normal(std=0.02)"),
           nninit.sparse_(torch.empty(20, 10), 0.3), torch.rand(3)]
    return [bits(t) for t in out]


def test_torch_manual_seed_repeats_a_run():
    a, b, c = run(1234), run(1234), run(1235)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    random = [0, 1, 2, 4, 5, 6, 7]                  # the zeros_ are zeros in every run
    assert not any(np.array_equal(a[i], c[i]) for i in random)


def test_an_unkeyed_call_is_one_draw_from_the_generator():
    """The key of an unkeyed call on a torch tensor: seed = one int64 drawn from the
    generator (read as unsigned), stream 0; the generator advances by that one draw."""
    torch.manual_seed(77)
    t = nninit.kaiming_normal_(torch.empty(40, 30))
    after = torch_state()
    g = torch.Generator().manual_seed(77)
    seed = int(torch.randint(-2 ** 63, 2 ** 63 - 1, (), generator=g, dtype=torch.int64)) & U64
    assert torch.equal(g.get_state(), after)
    assert torch.equal(t, nninit.kaiming_normal_(torch.empty(40, 30), seed=seed, stream=0))
    # NumPy arrays: nninit's PCG64 generator, one 64-bit integer per call
    nninit.manual_seed(5)
    x = nninit.normal_(np.empty(50, np.float64))
    seed = int(np.random.Generator(np.random.PCG64(5)).integers(0, U64, dtype=np.uint64, endpoint=True))
    assert np.array_equal(x, nninit.normal_(np.empty(50, np.float64), seed=seed))


def test_generator_is_honoured():
    before = torch_state()
    g = torch.Generator().manual_seed(42)
    a = nninit.xavier_normal_(torch.empty(30, 20), 1.0, g)      # positional, as torch 2.x
    b = nninit.xavier_normal_(torch.empty(30, 20), generator=torch.Generator().manual_seed(42))
    c = nninit.xavier_normal_(torch.empty(30, 20), generator=g)   # g has moved on
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert torch.equal(torch_state(), before)                   # torch's default generator untouched
    # the same generator state, whether it is torch's default one or a Generator of that state
    torch.manual_seed(42)
    assert torch.equal(a, nninit.xavier_normal_(torch.empty(30, 20)))
    # NumPy generators, for NumPy arrays and torch tensors alike; nninit's own is untouched
    nninit.manual_seed(9)
    x = nninit.uniform_(np.empty((6, 7), np.float32), generator=np.random.default_rng(3))
    y = nninit.uniform_(np.empty((6, 7), np.float32), generator=np.random.default_rng(3))
    t = nninit.uniform_(torch.empty(6, 7), generator=np.random.default_rng(3))
    u = nninit.uniform_(torch.empty(6, 7), generator=np.random.default_rng(4))
    assert np.array_equal(x, y) and np.array_equal(x, t.numpy()) and not torch.equal(t, u)
    z = nninit.uniform_(np.empty((6, 7), np.float32))
    nninit.manual_seed(9)
    assert np.array_equal(z, nninit.uniform_(np.empty((6, 7), np.float32)))
    # a torch.Generator for a NumPy array
    p = nninit.init_(np.empty(9), "normal", generator=torch.Generator().manual_seed(1))
    q = nninit.init_(torch.empty(9, dtype=torch.float64), "normal", generator=torch.Generator().manual_seed(1))
    assert np.array_equal(p, q.numpy())


def test_kaiming_and_xavier_are_not_scaled_copies():
    torch.manual_seed(3)
    k = nninit.kaiming_uniform_(torch.empty(256, 128))
    x = nninit.xavier_uniform_(torch.empty(256, 128))
    assert abs(corr(k, x)) < 6 / math.sqrt(k.numel())


def test_a_larger_fill_does_not_begin_with_the_smaller():
    torch.manual_seed(11)
    small = nninit.normal_(torch.empty(64, 64))
    big = nninit.normal_(torch.empty(128, 64))
    assert not torch.equal(big[:64], small)
    assert abs(corr(big[:64], small)) < 6 / 64
    # keyed, the prefix property is the contract: element i is a function of (seed, stream, i)
    small = nninit.normal_(torch.empty(64, 64), seed=11)
    assert torch.equal(nninit.normal_(torch.empty(128, 64), seed=11)[:64], small)


def test_nninit_manual_seed_repeats_numpy_runs():
    def numpy_run():
        return [nninit.normal_(np.empty((20, 10), np.float32)).copy(),
                nninit.init_(np.empty((8, 8, 3), np.float16), "kaiming_normal").copy(),
                nninit.orthogonal_(np.empty((10, 10))).copy()]
    nninit.manual_seed(2 ** 64 - 1)
    assert nninit.initial_seed() == 2 ** 64 - 1
    a = numpy_run()
    before = torch_state()
    nninit.manual_seed(2 ** 64 - 1)
    b = numpy_run()
    assert torch.equal(torch_state(), before)                  # NumPy calls leave torch's generator alone
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    nninit.manual_seed(0)
    assert not any(np.array_equal(x, y) for x, y in zip(a, numpy_run()))
    with pytest.raises(ValueError, match=r"seed: -1 is not in 0..2\^64-1"):
        nninit.manual_seed(-1)
    with pytest.raises(TypeError, match="seed: expected an integer"):
        nninit.manual_seed(1.0)
    assert nninit.initial_seed() == 0


# ---- the keyed contract, unchanged -------------------------------------------------------
@pytest.mark.parametrize("key,cli_key", [
    ({"seed": 5}, {"seed": 5}),
    ({"name": "h.0.attn.c_attn.weight"}, {"seed": 0, "name": "h.0.attn.c_attn.weight"}),
    ({"stream": 3}, {"seed": 0, "stream": 3}),
    ({"seed": 2 ** 64 - 1, "name": "w"}, {"seed": 2 ** 64 - 1, "name": "w"}),
])
def test_keyed_calls_are_the_command_line_bits(fill, key, cli_key):
    before = torch_state()
    t = nninit.kaiming_uniform_(torch.empty(48, 32, 3), a=math.sqrt(5), **key)
    want = fill((48, 32, 3), "kaiming_uniform(a=%r, mode=fan_in, nonlinearity=leaky_relu)" % math.sqrt(5),
                **cli_key)
    assert np.array_equal(bits(t), bits(want))
    x = nninit.init_(np.empty((300,), np.float16), "trunc_normal(std=0.02)", **key)
    assert np.array_equal(bits(x), bits(fill((300,), "trunc_normal(std=0.02)", "f16", **cli_key)))
    o = nninit.orthogonal_(torch.empty(20, 12, dtype=torch.float64), 2.0, **key)
    assert np.array_equal(bits(o), bits(fill((20, 12), "orthogonal(gain=2.0)", "f64", **cli_key)))
    assert torch.equal(torch_state(), before)                  # a keyed call draws nothing


def test_generator_with_a_key_is_an_error():
    g = torch.Generator().manual_seed(1)
    g_state = g.get_state()
    t = torch.full((4, 4), 7.0)
    for key in ({"seed": 1}, {"name": "w"}, {"stream": 0}):
        with pytest.raises(ValueError, match="generator= draws a fresh key, seed=/name=/stream= fix one"):
            nninit.normal_(t, generator=g, **key)
        with pytest.raises(ValueError, match="give one or the other"):
            nninit.zeros_(t, generator=g, **key)
        with pytest.raises(ValueError, match="give one or the other"):
            nninit.init_(t, "normal", generator=np.random.default_rng(0), **key)
    for bad in (1, "torch", np.random.RandomState(0)):
        with pytest.raises(TypeError, match="generator: expected a torch.Generator or a numpy.random.Generator"):
            nninit.normal_(t, generator=bad)
        with pytest.raises(TypeError, match="generator: expected"):
            nninit.ones_(t, generator=bad)
    assert (t == 7).all() and torch.equal(g.get_state(), g_state)


# ---- what draws and what does not ------------------------------------------------------------
@pytest.mark.parametrize("helper", sorted(DETERMINISTIC))
def test_deterministic_helpers_draw_nothing(helper):
    shape, args = DETERMINISTIC[helper]
    g = torch.Generator().manual_seed(0)
    g_state, before = g.get_state(), torch_state()
    a = getattr(nninit, helper)(torch.full(shape, 9.0), *args)
    b = getattr(nninit, helper)(torch.full(shape, 9.0), *args, generator=g)
    c = getattr(nninit, helper)(torch.full(shape, 9.0), *args, seed=3, name="x")
    theirs = getattr(torch.nn.init, helper)(torch.full(shape, 9.0), *args)
    assert torch.equal(a, theirs) and torch.equal(b, theirs) and torch.equal(c, theirs)
    assert torch.equal(torch_state(), before) and torch.equal(g.get_state(), g_state)
    nninit.manual_seed(1)
    getattr(nninit, helper)(np.empty(shape, np.float32), *args)
    # nninit's generator did not move: the next draw is its first
    first = nninit.normal_(np.empty(8))
    nninit.manual_seed(1)
    assert np.array_equal(first, nninit.normal_(np.empty(8)))


def test_what_init_draws():
    before = torch_state()
    for spec in ("zeros", "ones", "constant(value=3)", "eye", "dirac"):
        nninit.init_(torch.empty(4, 4, 3) if spec == "dirac" else torch.empty(4, 4), spec)
    for shape in ((0,), (3, 0), (0, 4, 3)):                # empty tensors draw nothing, as torch's
        nninit.init_(torch.empty(shape), "normal")
        nninit.uniform_(torch.empty(shape))
        nninit.trunc_normal_(torch.empty(shape))
    assert torch.equal(torch_state(), before)
    nninit.init_(torch.empty(1), "uniform")                    # one element: one draw
    after = torch_state()
    torch.set_rng_state(before)
    torch.randint(-2 ** 63, 2 ** 63 - 1, (), dtype=torch.int64)
    assert torch.equal(torch_state(), after)
    # uniform_(a, a) fills a after a draw, as torch's uniform_ draws too
    torch.manual_seed(0)
    start = torch_state()
    assert (nninit.uniform_(torch.empty(3), 0.5, 0.5) == 0.5).all()
    assert not torch.equal(torch_state(), start)


def test_a_call_that_raises_draws_nothing_and_writes_nothing():
    h = torch.full((4, 4), 7.0, dtype=torch.float16)
    x = np.full((4, 4), 7.0, np.float32)
    before = torch_state()
    nninit.manual_seed(4)
    calls = [
        (ValueError, "uniform on shape \\[4, 4\\] as f16: a parameter is out of range for this dtype",
         lambda: nninit.uniform_(h, -1e6, 1e6)),
        (ValueError, "out of range for this dtype", lambda: nninit.normal_(h.t(), 0, 1e6)),
        (ValueError, "out of range", lambda: nninit.init_(h, "normal(std=-1)")),
        (ValueError, "orthogonal on shape \\[4, 4\\] as f16: a parameter is out of range",
         lambda: nninit.orthogonal_(h, 1e6)),
        (ValueError, "unknown scheme", lambda: nninit.init_(x, "xavier")),
        (ValueError, "needs a 2-D shape", lambda: nninit.init_(x[None], "eye")),
        (ValueError, "sparsity", lambda: nninit.sparse_(x, 1.5)),
        (ValueError, "Only tensors with 2 dimensions", lambda: nninit.sparse_(x[0], 0.5)),
        (ValueError, "Fan in and fan out", lambda: nninit.xavier_uniform_(x[0])),
        (ValueError, "expects a <= b", lambda: nninit.uniform_(x, 1, 0)),
        (ValueError, "read-only", lambda: nninit.normal_(np.broadcast_to(x, (2, 4, 4)))),
        (TypeError, "dtype torch.int64 is not supported", lambda: nninit.normal_(torch.zeros(3, dtype=torch.int64))),
        (ValueError, "is on meta", lambda: nninit.normal_(torch.empty(3, device="meta"))),
    ]
    for exc, match, call in calls:
        with pytest.raises(exc, match=match):
            call()
    assert torch.equal(torch_state(), before)
    assert (h == 7).all() and (x == 7).all()
    first = nninit.normal_(np.empty(8))
    nninit.manual_seed(4)
    assert np.array_equal(first, nninit.normal_(np.empty(8)))
