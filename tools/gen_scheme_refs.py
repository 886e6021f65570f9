#!/usr/bin/python3
"""Writes tests/data/scheme_refs.txt: the expected fans, gain and distribution of every
fan-based init scheme over real layer shapes in every layout, derived independently of
nninit's code (read by tests/unit/test_scheme_refs.c).

    /usr/bin/python3 tools/gen_scheme_refs.py            # rewrites tests/data/scheme_refs.txt
    /usr/bin/python3 tools/gen_scheme_refs.py -o FILE    # or another file ('-' = stdout)

Deterministic: the same output on every run (sampling cross-checks use fixed torch seeds and
never influence what is written). Needs PyTorch and NumPy (Debian's /usr/bin/python3 has them).

Where the expected values come from
  - Shapes: real torch modules (nn.Linear, nn.Conv1d/2d/3d, nn.ConvTranspose1d/2d/3d, with
    groups), module.weight.shape, then permuted into the Keras and explicit-axes layouts.
  - True per-group fans: from the module's hyperparameters, the forward pass's fans
    (include/nninit.h, "shapes, layouts and fans"):
        fan_in  = in_channels  / groups * prod(kernel_size)
        fan_out = out_channels / groups * prod(kernel_size)
    also for transposed convolutions. torch.nn.init._calculate_fan_in_and_fan_out disagrees
    for transposed convs (it swaps them) and for groups (fan_out not divided); its value is
    recorded in the comment column, and asserted equal to ours for ungrouped, non-transposed
    weights. Keras's and JAX's published fan rules (transcribed below) are checked the same
    way on the layouts they describe.
  - Gains: torch.nn.init.calculate_gain.
  - Formulas: the papers' / frameworks' definitions written out below, each cross-checked
    against torch's own initializer (sampling a large tensor with a fixed seed) where torch
    has the scheme or an equivalent one. Any failed check raises: nothing is written.
"""
import argparse
import itertools
import math
import random
import sys

import numpy as np
import torch
import torch.nn as nn

OUT_DEFAULT = "tests/data/scheme_refs.txt"
TRUNC_SIGMA_STD = 0.87962566103423978  # std of N(0,1) conditioned on [-2, 2] (Keras/JAX constant)


def fmt(x):
    """17 significant digits (round-trips binary64); integers stay integers."""
    if isinstance(x, int):
        return str(x)
    if x == 0:
        return "0"
    return "%.17g" % x


def check(cond, what):
    if not cond:
        raise SystemExit("gen_scheme_refs.py: CHECK FAILED: " + what)


# ---------------------------------------------------------------------------------------------
# Fan rules of the other frameworks, transcribed (not imported: TF/Keras/JAX are not installed).

def keras_compute_fans(shape):
    """keras/initializers/initializers.py, _compute_fans(shape) (Keras 2.x; same rule in Keras 3):
    0-D: 1, 1; 1-D: n, n; 2-D: (shape[0], shape[1]); else receptive = prod(shape[:-2]),
    fan_in = shape[-2] * receptive, fan_out = shape[-1] * receptive."""
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = 1
    for s in shape[:-2]:
        receptive *= s
    return shape[-2] * receptive, shape[-1] * receptive


def jax_compute_fans(shape, in_axis=-2, out_axis=-1):
    """jax/_src/nn/initializers.py, _compute_fans(shape, in_axis, out_axis, batch_axis=()):
    receptive = prod(shape) / shape[in_axis] / shape[out_axis] (integer axes, no batch axis)."""
    in_size, out_size = shape[in_axis], shape[out_axis]
    total = 1
    for s in shape:
        total *= s
    receptive = total // in_size // out_size
    return in_size * receptive, out_size * receptive


def torch_fans(shape):
    """torch.nn.init._calculate_fan_in_and_fan_out on a tensor of this shape (None below 2-D,
    where torch refuses)."""
    if len(shape) < 2:
        return None
    return torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


# ---------------------------------------------------------------------------------------------
# Scheme formulas. Each returns the plan: kind, gain, draw parameters and the exact mean/std of
# the elements.

def trunc_unit_std(c):
    """Std of N(0,1) conditioned on [-c, c]: sqrt(1 - 2 c phi(c) / (Phi(c) - Phi(-c)))."""
    z = math.erf(c / math.sqrt(2.0))
    phi = math.exp(-0.5 * c * c) / math.sqrt(2.0 * math.pi)
    return math.sqrt(1.0 - 2.0 * c * phi / z)


def plan_uniform(bound, gain):
    return dict(kind="uniform", gain=gain, low=-bound, high=bound, ex_mean=0.0, ex_std=bound / math.sqrt(3.0))


def plan_normal(std, gain):
    return dict(kind="normal", gain=gain, mean=0.0, std=std, ex_mean=0.0, ex_std=std)


