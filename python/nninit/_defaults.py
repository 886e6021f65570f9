"""PyTorch's default initialization as init specs: what each standard layer's
reset_parameters draws in torch 1.13, with the fans read from the layer's weight.

Used by init_module and materialize when no user rule matches a parameter
(docs/PYTHON_MODULES.md, "PyTorch's default init"). Only names and shapes are read here:
the values come from the library, so a module on the meta device gets the same
specs as the same module on the CPU.
"""
import math


def _fan_in(shape):
    """torch.nn.init's fan_in of a weight: shape[1] * prod(shape[2:]) (it reads every weight as (out, in, ...))."""
    if len(shape) < 2:
        return None
    return int(shape[1]) * math.prod(int(s) for s in shape[2:])


def _bias(weight_shape):
    """The default bias of Linear/Conv*: U(+-1/sqrt(fan_in)) with the weight's torch fan_in; zeros for fan_in 0
    (torch leaves such a bias empty, or fills U(0, 0))."""
    fan = _fan_in(weight_shape)
    if not fan:
        return "zeros"
    return "pytorch_default_bias(fan_in=%d)" % fan


def _uniform(bound):
    if bound == 0:
        return "zeros"
    return "uniform(low=%r, high=%r)" % (-bound, bound)


class Defaults:
    """The default of every parameter of a module, by parameter id.

    inits: {id(parameter): init spec}; posts: {id(parameter): [("zero_row", i)]}
    (Embedding's padding row, written after the fill); unknown: {id(parameter):
    "Class"} for parameters whose module has no default; stats: [(module,
    buffer name, "zeros" | "ones")] the running statistics torch resets.
    """

    def __init__(self):
        self.inits, self.posts, self.unknown, self.stats = {}, {}, {}, []


def _is_rmsnorm(m):
    return type(m).__name__.endswith("RMSNorm")


def module_defaults(torch, module, shape_of):
    """Defaults of every parameter reachable from module.

    shape_of(parameter) -> its full shape (the local shape unless a shard says
    otherwise): fans are read from the full weight, as the one-process module would.
    Parents are visited before their children; an outer module's override (nn.Transformer's
    xavier_uniform, MultiheadAttention's zero out_proj.bias) wins over the child's own
    default, as torch's constructors run the outer reset last. A parameter owned by two
    modules (a tie) gets the default of the first owner visited.
    """
    nn = torch.nn
    d = Defaults()
    forced = {}
    own = {}

    def put(p, init, table=own):
        if p is not None and id(p) not in table:
            table[id(p)] = init

    for _, m in module.named_modules():
        if isinstance(m, nn.Transformer):
            for p in m.parameters():
                if p.dim() > 1:
                    put(p, "xavier_uniform", forced)
        direct = dict(m.named_parameters(recurse=False))
        if not direct and not isinstance(m, nn.modules.batchnorm._NormBase):
            continue
        handled = set()

        def take(key, init, table=own):
            p = direct.get(key)
            if p is not None:
                put(p, init, table)
                handled.add(key)

        if isinstance(m, (nn.Linear, nn.modules.conv._ConvNd)):
            w = direct.get("weight")
            transposed = isinstance(m, nn.modules.conv._ConvNd) and m.transposed
            # torch reads a transposed weight (in, out/groups, *k) as (out, in, *k): oihw keeps its fan
            take("weight", "pytorch_default(layout=oihw)" if transposed else "pytorch_default")
            if w is not None:
                take("bias", _bias(shape_of(w)))
        elif isinstance(m, nn.Bilinear):
            w = direct.get("weight")
            if w is not None:
                # U(+-1/sqrt(in1_features)) for the weight and the bias alike
                init = _bias(tuple(shape_of(w))[:2])
                take("weight", init)
                take("bias", init)
        elif isinstance(m, (nn.Embedding, nn.EmbeddingBag)):
            take("weight", "normal")
            if m.padding_idx is not None and "weight" in direct:
                d.posts.setdefault(id(direct["weight"]), []).append(("zero_row", int(m.padding_idx)))
        elif isinstance(m, (nn.LayerNorm, nn.GroupNorm, nn.modules.batchnorm._NormBase)):
            take("weight", "ones")
            take("bias", "zeros")
            if isinstance(m, nn.modules.batchnorm._NormBase) and m.track_running_stats:
                d.stats += [(m, "running_mean", "zeros"), (m, "running_var", "ones"),
                            (m, "num_batches_tracked", "zeros")]
        elif isinstance(m, nn.MultiheadAttention):
            for key in ("in_proj_weight", "q_proj_weight", "k_proj_weight", "v_proj_weight"):
                take(key, "xavier_uniform")
            if direct.get("in_proj_bias") is not None:
                take("in_proj_bias", "zeros")
                put(getattr(m.out_proj, "bias", None), "zeros", forced)
            take("bias_k", "xavier_normal")
            take("bias_v", "xavier_normal")
        elif isinstance(m, (nn.RNNBase, nn.RNNCellBase)):
            bound = 1.0 / math.sqrt(m.hidden_size) if m.hidden_size > 0 else 0.0
            for key in direct:
                take(key, _uniform(bound))
        elif _is_rmsnorm(m):
            take("weight", "ones")
        for key, p in direct.items():
            if key not in handled and p is not None and id(p) not in own:
                d.unknown.setdefault(id(p), "%s.%s" % (type(m).__module__, type(m).__qualname__))
    d.inits = dict(own)
    d.inits.update(forced)
    for k in d.inits:
        d.unknown.pop(k, None)
    return d
