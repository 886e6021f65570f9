"""Whole torch modules: spec_from_module and init_module (materialize builds on them)."""
import collections
import collections.abc
import ctypes
import json
import operator

from . import _arrays, _defaults, _init, _keys, _lib


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



# A rule init no user writes (the library keeps a rule's text verbatim): the probe's
# catch-all, telling the parameters no user rule matches.
_NO_RULE = "   constant(value=-0.0)   "


class Plan:
    """What a module's initialization does: the spec (full shapes), and per parameter
    its name, the Parameter, its dtype code, its full shape and the steps after the fill."""

    def __init__(self, spec, params, codes, shapes, posts, stats):
        self.spec, self.params, self.codes, self.shapes, self.posts, self.stats = \
            spec, params, codes, shapes, posts, stats


def _resolve_seed(seed, generator):
    """seed as given, or one fresh 64-bit seed from generator / torch's default CPU generator."""
    if seed is None:
        return _keys.draw_seed(generator, for_torch=True)
    if generator is not None:
        raise ValueError("seed and generator both choose the key: give one (seed= is name-keyed and "
                         "reproducible from the spec; generator= draws the seed)")
    return seed


def _covered(spec, rules_json):
    """[bool] per tensor of spec: whether a user rule matches its name (the library's own matching)."""
    probe = dict(spec)
    if isinstance(rules_json, list):
        probe["rules"] = rules_json + [{"match": "*", "init": _NO_RULE}]
    else:       # the user's form, so the library's messages name rules as the user wrote them
        star = "*"
        while star in rules_json:
            star += "*"         # "**" matches what "*" does
        probe["rules"] = dict(rules_json, **{star: _NO_RULE})
    with _init.Model(json.dumps(probe)) as m:
        return [m.tensor(i).init.decode("utf-8") != _NO_RULE for i in range(m.count())]


def plan(module, rules, seed, dtype, shapes=None):
    """The Plan of module under rules (None: PyTorch's defaults alone) and seed.

    shapes: {id(parameter): full shape} for parameters that are shards of a larger
    tensor (materialize's shard=); the others are whole.
    """
    torch = _torch()
    params, extra = _parameters(module)
    shapes = dict(shapes or {})
    for _, p in params:
        shapes.setdefault(id(p), tuple(int(s) for s in p.shape))
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
    spec = {"seed": seed if seed <= 1 << 53 else str(seed), "dtype": _lib.DTYPE_NAMES[top]}
    if rules is not None:
        spec["rules"] = _rules(rules)
    spec["tensors"] = []
    for (n, p), code in zip(params, codes):
        t = {"name": n, "shape": list(shapes[id(p)])}
        if code != top:
            t["dtype"] = _lib.DTYPE_NAMES[code]
        t.update(extra.get(id(p), {}))
        spec["tensors"].append(t)
    defaults = _defaults.module_defaults(torch, module, lambda p: shapes[id(p)])
    covered = _covered(spec, spec["rules"]) if rules is not None else [False] * len(params)
    posts = []
    for (n, p), t, cov in zip(params, spec["tensors"], covered):
        posts.append([] if cov else defaults.posts.get(id(p), []))
        if cov:
            continue
        init = defaults.inits.get(id(p))
        if init is None:
            raise ValueError("parameter %r (of a %s): no rule matches it and nninit knows no PyTorch default for "
                             "that module type; give a rule for it" % (n, defaults.unknown.get(id(p), "module")))
        t["init"] = init
    _init.Model(json.dumps(spec)).close()        # every rule and init checked before anything is written
    return Plan(spec, params, codes, [shapes[id(p)] for _, p in params], posts, defaults.stats)


