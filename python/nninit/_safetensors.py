"""safetensors files and sharded directories: load and save.

A single file is written by nninit_st_save and validated by
nninit_st_open_memory over a private mapping of the file. A sharded directory
is Hugging Face's layout, written by nninit_st_save_sharded (the library's
split rule and atomic directory, the files nninit init --max-shard-size
writes) and read here shard by shard:

    DIR/model-00001-of-0000N.safetensors ... DIR/model-0000N-of-0000N.safetensors
    DIR/model.safetensors.index.json   {"metadata": {"total_size": BYTES},
                                        "weight_map": {tensor: file, ...}}

(a split that gives one shard is DIR/model.safetensors alone, as Hugging Face does).
"""
import collections.abc
import ctypes
import errno
import json
import mmap
import os
import stat

import numpy as np

from . import _arrays, _lib

INDEX = "model.safetensors.index.json"
SINGLE = "model.safetensors"

# Header dtypes the library does not hold, readable as NumPy / torch arrays.
_FOREIGN_NUMPY = {"BOOL": "?", "U8": "u1", "I8": "i1", "U16": "<u2", "I16": "<i2", "U32": "<u4", "I32": "<i4",
                  "U64": "<u8", "I64": "<i8"}
_FOREIGN_TORCH = {"BOOL": "bool", "U8": "uint8", "I8": "int8", "I16": "int16", "I32": "int32", "I64": "int64"}

class TensorDict(dict):
    """What load returns: a dict {name: array or tensor} in file order, with the
    file's "__metadata__" (str -> str) as .metadata."""

    def __init__(self, *args, metadata=None, **kw):
        super().__init__(*args, **kw)
        self.metadata = dict(metadata or {})


# ---- load ------------------------------------------------------------------------------
def load(path, *, framework="numpy"):
    """Reads a safetensors file, or a sharded directory, without copying the data.

    path: a .safetensors file; a directory holding model.safetensors.index.json
    and its shards (Hugging Face's sharded layout) or a single model.safetensors;
    or the index file itself.
    framework: "numpy" (or "np"): NumPy arrays, bf16 tensors as uint16 arrays of
    the raw bits (NumPy has no bfloat16; as nninit's .npy files); "torch" (or
    "pt"): torch tensors, bf16 as torch.bfloat16.
    Integer and bool tensors (I64, U8, BOOL, ...) are read too, as the
    framework's integer dtypes (torch 1.13 has no uint16/32/64).

    Every file read (the index, each shard) must be a regular file or a symbolic
    link to one, checked without blocking: a FIFO or a device is OSError, never a
    hang. A directory holding both model.safetensors and an index is read through
    model.safetensors, as transformers does. An index is read up to the library's
    limit (nninit_st_index_max_bytes, 64 MiB), as nninit init --from reads it.
    Each file is mapped privately (copy-on-write) and checked whole by the
    library (nninit_st_open_memory: header, dtypes, shapes, offsets; see
    docs/MODELS.md) before any array is made. The arrays and tensors are views
    of the mapping: no data is copied or read until used, the mapping lives as
    long as any of them, and they are writable, a write changing only this
    process's copy, never the file. (A tensor the file stores unaligned for its
    dtype, which other writers allow, is copied to aligned memory.)

    Returns a TensorDict: {name: array} in file order (shard by shard), with
    .metadata, the files' "__metadata__" (for shards, merged, the first shard's
    value winning). Raises FileNotFoundError/OSError when a file cannot be read,
    ValueError (with the library's reason) for a malformed file or index,
    TypeError for a dtype the framework cannot hold.
    """
    fw = {"numpy": "numpy", "np": "numpy", "torch": "torch", "pt": "torch"}.get(framework)
    if fw is None:
        raise ValueError("framework: %r is not 'numpy' (or 'np') or 'torch' (or 'pt')" % (framework,))
    if fw == "torch":
        import torch  # noqa: F401  (asked for by the caller)
    path = os.fspath(path)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if os.path.isdir(path):
        # model.safetensors first, then the index: transformers' order, and the library's (nninit_st_open)
        single = os.path.join(path, SINGLE)
        if os.path.exists(single):
            return _load_file(single, fw, TensorDict())
        index = os.path.join(path, INDEX)
        if os.path.exists(index):
            return _load_sharded(index, fw)
        raise FileNotFoundError(errno.ENOENT, "no %s or %s in the directory" % (SINGLE, INDEX), path)
    if path.endswith(".index.json"):
        return _load_sharded(path, fw)
    return _load_file(path, fw, TensorDict())