def plan_trunc(std, low, high, gain, ex_std):
    return dict(kind="trunc_normal", gain=gain, mean=0.0, std=std, low=low, high=high, ex_mean=0.0, ex_std=ex_std)


def xavier(dist, fan_in, fan_out, gain):
    # Glorot & Bengio (2010); torch.nn.init.xavier_uniform_ / xavier_normal_
    if dist == "uniform":
        return plan_uniform(gain * math.sqrt(6.0 / (fan_in + fan_out)), gain)
    return plan_normal(gain * math.sqrt(2.0 / (fan_in + fan_out)), gain)


def kaiming(dist, fan, gain):
    # He et al. (2015); torch.nn.init.kaiming_uniform_ / kaiming_normal_
    if dist == "uniform":
        return plan_uniform(gain * math.sqrt(3.0 / fan), gain)
    return plan_normal(gain / math.sqrt(fan), gain)


def lecun(dist, fan_in):
    # LeCun et al. (1998), Efficient BackProp; jax.nn.initializers.lecun_uniform, and lecun_normal
    # here as a plain (untruncated) normal, as the header documents: N(0, 1 / fan_in)
    if dist == "uniform":
        return plan_uniform(math.sqrt(3.0 / fan_in), 1.0)
    return plan_normal(1.0 / math.sqrt(fan_in), 1.0)


def variance_scaling(scale, mode, distribution, fan_in, fan_out):
    # keras/initializers/initializers.py VarianceScaling.__call__ (n = max(1, fan)) and
    # jax/_src/nn/initializers.py variance_scaling: variance = scale / n;
    #   truncated_normal: std = sqrt(variance) / .87962566103423978, truncated to [-2, 2] std
    #   untruncated_normal (jax: "normal"): std = sqrt(variance)
    #   uniform: limit = sqrt(3 * variance)
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[mode]
    n = max(1.0, float(n))
    if distribution == "uniform":
        return plan_uniform(math.sqrt(3.0 * scale / n), 1.0)
    if distribution in ("normal", "untruncated_normal"):
        return plan_normal(math.sqrt(scale / n), 1.0)
    std = math.sqrt(scale / n) / TRUNC_SIGMA_STD
    return plan_trunc(std, -2.0 * std, 2.0 * std, 1.0, std * trunc_unit_std(2.0))


def pytorch_default(fan_in):
    # nn.Linear / nn._ConvNd reset_parameters: kaiming_uniform_(a=sqrt(5)) = U(+-1/sqrt(fan_in));
    # the gain it applies is calculate_gain('leaky_relu', sqrt(5)) = sqrt(1/3)
    p = plan_uniform(1.0 / math.sqrt(fan_in), torch.nn.init.calculate_gain("leaky_relu", math.sqrt(5.0)))
    return p


def pytorch_default_bias(fan_in):
    # nn.Linear / nn._ConvNd reset_parameters: bias ~ U(+-1/sqrt(fan_in))
    return plan_uniform(1.0 / math.sqrt(fan_in), 1.0)


# ---------------------------------------------------------------------------------------------
# Cross-checks of the formulas against torch itself.

