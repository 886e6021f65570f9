"""NumPy arrays and torch tensors as (pointer, dtype, shape) for the library.

torch is never imported here: a tensor is recognized only when the caller's
program has imported torch already (sys.modules), so NumPy users do not pay for it.
"""
import sys

import numpy as np

from . import _lib

NUMPY_DTYPES = {np.dtype(np.float32): _lib.F32, np.dtype(np.float64): _lib.F64, np.dtype(np.float16): _lib.F16}
NUMPY_OF = {_lib.F32: np.dtype("<f4"), _lib.F64: np.dtype("<f8"), _lib.F16: np.dtype("<f2"), _lib.BF16: np.dtype("<u2")}


def torch_module():
    """The torch module if the program imported it, else None."""
    return sys.modules.get("torch")


def is_tensor(x):
    torch = torch_module()
    return torch is not None and isinstance(x, torch.Tensor)


def torch_dtypes(torch):
    return {torch.float32: _lib.F32, torch.float64: _lib.F64, torch.float16: _lib.F16, torch.bfloat16: _lib.BF16}


def torch_dtype_of(torch, code):
    return {_lib.F32: torch.float32, _lib.F64: torch.float64, _lib.F16: torch.float16, _lib.BF16: torch.bfloat16}[code]


class View:
    """What the library needs of an array: data pointer, dtype code, shape, byte count."""
    __slots__ = ("obj", "ptr", "dtype", "shape", "nbytes")

    def __init__(self, obj, ptr, dtype, shape, nbytes):
        self.obj, self.ptr, self.dtype, self.shape, self.nbytes = obj, ptr, dtype, tuple(int(s) for s in shape), nbytes

    def c_shape(self):
        return (_lib.ctypes.c_int64 * max(1, len(self.shape)))(*self.shape)


def _kind(x):
    return "%s.%s" % (type(x).__module__, type(x).__qualname__)


def dtype_code(dtype):
    """nninit dtype code of a dtype given by name ('f32', 'bf16', ..., or 'float32', 'bfloat16', ...: the
    library's one table, nninit_dtype_from_name), a NumPy dtype or a torch dtype."""
    if isinstance(dtype, str):
        code = _lib.ctypes.c_int()
        if "\0" not in dtype and _lib.dtype_from_name(dtype.encode("utf-8", "replace"),
                                                       _lib.ctypes.byref(code)) == _lib.OK:
            return code.value
    torch = torch_module()
    if torch is not None and isinstance(dtype, torch.dtype):
        code = torch_dtypes(torch).get(dtype)
        if code is not None:
            return code
        raise TypeError("dtype %s: nninit writes float32, float64, float16 and bfloat16" % dtype)
    try:
        nd = np.dtype(dtype)
    except TypeError:
        nd = None
    if nd is not None and nd in NUMPY_DTYPES:
        return NUMPY_DTYPES[nd]
    raise TypeError("dtype %r: expected 'f32', 'f64', 'bf16' or 'f16' (or 'float32', 'float64', 'bfloat16', "
                    "'float16'), a NumPy float dtype or a torch float dtype"
                    % (dtype,))


class Target:
    """An array or tensor to be written in place, any strides: what the library and
    the copies need to fill it as the row-major tensor of its shape.

    obj: the array/tensor; is_torch; ptr: address of element [0, ..., 0]; dtype:
    nninit code; shape; itemsize; strides: per dimension, in elements (0 for
    dimensions of size 1, whose stride never matters); packed: True when the
    elements lie row-major and contiguous from ptr (one library call fills it)."""
    __slots__ = ("obj", "is_torch", "ptr", "dtype", "shape", "itemsize", "strides", "packed", "numel")

    def __init__(self, obj, is_torch, ptr, dtype, shape, itemsize, strides):
        self.obj, self.is_torch, self.ptr, self.dtype = obj, is_torch, ptr, dtype
        self.shape = tuple(int(s) for s in shape)
        self.itemsize = itemsize
        self.strides = tuple(0 if n == 1 else int(st) for n, st in zip(self.shape, strides))
        self.numel = 1
        for n in self.shape:
            self.numel *= n
        self.packed = self.numel == 0 or self.packed_from() == 0

    def c_shape(self):
        return (_lib.ctypes.c_int64 * max(1, len(self.shape)))(*self.shape)

    def as_numpy(self):
        """A NumPy array over the same memory and strides (bf16 as its uint16 bits)."""
        if not self.is_torch:
            return self.obj
        x = self.obj.detach()
        if self.dtype == _lib.BF16:
            x = x.view(torch_module().int16)
        return x.numpy().view(NUMPY_OF[self.dtype])

    def packed_from(self):
        """The first dimension d such that dimensions d.. are row-major and
        contiguous (each index of dimensions ..d-1 then addresses one run of
        prod(shape[d:]) consecutive elements); len(shape) if the last is not."""
        want = 1
        d = len(self.shape)
        while d > 0:
            n, st = self.shape[d - 1], self.strides[d - 1]
            if n != 1 and st != want:
                break
            want *= n
            d -= 1
        return d

    def overlaps(self):
        """True unless every element has its own memory (a sufficient test:
        sorted by stride, each stride passes the extent of the smaller ones)."""
        if self.numel == 0:
            return False
        extent = 0
        for n, st in sorted(((n, abs(st)) for n, st in zip(self.shape, self.strides) if n > 1),
                            key=lambda p: p[1]):
            if st <= extent:
                return True
            extent += (n - 1) * st
        return False