_index_max_bytes = _lib._proto("nninit_st_index_max_bytes", ctypes.c_uint64)


def _open_input(path):
    """A file object for reading path, which must be a regular file or a symbolic link to one:
    opened non-blocking (a FIFO without a writer never hangs the open), checked with fstat, then
    blocking again. OSError (EINVAL, EISDIR) for a FIFO, a device, a socket or a directory."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = ("a directory" if stat.S_ISDIR(st.st_mode) else "a FIFO" if stat.S_ISFIFO(st.st_mode)
                    else "a character device" if stat.S_ISCHR(st.st_mode)
                    else "a block device" if stat.S_ISBLK(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode)
                    else "not a file")
            raise OSError(errno.EISDIR if stat.S_ISDIR(st.st_mode) else errno.EINVAL,
                          "not a regular file (%s)" % kind, path)
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _load_sharded(index_path, fw):
    limit = int(_index_max_bytes())   # the library's limit: nninit init --from refuses the same indexes
    try:
        with _open_input(index_path) as f:
            text = f.read(limit + 1)
        if len(text) > limit:
            raise ValueError("%s: larger than %d bytes (the limit for an index)" % (index_path, limit))
        index = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError("%s: not a JSON index: %s" % (index_path, e)) from None
    wm = index.get("weight_map") if isinstance(index, dict) else None
    if not isinstance(wm, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in wm.items()):
        raise ValueError("%s: expected {\"weight_map\": {tensor: file, ...}}" % index_path)
    folder = os.path.dirname(index_path)
    out = TensorDict()
    for fname in sorted(set(wm.values())):
        if os.path.basename(fname) != fname or fname in (".", ".."):
            raise ValueError("%s: shard file %r is not a file name in the index's directory" % (index_path, fname))
        part = _load_file(os.path.join(folder, fname), fw, TensorDict())
        for name, t in part.items():
            if wm.get(name) != fname:
                raise ValueError("%s: tensor %r is in %s but the index %s" % (
                    index_path, name, fname, "puts it in %s" % wm[name] if name in wm else "does not list it"))
            if name in out:
                raise ValueError("%s: tensor %r is in two shards" % (index_path, name))
            out[name] = t
        for k, v in part.metadata.items():
            out.metadata.setdefault(k, v)
    missing = [n for n in wm if n not in out]
    if missing:
        raise ValueError("%s: tensor %r is listed in %s but not there" % (index_path, missing[0], wm[missing[0]]))
    return out


def _map(path):
    """The regular file's bytes as a writable buffer: a private mapping, or a copy for what cannot be mapped."""
    with _open_input(path) as f:
        st = os.fstat(f.fileno())
        if st.st_size > 0:
            try:
                return mmap.mmap(f.fileno(), st.st_size, access=mmap.ACCESS_COPY)
            except (OSError, ValueError):
                pass
        return bytearray(f.read())


