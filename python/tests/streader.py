"""A safetensors reader and writer for the tests, from the format's description
alone (https://github.com/huggingface/safetensors): an 8-byte little-endian
header length N, N bytes of UTF-8 JSON {name: {dtype, shape, data_offsets},
"__metadata__": {str: str}}, then the data, offsets relative to its start.
Shares no code with nninit."""
import json
import struct

import numpy as np

NUMPY = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "BF16": "<u2", "I64": "<i8", "I32": "<i4", "I16": "<i2",
         "I8": "i1", "U64": "<u8", "U32": "<u4", "U16": "<u2", "U8": "u1", "BOOL": "?"}


def read(path):
    """(metadata, [(name, dtype string, array)] in header order, data start); checks the
    layout invariants every safetensors file has."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    assert 8 + n <= len(raw), "header past the end"
    pairs = json.loads(raw[8:8 + n].decode("utf-8"), object_pairs_hook=lambda kv: kv)
    header = dict(pairs)
    assert len(header) == len(pairs), "duplicate keys"
    meta = dict(header.pop("__metadata__", []))
    data = raw[8 + n:]
    out, spans = [], []
    for name, info in pairs:
        if name == "__metadata__":
            continue
        info = dict(info)
        dt = np.dtype(NUMPY[info["dtype"]])
        lo, hi = info["data_offsets"]
        count = int(np.prod(info["shape"], dtype=np.int64))
        assert hi - lo == count * dt.itemsize, name
        spans.append((lo, hi))
        out.append((name, info["dtype"], np.frombuffer(data, dt, count, lo).reshape(info["shape"])))
    pos = 0
    for lo, hi in sorted(spans):
        assert lo == pos, "gap or overlap at %d" % pos
        pos = hi
    assert pos == len(data), "trailing bytes"
    return meta, out, 8 + n


def write(path, tensors, metadata=None, pad=0, order=None):
    """Writes [(name, dtype string, array)] with the data in the given order
    (order: a permutation of the tensors for the data section; default as given)
    and pad spaces after the JSON, no alignment."""
    order = order if order is not None else list(range(len(tensors)))
    offsets, pos = {}, 0
    for i in order:
        name, _, a = tensors[i]
        offsets[name] = (pos, pos + a.nbytes)
        pos += a.nbytes
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dt, a in tensors:
        header[name] = {"dtype": dt, "shape": list(a.shape), "data_offsets": list(offsets[name])}
    text = json.dumps(header).encode("utf-8") + b" " * pad
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text)
        for i in order:
            f.write(np.ascontiguousarray(tensors[i][2]).tobytes())
