#!/usr/bin/python3
"""Independent check of nninit's safetensors writer: python3 tests/interop/st_read.py DIR

Parses DIR/out.safetensors from the format's description alone (8-byte
little-endian header length, UTF-8 JSON header, data buffer with offsets
relative to its start) and compares every tensor with DIR/t<i>.npy (the same
tensor saved through nninit_npy_save, read by NumPy). Also checks the layout
nninit promises: data starts at a multiple of 64, every tensor at a multiple
of its element size, tensors tile the buffer without gaps or overlap, larger
elements first. Names and metadata are listed here by hand (as in st_write.c).
"""
import json
import struct
import sys

import numpy as np

NAMES = ["layer.0.weight", "layer.0.bias", 'emb"quoted\\', "caf\u00e9/\u65e5\u672c", "scalar", "empty",
         "ctl\n\t\x01", "odd"]
METADATA = {"format": "pt", 'quote"d': "line\nbreak", "\u00e9": "\u20ac"}
# safetensors dtype -> (bytes per element, dtype of the matching .npy; bf16 is raw '<u2' there)
DTYPES = {"F32": (4, "<f4"), "F64": (8, "<f8"), "F16": (2, "<f2"), "BF16": (2, "<u2")}


def fail(msg):
    print("st_read.py: FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def main(d):
    raw = open(d + "/out.safetensors", "rb").read()
    if len(raw) < 8:
        fail("file shorter than 8 bytes")
    (n,) = struct.unpack("<Q", raw[:8])
    if 8 + n > len(raw):
        fail("header length %d past the end" % n)
    if (8 + n) % 64:
        fail("data starts at %d, not a multiple of 64" % (8 + n))
    text = raw[8:8 + n].decode("utf-8")  # strict: raises on invalid UTF-8
    body = text.rstrip(" ")
    if len(text) - len(body) >= 64:
        fail("%d bytes of padding, more than alignment needs" % (len(text) - len(body)))
    pairs = json.loads(body, object_pairs_hook=lambda kv: kv)
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        fail("duplicate keys")
    header = dict(pairs)
    meta = dict(header.pop("__metadata__", []))
    if meta != METADATA:
        fail("metadata %r, expected %r" % (meta, METADATA))
    names = [k for k in keys if k != "__metadata__"]
    if names != NAMES:
        fail("names %r, expected %r" % (names, NAMES))
    buf = raw[8 + n:]
    spans = []
    for i, name in enumerate(NAMES):
        info = dict(header[name])
        if set(info) != {"dtype", "shape", "data_offsets"}:
            fail("%r: fields %r" % (name, sorted(info)))
        size, npy_dtype = DTYPES[info["dtype"]]
        begin, end = info["data_offsets"]
        shape = tuple(info["shape"])
        if begin % size:
            fail("%r: begins at %d, not a multiple of %d" % (name, begin, size))
        if end - begin != size * int(np.prod(shape, dtype=np.int64)):
            fail("%r: %d bytes for shape %r" % (name, end - begin, shape))
        spans.append((begin, end, size, name))
        got = np.frombuffer(buf[begin:end], dtype=npy_dtype).reshape(shape)
        want = np.load("%s/t%d.npy" % (d, i))
        if want.dtype != np.dtype(npy_dtype) or want.shape != shape:
            fail("%r: %s %r, .npy has %s %r" % (name, npy_dtype, shape, want.dtype, want.shape))
        if got.tobytes() != want.tobytes():
            fail("%r: values differ from the .npy" % name)
    pos = 0
    for begin, end, _, name in sorted(spans):
        if begin != pos:
            fail("%r at %d: gap or overlap (previous end %d)" % (name, begin, pos))
        pos = max(pos, end)
    if pos != len(buf):
        fail("tensors end at %d, the buffer has %d bytes" % (pos, len(buf)))
    sizes = [s for b, e, s, _ in sorted(spans) if e > b]
    if sizes != sorted(sizes, reverse=True):
        fail("element sizes in layout order %r, not largest first" % sizes)
    print("st_read.py: %d tensors, %d metadata keys, %d data bytes: OK" % (len(NAMES), len(meta), len(buf)))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1])