def spec_from_module(module, rules=None, *, seed=0, dtype=None):
    """The model spec of a torch module's parameters, as a dict: json.dumps of it is a spec file.

    module: a torch.nn.Module (any device, the meta device included: only names,
    shapes and dtypes are read). Every parameter is listed by its qualified name
    (module.named_parameters(): a tied parameter once, under its first name);
    buffers (BatchNorm running statistics, ...) are not parameters and are not listed.
    rules: {glob pattern: init spec} tried in order, first match wins, or a list
    of (pattern, init) pairs / {"match": ..., "init": ...} dicts (docs/MODELS.md, "Rules").
    A parameter no rule matches (every parameter when rules is None) gets PyTorch's
    default init of its layer as its tensor's "init" (docs/PYTHON_MODULES.md, "PyTorch's
    default init"); a parameter of a module type without a known default and no
    rule is a ValueError naming it and its module's type.
    seed: the spec's seed (0..2^64-1; above 2^53 written as a decimal string). A
    spec is a reproducible description, so this seed is 0 by default, never drawn.
    dtype: None keeps each parameter's dtype (the most common one becomes the spec's
    "dtype", the others are written per tensor); else every tensor's dtype
    ('f32', 'bf16', 'bfloat16', 'float32', ..., a torch or NumPy dtype).

    The weight of a transposed convolution gets "layout": "iohw" and a grouped
    convolution's weight its "groups", so fan-based schemes use the forward-pass
    fans per group (docs/SCHEMES.md, "Layouts and fans"); a rule's init that sets
    its own layout= or groups= keeps it.

    The spec is checked by the library (nninit_model_parse): ValueError with its
    message for a bad rule or init spec or an init that does not fit a shape.
    Returns {"seed", "dtype", ["rules"], "tensors"}. The steps a spec cannot say
    (Embedding's zero padding row, BatchNorm's running statistics) are done by
    init_module and materialize, not by ``nninit init`` of this spec.
    """
    return plan(module, rules, seed, dtype).spec


def _extent(p):
    """[first byte, end byte) of the memory p's elements occupy."""
    size = p.element_size()
    span = 1 + sum((s - 1) * st for s, st in zip(p.shape, p.stride()))
    return p.data_ptr(), p.data_ptr() + span * size


def check_disjoint(params):
    """ValueError naming two distinct parameters whose memory overlaps (their fills would race)."""
    spans = sorted((_extent(p) + (n,)) for n, p in params if p.numel() > 0 and p.device.type == "cpu")
    end, owner = 0, None
    for lo, hi, n in spans:
        if lo < end:
            raise ValueError("parameters %r and %r are distinct Parameters over overlapping memory: their fills "
                             "would race. Tie them (assign one Parameter to both attributes) or give each its own "
                             "storage (p.data = p.data.clone())" % (owner, n))
        if hi > end:
            end, owner = hi, n


def run_options(threads):
    opt = _lib.RunOptions()
    if threads is not None:
        threads = operator.index(threads)
        if threads < 0:
            raise ValueError("threads: %d is negative" % threads)
        opt.threads = threads
    return opt


def fill(spec, views, opt, names):
    """nninit_model_init of spec into views (one per tensor, in order): one parallel library call."""
    with _init.Model(json.dumps(spec)) as m:
        if m.count() != len(views):
            raise RuntimeError("the spec has %d tensors for %d parameters" % (m.count(), len(views)))
        for i, v in enumerate(views):
            info = m.tensor(i)
            if info.nbytes != v.nbytes or info.dtype != v.dtype:
                raise RuntimeError("tensor %d (%s): the spec and the parameter disagree" % (i, names[i]))
        dst = (ctypes.c_void_p * max(1, len(views)))(*[v.ptr for v in views])
        msg = _lib.msg_buffer()
        _lib.check(_lib.model_init(m.handle, dst, ctypes.byref(opt), msg, _lib.MSG_SIZE), msg)


def apply_posts(t, posts, offset=None, full_shape=None):
    """The steps after the fill on t: the whole tensor (offset None), its box at offset (a tuple),
    or its flat range [offset, offset + t.numel()) of the full tensor of full_shape (an int)."""
    for kind, idx in posts:
        if kind != "zero_row":
            raise AssertionError(kind)
        if offset is None:
            t[idx].zero_()
        elif isinstance(offset, tuple):
            if offset[0] <= idx < offset[0] + t.shape[0]:
                t[idx - offset[0]].zero_()
        else:       # row idx is the flat elements [idx * row, (idx + 1) * row)
            row = 1
            for s in full_shape[1:]:
                row *= int(s)
            lo, hi = max(idx * row, offset), min((idx + 1) * row, offset + t.numel())
            if lo < hi:
                t[lo - offset:hi - offset].zero_()


