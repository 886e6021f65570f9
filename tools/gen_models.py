#!/usr/bin/python3
"""Writes the example model specs in examples/models/ (format: docs/MODELS.md).

Names and shapes come from real torch modules built here (torchvision and
transformers are not needed: the few modules are defined below, with the
parameter names of the reference implementations), turned into specs by
nninit.spec_from_module (python/nninit), and the parameter counts are asserted
against the published figures. The rules are what a practitioner would write:
a few globs, first match wins. The MLP, the VGG-style CIFAR CNN, the CIFAR
ResNet-20 and ResNet-50 also carry their forward pass as a "graph"
(docs/GRAPHS.md), written beside the module that has the same structure;
tools/gen_graph_refs.py checks that the two compute the same thing.

    /usr/bin/python3 tools/gen_models.py [outdir]      (default examples/models)

The package loads libnninit.so from the source tree's build/ (run `make` first)
or from NNINIT_LIBRARY.
"""
import json
import math
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "python"))
import nninit  # noqa: E402

torch.set_default_dtype(torch.float32)


# Every module is built on the meta device: shapes without memory (1B parameters).
FK = {"device": "meta"}


# ---- small MLP -------------------------------------------------------------
class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 256, **FK)
        self.fc2 = nn.Linear(256, 128, **FK)
        self.fc3 = nn.Linear(128, 10, **FK)


# ---- graphs (docs/GRAPHS.md): ops naming the modules' parameters ---------------
RELU = {"op": "relu"}


def conv(name, stride=1, padding=0, bias=False):
    op = {"op": "conv2d", "weight": name + ".weight"}
    if bias:
        op["bias"] = name + ".bias"
    if stride != 1:
        op["stride"] = stride
    if padding:
        op["padding"] = padding
    return op


def bn(name):
    return {"op": "batchnorm", "weight": name + ".weight", "bias": name + ".bias"}


def linear(name, bias=True):
    op = {"op": "linear", "weight": name + ".weight"}
    if bias:
        op["bias"] = name + ".bias"
    return op


# ---- VGG-style CIFAR CNN (torchvision VGG names: features.i / classifier.i) --------
VGG_CIFAR_CFG = [64, 64, "M", 128, 128, "M", 256, 256, "M"]


class VGGCifar(nn.Module):
    """VGG-style, no BatchNorm (the setting LSUV was made for): 3x3 convs with
    bias and ReLU, max pools, a 512-wide hidden layer with dropout."""

    def __init__(self, num_classes=10):
        super().__init__()
        layers, c = [], 3
        for v in VGG_CIFAR_CFG:
            if v == "M":
                layers.append(nn.MaxPool2d(2))
            else:
                layers += [nn.Conv2d(c, v, 3, padding=1, **FK), nn.ReLU(inplace=True)]
                c = v
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Linear(c * 4 * 4, 512, **FK), nn.ReLU(inplace=True), nn.Dropout(0.5),
                                        nn.Linear(512, num_classes, **FK))


def vgg_cifar_graph():
    g, i = [{"op": "input", "shape": [3, 32, 32]}], 0
    for v in VGG_CIFAR_CFG:
        if v == "M":
            g.append({"op": "maxpool2d", "kernel": 2})
            i += 1
        else:
            g += [conv("features.%d" % i, padding=1, bias=True), RELU]
            i += 2
    return g + [{"op": "flatten"}, linear("classifier.0"), RELU, {"op": "dropout", "p": 0.5}, linear("classifier.3")]


# ---- CIFAR ResNet-20 (He et al. 2016, section 4.2; torchvision-style names) ---------
class BasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride=stride, padding=1, bias=False, **FK)
        self.bn1 = nn.BatchNorm2d(planes, **FK)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False, **FK)
        self.bn2 = nn.BatchNorm2d(planes, **FK)
        if stride != 1 or inplanes != planes:
            # a 1x1 projection (the paper's option B): graphs have no zero-padding shortcut
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride=stride, bias=False, **FK),
                                            nn.BatchNorm2d(planes, **FK))


