#!/usr/bin/python3
"""Writes the example model specs in examples/models/ (format: docs/MODELS.md).

Names and shapes come from real torch modules built here (torchvision and
transformers are not needed: the few modules are defined below, with the
parameter names of the reference implementations), turned into specs by
nninit.spec_from_module (python/nninit), and the parameter counts are asserted
against the published figures. The rules are what a practitioner would write:
a few globs, first match wins.

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


# ---- GPT-2 124M (nanoGPT / llm.c names; weights in nn.Linear (out, in) layout)
class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.ln_1 = nn.LayerNorm(d, **FK)
        self.attn = nn.Module()
        self.attn.c_attn = nn.Linear(d, 3 * d, **FK)
        self.attn.c_proj = nn.Linear(d, d, **FK)
        self.ln_2 = nn.LayerNorm(d, **FK)
        self.mlp = nn.Module()
        self.mlp.c_fc = nn.Linear(d, 4 * d, **FK)
        self.mlp.c_proj = nn.Linear(4 * d, d, **FK)


class GPT2(nn.Module):
    def __init__(self, vocab=50257, ctx=1024, d=768, layers=12):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(vocab, d, **FK), wpe=nn.Embedding(ctx, d, **FK),
            h=nn.ModuleList([Block(d) for _ in range(layers)]), ln_f=nn.LayerNorm(d, **FK)))
        self.lm_head = nn.Linear(d, vocab, bias=False, **FK)
        self.transformer.wte.weight = self.lm_head.weight   # tied: named_parameters() lists it once


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


def write(path, about, spec):
    """One rule and one tensor per line: readable and diffable. about: name,
    description and layout, written before the spec's seed and dtype (dtype only
    when it is not the default f32)."""
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
    }, seed=42))
    assert n == 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10 == 235146, n

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
    }, seed=0))
    assert n == 25557032, n
    assert count == 161, count

    std_proj = "0.0040824829046386304"      # 0.02 / sqrt(2 * n_layer), to 17 digits
    assert float(std_proj) == 0.02 / math.sqrt(2 * 12)
    n, count = write(os.path.join(out, "gpt2-124m.json"), {
        "name": "gpt2-124m",
        "description": "GPT-2 124M, nanoGPT names; lm_head.weight is tied to transformer.wte.weight and not stored",
    }, nninit.spec_from_module(GPT2(), {
        "*.c_proj.weight": "normal(std=%s)" % std_proj,   # residual projections: 0.02 / sqrt(2 * n_layer)
        "*ln_*.weight": "ones",
        "*.bias": "zeros",
        "*.weight": "normal(std=0.02)",
    }, seed=1337))
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
