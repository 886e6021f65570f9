"""init_ and the torch.nn.init-style helpers."""
import ctypes
import json
import math
import operator
import re
import warnings

from . import _arrays, _lib

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


def init_(x, spec, *, seed=0, name=None, layout=None, stream=None):
    """Initializes x in place with an init spec string; returns x.

    x: a C-contiguous, writable NumPy array (float32, float64, float16) or CPU
    torch tensor (float32, float64, float16, bfloat16); its shape is the
    tensor's shape (row-major).
    spec: an init spec string, e.g. "kaiming_normal(mode=fan_out, nonlinearity=relu)"
    or "trunc_normal(std=0.02)" (docs/SCHEMES.md; ``nninit schemes`` lists them).
    seed: the generator's key, 0..2^64-1.
    name: the tensor's name; the stream is nninit_stream_id(name), as for the
    tensors of a model spec and ``nninit fill --name NAME``. Without name (and
    stream) the stream is 0, as ``nninit fill`` without --name/--stream.
    stream: an explicit stream, 0..2^64-1 (``nninit fill --stream N``); excludes name.
    layout: 'oihw' (PyTorch, the default), 'iohw' (PyTorch transposed conv),
    'hwio' (Keras) or 'hwoi' (Keras transposed): the tensor's layout, applied to
    the spec as a model spec's tensor "layout" field is (docs/MODELS.md): schemes
    that read fans or axes use it unless the spec sets its own layout= or
    in_axis=/out_axis=; schemes that read no fans ignore it.

    The result has the same bits as ``nninit fill --shape S --init SPEC --seed
    SEED [--name NAME] --dtype D`` (with layout: as the spec with that layout),
    whatever the thread count. The fill runs with the GIL released.

    Raises TypeError for an unsupported array type or dtype, ValueError for an
    array that is not contiguous, read-only, not on the CPU, and for a spec the
    library rejects (the message gives the column and the reason) or a shape
    the scheme cannot take. On error x is unchanged.
    """
    v = _arrays.writable(x)
    spec_b = _c_string(spec, "spec")
    r = rng(seed, name, stream)
    msg = _lib.msg_buffer()
    if layout is None:
        st = _lib.init_msg(v.ptr, v.dtype, v.c_shape(), len(v.shape), spec_b, r, msg, _lib.MSG_SIZE)
        _lib.check(st, msg)
        return x
    scheme = _scheme_with_layout(spec, layout, v)
    st = _lib.scheme_apply(v.ptr, v.dtype, v.c_shape(), len(v.shape), ctypes.byref(scheme), r, msg, _lib.MSG_SIZE)
    _lib.check(st, msg)
    return x


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
    return len(_arrays.writable(x).shape)


def _shape(x):
    return _arrays.writable(x).shape


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


def uniform_(tensor, a=0.0, b=1.0, *, seed=0, name=None, stream=None):
    """torch.nn.init.uniform_: U(a, b) in place (a == b fills a). Returns tensor.

    seed, name, stream: as init_ (the stream of name, or 0)."""
    sa, sb = _num(a, "a"), _num(b, "b")
    if float(sa) > float(sb):
        raise ValueError("uniform_: expects a <= b, got a=%r > b=%r" % (a, b))
    if float(sa) == float(sb):
        return init_(tensor, "constant(value=%s)" % sa, seed=seed, name=name, stream=stream)
    return init_(tensor, "uniform(low=%s, high=%s)" % (sa, sb), seed=seed, name=name, stream=stream)


def normal_(tensor, mean=0.0, std=1.0, *, seed=0, name=None, stream=None):
    """torch.nn.init.normal_: N(mean, std^2) in place (std >= 0). Returns tensor.

    seed, name, stream: as init_."""
    return init_(tensor, "normal(mean=%s, std=%s)" % (_num(mean, "mean"), _num(std, "std")), seed=seed, name=name,
                 stream=stream)


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, *, seed=0, name=None, stream=None):
    """torch.nn.init.trunc_normal_: N(mean, std^2) conditioned on [a, b], absolute
    bounds (not in units of std), in place. Returns tensor.

    nninit draws it by exact inversion of the truncated CDF (no pile-up at the
    bounds). seed, name, stream: as init_."""
    return init_(tensor, "trunc_normal(mean=%s, std=%s, low=%s, high=%s)"
                 % (_num(mean, "mean"), _num(std, "std"), _num(a, "a"), _num(b, "b")),
                 seed=seed, name=name, stream=stream)