def reset_stats(stats):
    """The running statistics of norm layers as torch's reset_running_stats sets them."""
    for m, key, value in stats:
        b = m._buffers.get(key)
        if b is not None and b.device.type != "meta":
            b.zero_() if value == "zeros" else b.fill_(1)


def init_module(module, rules=None, *, seed=None, dtype=None, threads=None, generator=None):
    """Initializes every parameter of a torch module in one parallel library call; returns module.

    rules: None initializes every parameter as its layer's reset_parameters does in
    torch (docs/PYTHON_MODULES.md, "PyTorch's default init": Linear, Bilinear, Conv*d and
    ConvTranspose*d, Embedding, the norms, MultiheadAttention, RNN/LSTM/GRU,
    nn.Transformer, *RMSNorm), with nninit's bits and fans read from each layer's
    weight. A dict {glob pattern: init spec} (or a list of pairs, as spec_from_module)
    overrides that default for the parameters it matches; a parameter no rule
    matches keeps its layer's default, and one of a module type without a known
    default is a ValueError naming it.

    seed: None (the default) draws one 64-bit seed from generator= (a CPU
    torch.Generator) or else torch's default CPU generator, as torch.nn.init would
    draw: torch.manual_seed(s) repeats the run and each call gives fresh values.
    An integer makes the call name-keyed: every parameter is drawn from the
    stream nninit_stream_id(name) under that seed, so the values are bit for bit
    those of ``nninit init SPEC.json`` (SPEC.json = json.dumps(spec_from_module(
    module, rules, seed=seed, dtype=dtype))) whatever the thread count, and are
    reproducible from the seed and the names alone (a checkpoint's metadata).
    With seed=None the drawn seed is keyed the same way. seed and generator
    together are a ValueError.

    Ties: one Parameter under two names is filled once, keyed by its first name
    (module.named_parameters() order) and, with no rule, given the default of its
    first owning module. Distinct Parameters over overlapping memory are a
    ValueError naming both (their fills would race).

    Besides the fill: with no rule covering it, an Embedding's padding_idx row is
    zeroed; the running statistics of every BatchNorm/InstanceNorm that tracks them
    are reset (running_mean 0, running_var 1, num_batches_tracked 0), as torch's
    reset_parameters does. Other buffers are left as they are.

    Parameters must be on the CPU (a module built on the meta device: use
    materialize). dtype: None keeps the parameters' dtypes; else parameters of
    another dtype get new storage of that dtype (as module.to(dtype) would,
    without converting the old values), the Parameter objects and their
    requires_grad kept. Non-contiguous parameters (e.g. channels_last) are
    initialized through a contiguous copy.
    threads: OpenMP threads of the run; None is the OpenMP default of the calling
    thread (which torch.set_num_threads sets).

    The spec and every parameter are checked before anything is written;
    ValueError/TypeError say which parameter and why. Runs with the GIL released.
    """
    torch = _torch()
    seed = _resolve_seed(seed, generator)
    pl = plan(module, rules, seed, dtype)
    opt = run_options(threads)
    dsts = []        # (parameter, tensor written, how it gets back: None / "data" / "copy")
    for (n, p), code in zip(pl.params, pl.codes):
        if p.device.type == "meta":
            raise ValueError("parameter %r is on the meta device: use nninit.materialize(module, ...), or "
                             "allocate the module first, e.g. module.to_empty(device='cpu')" % n)
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
    check_disjoint([(n, p) for (n, p), (_, _, how) in zip(pl.params, dsts) if how != "data"])
    views = [_arrays.writable(t, "parameter %r" % n) for (n, _), (_, t, _) in zip(pl.params, dsts)]
    fill(pl.spec, views, opt, [n for n, _ in pl.params])
    with torch.no_grad():
        for (p, t, how), posts in zip(dsts, pl.posts):
            if how == "data":
                p.data = t
            elif how == "copy":
                p.copy_(t)
            apply_posts(p, posts)
        reset_stats(pl.stats)
    return module
