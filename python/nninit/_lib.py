"""Finding and loading libnninit.so, and the C declarations the package uses.

The library is searched in this order, and the first candidate that exists is
loaded (a candidate that exists but cannot be loaded is an error, not skipped):

  1. the file named by the environment variable NNINIT_LIBRARY (nothing else is
     tried when it is set);
  2. next to the package: nninit/libnninit.so.MAJOR (a copy shipped inside the
     package), then PREFIX/lib/libnninit.so.MAJOR for a package installed in
     PREFIX/lib/python3/dist-packages/nninit by `make install`, then
     build/libnninit.so.MAJOR for the package in a source tree (python/nninit);
  3. the dynamic loader's own search for the SONAME libnninit.so.MAJOR
     (LD_LIBRARY_PATH, ld.so.cache, the default directories).

The library is opened with ctypes.CDLL, which releases the GIL around every
call: fills and whole-model initializations run while other Python threads do.
"""
import ctypes
import errno as _errno
import os

# The library's major version this package is written against: its SONAME is
# libnninit.so.ABI_MAJOR and NNINIT_VERSION_MAJOR in nninit.h.
ABI_MAJOR = 0
SONAME = "libnninit.so.%d" % ABI_MAJOR
MAX_DIMS = 8

# nninit_dtype
F32, F64, BF16, F16 = 0, 1, 2, 3
DTYPE_NAMES = {F32: "f32", F64: "f64", BF16: "bf16", F16: "f16"}
DTYPE_SIZES = {F32: 4, F64: 8, BF16: 2, F16: 2}

# nninit_status
OK = 0
E_NULL, E_DTYPE, E_PARAM, E_MASS, E_OVERFLOW, E_ISA, E_NOMEM = 1, 2, 3, 4, 5, 6, 7
E_SPEC, E_SHAPE, E_LAPACK, E_IO, E_FORMAT, E_CANCELED, E_EXISTS = 8, 9, 10, 11, 12, 13, 14


def _candidates():
    """(path or soname, how it was found) in search order."""
    env = os.environ.get("NNINIT_LIBRARY")
    if env:
        return [(env, "NNINIT_LIBRARY")], True
    here = os.path.dirname(os.path.abspath(__file__))
    return [
        (os.path.join(here, SONAME), "next to the package"),
        (os.path.normpath(os.path.join(here, "..", "..", "..", SONAME)), "next to the package (installed layout)"),
        (os.path.normpath(os.path.join(here, "..", "..", "build", SONAME)), "next to the package (source tree)"),
    ], False


def _loaded_path(lib, fallback):
    """The file the dynamic loader opened for lib (dladdr on one of its symbols)."""
    class DlInfo(ctypes.Structure):
        _fields_ = [("dli_fname", ctypes.c_char_p), ("dli_fbase", ctypes.c_void_p),
                    ("dli_sname", ctypes.c_char_p), ("dli_saddr", ctypes.c_void_p)]
    try:
        libc = ctypes.CDLL(None)
        dladdr = libc.dladdr
    except (OSError, AttributeError):
        return fallback
    dladdr.argtypes = [ctypes.c_void_p, ctypes.POINTER(DlInfo)]
    dladdr.restype = ctypes.c_int
    info = DlInfo()
    addr = ctypes.cast(lib.nninit_version_number, ctypes.c_void_p)
    if dladdr(addr, ctypes.byref(info)) and info.dli_fname:
        return os.path.realpath(os.fsdecode(info.dli_fname))
    return fallback


def _load():
    """Loads the library; returns (CDLL, path). Raises ImportError saying what was tried."""
    candidates, explicit = _candidates()
    tried = []
    for path, how in candidates:
        if not explicit and not os.path.exists(path):
            tried.append("%s (%s): no such file" % (path, how))
            continue
        try:
            lib = ctypes.CDLL(path, use_errno=True)
        except OSError as e:
            raise ImportError("nninit: cannot load %s (%s): %s" % (path, how, e)) from None
        return lib, _loaded_path(lib, os.path.realpath(path)), how
    try:
        lib = ctypes.CDLL(SONAME, use_errno=True)
    except OSError as e:
        tried.append("%s (the dynamic loader's search: LD_LIBRARY_PATH, ld.so.cache): %s" % (SONAME, e))
        raise ImportError("nninit: libnninit.so not found. Tried:\n  " + "\n  ".join(tried) +
                          "\nBuild it with `make` (build/%s), install it with `make install`, or set "
                          "NNINIT_LIBRARY to its path." % SONAME) from None
    return lib, _loaded_path(lib, SONAME), "by its SONAME"


