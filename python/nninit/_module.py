"""Whole torch modules: spec_from_module and init_module."""
import collections.abc
import ctypes
import json

from . import _arrays, _init, _lib


def _torch():
    torch = _arrays.torch_module()
    if torch is None:
        raise TypeError("expected a torch.nn.Module (torch is not imported)")
    return torch


def _rules(rules):
    """rules as the spec's "rules": an object for a mapping, an array of {match, init} for a sequence."""
    def text(v, what):
        if not isinstance(v, str):
            raise TypeError("rules: %s must be a str, got %s" % (what, type(v).__name__))
        return v
    if isinstance(rules, collections.abc.Mapping):
        return {text(k, "a pattern"): text(v, "the init of %r" % (k,)) for k, v in rules.items()}
    if isinstance(rules, (str, bytes)) or not isinstance(rules, collections.abc.Iterable):
        raise TypeError("rules: expected a dict {pattern: init} or a list of (pattern, init) pairs, got %s"
                        % type(rules).__name__)
    out = []
    for r in rules:
        if isinstance(r, collections.abc.Mapping):
            if set(r) != {"match", "init"}:
                raise ValueError("rules: %r: a rule given as a dict has exactly the keys 'match' and 'init'" % (r,))
            pat, init = r["match"], r["init"]
        else:
            try:
                pat, init = r
            except (TypeError, ValueError):
                raise TypeError("rules: %r is not a (pattern, init) pair" % (r,)) from None
        out.append({"match": text(pat, "a pattern"), "init": text(init, "the init of %r" % (pat,))})
    return out


def _parameters(module):
    """[(name, parameter)] and {id(parameter): extra tensor fields} (layout of transposed
    convolutions, groups of grouped ones)."""
    torch = _torch()
    if not isinstance(module, torch.nn.Module):
        raise TypeError("module: expected a torch.nn.Module, got %s.%s" % (type(module).__module__,
                                                                           type(module).__qualname__))
    extra = {}
    for m in module.modules():
        if isinstance(m, torch.nn.modules.conv._ConvNd) and isinstance(m.weight, torch.nn.Parameter):
            fields = {}
            if m.transposed:
                fields["layout"] = "iohw"     # (in, out/groups, *kernel)
            if m.groups > 1:
                fields["groups"] = m.groups
            if fields:
                extra[id(m.weight)] = fields
    params = list(module.named_parameters())     # a tied parameter once, under its first name
    uninit = getattr(torch.nn.parameter, "UninitializedParameter", None)
    for n, p in params:
        if uninit is not None and isinstance(p, uninit):
            raise ValueError("parameter %r is not materialized yet (a lazy module): run a forward pass first" % n)
    return params, extra


def _spec(module, rules, seed, dtype):
    params, extra = _parameters(module)
    torch = _torch()
    codes = []
    for n, p in params:
        code = _arrays.torch_dtypes(torch).get(p.dtype)
        if code is None and dtype is None:
            raise TypeError("parameter %r: dtype %s; nninit writes float32, float64, float16 and bfloat16 (or "
                            "pass dtype=)" % (n, p.dtype))
        codes.append(code)
    if dtype is not None:
        top = _arrays.dtype_code(dtype)
        codes = [top] * len(params)
    else:
        counts = collections.Counter(codes)
        top = max(counts, key=lambda c: (counts[c], -codes.index(c))) if codes else _lib.F32
    seed = _init._u64(seed, "seed")
    spec = {"seed": seed if seed <= 1 << 53 else str(seed), "dtype": _lib.DTYPE_NAMES[top],
            "rules": _rules(rules), "tensors": []}
    for (n, p), code in zip(params, codes):
        t = {"name": n, "shape": list(p.shape)}
        if code != top:
            t["dtype"] = _lib.DTYPE_NAMES[code]
        t.update(extra.get(id(p), {}))
        spec["tensors"].append(t)
    return spec, params, codes


