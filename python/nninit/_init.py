"""init_ and the torch.nn.init-style helpers."""
import ctypes
import itertools
import json
import math
import operator
import re
import warnings

import numpy as np

from . import _arrays, _keys, _lib

LAYOUTS = ("oihw", "iohw", "hwio", "hwoi")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def stream_id(name):
    """The stream of a tensor name: nninit_stream_id(name), a 64-bit integer.

    Every tensor of a model spec draws from the stream of its name, and
    ``nninit fill --name NAME`` uses it too (docs/CONTRACT.md, "Stream ids")."""
    return _lib.stream_id(_c_string(name, "name"))


def _c_string(s, what):
    if not isinstance(s, str):
        raise TypeError("%s: expected a str, got %s" % (what, type(s).__name__))
    b = s.encode("utf-8")
    if b"\0" in b:
        raise ValueError("%s: %r contains a NUL character" % (what, s))
    return b


def _u64(v, what):
    try:
        v = operator.index(v)
    except TypeError:
        raise TypeError("%s: expected an integer, got %s" % (what, type(v).__name__)) from None
    if not 0 <= v < 1 << 64:
        raise ValueError("%s: %d is not in 0..2^64-1" % (what, v))
    return v


def rng(seed, name, stream):
    """The (seed, stream) pair of a fill: stream from name, else the given stream, else 0."""
    seed = _u64(seed, "seed")
    if name is not None and stream is not None:
        raise ValueError("name and stream both choose the stream: give one")
    if name is not None:
        stream = stream_id(name)
    elif stream is not None:
        stream = _u64(stream, "stream")
    else:
        stream = 0
    return _lib.Rng(seed, stream)


def _keyed(seed, name, stream, generator):
    """The key of a call: (rng, None) when seed/name/stream give it, (None, generator) when it is drawn."""
    if seed is None and name is None and stream is None:
        _keys.check_generator(generator)
        return None, generator
    if generator is not None:
        raise ValueError("generator= draws a fresh key, seed=/name=/stream= fix one: give one or the other")
    return rng(0 if seed is None else seed, name, stream), None


def init_(x, spec, *, seed=None, name=None, layout=None, stream=None, generator=None):
    """Initializes x in place with an init spec string; returns x.

    x: a writable NumPy array (float32, float64, float16) or CPU torch tensor
    (float32, float64, float16, bfloat16), any strides: a view (w[:, :k], w.T,
    negative steps, channels_last) is filled with the same bits as a contiguous
    array of its shape (row-major); see "Views" below.
    spec: an init spec string, e.g. "kaiming_normal(mode=fan_out, nonlinearity=relu)"
    or "trunc_normal(std=0.02)" (docs/SCHEMES.md; ``nninit schemes`` lists them).

    Two contracts choose the random key (docs/PYTHON.md, "Keyed or unkeyed"):

    - Unkeyed (seed, name and stream all None): as torch.nn.init, each call
      draws a fresh 64-bit seed, one draw per call, from generator= if given
      (a torch.Generator, or a numpy.random.Generator), else from torch's
      default CPU generator for a torch tensor (torch.manual_seed(s) repeats a
      run), else from nninit's process-wide generator for a NumPy array
      (nninit.manual_seed(s) repeats a run); stream 0. A scheme without random
      values (zeros, ones, constant, eye, dirac) and an empty tensor draw nothing,
      as torch's do; a call that raises draws nothing.
    - Keyed (any of seed, name, stream given): the Philox stream {seed,
      stream} with seed 0 unless given, stream nninit_stream_id(name), else
      stream=, else 0: the same bits in every process and run, and the same
      bits as ``nninit fill --shape S --init SPEC --seed SEED [--name NAME |
      --stream N] --dtype D`` and as the tensor NAME of a model spec with that
      seed. Use it when a checkpoint must be reproducible from its metadata
      (seed and names) alone. generator= with a key is a ValueError.

    seed: the key, 0..2^64-1. name: the tensor's name (its stream is
    nninit_stream_id(name)). stream: an explicit stream, 0..2^64-1; excludes name.
    generator: where an unkeyed call draws its seed (see above).
    layout: 'oihw' (PyTorch, the default), 'iohw' (PyTorch transposed conv),
    'hwio' (Keras) or 'hwoi' (Keras transposed): the tensor's layout, applied to
    the spec as a model spec's tensor "layout" field is (docs/MODELS.md): schemes
    that read fans or axes use it unless the spec sets its own layout= or
    in_axis=/out_axis=; schemes that read no fans ignore it.

    The result is the same whatever the thread count. The library runs with
    the GIL released.

    Views: a contiguous x is written by one library call. Otherwise the
    library's slice calls (nninit_scheme_apply_slice) write the elements of
    the whole tensor's fill block by block: straight into the view's memory
    when it is made of contiguous runs of at least 64 KiB, else into a scratch
    buffer of at most 1 MiB (sparse: whole columns, at least one) copied into
    the view. orthogonal is a function of the whole matrix: a view is filled
    through one temporary of the tensor's size.

    Raises TypeError for an unsupported array type or dtype; ValueError for an
    array that is read-only, not on the CPU, unaligned or whose elements share
    memory (a broadcast view), for a spec the library rejects (the message gives
    the column and the reason), a shape the scheme cannot take, a generator with
    a key. On error x is unchanged.
    """
    return _init(x, spec, layout, seed, name, stream, generator)


