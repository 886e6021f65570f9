"""An nninit layer graph (docs/GRAPHS.md) as a PyTorch module.

Written from the op table, independently of the C executor: each op is the
torch.nn module or torch.nn.functional call its name says, with PyTorch's
parameter names and defaults (batchnorm always normalizes with the batch's
own statistics, dropout is the identity). Used by tools/gen_graph_refs.py to
compute the executor's references and by bench/bench_graph.py as the PyTorch
peer (LSUV with forward hooks on the nn.Linear / nn.Conv2d modules).

    net = GraphNet(spec)                 # spec: a model spec (dict) with a "graph"
    net.load({name: ndarray, ...})       # the spec's tensors by name
    y = net(x)                           # x: (N, F) or (N, C, H, W)
    rows = []; net(x, record=rows)       # rows: (path, op, output) per op, in execution order
    net.layers()                         # [(path, module)] of the linear/conv2d ops, in execution order
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


class Op(nn.Module):
    def __init__(self, path, op, fn=None):
        super().__init__()
        self.path, self.op, self.fn = path, op, fn

    def forward(self, x, record=None):
        y = self.fn(x)
        if record is not None:
            record.append((self.path, self.op, y))
        return y


class Layer(Op):
    """linear / conv2d: the torch module itself is the layer (forward hooks see it)."""

    def __init__(self, path, op, module):
        super().__init__(path, op)
        self.module = module

    def forward(self, x, record=None):
        y = self.module(x)
        if record is not None:
            record.append((self.path, self.op, y))
        return y


class Norm(Op):
    def __init__(self, path, op, shape, has_bias, eps):
        super().__init__(path, op)
        self.weight = nn.Parameter(torch.ones(shape))
        self.bias = nn.Parameter(torch.zeros(shape)) if has_bias else None
        self.eps = eps

    def forward(self, x, record=None):
        if self.op == "batchnorm":
            y = F.batch_norm(x, None, None, self.weight, self.bias, training=True, momentum=0.0, eps=self.eps)
        else:
            y = F.layer_norm(x, (x.shape[-1],), self.weight, self.bias, self.eps)
        if record is not None:
            record.append((self.path, self.op, y))
        return y


class Seq(nn.Module):
    def __init__(self, ops):
        super().__init__()
        self.ops = nn.ModuleList(ops)

    def forward(self, x, record=None):
        for op in self.ops:
            x = op(x, record)
        return x


class Residual(Op):
    def __init__(self, path, body, shortcut):
        super().__init__(path, "residual")
        self.body, self.shortcut = body, shortcut

    def forward(self, x, record=None):
        y = self.body(x, record)                       # body first, then the shortcut: nninit's execution order
        s = self.shortcut(x, record) if self.shortcut is not None else x
        y = y + s
        if record is not None:
            record.append((self.path, self.op, y))
        return y


ACTS = {
    "relu": F.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "silu": F.silu, "selu": F.selu,
    "identity": lambda x: x, "dropout": lambda x: x, "global_avgpool": lambda x: F.adaptive_avg_pool2d(x, 1),
    "flatten": lambda x: torch.flatten(x, 1), "input": lambda x: x,
}


class GraphNet(nn.Module):
    def __init__(self, spec):
        super().__init__()
        self.shapes = {t["name"]: list(t["shape"]) for t in spec["tensors"]}
        self.params = {}          # tensor name -> Parameter
        self.net = self._seq(spec["graph"], None)

    def _seq(self, ops, prefix):
        return Seq([self._op(op, "%s.%d" % (prefix, i) if prefix else str(i)) for i, op in enumerate(ops)])

    def _op(self, o, path):
        name = o["op"]
        if name in ("linear", "conv2d"):
            w = self.shapes[o["weight"]]
            bias = "bias" in o
            if name == "linear":
                m = nn.Linear(w[1], w[0], bias=bias)
            else:
                g = o.get("groups", 1)
                m = nn.Conv2d(w[1] * g, w[0], (w[2], w[3]), stride=pair(o.get("stride", 1)),
                              padding=pair(o.get("padding", 0)), dilation=pair(o.get("dilation", 1)), groups=g, bias=bias)
            self.params[o["weight"]] = m.weight
            if bias:
                self.params[o["bias"]] = m.bias
            return Layer(path, name, m)
        if name in ("batchnorm", "layernorm"):
            n = Norm(path, name, self.shapes[o["weight"]], "bias" in o, o.get("eps", 1e-5))
            self.params[o["weight"]] = n.weight
            if "bias" in o:
                self.params[o["bias"]] = n.bias
            return n
        if name == "residual":
            sc = self._seq(o["shortcut"], path + ".shortcut") if o.get("shortcut") else None
            return Residual(path, self._seq(o["body"], path + ".body"), sc)
        if name == "leaky_relu":
            slope = o.get("slope", 0.01)
            return Op(path, name, lambda x: F.leaky_relu(x, slope))
        if name == "gelu":
            approx = o.get("approximate", "none")
            return Op(path, name, lambda x: F.gelu(x, approximate=approx))
        if name in ("maxpool2d", "avgpool2d"):
            k = pair(o["kernel"])
            s = pair(o.get("stride", o["kernel"]))
            p = pair(o.get("padding", 0))
            f = F.max_pool2d if name == "maxpool2d" else F.avg_pool2d
            return Op(path, name, lambda x: f(x, k, s, p))
        return Op(path, name, ACTS[name])

    def load(self, arrays):
        with torch.no_grad():
            for name, p in self.params.items():
                p.copy_(torch.from_numpy(np.asarray(arrays[name], dtype=np.float64)).to(p.dtype).reshape(p.shape))

    def state(self):
        return {name: p.detach().cpu().numpy().copy() for name, p in self.params.items()}

    def forward(self, x, record=None):
        return self.net(x, record)

    def layers(self):
        out = []

        def walk(seq):
            for op in seq.ops:
                if isinstance(op, Residual):
                    walk(op.body)
                    if op.shortcut is not None:
                        walk(op.shortcut)
                elif isinstance(op, Layer):
                    out.append((op.path, op.module))
        walk(self.net)
        return out