class ResNetCifar(nn.Module):
    def __init__(self, n=3, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1, bias=False, **FK)
        self.bn1 = nn.BatchNorm2d(16, **FK)
        inplanes = 16
        for i, planes in enumerate([16, 32, 64]):
            blocks = []
            for b in range(n):
                blocks.append(BasicBlock(inplanes, planes, 2 if i and b == 0 else 1))
                inplanes = planes
            setattr(self, "layer%d" % (i + 1), nn.Sequential(*blocks))
        self.fc = nn.Linear(64, num_classes, **FK)


def resnet_cifar_graph(n=3):
    g = [{"op": "input", "shape": [3, 32, 32]}, conv("conv1", padding=1), bn("bn1"), RELU]
    inplanes = 16
    for i, planes in enumerate([16, 32, 64]):
        for b in range(n):
            p, s = "layer%d.%d" % (i + 1, b), 2 if i and b == 0 else 1
            block = {"op": "residual",
                     "body": [conv(p + ".conv1", s, 1), bn(p + ".bn1"), RELU, conv(p + ".conv2", 1, 1), bn(p + ".bn2")]}
            if s != 1 or inplanes != planes:
                block["shortcut"] = [conv(p + ".downsample.0", s), bn(p + ".downsample.1")]
            g += [block, RELU]
            inplanes = planes
    return g + [{"op": "global_avgpool"}, {"op": "flatten"}, linear("fc")]


# ---- ResNet-50 (torchvision.models.resnet50 parameter names) ----------------
class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=False):
        super().__init__()
        width = planes
        self.conv1 = nn.Conv2d(inplanes, width, 1, bias=False, **FK)
        self.bn1 = nn.BatchNorm2d(width, **FK)
        self.conv2 = nn.Conv2d(width, width, 3, stride=stride, padding=1, bias=False, **FK)
        self.bn2 = nn.BatchNorm2d(width, **FK)
        self.conv3 = nn.Conv2d(width, planes * 4, 1, bias=False, **FK)
        self.bn3 = nn.BatchNorm2d(planes * 4, **FK)
        if downsample:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes * 4, 1, stride=stride, bias=False, **FK),
                                            nn.BatchNorm2d(planes * 4, **FK))


class ResNet50(nn.Module):
    def __init__(self, num_classes=1000):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False, **FK)
        self.bn1 = nn.BatchNorm2d(64, **FK)
        inplanes = 64
        for i, (planes, blocks, stride) in enumerate([(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)]):
            layers = []
            for b in range(blocks):
                s = stride if b == 0 else 1
                layers.append(Bottleneck(inplanes, planes, s, downsample=(b == 0)))
                inplanes = planes * 4
            setattr(self, "layer%d" % (i + 1), nn.Sequential(*layers))
        self.fc = nn.Linear(2048, num_classes, **FK)


def resnet50_graph():
    g = [{"op": "input", "shape": [3, 224, 224]}, conv("conv1", 2, 3), bn("bn1"), RELU,
         {"op": "maxpool2d", "kernel": 3, "stride": 2, "padding": 1}]
    for i, (planes, blocks, stride) in enumerate([(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)]):
        for b in range(blocks):
            p, s = "layer%d.%d" % (i + 1, b), stride if b == 0 else 1
            block = {"op": "residual",
                     "body": [conv(p + ".conv1"), bn(p + ".bn1"), RELU, conv(p + ".conv2", s, 1), bn(p + ".bn2"), RELU,
                              conv(p + ".conv3"), bn(p + ".bn3")]}
            if b == 0:
                block["shortcut"] = [conv(p + ".downsample.0", s), bn(p + ".downsample.1")]
            g += [block, RELU]
    return g + [{"op": "global_avgpool"}, {"op": "flatten"}, linear("fc")]


def mlp_graph():
    return [{"op": "input", "shape": [1, 28, 28]}, {"op": "flatten"}, linear("fc1"), RELU, linear("fc2"), RELU,
            linear("fc3")]