def spec_from_module(module, rules, *, seed=0, dtype=None):
    """The model spec of a torch module's parameters, as a dict: json.dumps of it is a spec file.

    module: a torch.nn.Module (any device, the meta device included: only names,
    shapes and dtypes are read). Every parameter is listed by its qualified name
    (module.named_parameters(): a tied parameter once, under its first name);
    buffers (BatchNorm running statistics, ...) are not parameters and are not listed.
    rules: {glob pattern: init spec} tried in order, first match wins, or a list
    of (pattern, init) pairs / {"match": ..., "init": ...} dicts (docs/MODELS.md, "Rules").
    seed: the spec's seed (0..2^64-1; above 2^53 written as a decimal string).
    dtype: None keeps each parameter's dtype (the most common one becomes the spec's
    "dtype", the others are written per tensor); else every tensor's dtype
    ('f32', 'bf16', 'bfloat16', 'float32', ..., a torch or NumPy dtype).

    The weight of a transposed convolution gets "layout": "iohw" and a grouped
    convolution's weight its "groups", so fan-based schemes use the forward-pass
    fans per group (docs/SCHEMES.md, "Layouts and fans"); a rule's init that sets
    its own layout= or groups= keeps it.

    The spec is checked by the library (nninit_model_parse): ValueError with its
    message for a bad rule or init spec, a parameter no rule matches, or an init
    that does not fit a shape.
    Returns {"seed", "dtype", "rules", "tensors"}.
    """
    spec, _, _ = _spec(module, rules, seed, dtype)
    _init.Model(json.dumps(spec)).close()
    return spec


def init_module(module, rules, *, seed=0, dtype=None, threads=None):
    """Initializes every parameter of a torch module in one parallel library call; returns module.

    The spec is spec_from_module(module, rules, seed=seed, dtype=dtype): each
    parameter is initialized by the first rule matching its qualified name, from
    the stream nninit_stream_id(name), so the values are bit for bit those of
    ``nninit init SPEC.json`` (SPEC.json = json.dumps of that spec) whatever the
    thread count, and do not depend on the other parameters.

    Parameters must be on the CPU (a module built on the meta device needs
    module.to_empty(device='cpu') first). dtype: None keeps the parameters'
    dtypes; else parameters of another dtype get new storage of that dtype (as
    module.to(dtype) would, without converting the old values), the Parameter
    objects and their requires_grad kept. Non-contiguous parameters (e.g.
    channels_last) are initialized through a contiguous copy.
    threads: OpenMP threads of the run; None is the OpenMP default of the calling
    thread (which torch.set_num_threads sets).

    The spec and every parameter are checked before anything is written;
    ValueError/TypeError say which parameter and why. Runs with the GIL released.
    """
    torch = _torch()
    spec, params, codes = _spec(module, rules, seed, dtype)
    dsts = []        # (parameter, tensor written, how it gets back: None / "data" / "copy")
    for (n, p), code in zip(params, codes):
        if p.device.type == "meta":
            raise ValueError("parameter %r is on the meta device: allocate the module first, e.g. "
                             "module.to_empty(device='cpu')" % n)
        if p.device.type != "cpu":
            raise ValueError("parameter %r is on %s: nninit initializes CPU memory; initialize the module on the "
                             "CPU, then move it (module.to(device))" % (n, p.device))
        if p.layout != torch.strided:
            raise TypeError("parameter %r: a %s tensor; nninit writes dense tensors" % (n, p.layout))
        want = _arrays.torch_dtype_of(torch, code)
        if p.dtype != want:
            dsts.append((p, torch.empty(p.shape, dtype=want), "data"))
        elif not p.is_contiguous():
            dsts.append((p, torch.empty(p.shape, dtype=want), "copy"))
        else:
            dsts.append((p, p.detach(), None))
    views = [_arrays.writable(t, "parameter %r" % n) for (n, _), (_, t, _) in zip(params, dsts)]
    with _init.Model(json.dumps(spec)) as m:
        if m.count() != len(views):
            raise RuntimeError("the spec has %d tensors for %d parameters" % (m.count(), len(views)))
        for i, v in enumerate(views):
            info = m.tensor(i)
            if info.nbytes != v.nbytes or info.dtype != v.dtype:
                raise RuntimeError("tensor %d (%s): the spec and the parameter disagree" % (i, params[i][0]))
        dst = (ctypes.c_void_p * max(1, len(views)))(*[v.ptr for v in views])
        opt = _lib.RunOptions()
        if threads is not None:
            threads = int(threads)
            if threads < 0:
                raise ValueError("threads: %d is negative" % threads)
            opt.threads = threads
        msg = _lib.msg_buffer()
        _lib.check(_lib.model_init(m.handle, dst, ctypes.byref(opt), msg, _lib.MSG_SIZE), msg)
    with torch.no_grad():
        for p, t, how in dsts:
            if how == "data":
                p.data = t
            elif how == "copy":
                p.copy_(t)
    return module