def sample_checks():
    torch.manual_seed(1234)  # torch.nn.init draws from the global generator
    n_checked = 0

    def close_std(t, want, what):
        x = t.double().flatten()
        n = x.numel()
        s = x.std(unbiased=False).item()
        # SE of the sample std for these near-normal/uniform shapes is below std * 0.8 / sqrt(n)
        check(abs(s - want) <= 6.0 * 0.8 * want / math.sqrt(n), "%s: sample std %.6g, formula %.6g (n=%d)" % (what, s, want, n))

    def close_max(t, bound, what):
        x = t.double().abs()
        n = x.numel()
        m = x.max().item()
        b32 = float(np.float32(bound))
        check(m <= max(bound, b32), "%s: max |x| %.9g above the bound %.9g" % (what, m, bound))
        check(m >= bound * (1.0 - 20.0 / n), "%s: max |x| %.9g well below the bound %.9g (n=%d)" % (what, m, bound, n))

    # Large PyTorch-layout shapes: (out, in, *kernel), ungrouped, so torch's fans are ours.
    big = [(768, 512), (256, 128, 3, 3), (96, 64, 5), (64, 48, 3, 3, 3), (1000, 300)]
    nls = [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None), ("relu", None),
           ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", math.sqrt(5.0)), ("selu", None)]
    for shape in big:
        fi, fo = torch_fans(shape)
        for gain in (1.0, math.sqrt(2.0), 0.5):
            t = torch.empty(shape)
            torch.nn.init.xavier_uniform_(t, gain=gain)
            p = xavier("uniform", fi, fo, gain)
            close_max(t, p["high"], "xavier_uniform %s gain %g" % (shape, gain))
            close_std(t, p["ex_std"], "xavier_uniform %s gain %g" % (shape, gain))
            torch.nn.init.xavier_normal_(t, gain=gain)
            close_std(t, xavier("normal", fi, fo, gain)["std"], "xavier_normal %s gain %g" % (shape, gain))
            n_checked += 2
        for (nl, a), mode in itertools.product(nls, ("fan_in", "fan_out")):
            a_val = 0 if a is None else a   # torch's kaiming default a = 0, as nninit's
            gain = torch.nn.init.calculate_gain(nl, a_val)
            fan = fi if mode == "fan_in" else fo
            t = torch.empty(shape)
            torch.nn.init.kaiming_uniform_(t, a=a_val, mode=mode, nonlinearity=nl)
            p = kaiming("uniform", fan, gain)
            close_max(t, p["high"], "kaiming_uniform %s %s %s a=%s" % (shape, mode, nl, a))
            torch.nn.init.kaiming_normal_(t, a=a_val, mode=mode, nonlinearity=nl)
            q = kaiming("normal", fan, p["gain"])
            close_std(t, q["std"], "kaiming_normal %s %s %s a=%s" % (shape, mode, nl, a))
            n_checked += 2
        # lecun = kaiming with the linear gain on fan_in
        t = torch.empty(shape)
        torch.nn.init.kaiming_uniform_(t, mode="fan_in", nonlinearity="linear")
        close_max(t, lecun("uniform", fi, )["high"], "lecun_uniform via kaiming_uniform(linear) %s" % (shape,))
        torch.nn.init.kaiming_normal_(t, mode="fan_in", nonlinearity="linear")
        close_std(t, lecun("normal", fi)["std"], "lecun_normal via kaiming_normal(linear) %s" % (shape,))
        n_checked += 2
        # variance_scaling against its torch equivalents
        for scale, mode in itertools.product((1.0, 2.0, 0.3), ("fan_in", "fan_out", "fan_avg")):
            u = variance_scaling(scale, mode, "uniform", fi, fo)
            nrm = variance_scaling(scale, mode, "untruncated_normal", fi, fo)
            tr = variance_scaling(scale, mode, "truncated_normal", fi, fo)
            check(variance_scaling(scale, mode, "normal", fi, fo) == nrm, "normal == untruncated_normal")
            t = torch.empty(shape)
            if mode == "fan_avg":   # xavier with gain sqrt(scale)
                torch.nn.init.xavier_uniform_(t, gain=math.sqrt(scale))
            else:                   # kaiming(linear) with fan = mode, gain sqrt(scale)
                torch.nn.init.kaiming_uniform_(t, mode=mode, nonlinearity="linear")
                t.mul_(math.sqrt(scale))
            close_max(t, u["high"], "variance_scaling uniform %s scale %g %s" % (shape, scale, mode))
            torch.nn.init.normal_(t, 0.0, 1.0).mul_(math.sqrt(scale / {"fan_in": fi, "fan_out": fo,
                                                                      "fan_avg": (fi + fo) / 2}[mode]))
            close_std(t, nrm["std"], "variance_scaling normal %s scale %g %s" % (shape, scale, mode))
            torch.nn.init.trunc_normal_(t, 0.0, tr["std"], tr["low"], tr["high"])
            close_std(t, math.sqrt(scale / max(1.0, {"fan_in": fi, "fan_out": fo, "fan_avg": (fi + fo) / 2}[mode])),
                      "variance_scaling truncated_normal (std after truncation) %s scale %g %s" % (shape, scale, mode))
            close_std(t, tr["ex_std"], "variance_scaling truncated_normal ex_std %s" % (shape,))
            check(t.abs().max().item() <= tr["high"] * (1 + 1e-6), "trunc_normal_ stays within 2 std")
            n_checked += 4
    # The Keras/JAX constant is the std of the standard normal truncated to [-2, 2].
    check(abs(trunc_unit_std(2.0) - TRUNC_SIGMA_STD) <= 2e-16, "0.87962566103423978 = std of N(0,1) | [-2, 2]: %.17g"
          % trunc_unit_std(2.0))
    # pytorch_default / pytorch_default_bias against freshly constructed layers
    for mk, fan_in in ((lambda: nn.Linear(300, 2000), 300), (lambda: nn.Linear(7, 5000), 7),
                       (lambda: nn.Conv2d(32, 256, 3), 288), (lambda: nn.Conv1d(16, 512, 5, groups=4), 20),
                       (lambda: nn.Conv3d(8, 128, (3, 3, 3), groups=2), 108)):
        m = mk()
        w, b = m.weight.detach(), m.bias.detach()
        check(torch_fans(tuple(w.shape))[0] == fan_in, "%s: torch fan_in %d" % (m, fan_in))
        close_max(w, pytorch_default(fan_in)["high"], "%s weight" % m)
        close_std(w, pytorch_default(fan_in)["ex_std"], "%s weight std" % m)
        bb = pytorch_default_bias(fan_in)["high"]
        check(b.abs().max().item() <= bb * (1 + 1e-6), "%s bias within 1/sqrt(fan_in)" % m)
        check(b.abs().max().item() >= bb * (1 - 40.0 / b.numel()), "%s bias reaches 1/sqrt(fan_in)" % m)
        n_checked += 4
    # the gain pytorch_default reports: kaiming_uniform(a=sqrt(5)) bound == 1/sqrt(fan_in)
    for fan in (1, 3, 300, 4096):
        gain = torch.nn.init.calculate_gain("leaky_relu", math.sqrt(5.0))
        check(abs(kaiming("uniform", fan, gain)["high"] * math.sqrt(fan) - 1.0) < 1e-15, "sqrt(5) gain identity")
    return n_checked