def _load_file(path, fw, out):
    buf = _map(path)
    size = len(buf)
    cbuf = (ctypes.c_char * max(1, size)).from_buffer(buf if size else bytearray(1))
    base = ctypes.addressof(cbuf)
    handle = ctypes.c_void_p()
    msg = _lib.msg_buffer()
    st = _lib.st_open_memory(base, size, ctypes.byref(handle), msg, _lib.MSG_SIZE)
    if st != _lib.OK:
        del cbuf
        raise _lib.error(st, b"%s: %s" % (os.fsencode(path), msg.value))
    entries = []
    try:
        for i in range(_lib.st_count(handle)):
            t = _lib.Tensor()
            code = _lib.st_tensor(handle, i, ctypes.byref(t))
            if code not in (_lib.OK, _lib.E_DTYPE):
                _lib.check(code)
            offset = (t.data - base) if t.data else 0
            entries.append((t.name.decode("utf-8"), t.dtype if code == _lib.OK else None,
                            tuple(t.shape[:t.ndim]), offset, t.nbytes))
    finally:
        _lib.st_close(handle)
        del cbuf
    # Validated by the library above: the header is well-formed JSON.
    n = int.from_bytes(bytes(buf[:8]), "little")
    header = json.loads(bytes(buf[8:8 + n]).decode("utf-8"))
    out.metadata.update(header.get("__metadata__") or {})
    for name, code, shape, offset, nbytes in entries:
        dt = header[name]["dtype"] if code is None else None
        out[name] = _array(buf, fw, name, code, dt, shape, offset, nbytes, path)
    return out