# ---- GPT-2 124M (Hugging Face GPT2LMHeadModel names and layout) ----------------
# The example is what `nninit spec` prints for GPT-2's config.json (nninit.spec_from_hf,
# the library's architecture table, docs/HF.md); the module below, written from
# transformers' modeling_gpt2.py (Conv1D keeps its weight as [in, out]), checks its
# names and shapes independently.
GPT2_CONFIG = {"model_type": "gpt2", "vocab_size": 50257, "n_positions": 1024, "n_embd": 768, "n_layer": 12,
               "n_head": 12, "initializer_range": 0.02}   # openai-community/gpt2's config.json (its sizes)


class Conv1D(nn.Module):
    def __init__(self, n_out, n_in):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n_in, n_out, **FK))
        self.bias = nn.Parameter(torch.empty(n_out, **FK))


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.ln_1 = nn.LayerNorm(d, **FK)
        self.attn = nn.Module()
        self.attn.c_attn = Conv1D(3 * d, d)
        self.attn.c_proj = Conv1D(d, d)
        self.ln_2 = nn.LayerNorm(d, **FK)
        self.mlp = nn.Module()
        self.mlp.c_fc = Conv1D(4 * d, d)
        self.mlp.c_proj = Conv1D(d, 4 * d)


class GPT2(nn.Module):
    def __init__(self, vocab=50257, ctx=1024, d=768, layers=12):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(vocab, d, **FK), wpe=nn.Embedding(ctx, d, **FK),
            h=nn.ModuleList([Block(d) for _ in range(layers)]), ln_f=nn.LayerNorm(d, **FK)))
        self.lm_head = nn.Linear(d, vocab, bias=False, **FK)
        self.lm_head.weight = self.transformer.wte.weight   # tied: named_parameters() lists it once


def write_hf(path, spec):
    """A spec from nninit.spec_from_hf, one tensor per line: the bytes `nninit spec` prints."""
    lines = ["{"]
    for k in ("name", "description", "seed", "dtype"):
        lines.append("  %s: %s," % (json.dumps(k), json.dumps(spec[k])))
    v = spec["vars"]   # integers, and initializer_range as the library prints doubles (%.17g)
    lines.append('  "vars": {%s},' % ", ".join("%s: %s" % (json.dumps(k), "%.17g" % x if isinstance(x, float) else x)
                                              for k, x in v.items()))
    lines.append('  "tensors": [')
    for i, t in enumerate(spec["tensors"]):
        fields = "".join(", %s: %s" % (json.dumps(k), json.dumps(v)) for k, v in t.items() if k not in ("name", "shape"))
        lines.append('    {"name": %s, "shape": %s%s}%s' % (json.dumps(t["name"]), json.dumps(t["shape"]), fields,
                                                            "," if i + 1 < len(spec["tensors"]) else ""))
    lines.append("  ]")
    lines.append("}")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    count = sum(math.prod(t["shape"]) for t in spec["tensors"])
    print("%-22s %4d tensors %14s parameters" % (os.path.basename(path), len(spec["tensors"]), format(count, ",")))
    return count, len(spec["tensors"])


# ---- Llama-3.2-1B (Hugging Face LlamaForCausalLM names) ------------------------
class RMSNorm(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d, **FK))


class LlamaLayer(nn.Module):
    def __init__(self, d, n_heads, n_kv_heads, ffn):
        super().__init__()
        hd = d // n_heads
        self.self_attn = nn.Module()
        self.self_attn.q_proj = nn.Linear(d, n_heads * hd, bias=False, **FK)
        self.self_attn.k_proj = nn.Linear(d, n_kv_heads * hd, bias=False, **FK)
        self.self_attn.v_proj = nn.Linear(d, n_kv_heads * hd, bias=False, **FK)
        self.self_attn.o_proj = nn.Linear(n_heads * hd, d, bias=False, **FK)
        self.mlp = nn.Module()
        self.mlp.gate_proj = nn.Linear(d, ffn, bias=False, **FK)
        self.mlp.up_proj = nn.Linear(d, ffn, bias=False, **FK)
        self.mlp.down_proj = nn.Linear(ffn, d, bias=False, **FK)
        self.input_layernorm = RMSNorm(d)
        self.post_attention_layernorm = RMSNorm(d)