def _init(x, spec, layout, seed, name, stream, generator, draws=None):
    """init_'s work. draws: whether an unkeyed call on a non-empty x draws a seed
    (None: when the scheme's values are random)."""
    t = _arrays.target(x)
    spec_b = _c_string(spec, "spec")
    r, gen = _keyed(seed, name, stream, generator)
    msg = _lib.msg_buffer()
    if layout is None:
        scheme = _lib.Scheme()
        _lib.check(_lib.scheme_parse(spec_b, ctypes.byref(scheme), msg, _lib.MSG_SIZE), msg)
    else:
        scheme = _scheme_with_layout(spec, layout, t)
    plan = _lib.Plan()
    _lib.check(_lib.scheme_plan(ctypes.byref(scheme), t.c_shape(), len(t.shape), ctypes.byref(plan), msg,
                                _lib.MSG_SIZE), msg)
    if t.numel == 0:
        return x
    if r is None and draws is None:
        draws = plan.kind not in (_lib.PLAN_CONSTANT, _lib.PLAN_EYE, _lib.PLAN_DIRAC)
    ortho = plan.kind == _lib.PLAN_ORTHOGONAL
    if (r is None and draws) or (not t.packed and not ortho):
        _probe(t, scheme, ortho)    # a rejection raises before the draw and before any block is written
    if r is None:
        r = _lib.Rng(_keys.draw_seed(gen, t.is_torch), 0) if draws else _lib.Rng(0, 0)
    _write(t, scheme, plan, r)
    return x


# ---- writing a tensor of any strides -----------------------------------------------------
#: A view made of contiguous runs this long (bytes) is written run by run, in place.
RUN_BYTES = 1 << 16
#: Otherwise it is written through a scratch buffer of at most this many bytes.
SCRATCH_BYTES = 1 << 20


def _c64(values):
    return (ctypes.c_int64 * max(1, len(values)))(*values)


def _apply_box(t, scheme, r, dst, start, count):
    """The library writes box [start, start + count) of t's whole fill, row-major, at address dst."""
    msg = _lib.msg_buffer()
    _lib.check(_lib.scheme_apply_slice(dst, t.dtype, t.c_shape(), len(t.shape), _c64(start), _c64(count),
                                  ctypes.byref(scheme), r, msg, _lib.MSG_SIZE), msg)


def _scratch(t, n):
    """A contiguous NumPy buffer of n elements of t's dtype (bf16 as uint16): (buffer, address)."""
    b = np.empty(n, _arrays.NUMPY_OF[t.dtype])
    return b, b.ctypes.data