def constant_(tensor, val, *, seed=0, name=None, stream=None):
    """torch.nn.init.constant_: every element = val (rounded to the dtype). Returns tensor.

    A val a 16-bit dtype cannot hold (beyond its finite range) is a ValueError."""
    return init_(tensor, "constant(value=%s)" % _num(val, "val"), seed=seed, name=name, stream=stream)


def ones_(tensor, *, seed=0, name=None, stream=None):
    """torch.nn.init.ones_: every element = 1. Returns tensor."""
    return init_(tensor, "ones", seed=seed, name=name, stream=stream)


def zeros_(tensor, *, seed=0, name=None, stream=None):
    """torch.nn.init.zeros_: every element = 0. Returns tensor."""
    return init_(tensor, "zeros", seed=seed, name=name, stream=stream)


def eye_(tensor, *, seed=0, name=None, stream=None):
    """torch.nn.init.eye_: the identity matrix (ones on the main diagonal); 2-D only. Returns tensor."""
    if _dims(tensor) != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return init_(tensor, "eye", seed=seed, name=name, stream=stream)


def dirac_(tensor, groups=1, *, seed=0, name=None, stream=None):
    """torch.nn.init.dirac_: the identity convolution (per group), for 3-D to 5-D
    (out, in/groups, *kernel) weights. Returns tensor."""
    shape = _shape(tensor)
    if len(shape) not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    groups = operator.index(groups)
    if groups < 1:
        raise ValueError("groups: %d is not a group count (an integer >= 1)" % groups)
    if shape[0] % groups:
        raise ValueError("dim 0 must be divisible by groups")
    return init_(tensor, "dirac(groups=%d)" % groups, seed=seed, name=name, stream=stream)


def _fans_required(tensor):
    # torch.nn.init reads fans only from 2-D and larger weights, (out, in, *kernel)
    if _dims(tensor) < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions "
                         "(nninit.init_ accepts 0-D and 1-D tensors: their fans are their size)")


def xavier_uniform_(tensor, gain=1.0, *, seed=0, name=None, stream=None):
    """torch.nn.init.xavier_uniform_: U(-b, b), b = gain * sqrt(6 / (fan_in + fan_out)),
    fans of an (out, in, *kernel) weight. Returns tensor."""
    _fans_required(tensor)
    return init_(tensor, "xavier_uniform(gain=%s)" % _num(gain, "gain"), seed=seed, name=name, stream=stream)


def xavier_normal_(tensor, gain=1.0, *, seed=0, name=None, stream=None):
    """torch.nn.init.xavier_normal_: N(0, s^2), s = gain * sqrt(2 / (fan_in + fan_out)). Returns tensor."""
    _fans_required(tensor)
    return init_(tensor, "xavier_normal(gain=%s)" % _num(gain, "gain"), seed=seed, name=name, stream=stream)


def _kaiming(scheme, tensor, a, mode, nonlinearity, seed, name, stream):
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
    return init_(tensor, "%s(mode=%s, nonlinearity=%s%s)" % (scheme, mode, nonlinearity, slope), seed=seed,
                 name=name, stream=stream)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", *, seed=0, name=None, stream=None):
    """torch.nn.init.kaiming_uniform_: U(-b, b), b = gain * sqrt(3 / fan), gain =
    calculate_gain(nonlinearity, a), fan = fan_in or fan_out (mode). Returns tensor."""
    return _kaiming("kaiming_uniform", tensor, a, mode, nonlinearity, seed, name, stream)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", *, seed=0, name=None, stream=None):
    """torch.nn.init.kaiming_normal_: N(0, s^2), s = gain / sqrt(fan). Returns tensor."""
    return _kaiming("kaiming_normal", tensor, a, mode, nonlinearity, seed, name, stream)


def orthogonal_(tensor, gain=1, *, seed=0, name=None, stream=None):
    """torch.nn.init.orthogonal_: a (semi-)orthogonal matrix times gain, the
    trailing dimensions flattened (rows = size(0)); Haar-distributed (LAPACK QR,
    sign-corrected). Returns tensor."""
    if _dims(tensor) < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if 0 in _shape(tensor):
        return tensor
    return init_(tensor, "orthogonal(gain=%s)" % _num(gain, "gain"), seed=seed, name=name, stream=stream)


def sparse_(tensor, sparsity, std=0.01, *, seed=0, name=None, stream=None):
    """torch.nn.init.sparse_: N(0, std^2) with exactly ceil(sparsity * rows)
    zeros in every column; 2-D only, sparsity in [0, 1]. Returns tensor."""
    if _dims(tensor) != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return init_(tensor, "sparse(sparsity=%s, std=%s)" % (_num(sparsity, "sparsity"), _num(std, "std")),
                 seed=seed, name=name, stream=stream)