# ---------------------------------------------------------------------------------------------
# The layer catalogue: (constructor, in, out, kernel, groups, transposed).

def catalogue():
    L = []
    for i, o in ((3, 5), (784, 256), (1, 1), (17, 1), (1, 9), (64, 64), (512, 10)):
        L.append(("Linear(%d, %d)" % (i, o), nn.Linear(i, o), i, o, (), 1, False))
    convs = [
        (nn.Conv1d, 4, 6, (3,), 1), (nn.Conv1d, 8, 12, (5,), 4), (nn.Conv1d, 6, 6, (7,), 3), (nn.Conv1d, 1, 16, (9,), 1),
        (nn.Conv2d, 3, 16, (3, 3), 1), (nn.Conv2d, 16, 32, (5, 3), 2), (nn.Conv2d, 32, 32, (3, 3), 32),
        (nn.Conv2d, 8, 4, (1, 1), 4), (nn.Conv2d, 12, 18, (2, 4), 3), (nn.Conv2d, 64, 128, (3, 3), 1),
        (nn.Conv2d, 32, 64, (3, 3), 4), (nn.Conv1d, 64, 96, (5,), 2),
        (nn.Conv3d, 4, 8, (3, 3, 3), 1), (nn.Conv3d, 6, 9, (1, 2, 3), 3), (nn.Conv3d, 2, 4, (3, 1, 2), 2),
        (nn.Conv3d, 16, 32, (3, 3, 3), 2),
    ]
    for cls, i, o, k, g in convs:
        m = cls(i, o, k, groups=g)
        L.append(("%s(%d, %d, k=%s, groups=%d)" % (cls.__name__, i, o, k, g), m, i, o, k, g, False))
    tconvs = [
        (nn.ConvTranspose1d, 4, 6, (3,), 1), (nn.ConvTranspose1d, 8, 12, (3,), 2), (nn.ConvTranspose1d, 6, 9, (5,), 3),
        (nn.ConvTranspose2d, 16, 8, (4, 4), 1), (nn.ConvTranspose2d, 12, 6, (3, 2), 3),
        (nn.ConvTranspose2d, 8, 16, (2, 2), 4), (nn.ConvTranspose2d, 64, 32, (4, 4), 1),
        (nn.ConvTranspose2d, 32, 64, (3, 3), 2),
        (nn.ConvTranspose3d, 4, 2, (2, 2, 2), 1), (nn.ConvTranspose3d, 6, 4, (3, 1, 2), 2),
    ]
    for cls, i, o, k, g in tconvs:
        m = cls(i, o, k, groups=g)
        L.append(("%s(%d, %d, k=%s, groups=%d)" % (cls.__name__, i, o, k, g), m, i, o, k, g, True))
    return L