def _array(buf, fw, name, code, foreign, shape, offset, nbytes, path):
    if fw == "numpy":
        if code is not None:
            dt = _arrays.NUMPY_OF[code]
        elif foreign in _FOREIGN_NUMPY:
            dt = np.dtype(_FOREIGN_NUMPY[foreign])
        else:
            raise TypeError("%s: tensor %r: dtype %s has no NumPy equivalent" % (path, name, foreign))
        if nbytes == 0:
            return np.zeros(shape, dt)
        if offset % dt.itemsize:
            return np.frombuffer(buf, np.uint8, nbytes, offset).copy().view(dt).reshape(shape)
        return np.frombuffer(buf, dt, nbytes // dt.itemsize, offset).reshape(shape)
    import torch
    if code is not None:
        dt = _arrays.torch_dtype_of(torch, code)
    elif foreign in _FOREIGN_TORCH:
        dt = getattr(torch, _FOREIGN_TORCH[foreign])
    else:
        raise TypeError("%s: tensor %r: dtype %s has no torch equivalent" % (path, name, foreign))
    if nbytes == 0:
        return torch.zeros(shape, dtype=dt)
    size = torch.empty((), dtype=dt).element_size()
    if offset % size:
        raw = np.frombuffer(buf, np.uint8, nbytes, offset).copy()
        return torch.from_numpy(raw).view(dt).reshape(shape)
    return torch.frombuffer(buf, dtype=dt, count=nbytes // size, offset=offset).reshape(shape)


# ---- save ------------------------------------------------------------------------------
def save(path, tensors, metadata=None, *, max_shard_size=None):
    """Writes tensors as a safetensors file, or as a sharded directory.

    tensors: {name: array} (a dict, or (name, array) pairs) of NumPy arrays
    (float32, float64, float16) or CPU torch tensors (also bfloat16), in the
    order they appear in the header; non-contiguous ones are copied first. Every
    entry is written (tensors that share memory, such as tied weights, twice).
    metadata: None, or {str: str} stored as "__metadata__" in every file
    (Hugging Face loaders look for {"format": "pt"}).
    max_shard_size: None writes one file at path. Else path is a directory in
    Hugging Face's sharded layout, split by huggingface_hub's rule: tensors in
    order, a new shard when the next tensor would take the current one past the
    limit, a tensor larger than the limit in a shard of its own (placed when it
    is met, the shard being filled staying open); one shard is written as
    model.safetensors without an index. An int (bytes) or a string with a
    unit such as "5GB" (10^9), "2GiB" (2^30) or "400B" ("400" without a unit
    is a ValueError, as in transformers). path names a directory, so a name
    ending in ".safetensors" is a ValueError (suggesting the name without it).

    The output appears whole or not at all: a file is written to a temporary
    and renamed (nninit_st_save); a directory is built as a hidden temporary
    beside path and renamed into place. An existing directory is replaced only
    if it holds nothing but an earlier sharded output (model*.safetensors and
    the index); anything else is FileExistsError. TypeError/ValueError for a
    tensor or name nninit cannot write, OSError when writing fails.
    """
    path = os.fspath(path)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    items = _items(tensors)
    meta = _metadata(metadata)
    if max_shard_size is None:
        _save_file(path, items, meta)
    else:
        _save_sharded(path, items, meta, _size(max_shard_size))


def _items(tensors):
    if isinstance(tensors, collections.abc.Mapping):
        pairs = list(tensors.items())
    else:
        try:
            pairs = [tuple(p) for p in tensors]
        except TypeError:
            raise TypeError("tensors: expected a dict {name: array}, got %s" % type(tensors).__name__) from None
        if any(len(p) != 2 for p in pairs):
            raise TypeError("tensors: expected (name, array) pairs")
    out, seen = [], set()
    for name, x in pairs:
        if not isinstance(name, str) or not name:
            raise ValueError("tensor name %r: names are non-empty str" % (name,))
        if "\0" in name:
            raise ValueError("tensor name %r contains a NUL character" % (name,))
        if name in seen:
            raise ValueError("tensor name %r appears twice" % (name,))
        seen.add(name)
        v = _arrays.readable(x, "tensor %r" % name)
        if len(v.shape) > _lib.MAX_DIMS:
            raise ValueError("tensor %r: %d dimensions; safetensors files from nninit hold at most %d"
                             % (name, len(v.shape), _lib.MAX_DIMS))
        out.append((name, v))
    return out


def _metadata(metadata):
    if metadata is None:
        return None
    if not isinstance(metadata, collections.abc.Mapping):
        raise TypeError("metadata: expected a dict {str: str}, got %s" % type(metadata).__name__)
    out = []
    for k, v in metadata.items():
        if not isinstance(k, str) or not isinstance(v, str):
            raise TypeError("metadata: %r: %r: keys and values are str (safetensors stores strings only)" % (k, v))
        if "\0" in k or "\0" in v:
            raise ValueError("metadata: %r contains a NUL character" % (k,))
        out.append((k, v))
    return out


def _size(v):
    """max_shard_size in bytes: an int (bytes), or a string nninit_size_parse reads: a number and a unit
    ("5GB", "500MB", "2GiB", "400B"; "400" is refused, as transformers' convert_file_size_to_int does)."""
    if isinstance(v, str):
        n = ctypes.c_uint64()
        msg = _lib.msg_buffer()
        if _lib.size_parse(v.encode("utf-8"), ctypes.byref(n), msg, _lib.MSG_SIZE) != 0:
            raise ValueError("max_shard_size: %s" % msg.value.decode("utf-8", "replace"))
        return n.value
    try:
        n = int(v) if not isinstance(v, bool) else None
    except (TypeError, ValueError):
        n = None
    if n is None or n != v:
        raise TypeError("max_shard_size: expected an int (bytes) or a string such as '5GB', got %r" % (v,))
    if n <= 0 or n >= 1 << 64:
        raise ValueError("max_shard_size: %r is not a positive size" % (v,))
    return n


def _c_tensors(items, meta):
    """The C tensor array and metadata list (and the names they point into, to keep alive)."""
    arr = (_lib.Tensor * max(1, len(items)))()
    names = []
    for i, (name, v) in enumerate(items):
        names.append(name.encode("utf-8"))
        t = arr[i]
        t.name, t.dtype, t.ndim, t.data, t.nbytes = names[-1], v.dtype, len(v.shape), v.ptr, v.nbytes
        for d, s in enumerate(v.shape):
            t.shape[d] = s
    cmeta = None
    if meta is not None:
        flat = [s.encode("utf-8") for kv in meta for s in kv] + [None]
        cmeta = (ctypes.c_char_p * len(flat))(*flat)
    return arr, cmeta, names


def _save_file(path, items, meta):
    arr, cmeta, _names = _c_tensors(items, meta)
    msg = _lib.msg_buffer()
    st = _lib.st_save(os.fsencode(path), arr, len(items), cmeta, None, msg, _lib.MSG_SIZE)
    _lib.check(st, msg, path)


def _save_sharded(path, items, meta, limit):
    arr, cmeta, _names = _c_tensors(items, meta)
    msg = _lib.msg_buffer()
    st = _lib.st_save_sharded(os.fsencode(path), arr, len(items), cmeta, limit, None, msg, _lib.MSG_SIZE)
    _lib.check(st, msg, path)