lib, library_path, found_how = _load()

# ---- structures (include/nninit.h) --------------------------------------------
c_int64_p = ctypes.POINTER(ctypes.c_int64)


class Rng(ctypes.Structure):
    _fields_ = [("seed", ctypes.c_uint64), ("stream", ctypes.c_uint64)]


class Layout(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_int), ("in_axis", ctypes.c_int), ("out_axis", ctypes.c_int),
                ("groups", ctypes.c_int64)]


class Scheme(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_int), ("value", ctypes.c_double), ("mean", ctypes.c_double),
                ("std", ctypes.c_double), ("low", ctypes.c_double), ("high", ctypes.c_double),
                ("gain", ctypes.c_double), ("a", ctypes.c_double), ("nonlinearity", ctypes.c_int),
                ("mode", ctypes.c_int), ("scale", ctypes.c_double), ("distribution", ctypes.c_int),
                ("sparsity", ctypes.c_double), ("fan_in", ctypes.c_int64), ("layout", Layout)]


class Plan(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_int), ("mean", ctypes.c_double), ("std", ctypes.c_double),
                ("low", ctypes.c_double), ("high", ctypes.c_double), ("fan_in", ctypes.c_int64),
                ("fan_out", ctypes.c_int64), ("gain", ctypes.c_double), ("rows", ctypes.c_int64),
                ("cols", ctypes.c_int64), ("zeros", ctypes.c_int64), ("expected_mean", ctypes.c_double),
                ("expected_std", ctypes.c_double)]


# nninit_plan_kind
(PLAN_CONSTANT, PLAN_UNIFORM, PLAN_NORMAL, PLAN_TRUNC_NORMAL, PLAN_ORTHOGONAL, PLAN_EYE, PLAN_DIRAC,
 PLAN_SPARSE) = range(8)


class ModelTensor(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("dtype", ctypes.c_int), ("ndim", ctypes.c_int),
                ("shape", ctypes.c_int64 * MAX_DIMS), ("count", ctypes.c_size_t), ("nbytes", ctypes.c_size_t),
                ("init", ctypes.c_char_p), ("scheme", Scheme), ("rng", Rng)]


class Tensor(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("dtype", ctypes.c_int), ("ndim", ctypes.c_int),
                ("shape", ctypes.c_int64 * MAX_DIMS), ("data", ctypes.c_void_p), ("nbytes", ctypes.c_size_t)]


class WriteOptions(ctypes.Structure):
    _fields_ = [("no_replace", ctypes.c_int), ("cancel", ctypes.c_void_p)]


class RunOptions(ctypes.Structure):
    _fields_ = [("threads", ctypes.c_int), ("progress", ctypes.c_void_p), ("progress_ctx", ctypes.c_void_p),
                ("cancel", ctypes.c_void_p)]


