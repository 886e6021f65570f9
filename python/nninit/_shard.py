"""Rank-local shards: init_shard_ fills one rank's part of a tensor through the
library's slice API (nninit_scheme_apply_slice), so the ranks of any world size
together hold the one-process tensor bit for bit."""
import ctypes
import math
import operator
import types

import numpy as np

from . import _arrays, _init, _lib


def _shape(full_shape):
    try:
        shape = tuple(operator.index(s) for s in full_shape)
    except TypeError:
        raise TypeError("full_shape: expected a sequence of integers, got %r" % (full_shape,)) from None
    if len(shape) > _lib.MAX_DIMS:
        raise ValueError("full_shape: %d dimensions; nninit handles at most %d" % (len(shape), _lib.MAX_DIMS))
    if any(s < 0 for s in shape):
        raise ValueError("full_shape: %r has a negative size" % (shape,))
    return shape


def check_offset(local_shape, full_shape, offset):
    """offset as a tuple (a box of the same rank as full_shape) or an int (a flat range of the
    flattened full tensor, local being 1-D); ValueError/TypeError when it does not fit."""
    full = _shape(full_shape)
    local = tuple(int(s) for s in local_shape)
    if isinstance(offset, bool):
        raise TypeError("offset: expected a tuple of integers or an integer, got bool")
    try:
        flat = operator.index(offset)
    except TypeError:
        flat = None
    if flat is not None:
        if len(local) != 1:
            raise ValueError("offset: an integer offset is a flat range of the full tensor; the local tensor must "
                             "be 1-D, got shape %r" % (local,))
        if flat < 0 or flat + local[0] > math.prod(full):
            raise ValueError("offset: the flat range [%d, %d) is outside the %d elements of full_shape %r"
                             % (flat, flat + local[0], math.prod(full), full))
        return full, flat
    try:
        box = tuple(operator.index(o) for o in offset)
    except TypeError:
        raise TypeError("offset: expected a tuple of integers or an integer, got %r" % (offset,)) from None
    if len(box) != len(full) or len(local) != len(full):
        raise ValueError("offset %r, local shape %r and full_shape %r must have the same number of dimensions"
                         % (box, local, full))
    for d, (o, n, s) in enumerate(zip(box, local, full)):
        if o < 0 or o + n > s:
            raise ValueError("dimension %d: the local range [%d, %d) is outside the full size %d" % (d, o, o + n, s))
    return full, box


def flat_boxes(shape, lo, hi):
    """The boxes [(start, count)] whose row-major blocks, one after the other, are the flat
    elements [lo, hi) of a tensor of shape: at most 2 * ndim - 1 of them."""
    if lo >= hi:
        return []
    if len(shape) <= 1:
        return [((lo,), (hi - lo,))] if shape else [((), ())]
    inner = math.prod(shape[1:])
    r0, r1 = lo // inner, hi // inner
    rest = tuple(shape[1:])
    zeros = (0,) * len(rest)
    if r0 == r1:
        return [((r0,) + s, (1,) + c) for s, c in flat_boxes(rest, lo - r0 * inner, hi - r0 * inner)]
    out = []
    if lo % inner:
        out += [((r0,) + s, (1,) + c) for s, c in flat_boxes(rest, lo % inner, inner)]
        r0 += 1
    if r1 > r0:
        out.append(((r0,) + zeros, (r1 - r0,) + rest))
    if hi % inner:
        out += [((r1,) + s, (1,) + c) for s, c in flat_boxes(rest, 0, hi % inner)]
    return out


def fill_shard(ptr, code, full, offset, local_shape, scheme, rng):
    """Writes the box (offset a tuple) or flat range (an int) of the full tensor at ptr.
    scheme: a parsed nninit_scheme whose layout is already applied; rng: its key."""
    nd = max(1, len(full))
    c_full = (ctypes.c_int64 * nd)(*full)
    if isinstance(offset, tuple):
        boxes = [(offset, tuple(int(s) for s in local_shape))]
    else:
        n = math.prod(local_shape)
        boxes = flat_boxes(full, offset, offset + n)
    size = _lib.DTYPE_SIZES[code]
    at = 0
    msg = _lib.msg_buffer()
    for start, count in boxes:
        st = _lib.scheme_apply_slice(ptr + at * size if ptr else None, code, c_full, len(full),
                                     (ctypes.c_int64 * nd)(*start), (ctypes.c_int64 * nd)(*count),
                                     ctypes.byref(scheme), rng, msg, _lib.MSG_SIZE)
        _lib.check(st, msg)
        at += math.prod(count)


def parse_for(spec, full, code, layout):
    """The parsed scheme of spec for a tensor of shape full and dtype code, with layout applied
    as init_'s layout= (None: the spec as written). The library checks that it fits the shape."""
    if layout is None:
        scheme = _lib.Scheme()
        msg = _lib.msg_buffer()
        _lib.check(_lib.scheme_parse(_init._c_string(spec, "spec"), ctypes.byref(scheme), msg, _lib.MSG_SIZE), msg)
        return scheme
    return _init._scheme_with_layout(spec, layout, types.SimpleNamespace(shape=full, dtype=code))


def init_shard_(local, spec, *, full_shape, offset, seed, name=None, stream=None, layout=None):
    """Fills local as its part of a larger tensor; returns local.

    The full tensor has shape full_shape and is initialized by spec under the key
    {seed, stream_id(name)} (or stream=, else stream 0), exactly as
    ``init_(full, spec, seed=seed, name=name, layout=layout)`` would fill it; local
    receives its part, bit for bit, without the full tensor ever being allocated
    (except for orthogonal, whose every part needs the whole factorization: the
    call takes the full tensor's memory and time, docs/CONTRACT.md, "Slices").
    Fans, gains and orthogonal's Q come from full_shape, never from local's shape.

    local: a C-contiguous CPU tensor or NumPy array (float32/64, float16, and
    bfloat16 for torch): this rank's shard.
    offset: either
      - a tuple, one start per dimension: local is the box [offset, offset +
        local.shape) of the full tensor (Megatron column/row splits, any block);
      - an integer: local is 1-D and holds the flat elements [offset, offset +
        local.numel()) of the row-major full tensor (an FSDP flat-parameter chunk);
        it is written as at most 2 * ndim - 1 boxes.
    A torch DTensor's shard drops straight in (torch >= 2.4; torch 1.13 has no
    DTensor): init_shard_(dt.to_local(), spec, full_shape=dt.shape,
    offset=compute_local_shape_and_global_offset(dt.shape, dt.device_mesh,
    dt.placements)[1], seed=..., name=...).
    seed: required, 0..2^64-1: every rank must use the same key, so a shard is
    never keyed from a per-process generator. name / stream: as init_.
    layout: as init_ (the full tensor's layout).

    Raises ValueError/TypeError for a bad shape, offset, spec or array (local unchanged).
    """
    v = _arrays.writable(local, "local")
    full, off = check_offset(v.shape, full_shape, offset)
    r = _init.rng(seed, name, stream)
    scheme = parse_for(spec, full, v.dtype, layout)
    if isinstance(off, int) and len(flat_boxes(full, off, off + v.shape[0])) > 1:
        # several slice calls: write a scratch copy, so a failure leaves local untouched
        scratch = np.empty(v.nbytes, np.uint8)
        fill_shard(scratch.ctypes.data, v.dtype, full, off, v.shape, scheme, r)
        ctypes.memmove(v.ptr, scratch.ctypes.data, v.nbytes)
    else:
        fill_shard(v.ptr if v.nbytes else None, v.dtype, full, off, v.shape, scheme, r)
    return local