class Llama(nn.Module):
    def __init__(self, vocab=128256, d=2048, layers=16, n_heads=32, n_kv_heads=8, ffn=8192):
        super().__init__()
        self.model = nn.Module()
        self.model.embed_tokens = nn.Embedding(vocab, d, **FK)
        self.model.layers = nn.ModuleList([LlamaLayer(d, n_heads, n_kv_heads, ffn) for _ in range(layers)])
        self.model.norm = RMSNorm(d)
        self.lm_head = nn.Linear(d, vocab, bias=False, **FK)
        self.lm_head.weight = self.model.embed_tokens.weight   # tie_word_embeddings = true


def graph_lines(ops, indent):
    """One op per line; a residual's body and shortcut ops one per line below it."""
    out = []
    for k, op in enumerate(ops):
        comma = "," if k + 1 < len(ops) else ""
        if op["op"] != "residual":
            out.append(indent + json.dumps(op) + comma)
            continue
        out.append(indent + '{"op": "residual",')
        parts = [key for key in ("body", "shortcut") if key in op]
        for j, key in enumerate(parts):
            out.append(indent + '  "%s": [' % key)
            out += graph_lines(op[key], indent + "    ")
            out.append(indent + "  ]" + ("," if j + 1 < len(parts) else ""))
        out.append(indent + "}" + comma)
    return out


