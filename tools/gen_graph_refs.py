#!/usr/bin/python3
"""Writes the executor's PyTorch references: tests/data/graph/ (refs.json and
one safetensors file per case), read by tests/unit/test_graph_refs.c.

Every op of docs/GRAPHS.md, in its variants (bias or not, strides, paddings,
dilations, groups, [h, w] pairs, 2-D and 4-D inputs, nested residuals,
batches large enough that the executor cuts them into several gemm units),
and the whole CIFAR ResNet-20 of examples/models/resnet20.json. For each case:
random weights and a random batch (rounded to float16 so that the test can
feed it as f16, f32 and f64 alike), the output of tools/torch_graph.py's
PyTorch module computed in float64, and every op's output mean, std and
fraction of zeros (the probe's rows). The ResNet-20 graph is also checked
against a conventionally written ResNet-20 forward pass (tools/gen_models.py's
modules), so the graph means the network it names.

    /usr/bin/python3 tools/gen_graph_refs.py [outdir]      (default tests/data/graph)
Deterministic: the same files on every run (torch.manual_seed per case).
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_models                      # noqa: E402  (the ResNet-20 modules)
from torch_graph import GraphNet       # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def write_safetensors(path, arrays):
    """A minimal safetensors writer: F32 tensors in the given order."""
    header, blobs, off = {}, [], 0
    for name, a in arrays.items():
        b = np.ascontiguousarray(a, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-(8 + len(h)) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def spec_of(tensors, graph, name):
    return {"name": name, "seed": 0, "rules": {"*": "zeros"},
            "tensors": [{"name": n, "shape": list(s)} for n, s in tensors], "graph": graph}


def random_weights(spec, gen):
    """Layers N(0, 1/fan_in) (the output stays O(1)); norm weights U(0.5, 1.5); biases N(0, 0.1^2)."""
    w = {}
    users = {}

    def walk(ops):
        for o in ops:
            for k in ("weight", "bias"):
                if k in o:
                    users[o[k]] = (o["op"], k)
            for k in ("body", "shortcut"):
                walk(o.get(k, []))
    walk(spec["graph"])
    for t in spec["tensors"]:
        shape = t["shape"]
        op, kind = users[t["name"]]
        if kind == "bias":
            a = 0.1 * torch.randn(shape, generator=gen, dtype=torch.float64)
        elif op in ("batchnorm", "layernorm"):
            a = 0.5 + torch.rand(shape, generator=gen, dtype=torch.float64)
        else:
            fan_in = math.prod(shape[1:])
            a = torch.randn(shape, generator=gen, dtype=torch.float64) / math.sqrt(fan_in)
        w[t["name"]] = a.float().numpy()
    return w


def reference(spec, weights, x):
    net = GraphNet(spec).double()
    net.load(weights)
    rows = []
    with torch.no_grad():
        y = net(torch.from_numpy(x.astype(np.float64)), record=rows)
    probe = [[p, op, float(r.mean()), float(r.std(unbiased=False)), float((r == 0).double().mean())]
             for p, op, r in rows]
    return y.numpy(), probe, net


# ---- the cases --------------------------------------------------------------------------------
def conv_t(name, o, i, kh, kw=None):
    return (name, [o, i, kh, kw if kw is not None else kh])


def cases():
    C = []

    def add(name, tensors, graph, batch_shape):
        C.append((name, spec_of(tensors, graph, name), batch_shape))

    # linear
    add("linear", [("w", [7, 5]), ("b", [7])], [{"op": "linear", "weight": "w", "bias": "b"}], [6, 5])
    add("linear_nobias_4d", [("w", [3, 6])], [{"op": "linear", "weight": "w"}], [2, 3, 4, 6])
    add("linear_chunks", [("w", [200, 32]), ("b", [200])], [{"op": "linear", "weight": "w", "bias": "b"}], [8, 32])
    add("linear_rows", [("w", [9, 16])], [{"op": "linear", "weight": "w"}], [150, 16])
    # conv2d
    add("conv_3x3", [conv_t("w", 8, 3, 3), ("b", [8])],
        [{"op": "conv2d", "weight": "w", "bias": "b", "padding": 1}], [2, 3, 9, 9])
    add("conv_stride2", [conv_t("w", 6, 4, 3)], [{"op": "conv2d", "weight": "w", "stride": 2, "padding": 1}],
        [3, 4, 10, 11])
    add("conv_dilation", [conv_t("w", 5, 3, 3), ("b", [5])],
        [{"op": "conv2d", "weight": "w", "bias": "b", "dilation": 2, "padding": 2}], [2, 3, 12, 12])
    add("conv_groups", [conv_t("w", 8, 3, 3), ("b", [8])],
        [{"op": "conv2d", "weight": "w", "bias": "b", "groups": 2, "padding": 1}], [2, 6, 7, 7])
    add("conv_depthwise", [conv_t("w", 6, 1, 3)], [{"op": "conv2d", "weight": "w", "groups": 6, "padding": 1}],
        [2, 6, 8, 8])
    add("conv_1x1", [conv_t("w", 12, 5, 1), ("b", [12])], [{"op": "conv2d", "weight": "w", "bias": "b"}],
        [2, 5, 40, 40])
    add("conv_1x1_stride2", [conv_t("w", 7, 5, 1)], [{"op": "conv2d", "weight": "w", "stride": 2}], [3, 5, 9, 9])
    add("conv_pairs", [conv_t("w", 4, 3, 3, 5), ("b", [4])],
        [{"op": "conv2d", "weight": "w", "bias": "b", "stride": [2, 1], "padding": [1, 2], "dilation": [1, 2]}],
        [2, 3, 11, 13])
    add("conv_7x7_stem", [conv_t("w", 8, 3, 7)], [{"op": "conv2d", "weight": "w", "stride": 2, "padding": 3}],
        [2, 3, 32, 32])
    add("conv_sample_units", [conv_t("w", 8, 3, 3), ("b", [8])],
        [{"op": "conv2d", "weight": "w", "bias": "b", "padding": 1}], [10, 3, 16, 16])
    add("conv_out_chunks", [conv_t("w", 160, 8, 3)], [{"op": "conv2d", "weight": "w", "padding": 1}], [20, 8, 4, 4])
    add("conv_1x1_units", [conv_t("w", 144, 16, 1)], [{"op": "conv2d", "weight": "w"}], [8, 16, 7, 7])
    # activations
    for act in ("relu", "tanh", "sigmoid", "silu", "selu", "identity"):
        add(act, [], [{"op": act}], [4, 50])
    add("leaky_relu", [], [{"op": "leaky_relu", "slope": 0.2}], [4, 50])
    add("leaky_relu_default", [], [{"op": "leaky_relu"}], [3, 2, 4, 5])
    add("gelu", [], [{"op": "gelu"}], [4, 50])
    add("gelu_tanh", [], [{"op": "gelu", "approximate": "tanh"}], [4, 50])
    add("dropout", [], [{"op": "dropout", "p": 0.3}], [4, 50])
    # pooling, flatten
    add("maxpool_3s2p1", [], [{"op": "maxpool2d", "kernel": 3, "stride": 2, "padding": 1}], [2, 3, 11, 10])
    add("maxpool_2", [], [{"op": "maxpool2d", "kernel": 2}], [2, 3, 9, 8])
    add("avgpool_3s2p1", [], [{"op": "avgpool2d", "kernel": 3, "stride": 2, "padding": 1}], [2, 3, 11, 10])
    add("avgpool_pairs", [], [{"op": "avgpool2d", "kernel": [2, 3], "stride": [1, 2], "padding": [1, 1]}],
        [2, 2, 7, 9])
    add("global_avgpool", [], [{"op": "global_avgpool"}, {"op": "flatten"}], [3, 5, 6, 7])
    add("flatten", [], [{"op": "flatten"}], [2, 3, 4, 5])
    # normalization
    add("batchnorm_4d", [("g", [5]), ("b", [5])], [{"op": "batchnorm", "weight": "g", "bias": "b"}], [4, 5, 6, 6])
    add("batchnorm_2d_nobias", [("g", [9])], [{"op": "batchnorm", "weight": "g", "eps": 1e-3}], [7, 9])
    add("layernorm", [("g", [20]), ("b", [20])], [{"op": "layernorm", "weight": "g", "bias": "b"}], [6, 20])
    add("layernorm_4d_nobias", [("g", [5])], [{"op": "layernorm", "weight": "g", "eps": 1e-6}], [2, 3, 4, 5])
    # residuals
    body = [{"op": "conv2d", "weight": "c1", "padding": 1}, {"op": "batchnorm", "weight": "n1", "bias": "m1"},
            {"op": "relu"}, {"op": "conv2d", "weight": "c2", "padding": 1, "stride": 2}]
    add("residual_projection", [conv_t("c1", 8, 4, 3), ("n1", [8]), ("m1", [8]), conv_t("c2", 8, 8, 3),
                                conv_t("p", 8, 4, 1), ("pn", [8])],
        [{"op": "residual", "body": body,
          "shortcut": [{"op": "conv2d", "weight": "p", "stride": 2}, {"op": "batchnorm", "weight": "pn"}]},
         {"op": "relu"}], [3, 4, 8, 8])
    add("residual_identity", [("w", [16, 16]), ("b", [16])],
        [{"op": "residual", "body": [{"op": "linear", "weight": "w", "bias": "b"}, {"op": "tanh"}]}], [5, 16])
    add("residual_nested", [("a", [12, 12]), ("c", [12, 12]), ("l", [12])],
        [{"op": "input", "shape": [12]},
         {"op": "residual", "body": [
             {"op": "linear", "weight": "a"}, {"op": "relu"},
             {"op": "residual", "body": [{"op": "linear", "weight": "c"}, {"op": "gelu"}]}],
          "shortcut": [{"op": "layernorm", "weight": "l"}]},
         {"op": "sigmoid"}], [6, 12])
    return C


# ---- ResNet-20: the graph against a conventional forward pass -------------------------------------
def resnet20_conventional(weights, x):
    gen_models.FK = {}                     # real tensors, not the meta device
    net = gen_models.ResNetCifar().double().train()
    with torch.no_grad():
        for name, p in net.named_parameters():
            p.copy_(torch.from_numpy(weights[name].astype(np.float64)))

    def block(b, x):
        out = F.relu(b.bn1(b.conv1(x)))
        out = b.bn2(b.conv2(out))
        sc = b.downsample(x) if hasattr(b, "downsample") else x
        return F.relu(out + sc)

    with torch.no_grad():
        y = F.relu(net.bn1(net.conv1(x)))
        for layer in (net.layer1, net.layer2, net.layer3):
            for b in layer:
                y = block(b, y)
        y = net.fc(torch.flatten(F.adaptive_avg_pool2d(y, 1), 1))
    return y.numpy()


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "tests", "data", "graph")
    os.makedirs(out, exist_ok=True)
    manifest = {"generator": "tools/gen_graph_refs.py", "torch": torch.__version__,
                "tolerance": "|y - ref| <= 1e-4 (|ref| + rms(ref)); probe mean and std to 1e-4 of the op's std",
                "cases": []}
    all_cases = cases()
    r20 = json.load(open(os.path.join(ROOT, "examples", "models", "resnet20.json")))
    all_cases.append(("resnet20", r20, [4, 3, 32, 32]))
    for k, (name, spec, batch_shape) in enumerate(all_cases):
        gen = torch.Generator().manual_seed(1000 + k)
        weights = random_weights(spec, gen)
        x = torch.randn(batch_shape, generator=gen, dtype=torch.float64).half().double().numpy()
        y, probe, _ = reference(spec, weights, x)
        if name == "resnet20":
            conv = resnet20_conventional(weights, torch.from_numpy(x))
            assert np.allclose(conv, y, rtol=1e-12, atol=1e-12), "the ResNet-20 graph and module disagree"
        arrays = dict(weights)
        arrays["__batch__"] = x.astype(np.float32)
        arrays["__output__"] = y.astype(np.float32)
        fname = name + ".safetensors"
        write_safetensors(os.path.join(out, fname), arrays)
        entry = {"name": name, "file": fname, "probe": probe}
        if name == "resnet20":
            entry["spec_file"] = "examples/models/resnet20.json"
        else:
            entry["spec"] = spec
        manifest["cases"].append(entry)
        print("%-22s batch %-18s output %-14s %d ops" % (name, batch_shape, list(y.shape), len(probe)))
    with open(os.path.join(out, "refs.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