def layout_variants(entry, rng):
    """(layout params for the spec, shape, note, keras_fans or None, jax_fans or None) for one layer."""
    name, m, cin, cout, k, g, transposed = entry
    w = m.weight.detach()
    nd = w.dim()
    kax = list(range(2, nd))
    # torch's own layout: axis 0 = out (conv) or in (transposed), axis 1 the other per group
    out = []
    gparam = ["groups=%d" % g] if g > 1 else []
    nat = "iohw" if transposed else "oihw"
    # the natural layout: spelled out half of the time, default otherwise (oihw only)
    nat_params = (["layout=%s" % nat] if (transposed or len(kax) % 2 == 1) else []) + gparam
    out.append((nat_params, tuple(w.shape), "torch layout", None, None))
    # Keras layout: hwio (*kernel, in/groups, out) for conv/Dense, hwoi (*kernel, out/groups, in)
    # for transposed conv -- both the same permutation of torch's weight
    perm = kax + [1, 0]
    kshape = tuple(w.permute(*perm).shape)
    kl = "hwoi" if transposed else "hwio"
    keras = keras_compute_fans(kshape)
    out.append((["layout=%s" % kl] + gparam, kshape, "torch weight permuted %s" % (tuple(perm),), keras, None))
    if g == 1:
        # ungrouped: any axis roles can be named, so also the other family's layouts
        swap = tuple(w.permute(*([1, 0] + kax)).shape)   # (in, out, *k) or (out, in, *k)
        out.append((["layout=%s" % ("oihw" if transposed else "iohw")], swap, "permuted (1, 0, ...)", None, None))
        other = kax + [0, 1]
        oshape = tuple(w.permute(*other).shape)
        out.append((["layout=%s" % ("hwio" if transposed else "hwoi")], oshape, "permuted %s" % (tuple(other),),
                    keras_compute_fans(oshape) if transposed else None, None))
        # explicit axes: two random permutations of the weight's axes
        in_src = 1 if not transposed else 0
        out_src = 0 if not transposed else 1
        for _ in range(2):
            p = list(range(nd))
            rng.shuffle(p)
            shape = tuple(w.permute(*p).shape)
            ia, oa = p.index(in_src), p.index(out_src)
            ia_s = ia - nd if rng.random() < 0.5 else ia
            oa_s = oa - nd if rng.random() < 0.5 else oa
            out.append((["in_axis=%d" % ia_s, "out_axis=%d" % oa_s], shape, "permuted %s" % (tuple(p),), None,
                        jax_compute_fans(shape, ia_s, oa_s)))
    return out


# ---------------------------------------------------------------------------------------------

GAIN_NAMES = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
              "sigmoid", "tanh", "relu", "leaky_relu", "selu"]
# kaiming (mode, nonlinearity, a or None) combinations, rotated over the shapes
KAIMING_COMBOS = [("fan_in", "leaky_relu", None), ("fan_out", "relu", None), ("fan_in", "tanh", None),
                  ("fan_out", "leaky_relu", "0.2"), ("fan_in", "selu", None), ("fan_out", "sigmoid", None),
                  ("fan_in", "linear", None), ("fan_in", "leaky_relu", "sqrt(5)"), ("fan_out", "conv2d", None),
                  ("fan_in", "relu", None), ("fan_out", "tanh", None), ("fan_in", "leaky_relu", "0.01"),
                  ("fan_out", "conv_transpose3d", None), ("fan_in", "conv1d", None), ("fan_out", "selu", None),
                  ("fan_out", "linear", None), ("fan_in", "sigmoid", None), ("fan_in", "leaky_relu", "1")]
XAVIER_GAINS = [None, "sqrt(2)", "1.6666666666666667", "0.75", "2", "0.1"]
VS_COMBOS = [("1", "fan_in", "truncated_normal"), ("2", "fan_out", "uniform"), ("0.5", "fan_avg", "normal"),
             ("1", "fan_avg", "uniform"), ("2", "fan_in", "untruncated_normal"), ("3", "fan_out", "truncated_normal"),
             ("0.1", "fan_avg", "truncated_normal"), ("1", "fan_in", "uniform"), ("1.5", "fan_out", "normal"),
             (None, None, None)]


def value_of(s):
    if s.startswith("sqrt(") and s.endswith(")"):
        return math.sqrt(float(s[5:-1]))
    return float(s)


def spec_string(name, params):
    return name + ("(" + ", ".join(params) + ")" if params else "")


def scheme_lines(fan_in, fan_out, lp, idx):
    """Lines (spec, plan) of every fan-based scheme for one (shape, layout), parameters rotated by idx."""
    res = []
    for dist, j in (("uniform", 0), ("normal", 1)):
        gs = XAVIER_GAINS[(idx + j) % len(XAVIER_GAINS)]
        gain = 1.0 if gs is None else value_of(gs)
        res.append((spec_string("xavier_" + dist, ([] if gs is None else ["gain=" + gs]) + lp),
                    xavier(dist, fan_in, fan_out, gain)))
    for dist, j in (("uniform", 0), ("normal", 7)):
        mode, nl, a = KAIMING_COMBOS[(idx + j) % len(KAIMING_COMBOS)]
        params = ([] if a is None else ["a=" + a]) + ([] if mode == "fan_in" else ["mode=" + mode]) + \
                 ([] if (nl == "leaky_relu" and (idx + j) % 3 == 0) else ["nonlinearity=" + nl])
        gain = torch.nn.init.calculate_gain(nl, 0.0 if a is None else value_of(a))
        fan = fan_in if mode == "fan_in" else fan_out
        res.append((spec_string("kaiming_" + dist, params + lp), kaiming(dist, fan, gain)))
    for dist in ("uniform", "normal"):
        res.append((spec_string("lecun_" + dist, lp), lecun(dist, fan_in)))
    for j in (0, 4):
        sc, mode, d = VS_COMBOS[(idx + j) % len(VS_COMBOS)]
        if sc is None:
            res.append((spec_string("variance_scaling", lp), variance_scaling(1.0, "fan_in", "truncated_normal",
                                                                              fan_in, fan_out)))
        else:
            res.append((spec_string("variance_scaling", ["scale=" + sc, "mode=" + mode, "distribution=" + d] + lp),
                        variance_scaling(value_of(sc), mode, d, fan_in, fan_out)))
    res.append((spec_string("pytorch_default", lp), pytorch_default(fan_in)))
    return res