def write(path, about, spec, graph=None):
    """One rule, one tensor and one op per line: readable and diffable. about:
    name, description and layout, written before the spec's seed and dtype
    (dtype only when it is not the default f32); graph: the forward pass, if any."""
    lines = ["{"]
    top = dict(about)
    top["seed"] = spec["seed"]
    if spec["dtype"] != "f32":
        top["dtype"] = spec["dtype"]
    for k in ("name", "description", "seed", "dtype", "layout"):
        if k in top:
            lines.append("  %s: %s," % (json.dumps(k), json.dumps(top[k])))
    lines.append('  "rules": {')
    rules = list(spec["rules"].items())
    for i, (pat, init) in enumerate(rules):
        lines.append("    %s: %s%s" % (json.dumps(pat), json.dumps(init), "," if i + 1 < len(rules) else ""))
    lines.append("  },")
    lines.append('  "tensors": [')
    tensors = spec["tensors"]
    for i, t in enumerate(tensors):
        fields = "".join(", %s: %s" % (json.dumps(k), json.dumps(v)) for k, v in t.items() if k not in ("name", "shape"))
        lines.append('    {"name": %s, "shape": %s%s}%s' % (json.dumps(t["name"]), json.dumps(t["shape"]), fields,
                                                            "," if i + 1 < len(tensors) else ""))
    lines.append("  ]" + ("," if graph else ""))
    if graph:
        lines.append('  "graph": [')
        lines += graph_lines(graph, "    ")
        lines.append("  ]")
    lines.append("}")
    text = "\n".join(lines) + "\n"
    json.loads(text)   # well-formed, and keys in the intended order
    with open(path, "w") as f:
        f.write(text)
    count = sum(math.prod(t["shape"]) for t in tensors)
    print("%-22s %4d tensors %14s parameters" % (os.path.basename(path), len(tensors), format(count, ",")))
    return count, len(tensors)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "examples/models"
    os.makedirs(out, exist_ok=True)

    n, _ = write(os.path.join(out, "mlp.json"), {
        "name": "mlp", "description": "784-256-128-10 MLP with ReLU; He init, Glorot for the linear output layer",
    }, nninit.spec_from_module(MLP(), {
        "fc3.weight": "xavier_uniform", "*.weight": "kaiming_normal(nonlinearity=relu)", "*.bias": "zeros",
    }, seed=42), mlp_graph())
    assert n == 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10 == 235146, n

    n, _ = write(os.path.join(out, "vgg-cifar.json"), {
        "name": "vgg-cifar",
        "description": "VGG-style CIFAR-10 CNN without BatchNorm: 3x3 convs 64-64-M-128-128-M-256-256-M, "
                       "a 512-wide hidden layer with dropout; torchvision VGG's init",
    }, nninit.spec_from_module(VGGCifar(), {
        "classifier.*.weight": "normal(std=0.01)", "*.bias": "zeros",
        "*.weight": "kaiming_normal(mode=fan_out, nonlinearity=relu)",
    }, seed=1), vgg_cifar_graph())
    convs = [(3, 64), (64, 64), (64, 128), (128, 128), (128, 256), (256, 256)]
    assert n == sum(9 * i * o + o for i, o in convs) + 4096 * 512 + 512 + 512 * 10 + 10 == 3248202, n

    n, count = write(os.path.join(out, "resnet20.json"), {
        "name": "resnet20",
        "description": "CIFAR ResNet-20 (He et al. 2016): 3 stages of 3 basic blocks, 16/32/64 channels, "
                       "1x1 projection shortcuts where the shape changes; torchvision's init",
    }, nninit.spec_from_module(ResNetCifar(), {
        "fc.weight": "pytorch_default",
        "fc.bias": "pytorch_default_bias(fan_in=64)",
        "*bn*.weight": "ones", "*downsample.1.weight": "ones",
        "*.bias": "zeros",
        "*.weight": "kaiming_normal(mode=fan_out, nonlinearity=relu)",
    }, seed=0), resnet_cifar_graph())
    assert 0.26e6 < n < 0.28e6, n        # "about 0.27M parameters"
    assert n == 272474 and count == 65, (n, count)

    n, count = write(os.path.join(out, "resnet50.json"), {
        "name": "resnet50",
        "description": "torchvision resnet50 parameters (no BatchNorm buffers), initialized as torchvision does",
        "layout": "oihw",
    }, nninit.spec_from_module(ResNet50(), {
        "fc.weight": "pytorch_default",
        "fc.bias": "pytorch_default_bias(fan_in=2048)",
        "*bn*.weight": "ones", "*downsample.1.weight": "ones",
        "*.bias": "zeros",
        "*.weight": "kaiming_normal(mode=fan_out, nonlinearity=relu)",
    }, seed=0), resnet50_graph())
    assert n == 25557032, n
    assert count == 161, count

    spec = nninit.spec_from_hf(GPT2_CONFIG, seed=1337)
    assert [(t["name"], t["shape"]) for t in spec["tensors"]] == \
        [(n, list(p.shape)) for n, p in GPT2().named_parameters()]
    proj = {t["init"] for t in spec["tensors"] if t["name"].endswith("c_proj.weight")}
    assert proj == {"normal(mean=0, std=%.17g)" % (0.02 / math.sqrt(2 * 12))}, proj   # 0.02 / sqrt(2 n_layer)
    n, count = write_hf(os.path.join(out, "gpt2-124m.json"), spec)
    assert n == 124439808, n
    assert count == 2 + 12 * 12 + 2, count

    n, count = write(os.path.join(out, "llama-1b.json"), {
        "name": "llama-3.2-1b",
        "description": "Llama-3.2-1B shapes (vocab 128256, dim 2048, 16 layers, 32 heads, 8 KV heads, FFN 8192); "
                       "lm_head.weight is tied to model.embed_tokens.weight and not stored",
    }, nninit.spec_from_module(Llama(), {"*norm.weight": "ones", "*.weight": "normal(std=0.02)"}, seed=0,
                               dtype="bf16"))
    assert n == 1235814400, n
    assert count == 1 + 16 * 9 + 1, count


if __name__ == "__main__":
    main()