# ---- prototypes ------------------------------------------------------------------
def _proto(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


_c = ctypes
_msg = (_c.c_char_p, _c.c_size_t)
version_number = _proto("nninit_version_number", _c.c_uint)
version_string = _proto("nninit_version_string", _c.c_char_p)
status_str = _proto("nninit_status_str", _c.c_char_p, _c.c_int)
stream_id = _proto("nninit_stream_id", _c.c_uint64, _c.c_char_p)
isa = _proto("nninit_isa", _c.c_char_p)
dtype_from_name = _proto("nninit_dtype_from_name", _c.c_int, _c.c_char_p, _c.POINTER(_c.c_int))
gain = _proto("nninit_gain", _c.c_int, _c.c_char_p, _c.c_double, _c.POINTER(_c.c_double))
scheme_parse = _proto("nninit_scheme_parse", _c.c_int, _c.c_char_p, _c.POINTER(Scheme), *_msg)
scheme_apply = _proto("nninit_scheme_apply", _c.c_int, _c.c_void_p, _c.c_int, c_int64_p, _c.c_int,
                      _c.POINTER(Scheme), Rng, *_msg)
scheme_plan = _proto("nninit_scheme_plan", _c.c_int, _c.POINTER(Scheme), c_int64_p, _c.c_int, _c.POINTER(Plan),
                     *_msg)
scheme_apply_slice = _proto("nninit_scheme_apply_slice", _c.c_int, _c.c_void_p, _c.c_int, c_int64_p, _c.c_int,
                            c_int64_p, c_int64_p, _c.POINTER(Scheme), Rng, *_msg)
init_msg = _proto("nninit_init_msg", _c.c_int, _c.c_void_p, _c.c_int, c_int64_p, _c.c_int, _c.c_char_p, Rng, *_msg)
model_parse = _proto("nninit_model_parse", _c.c_int, _c.c_char_p, _c.c_size_t, _c.POINTER(_c.c_void_p), *_msg)
model_free = _proto("nninit_model_free", None, _c.c_void_p)
model_count = _proto("nninit_model_count", _c.c_size_t, _c.c_void_p)
model_tensor_info = _proto("nninit_model_tensor_info", _c.c_int, _c.c_void_p, _c.c_size_t, _c.POINTER(ModelTensor))
model_init = _proto("nninit_model_init", _c.c_int, _c.c_void_p, _c.POINTER(_c.c_void_p), _c.POINTER(RunOptions),
                    *_msg)
st_save = _proto("nninit_st_save", _c.c_int, _c.c_char_p, _c.POINTER(Tensor), _c.c_size_t,
                 _c.POINTER(_c.c_char_p), _c.POINTER(WriteOptions), *_msg)
st_save_sharded = _proto("nninit_st_save_sharded", _c.c_int, _c.c_char_p, _c.POINTER(Tensor), _c.c_size_t,
                         _c.POINTER(_c.c_char_p), _c.c_uint64, _c.POINTER(WriteOptions), *_msg)
size_parse = _proto("nninit_size_parse", _c.c_int, _c.c_char_p, _c.POINTER(_c.c_uint64), *_msg)
st_open_memory = _proto("nninit_st_open_memory", _c.c_int, _c.c_void_p, _c.c_size_t, _c.POINTER(_c.c_void_p), *_msg)
st_close = _proto("nninit_st_close", None, _c.c_void_p)
st_count = _proto("nninit_st_count", _c.c_size_t, _c.c_void_p)
st_tensor = _proto("nninit_st_tensor", _c.c_int, _c.c_void_p, _c.c_size_t, _c.POINTER(Tensor))

_version = version_number()
if _version // 10000 != ABI_MAJOR:
    raise ImportError("nninit: %s is version %s; this package needs major version %d"
                      % (library_path, version_string().decode(), ABI_MAJOR))


# ---- errors --------------------------------------------------------------------------
MSG_SIZE = 1024


def msg_buffer():
    """A buffer for the (msg, msg_size) pair of a call."""
    return ctypes.create_string_buffer(MSG_SIZE)


def error(status, msg=b"", path=None):
    """The Python exception for a failed call: the library's message, else its status text."""
    err = ctypes.get_errno()        # of the failed call, before any other call replaces it
    text = msg.decode("utf-8", "replace") if isinstance(msg, bytes) else str(msg)
    if not text:
        text = status_str(status).decode()
    if status == E_IO:
        exc = OSError(err, text, path) if err else OSError(text)
    elif status == E_EXISTS:
        exc = FileExistsError(_errno.EEXIST, text, path)
    elif status == E_NOMEM:
        exc = MemoryError(text)
    elif status in (E_LAPACK, E_NULL, E_ISA, E_CANCELED):
        exc = RuntimeError(text)
    else:
        exc = ValueError(text)
    exc.status = status
    return exc


def check(status, msg=None, path=None):
    """Raises the exception for status unless it is NNINIT_OK."""
    if status != OK:
        raise error(status, msg.value if msg is not None else b"", path)