def exhaustive_lines(fan_in, fan_out, lp):
    """Every kaiming nonlinearity/mode/slope and variance_scaling mode/distribution on one shape."""
    res = []
    for dist in ("uniform", "normal"):
        for mode in ("fan_in", "fan_out"):
            fan = fan_in if mode == "fan_in" else fan_out
            for nl in GAIN_NAMES:
                res.append((spec_string("kaiming_" + dist, ["mode=" + mode, "nonlinearity=" + nl] + lp),
                            kaiming(dist, fan, torch.nn.init.calculate_gain(nl, 0.0))))
            for a in ("0", "0.01", "0.2", "1", "sqrt(5)", "3.5"):
                res.append((spec_string("kaiming_" + dist, ["a=" + a, "mode=" + mode, "nonlinearity=leaky_relu"] + lp),
                            kaiming(dist, fan, torch.nn.init.calculate_gain("leaky_relu", value_of(a)))))
        for g in XAVIER_GAINS[1:] + ["sqrt(0.5)", "1e-3"]:
            res.append((spec_string("xavier_" + dist, ["gain=" + g] + lp),
                        xavier(dist, fan_in, fan_out, value_of(g))))
    for mode in ("fan_in", "fan_out", "fan_avg"):
        for d in ("truncated_normal", "normal", "untruncated_normal", "uniform"):
            for sc in ("1", "2", "0.25", "1e-4"):
                res.append((spec_string("variance_scaling", ["scale=" + sc, "mode=" + mode, "distribution=" + d] + lp),
                            variance_scaling(value_of(sc), mode, d, fan_in, fan_out)))
    return res


def numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def plan_text(fan_in, fan_out, p):
    keys = {"uniform": ("low", "high"), "normal": ("mean", "std"), "trunc_normal": ("mean", "std", "low", "high")}
    toks = [p["kind"], "fan_in=%d" % fan_in, "fan_out=%d" % fan_out, "gain=" + fmt(p["gain"])]
    toks += ["%s=%s" % (k, fmt(p[k])) for k in keys[p["kind"]]]
    toks += ["ex_mean=" + fmt(p["ex_mean"]), "ex_std=" + fmt(p["ex_std"])]
    return " ".join(toks)