def _numpy_target(x, what):
    code = NUMPY_DTYPES.get(x.dtype.newbyteorder("=")) if x.dtype.isnative else None
    if code is None:
        if x.dtype.kind == "f" and not x.dtype.isnative:
            raise TypeError("%s: byte-swapped dtype %s: nninit writes native float32/float64/float16; convert "
                            "with x.astype(x.dtype.newbyteorder('='))" % (what, x.dtype.str))
        raise TypeError("%s: NumPy dtype %s is not supported: nninit writes float32, float64 and float16 "
                        "(bfloat16 through a torch.bfloat16 tensor)" % (what, x.dtype))
    if not x.flags.writeable:
        raise ValueError("%s: the array is read-only; initialize a writable copy (np.array(x))" % what)
    if not x.flags.aligned:
        raise ValueError("%s: the array's data is not aligned to its element size; initialize an aligned "
                         "copy (np.array(x))" % what)
    if x.ndim > _lib.MAX_DIMS:
        raise ValueError("%s: %d dimensions; nninit handles at most %d" % (what, x.ndim, _lib.MAX_DIMS))
    size = x.dtype.itemsize
    # aligned: every stride of a dimension longer than 1 is a multiple of the element size
    strides = [st // size if n > 1 else 0 for n, st in zip(x.shape, x.strides)]
    return Target(x, False, x.ctypes.data, code, x.shape, size, strides)


def _torch_target(torch, x, what):
    if x.layout != torch.strided:
        raise TypeError("%s: a %s tensor; nninit writes dense (strided) tensors" % (what, x.layout))
    if x.device.type != "cpu":
        raise ValueError("%s: the tensor is on %s; nninit writes CPU memory: initialize a CPU tensor and copy "
                         "it over (w.copy_(cpu_w)), or initialize before moving the model (model.to(device))"
                         % (what, x.device))
    code = torch_dtypes(torch).get(x.dtype)
    if code is None:
        raise TypeError("%s: dtype %s is not supported: nninit writes float32, float64, float16 and bfloat16"
                        % (what, x.dtype))
    if x.dim() > _lib.MAX_DIMS:
        raise ValueError("%s: %d dimensions; nninit handles at most %d" % (what, x.dim(), _lib.MAX_DIMS))
    size = _lib.DTYPE_SIZES[code]
    ptr = x.data_ptr()
    if ptr % size:
        raise ValueError("%s: the tensor's data is not aligned to its element size; initialize a fresh "
                         "tensor and copy it over" % what)
    return Target(x, True, ptr, code, x.shape, size, x.stride())


def target(x, what="x"):
    """A Target of x, any strides; TypeError/ValueError saying what to do for an
    array nninit cannot write in place (unsupported type or dtype, read-only,
    not on the CPU, unaligned, elements that share memory)."""
    if isinstance(x, np.ndarray):
        t = _numpy_target(x, what)
    else:
        torch = torch_module()
        if torch is None or not isinstance(x, torch.Tensor):
            raise TypeError("%s: expected a numpy.ndarray or a torch.Tensor, got %s" % (what, _kind(x)))
        t = _torch_target(torch, x, what)
    if t.overlaps():
        raise ValueError("%s: elements of this view share memory (strides %s, e.g. a broadcast or expanded "
                         "view); initialize an array of its own" % (what, _strides_of(x)))
    return t


def _strides_of(x):
    return tuple(x.strides) if isinstance(x, np.ndarray) else tuple(x.stride())


def writable(x, what="x"):
    """A View of x for the library to write into in one call: x must be
    C-contiguous (target() takes any strides); TypeError/ValueError saying what
    to do otherwise."""
    t = target(x, what)
    if not t.packed:
        if t.is_torch:
            raise ValueError("%s: the tensor is not contiguous (strides %s); initialize x.contiguous() and copy "
                             "it back with x.copy_(y)" % (what, _strides_of(x)))
        raise ValueError("%s: the array is not C-contiguous (strides %s); initialize np.ascontiguousarray(x) "
                         "and copy it back with x[...] = y" % (what, _strides_of(x)))
    return View(x, t.ptr, t.dtype, t.shape, t.numel * t.itemsize)


def readable(x, what):
    """A View of x for the library to read (saving): non-contiguous or byte-swapped arrays are copied."""
    if isinstance(x, np.ndarray):
        if x.dtype.kind == "f" and x.dtype.newbyteorder("=") in NUMPY_DTYPES:
            # (np.ascontiguousarray would make a 0-D array 1-D)
            x = np.array(x, dtype=x.dtype.newbyteorder("<"), order="C", copy=False)
            return View(x, x.ctypes.data, NUMPY_DTYPES[x.dtype.newbyteorder("=")], x.shape, x.nbytes)
        raise TypeError("%s: NumPy dtype %s: nninit writes float32, float64 and float16 (bfloat16 from a "
                        "torch.bfloat16 tensor)" % (what, x.dtype))
    torch = torch_module()
    if torch is not None and isinstance(x, torch.Tensor):
        if x.layout != torch.strided:
            raise TypeError("%s: a %s tensor; only dense (strided) tensors can be saved (x.to_dense())"
                            % (what, x.layout))
        if x.device.type != "cpu":
            raise ValueError("%s: the tensor is on %s; save CPU tensors (x.cpu())" % (what, x.device))
        code = torch_dtypes(torch).get(x.dtype)
        if code is None:
            raise TypeError("%s: dtype %s: nninit writes float32, float64, float16 and bfloat16" % (what, x.dtype))
        x = x.detach().contiguous()
        return View(x, x.data_ptr(), code, x.shape, x.numel() * _lib.DTYPE_SIZES[code])
    raise TypeError("%s: expected a numpy.ndarray or a torch.Tensor, got %s" % (what, _kind(x)))