def _probe(t, scheme, ortho):
    """Writes one element into scratch: the library's checks of the parameters
    against the dtype, which only a write performs. The first element of the
    fill; for orthogonal (a function of the whole matrix), a 1 x 1 tensor, whose
    checks are the same. Its message names t's shape, as a whole-tensor call's does."""
    nd = len(t.shape)
    buf, addr = _scratch(t, 1)
    try:
        if ortho:
            what = "shape [%s]" % ", ".join(["1"] * nd)
            msg = _lib.msg_buffer()
            _lib.check(_lib.scheme_apply(addr, t.dtype, _c64((1,) * nd), nd, ctypes.byref(scheme), _lib.Rng(0, 0),
                                         msg, _lib.MSG_SIZE), msg)
        else:
            what = "slice [%s] of shape" % ", ".join(["0:1"] * nd)
            _apply_box(t, scheme, _lib.Rng(0, 0), addr, (0,) * nd, (1,) * nd)
    except ValueError as e:
        text = "on %s " % what
        if text not in str(e):
            raise
        real = "on shape [%s] " % ", ".join(map(str, t.shape)) if ortho else "on shape "
        exc = ValueError(str(e).replace(text, real, 1))
        exc.status = getattr(e, "status", None)
        raise exc from None


def _write(t, scheme, plan, r):
    """Fills the non-empty target t: the bits of a contiguous tensor of its shape."""
    nd, shape = len(t.shape), t.shape
    msg = _lib.msg_buffer()
    if t.packed:
        _lib.check(_lib.scheme_apply(t.ptr, t.dtype, t.c_shape(), nd, ctypes.byref(scheme), r, msg, _lib.MSG_SIZE), msg)
        return
    if plan.kind == _lib.PLAN_ORTHOGONAL:
        # a function of the whole matrix: one temporary of the tensor's size
        buf, addr = _scratch(t, t.numel)
        _lib.check(_lib.scheme_apply(addr, t.dtype, t.c_shape(), nd, ctypes.byref(scheme), r, msg, _lib.MSG_SIZE), msg)
        np.copyto(t.as_numpy(), buf.reshape(shape))
        return
    if plan.kind == _lib.PLAN_SPARSE:
        # whole columns: each column's zeros are chosen once (a row block would choose them again)
        rows, cols = shape
        k = min(cols, max(1, SCRATCH_BYTES // (t.itemsize * rows)))
        buf, addr = _scratch(t, rows * k)
        view = t.as_numpy()
        for c in range(0, cols, k):
            kc = min(k, cols - c)
            _apply_box(t, scheme, r, addr, (0, c), (rows, kc))
            view[:, c:c + kc] = buf[:rows * kc].reshape(rows, kc)
        return
    d = t.packed_from()
    run = _prod(shape[d:])
    if d < nd and run * t.itemsize >= RUN_BYTES:
        # contiguous runs, long enough to be written in place, one call each
        count = (1,) * d + shape[d:]
        for prefix in _indices(shape[:d]):
            addr = t.ptr + sum(i * st for i, st in zip(prefix, t.strides)) * t.itemsize
            _apply_box(t, scheme, r, addr, prefix + (0,) * (nd - d), count)
        return
    # boxes through scratch, compact in the view's memory: dimensions taken by
    # decreasing stride, the first ones one index at a time, then a range of
    # the next, all of the rest (so a transposed or channels_last view is
    # written tile by tile, not scattered over the whole tensor)
    order = sorted(range(nd), key=lambda i: -abs(t.strides[i]))
    budget = max(1, SCRATCH_BYTES // t.itemsize)
    j = 0
    while _prod(shape[i] for i in order[j + 1:]) > budget:
        j += 1
    e = order[j]
    inner = _prod(shape[i] for i in order[j + 1:])
    k = min(shape[e], max(1, budget // inner))
    buf, addr = _scratch(t, k * inner)
    view = t.as_numpy()
    fixed = order[:j]
    for at in _indices([shape[i] for i in fixed]):
        start, count = [0] * nd, list(shape)
        for i, v in zip(fixed, at):
            start[i], count[i] = v, 1
        for c in range(0, shape[e], k):
            start[e], count[e] = c, min(k, shape[e] - c)
            _apply_box(t, scheme, r, addr, start, count)
            view[tuple(slice(b, b + n) for b, n in zip(start, count))] = buf[:_prod(count)].reshape(count)


def _prod(dims):
    n = 1
    for s in dims:
        n *= s
    return n


def _indices(dims):
    """Every index tuple of a shape, row-major."""
    return itertools.product(*(range(n) for n in dims))


def _scheme_with_layout(spec, layout, v):
    """The parsed spec with the tensor layout applied, by the model-spec rules (the library's own)."""
    if layout not in LAYOUTS:
        raise ValueError("layout: %r is not one of %s" % (layout, ", ".join(LAYOUTS)))
    msg = _lib.msg_buffer()
    parsed = _lib.Scheme()
    _lib.check(_lib.scheme_parse(_c_string(spec, "spec"), ctypes.byref(parsed), msg, _lib.MSG_SIZE), msg)
    doc = {"tensors": [{"name": "x", "shape": list(v.shape), "dtype": _lib.DTYPE_NAMES[v.dtype],
                        "layout": layout, "init": spec}]}
    try:
        m = Model(json.dumps(doc))
    except ValueError as e:
        # the model's messages name its one tensor, "x": that part says nothing here
        text = str(e)
        for prefix in ('tensor "x": field "init": ', 'tensor "x": '):
            if text.startswith(prefix):
                text = text[len(prefix):]
                break
        exc = ValueError(text)
        exc.status = getattr(e, "status", None)
        raise exc from None
    with m:
        return m.tensor(0).scheme


class Model:
    """A parsed model spec (nninit_model), freed on close / with-exit."""

    handle = None

    def __init__(self, text):
        b = text.encode("utf-8")
        handle = ctypes.c_void_p()
        msg = _lib.msg_buffer()
        _lib.check(_lib.model_parse(b, len(b), ctypes.byref(handle), msg, _lib.MSG_SIZE), msg)
        self.handle = handle

    def count(self):
        return _lib.model_count(self.handle)

    def tensor(self, i):
        info = _lib.ModelTensor()
        _lib.check(_lib.model_tensor_info(self.handle, i, ctypes.byref(info)))
        return info

    def close(self):
        if self.handle:
            _lib.model_free(self.handle)
            self.handle = None

    __del__ = close

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ---- torch.nn.init's names ---------------------------------------------------------
def _num(v, what):
    """A finite number written so that the library reads back the same double."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise TypeError("%s: expected a number, got %r" % (what, v)) from None
    if not math.isfinite(f):
        raise ValueError("%s: %r is not a finite number" % (what, v))
    return repr(f)


def _word(v, what):
    if not isinstance(v, str) or not _WORD.match(v):
        raise ValueError("%s: %r is not a valid name" % (what, v))
    return v


def _dims(x):
    return len(_arrays.target(x).shape)


def _shape(x):
    return _arrays.target(x).shape


def calculate_gain(nonlinearity, param=None):
    """torch.nn.init.calculate_gain: the recommended gain of a nonlinearity.

    linear, identity, conv1d..3d, conv_transpose1d..3d, sigmoid: 1; tanh: 5/3;
    relu: sqrt(2); leaky_relu: sqrt(2 / (1 + slope^2)), slope = param (default
    0.01); selu: 3/4. ValueError for another name (nninit_gain)."""
    if param is None:
        p = math.nan
    elif isinstance(param, bool) or not isinstance(param, (int, float)):
        raise ValueError("negative_slope %r not a valid number" % (param,))
    else:
        p = float(param)
    out = ctypes.c_double()
    st = _lib.gain(_c_string(nonlinearity, "nonlinearity"), p, ctypes.byref(out))
    if st == _lib.E_SPEC:
        raise ValueError("Unsupported nonlinearity %s" % nonlinearity)
    _lib.check(st)
    return out.value


# Every helper: seed, name, stream, generator choose the key as init_'s do
# (unkeyed: a fresh seed per call from generator=, torch's or nninit's
# generator; keyed: the fixed stream). The random ones take generator where
# torch.nn.init 2.x does (positional, after torch's own arguments); the
# deterministic ones (constant_, ones_, zeros_, eye_, dirac_) take it as a
# keyword, draw nothing, and are keyed only for symmetry with the others.
_KEYS_DOC = """
    seed, name, stream, generator: the key, as init_: given none of seed, name
    and stream, a fresh seed drawn from generator= (a torch.Generator or a
    numpy.random.Generator), else torch's default CPU generator (torch
    tensors) or nninit's (NumPy arrays, nninit.manual_seed); given any, the
    fixed stream {seed (default 0), stream_id(name) or stream}, the bits of
    ``nninit fill``. Any strides (views are filled as contiguous tensors of
    their shape). Returns tensor."""


def _doc(f):
    f.__doc__ += _KEYS_DOC
    return f


@_doc
def uniform_(tensor, a=0.0, b=1.0, generator=None, *, seed=None, name=None, stream=None):
    """torch.nn.init.uniform_: U(a, b) in place (a == b fills a, after the draw torch makes too).
"""
    sa, sb = _num(a, "a"), _num(b, "b")
    if float(sa) > float(sb):
        raise ValueError("uniform_: expects a <= b, got a=%r > b=%r" % (a, b))
    if float(sa) == float(sb):
        return _init(tensor, "constant(value=%s)" % sa, None, seed, name, stream, generator, draws=True)
    return _init(tensor, "uniform(low=%s, high=%s)" % (sa, sb), None, seed, name, stream, generator)


@_doc
def normal_(tensor, mean=0.0, std=1.0, generator=None, *, seed=None, name=None, stream=None):
    """torch.nn.init.normal_: N(mean, std^2) in place (std >= 0).
"""
    return _init(tensor, "normal(mean=%s, std=%s)" % (_num(mean, "mean"), _num(std, "std")), None, seed, name,
                 stream, generator, draws=True)


@_doc
def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None, *, seed=None, name=None, stream=None):
    """torch.nn.init.trunc_normal_: N(mean, std^2) conditioned on [a, b], absolute
    bounds (not in units of std), in place. nninit draws it by exact inversion
    of the truncated CDF (no pile-up at the bounds).
"""
    return _init(tensor, "trunc_normal(mean=%s, std=%s, low=%s, high=%s)"
                 % (_num(mean, "mean"), _num(std, "std"), _num(a, "a"), _num(b, "b")), None, seed, name, stream,
                 generator, draws=True)


@_doc
def constant_(tensor, val, *, seed=None, name=None, stream=None, generator=None):
    """torch.nn.init.constant_: every element = val (rounded to the dtype). A val a
    16-bit dtype cannot hold (beyond its finite range) is a ValueError. Draws nothing.
"""
    return _init(tensor, "constant(value=%s)" % _num(val, "val"), None, seed, name, stream, generator, draws=False)


@_doc
def ones_(tensor, *, seed=None, name=None, stream=None, generator=None):
    """torch.nn.init.ones_: every element = 1. Draws nothing.
"""
    return _init(tensor, "ones", None, seed, name, stream, generator, draws=False)


@_doc
def zeros_(tensor, *, seed=None, name=None, stream=None, generator=None):
    """torch.nn.init.zeros_: every element = 0. Draws nothing.
"""
    return _init(tensor, "zeros", None, seed, name, stream, generator, draws=False)


@_doc
def eye_(tensor, *, seed=None, name=None, stream=None, generator=None):
    """torch.nn.init.eye_: the identity matrix (ones on the main diagonal); 2-D only. Draws nothing.
"""
    if _dims(tensor) != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _init(tensor, "eye", None, seed, name, stream, generator, draws=False)


@_doc
def dirac_(tensor, groups=1, *, seed=None, name=None, stream=None, generator=None):
    """torch.nn.init.dirac_: the identity convolution (per group), for 3-D to 5-D
    (out, in/groups, *kernel) weights. Draws nothing.
"""
    shape = _shape(tensor)
    if len(shape) not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    groups = operator.index(groups)
    if groups < 1:
        raise ValueError("groups: %d is not a group count (an integer >= 1)" % groups)
    if shape[0] % groups:
        raise ValueError("dim 0 must be divisible by groups")
    return _init(tensor, "dirac(groups=%d)" % groups, None, seed, name, stream, generator, draws=False)


def _fans_required(tensor):
    # torch.nn.init reads fans only from 2-D and larger weights, (out, in, *kernel)
    if _dims(tensor) < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions "
                         "(nninit.init_ accepts 0-D and 1-D tensors: their fans are their size)")


@_doc
def xavier_uniform_(tensor, gain=1.0, generator=None, *, seed=None, name=None, stream=None):
    """torch.nn.init.xavier_uniform_: U(-b, b), b = gain * sqrt(6 / (fan_in + fan_out)),
    fans of an (out, in, *kernel) weight.
"""
    _fans_required(tensor)
    return _init(tensor, "xavier_uniform(gain=%s)" % _num(gain, "gain"), None, seed, name, stream, generator,
                 draws=True)


@_doc
def xavier_normal_(tensor, gain=1.0, generator=None, *, seed=None, name=None, stream=None):
    """torch.nn.init.xavier_normal_: N(0, s^2), s = gain * sqrt(2 / (fan_in + fan_out)).
"""
    _fans_required(tensor)
    return _init(tensor, "xavier_normal(gain=%s)" % _num(gain, "gain"), None, seed, name, stream, generator,
                 draws=True)


def _kaiming(scheme, tensor, a, mode, nonlinearity, generator, seed, name, stream):
    # torch.nn.init's order of checks: empty tensors first, then mode, then the fans
    if 0 in _shape(tensor):
        warnings.warn("Initializing zero-element tensors is a no-op")
        return tensor
    mode = _word(mode, "mode").lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError("Mode %s not supported, please use one of ['fan_in', 'fan_out']" % mode)
    _fans_required(tensor)
    nonlinearity = _word(nonlinearity, "nonlinearity")
    calculate_gain(nonlinearity, a if nonlinearity == "leaky_relu" else None)   # torch's checks of a
    # torch reads a only with leaky_relu; nninit rejects a slope given with another nonlinearity
    slope = ", a=%s" % _num(a, "a") if nonlinearity == "leaky_relu" else ""
    return _init(tensor, "%s(mode=%s, nonlinearity=%s%s)" % (scheme, mode, nonlinearity, slope), None, seed,
                 name, stream, generator, draws=True)


@_doc
def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None, *, seed=None,
                     name=None, stream=None):
    """torch.nn.init.kaiming_uniform_: U(-b, b), b = gain * sqrt(3 / fan), gain =
    calculate_gain(nonlinearity, a), fan = fan_in or fan_out (mode).
"""
    return _kaiming("kaiming_uniform", tensor, a, mode, nonlinearity, generator, seed, name, stream)


@_doc
def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None, *, seed=None,
                    name=None, stream=None):
    """torch.nn.init.kaiming_normal_: N(0, s^2), s = gain / sqrt(fan).
"""
    return _kaiming("kaiming_normal", tensor, a, mode, nonlinearity, generator, seed, name, stream)


@_doc
def orthogonal_(tensor, gain=1, generator=None, *, seed=None, name=None, stream=None):
    """torch.nn.init.orthogonal_: a (semi-)orthogonal matrix times gain, the
    trailing dimensions flattened (rows = size(0)); Haar-distributed (LAPACK QR,
    sign-corrected). A non-contiguous tensor is filled through one temporary of
    its size.
"""
    if _dims(tensor) < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if 0 in _shape(tensor):
        return tensor
    return _init(tensor, "orthogonal(gain=%s)" % _num(gain, "gain"), None, seed, name, stream, generator,
                 draws=True)


@_doc
def sparse_(tensor, sparsity, std=0.01, generator=None, *, seed=None, name=None, stream=None):
    """torch.nn.init.sparse_: N(0, std^2) with exactly ceil(sparsity * rows)
    zeros in every column; 2-D only, sparsity in [0, 1]. One draw per call.
"""
    if _dims(tensor) != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _init(tensor, "sparse(sparsity=%s, std=%s)" % (_num(sparsity, "sparsity"), _num(std, "std")), None,
                 seed, name, stream, generator, draws=True)