def shape_text(shape):
    return "[" + ",".join(str(s) for s in shape) + "]"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--output", default=OUT_DEFAULT)
    args = ap.parse_args()
    torch.manual_seed(0)  # module construction draws weights; only shapes are used
    rng = random.Random(20240611)

    n_sampled = sample_checks()

    lines = []          # (tag, spec, shape, plan text, comment)
    candidates = {}     # (scheme, plan kind) -> [(layout key, layer, line index)] of moderate size

    def add(spec, shape, fi, fo, plan, comment, layer=None):
        key = (spec.split("(")[0], plan["kind"])
        lkey = next((w for w in ("iohw", "hwio", "hwoi", "in_axis") if w in spec), "oihw") + "/%d-D" % len(shape)
        if layer is not None and 4096 <= numel(shape) <= 40000:
            candidates.setdefault(key, []).append((lkey, layer, len(lines)))
        lines.append(["case", spec, shape, plan_text(fi, fo, plan), comment])

    def pick_stats(per_key=5):
        """Flags up to per_key lines of each (scheme, kind) for sampling: different layers and
        layout/rank combinations, the order of combinations rotated from one key to the next."""
        for r, key in enumerate(sorted(candidates)):
            cands = candidates[key]
            lkeys = sorted(set(c[0] for c in cands))
            lkeys = lkeys[r % len(lkeys):] + lkeys[:r % len(lkeys)]
            used_layers, chosen = set(), 0
            for lk in itertools.islice(itertools.cycle(lkeys), 4 * len(lkeys)):
                if chosen == per_key:
                    break
                for c in cands:
                    if c[0] == lk and c[1] not in used_layers and lines[c[2]][0] == "case":
                        lines[c[2]][0] = "stat"
                        used_layers.add(c[1])
                        chosen += 1
                        break

    # gains
    gains = []
    for nl in GAIN_NAMES:
        params = [None] + ([0.0, 0.01, 0.2, 1.0, math.sqrt(5.0), -0.5, 100.0] if nl == "leaky_relu" else [3.0])
        for prm in params:
            gains.append((nl, prm, float(torch.nn.init.calculate_gain(nl, prm))))
    gains.append(("identity", None, 1.0))  # nninit.h: identity is linear (torch's doc lists it, its code does not)
    check(abs(dict(((a, b), c) for a, b, c in gains)[("leaky_relu", None)] - math.sqrt(2 / 1.0001)) < 1e-16,
          "leaky_relu default slope 0.01")

    # layer shapes in every layout
    idx = 0
    n_layers = 0
    for entry in catalogue():
        name, m, cin, cout, k, g, transposed = entry
        n_layers += 1
        rec = numel(k)
        fi, fo = cin // g * rec, cout // g * rec   # the forward pass's per-group fans
        tf = torch_fans(tuple(m.weight.shape))
        if g == 1 and not transposed:
            check(tuple(tf) == (fi, fo), "%s: torch fans %s, ours %s" % (name, tf, (fi, fo)))
        for lp, shape, how, kf, jf in layout_variants(entry, rng):
            if kf is not None and g == 1:
                # Keras's rule reads hwio (and, for its own Conv*Transpose kernels, hwoi with the
                # swap the header documents): equal to ours for ungrouped hwio weights
                if "layout=hwio" in lp:
                    check(kf == (fi, fo), "%s %s: keras fans %s, ours %s" % (name, lp, kf, (fi, fo)))
            if jf is not None:
                check(jf == (fi, fo), "%s %s: jax fans %s, ours %s" % (name, lp, jf, (fi, fo)))
            comment = "%s, %s; torch_fans=%s" % (name, how, "%d,%d" % tf)
            if kf is not None:
                comment += " keras_fans=%d,%d" % kf
            if jf is not None:
                comment += " jax_fans=%d,%d" % jf
            if transposed:
                comment += " (torch's own ConvTranspose default bound is 1/sqrt(%d))" % tf[0]
            for spec, plan in scheme_lines(fi, fo, lp, idx):
                add(spec, shape, fi, fo, plan, comment, layer=name)
            idx += 1

    # every kaiming/xavier/variance_scaling variant on a few shapes (fans from the hyperparameters)
    c2 = nn.Conv2d(64, 128, 3).weight.detach()
    c2g = nn.Conv2d(32, 64, 3, groups=2).weight.detach().permute(2, 3, 1, 0)   # hwio, groups 2
    c1 = nn.Conv1d(3, 5, 7).weight.detach().permute(0, 2, 1)                   # (out, k, in)
    for w, lp, fi, fo, how in ((c2, [], 64 * 9, 128 * 9, "Conv2d(64, 128, k=3)"),
                               (c2g, ["layout=hwio", "groups=2"], 32 // 2 * 9, 64 // 2 * 9,
                                "Conv2d(32, 64, k=3, groups=2) permuted (2, 3, 1, 0)"),
                               (c1, ["in_axis=-1", "out_axis=0"], 3 * 7, 5 * 7, "Conv1d(3, 5, k=7) permuted (0, 2, 1)")):
        shape = tuple(w.shape)
        if lp and lp[0] == "in_axis=-1":
            check(jax_compute_fans(shape, -1, 0) == (fi, fo), "jax fans of the axes case")
        for spec, plan in exhaustive_lines(fi, fo, lp):
            add(spec, shape, fi, fo, plan, how + "; all variants")

    # 0-D and 1-D (Keras's rule, nninit.h): fans 1,1 and n,n in every layout
    for shape in ((), (1,), (7,), (300,), (5000,)):
        kf = keras_compute_fans(shape)
        for lp in ([], ["layout=hwio"], ["layout=iohw"], ["layout=hwoi"]):
            for spec, plan in scheme_lines(kf[0], kf[1], lp, idx):
                add(spec, shape, kf[0], kf[1], plan, "%d-D (keras_fans=%d,%d; torch refuses below 2-D)"
                    % (len(shape), kf[0], kf[1]), layer="%d-D" % len(shape))
            idx += 1

    # zero-size dimensions: only variance_scaling is defined there (n = max(1, fan))
    for shape, lp, fi, fo in (((3, 0), ["layout=hwio"], 3, 0), ((0, 4, 3), [], 12, 0), ((2, 0, 5), ["layout=hwio"], 0, 10)):
        for mode in ("fan_in", "fan_out", "fan_avg"):
            for d in ("uniform", "normal", "truncated_normal"):
                add(spec_string("variance_scaling", ["scale=2", "mode=" + mode, "distribution=" + d] + lp), shape,
                    fi, fo, variance_scaling(2.0, mode, d, fi, fo), "zero-size tensor (Keras: n = max(1, fan))")

    # pytorch_default_bias: the bias of real layers (fan_in of the weight, forward pass)
    for mname, m, fan_in in (("Linear(300, 5000)", nn.Linear(300, 5000), 300), ("Linear(7, 3)", nn.Linear(7, 3), 7),
                             ("Conv2d(64, 128, k=3)", nn.Conv2d(64, 128, 3), 576),
                             ("Conv1d(16, 8192, k=5, groups=4)", nn.Conv1d(16, 8192, 5, groups=4), 20),
                             ("Linear(1, 16384)", nn.Linear(1, 16384), 1)):
        shape = tuple(m.bias.shape)
        check(torch_fans(tuple(m.weight.shape))[0] == fan_in, "bias layer fan_in")
        for sh in (shape, ()) if shape[0] < 100 else (shape,):
            kf = keras_compute_fans(sh)
            add("pytorch_default_bias(fan_in=%d)" % fan_in, sh, kf[0], kf[1], pytorch_default_bias(fan_in),
                "%s bias; plan fans: fan_in=%d is the parameter" % (mname, fan_in), layer=mname)

    pick_stats()

    # ---- write -------------------------------------------------------------------------------
    out = sys.stdout if args.output == "-" else open(args.output, "w")
    w = out.write
    w("# Expected fans, gains and distributions of nninit's fan-based init schemes.\n")
    w("# Generated by tools/gen_scheme_refs.py -- do not edit; regenerate with\n")
    w("#     /usr/bin/python3 tools/gen_scheme_refs.py\n")
    w("# Read by tests/unit/test_scheme_refs.c. Derived independently of nninit: shapes from real torch\n")
    w("# modules (and their Keras / explicit-axes permutations), per-group forward-pass fans from the\n")
    w("# modules' hyperparameters, gains from torch.nn.init.calculate_gain, formulas from the papers\n")
    w("# and frameworks, each cross-checked against torch's initializers (%d sampling checks).\n" % n_sampled)
    w("#\n")
    w("# Line formats (fields separated by ' | '):\n")
    w("#   gain | NONLINEARITY | PARAM | GAIN\n")
    w("#       nninit_gain(NONLINEARITY, PARAM) == GAIN; PARAM 'nan' selects the default slope.\n")
    w("#   case | SPEC | SHAPE | PLAN | COMMENT\n")
    w("#   stat | SPEC | SHAPE | PLAN | COMMENT     (as case, and also sampled in every dtype)\n")
    w("#       SPEC  the init spec string, as nninit_scheme_parse reads it\n")
    w("#       SHAPE [d0,d1,...] row-major sizes ([] is 0-D)\n")
    w("#       PLAN  KIND fan_in=N fan_out=N gain=G then the draw's parameters and the elements'\n")
    w("#             exact mean and std:\n")
    w("#               uniform      low=L high=H              U[L, H)\n")
    w("#               normal       mean=M std=S              N(M, S^2)\n")
    w("#               trunc_normal mean=M std=S low=L high=H N(M, S^2) on [L, H] (absolute bounds)\n")
    w("#             followed by ex_mean=.. ex_std=.. (population std of the elements)\n")
    w("#             fan_in/fan_out are the fans of SHAPE in the spec's layout (nninit_fans), and\n")
    w("#             also what the plan reports, except pytorch_default_bias whose plan fan_in is\n")
    w("#             its parameter (fan_out 0: it uses none) -- the test knows that one rule.\n")
    w("#             For zero-size shapes ex_mean/ex_std are the distribution's; the test skips\n")
    w("#             them there (the plan reports 0 for a tensor without elements).\n")
    w("#             Reals have 17 significant digits.\n")
    w("#       COMMENT where the shape came from; torch_fans = torch.nn.init._calculate_fan_in_and_fan_out\n")
    w("#             of the torch weight (differs for transposed and grouped convs, see nninit.h),\n")
    w("#             keras_fans / jax_fans = the transcribed Keras / JAX rule on SHAPE.\n")
    w("#   end | N       number of case + stat lines (guards against a truncated file)\n")
    w("#\n")
    w("# %d layers, %d cases (%d sampled), %d gains.\n" % (n_layers, len(lines),
                                                          sum(1 for l in lines if l[0] == "stat"), len(gains)))
    for nl, prm, gv in gains:
        w("gain | %s | %s | %s\n" % (nl, "nan" if prm is None else fmt(prm), fmt(gv)))
    for tag, spec, shape, plan, comment in lines:
        w("%s | %s | %s | %s | %s\n" % (tag, spec, shape_text(shape), plan, comment))
    w("end | %d\n" % len(lines))
    if out is not sys.stdout:
        out.close()
    print("gen_scheme_refs.py: torch %s, %d cases (%d sampled), %d gains, %d sampling checks passed -> %s"
          % (torch.__version__, len(lines), sum(1 for l in lines if l[0] == "stat"), len(gains), n_sampled,
             args.output), file=sys.stderr)


if __name__ == "__main__":
    main()
