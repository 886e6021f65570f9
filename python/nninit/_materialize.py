"""materialize: a module built on the meta device becomes a real, initialized one
in one allocation and one parallel library call."""
import json
import mmap
import warnings

from . import _arrays, _init, _module, _shard

_ALIGN = 64      # bytes: every tensor of the shared storage starts on a cache line
_HUGE = 2 << 20  # bytes: a transparent huge page on x86-64 and most aarch64 kernels


def _allocate(torch, layout):
    """Uninitialized tensors for layout [(byte offset, element count, dtype, shape)] inside one
    allocation of the bytes they span: an anonymous private mapping asking for transparent huge
    pages (Linux, MADV_HUGEPAGE), so first touch costs one fault per 2 MiB instead of per 4 KiB.
    Each tensor is its own storage over its own bytes (torch.frombuffer with an offset): saving
    one, or checking for shared memory (safetensors), sees only that tensor. The mapping lives
    until the last of them is freed. Small totals, or no mmap/madvise, use torch.empty per tensor."""
    total = max((off + n * torch.empty((), dtype=dt).element_size() for off, n, dt, _ in layout), default=0)
    if total >= _HUGE and hasattr(mmap, "MADV_HUGEPAGE"):
        try:
            # private: a shared anonymous mapping is shmem, which does not get transparent huge pages
            mm = mmap.mmap(-1, total + _HUGE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
            mm.madvise(mmap.MADV_HUGEPAGE)
        except (OSError, ValueError):
            mm = None
        if mm is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                skip = -torch.frombuffer(mm, dtype=torch.uint8, count=1).data_ptr() % _HUGE
                return [torch.frombuffer(mm, dtype=dt, count=n, offset=skip + off).view(shape) if n else
                        torch.empty(shape, dtype=dt) for off, n, dt, shape in layout]
    return [torch.empty(shape, dtype=dt) for _, _, dt, shape in layout]


def _owners(module):
    """{(id(module), key)} -> (module, qualified name) for every buffer slot, and the
    modules holding each Parameter / buffer object (ties are shared by several)."""
    slots = {}
    for prefix, m in module.named_modules(remove_duplicate=False):
        for key, b in m._buffers.items():
            if b is not None:
                slots.setdefault((id(m), key), (m, (prefix + "." if prefix else "") + key, b))
    return slots


def _swap(module, new):
    """Every module slot holding an old tensor (id in new) gets its replacement: ties stay ties."""
    for m in module.modules():
        for table in (m._parameters, m._buffers):
            for key, t in list(table.items()):
                if t is not None and id(t) in new:
                    table[key] = new[id(t)]


def _shards(params, shard):
    """{id(parameter): (full shape, offset)} from the user's shard(name, parameter), checked."""
    out = {}
    if shard is None:
        return out
    if not callable(shard):
        raise TypeError("shard: expected a callable shard(name, parameter) -> (full_shape, offset) or None")
    for n, p in params:
        if p.device.type != "meta":
            continue
        r = shard(n, p)
        if r is None:
            continue
        try:
            full, offset = r
        except (TypeError, ValueError):
            raise TypeError("shard(%r): expected (full_shape, offset) or None, got %r" % (n, r)) from None
        try:
            out[id(p)] = _shard.check_offset(p.shape, full, offset)
        except (TypeError, ValueError) as e:
            raise type(e)("shard(%r): %s" % (n, e)) from None
    return out


def materialize(module, rules=None, *, seed=None, device="cpu", threads=None, generator=None, shard=None):
    """Allocates and initializes every parameter and buffer of module that is on the meta device; returns module.

    A module built with device="meta" (no memory, no init) becomes a real one on
    the CPU: its meta parameters are allocated at once (one mapping; each parameter
    its own storage starting on a 64-byte boundary), and every parameter is filled by
    one parallel library call (nninit_model_init) under the spec of
    spec_from_module(module, rules, seed=seed): rules=None is PyTorch's default
    init of each layer, a rule overrides it for the parameters it matches
    (init_module explains both). The values are bit for bit those of
    init_module(same module built on the CPU, rules, seed=seed), whatever the
    thread count. Parameters and buffers already off the meta device are kept.

    seed: None draws one 64-bit seed from generator= or torch's default CPU
    generator (as init_module); an integer is name-keyed. For a sharded job give
    the same integer seed on every rank.
    device: "cpu" (nninit writes CPU memory; move the module afterwards, module.to(device)).
    threads: OpenMP threads of the fill; None is the OpenMP default.

    Parameters become new torch.nn.Parameter objects (requires_grad and the
    attributes in the old one's __dict__ kept; a Parameter subclass becomes a plain
    Parameter); every module slot that held the old one holds the new one, so
    ties stay ties. Build the optimizer after materialize.

    Buffers on the meta device:
      - running_mean / running_var / num_batches_tracked of a BatchNorm or
        InstanceNorm that tracks statistics: 0, 1 and 0, as torch's reset_running_stats;
      - any other buffer (a rotary inv_freq table, a causal mask) is the owning
        module's business: if that module has a method reset_buffers(), materialize
        calls it once after the fill (it must replace the meta buffers with real
        ones, e.g. self.inv_freq = ... or register_buffer); otherwise, or if a buffer
        is still on the meta device afterwards, it is a ValueError naming the buffer
        (checked before anything is allocated, except the hook's own result).

    shard: None, or a callable shard(name, parameter) -> None (the meta parameter is
    the whole tensor) or (full_shape, offset): the meta parameter (of its local
    shape) is this rank's part of a tensor of full_shape, offset as init_shard_'s (a
    tuple: a box; an integer: a flat range of a 1-D local). Rules, defaults, fans
    and orthogonal then use the full shapes, each parameter is filled through the
    slice API, and the ranks of any world size together hold exactly the one-process
    model. A DTensor parameter's shard and offset drop in: return (p.shape,
    compute_local_shape_and_global_offset(p.shape, p.device_mesh, p.placements)[1])
    (torch >= 2.4; torch 1.13 has no DTensor). docs/PYTHON_MODULES.md shows a Megatron split.

    Bad input (rules, shards, devices, buffers without a hook) is a ValueError or
    TypeError before anything is allocated; the module is then unchanged.
    """
    torch = _module._torch()
    if not isinstance(module, torch.nn.Module):
        raise TypeError("module: expected a torch.nn.Module, got %s" % type(module).__name__)
    dev = torch.device(device)
    if dev.type != "cpu":
        raise ValueError("device: %s; nninit writes CPU memory: materialize on the CPU, then module.to(%r)"
                         % (dev, str(dev)))
    params, _ = _module._parameters(module)
    shards = _shards(params, shard)
    seed = _module._resolve_seed(seed, generator)
    pl = _module.plan(module, rules, seed, None, shapes={k: v[0] for k, v in shards.items()})
    opt = _module.run_options(threads)
    stat_slots = {(id(m), key): value for m, key, value in pl.stats}
    hooks, buffers = [], []
    for (mid, key), (m, qual, b) in _owners(module).items():
        if b.device.type != "meta":
            continue
        if (mid, key) in stat_slots:
            buffers.append((m, key, b, stat_slots[(mid, key)]))
        elif callable(getattr(m, "reset_buffers", None)):
            if m not in hooks:
                hooks.append(m)
        else:
            raise ValueError("buffer %r is on the meta device and nninit does not know its values: give %s a "
                             "reset_buffers() method that computes it, or build it on the CPU"
                             % (qual, type(m).__qualname__))

    # the meta parameters, in spec order, each its own storage inside one allocation
    todo = [i for i, (_, p) in enumerate(pl.params) if p.device.type == "meta"]
    for i in todo:
        if pl.params[i][1].dtype != _arrays.torch_dtype_of(torch, pl.codes[i]):
            raise AssertionError("dtype")     # dtype=None keeps every parameter's dtype
    layout, at = [], 0
    for i in todo:
        p = pl.params[i][1]
        at = -(-at // _ALIGN) * _ALIGN
        layout.append((at, p.numel(), p.dtype, tuple(p.shape)))
        at += p.numel() * p.element_size()
    real = dict(zip(todo, _allocate(torch, layout)))

    names = [pl.params[i][0] for i in todo]
    if not shards:
        spec = dict(pl.spec)
        spec["tensors"] = [pl.spec["tensors"][i] for i in todo]
        views = [_arrays.writable(real[i], "parameter %r" % pl.params[i][0]) for i in todo]
        _module.fill(spec, views, opt, names)
    else:
        with _init.Model(json.dumps(pl.spec)) as m:
            for i in todo:
                info = m.tensor(i)
                off = shards.get(id(pl.params[i][1]), (None, (0,) * len(pl.shapes[i])))[1]
                t = real[i]
                _shard.fill_shard(t.data_ptr() if t.numel() else None, pl.codes[i], tuple(pl.shapes[i]), off,
                                  tuple(t.shape), info.scheme, info.rng)

    new = {}
    with torch.no_grad():
        for i in todo:
            n, p = pl.params[i]
            s = shards.get(id(p))
            _module.apply_posts(real[i], pl.posts[i], None if s is None else s[1], pl.shapes[i])
            q = torch.nn.Parameter(real[i], requires_grad=p.requires_grad)
            q.__dict__.update(getattr(p, "__dict__", {}))
            new[id(p)] = q
        for m, key, b, value in buffers:
            if id(b) not in new:
                t = torch.zeros(b.shape, dtype=b.dtype) if value == "zeros" else torch.ones(b.shape, dtype=b.dtype)
                new[id(b)] = t
    _swap(module, new)
    for m in hooks:
        m.reset_buffers()
    for (mid, key), (m, qual, b) in _owners(module).items():
        if b.device.type == "meta":
            raise ValueError("buffer %r is still on the meta device after %s.reset_buffers()"
                             % (qual, type(m).__qualname__))
    return module
