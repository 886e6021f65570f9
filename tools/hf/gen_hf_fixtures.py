#!/usr/bin/python3
"""Reference fixtures for `nninit spec CONFIG` on Hugging Face config.json files.

    /usr/bin/python3 tools/hf/gen_hf_fixtures.py [OUTDIR]     (default tests/data/hf)

Writes OUTDIR/<case>.json for every case in CASES:

    {"model_type", "source", "config": {... the config.json ...},
     "tensors": [{"name", "shape"}, ...]    state_dict order,
     "tied": bool, "params": N,
     "init": [{"dist": "normal", "std": x} | {"const": 0 | 1}, + "zero_rows": [pad]],  one per tensor,
     optional "published": {"total_size_bf16": N, "source": "..."}}

How it is made. No transformers package exists here, so for each model type this file holds a
skeleton of the model's module tree written in torch.nn (torch 1.13) after the __init__ methods of
transformers' src/transformers/models/<type>/modeling_<type>.py: the same module attribute names in
the same registration order, nn.Linear / nn.Embedding / norm shapes, biases switched by the same
config flags, GPT-2's Conv1D weight stored [in, out], Falcon's fused query_key_value sizes, the
buffers registered with the same `persistent` flag. Config defaults are those of the type's
configuration_<type>.py. The model is built on the meta device (shapes only, no memory), and the
tensor list is its state_dict(), which already leaves out non-persistent buffers (rotary inv_freq,
GPT-2's causal mask, Gemma 3's embed_scale), minus lm_head.weight (embed_out.weight for GPT-NeoX) when
the config ties the word embeddings (`tie_word_embeddings`, or the configuration class's default when
the key is absent).

The "init" list is the `hf` recipe: what that type's `_init_weights` does to each tensor, written
below as explicit per-type logic (`init_expectation`) with the lines it follows, not measured (meta
tensors hold no values).

Sources: SOURCES names, per type, the modeling and configuration files and the commit each was read at;
every fixture's "source" repeats them. tools/hf/README.md says how the fixtures were made and checked.

Published configs: cases named after a published model take the values of its config.json as quoted
in PUBLISHED_CONFIG_SOURCES (where they were read). "published" sizes are recorded only when a
source was found for them (named in the field), never from memory.

Regenerate after changing this file and commit the script with the data:
    /usr/bin/python3 tools/hf/gen_hf_fixtures.py && git diff --stat tests/data/hf
"""
import json
import math
import os
import sys

import torch
from torch import nn

META = torch.device("meta")
HF = "huggingface/transformers"

# Model type -> the transformers files (path@commit) its skeleton, defaults and _init_weights follow. The
# index behind the search tool stores each file at its own commit, so the commits differ per file; each
# was read at the commit named. All modeling files are transformers 4.x (per-expert MoE modules, the
# layout published checkpoints hold; transformers 5 fuses experts and converts names at load time).
M = "src/transformers/models/"
V4_LATE = "00d4b3d2142cb4ced2f51b90614b5d26bc045015"  # 4.5x: rotary inside attention, deprecations for 4.60
V5_CFG = "008e574391258935f3ecc3035c882e73bbcac419"   # configuration files as dataclasses (same defaults)
SOURCES = {
    "llama": [M + "llama/modeling_llama.py@5dd4a63548857797727ae73eeb6a6e886ea02a3e",
              M + "llama/configuration_llama.py@" + V5_CFG],
    "mistral": [M + "mistral/modeling_mistral.py@" + V4_LATE,
                M + "mistral/configuration_mistral.py@001f85b38fb432858ace93f18622f07cec46d874"],
    "mixtral": [M + "mixtral/modeling_mixtral.py@" + V4_LATE, M + "mixtral/configuration_mixtral.py@" + V5_CFG],
    "qwen2": [M + "qwen2/modeling_qwen2.py@" + V4_LATE, M + "qwen2/configuration_qwen2.py@" + V5_CFG],
    "qwen2_moe": [M + "qwen2_moe/modeling_qwen2_moe.py@00a3f9386614dde0dc41cf4e9b8d0abd3af0671d",
                  M + "qwen2_moe/configuration_qwen2_moe.py@" + V5_CFG],
    "qwen3": [M + "qwen3/modeling_qwen3.py@" + V4_LATE, M + "qwen3/configuration_qwen3.py@" + V5_CFG],
    "qwen3_moe": [M + "qwen3_moe/modeling_qwen3_moe.py@" + V4_LATE,
                  M + "qwen3_moe/configuration_qwen3_moe.py@" + V5_CFG],
    "gemma": [M + "gemma/modeling_gemma.py@5dd4a63548857797727ae73eeb6a6e886ea02a3e",
              M + "gemma/configuration_gemma.py@" + V5_CFG],
    "gemma2": [M + "gemma2/modeling_gemma2.py@" + V4_LATE, M + "gemma2/configuration_gemma2.py@" + V5_CFG],
    "gemma3_text": [M + "gemma3/modeling_gemma3.py@" + V4_LATE,
                    M + "gemma3/configuration_gemma3.py@008f5c8c29be84d4721dc6d1e0fcd72300580be4"],
    "phi3": [M + "phi3/modeling_phi3.py@" + V4_LATE, M + "phi3/configuration_phi3.py@" + V5_CFG],
    "granite": [M + "granite/modeling_granite.py@" + V4_LATE, M + "granite/configuration_granite.py@" + V5_CFG],
    "granitemoe": [M + "granitemoe/modeling_granitemoe.py@c7a438e9d42b8c427670de4a674d06b7a728aa1b",
                   M + "granitemoe/configuration_granitemoe.py@546b1438deb6f79c35f482f58fa5c8838451e47e"],
    "falcon": [M + "falcon/modeling_falcon.py@00dcc6dda6f6d8e69541a6b51f97986a80242367",
               M + "falcon/configuration_falcon.py@5fd8edad2a672d6a10d6352b62b823d56c3032bf"],
    "gpt_neox": [M + "gpt_neox/modeling_gpt_neox.py@" + V4_LATE,
                 M + "gpt_neox/configuration_gpt_neox.py@" + V5_CFG],
    "gpt2": [M + "gpt2/modeling_gpt2.py@c44b2d9976e8eafbdcb89cb2710141b2bc9b138f",
             M + "gpt2/configuration_gpt2.py@1c70522e01cdf5fcc6ebda6c372ee0198d557c53"],
}


# ---------------------------------------------------------------------------------------------
# Config defaults: the keyword defaults of each configuration_<type>.py __init__ (only the keys
# that change tensor names, shapes or init). None means "derived" and is resolved in cfg().

DEFAULTS = {
    # LlamaConfig: num_key_value_heads None -> num_attention_heads; head_dim None -> hidden // heads
    "llama": dict(vocab_size=32000, hidden_size=4096, intermediate_size=11008, num_hidden_layers=32,
                  num_attention_heads=32, num_key_value_heads=None, head_dim=None, initializer_range=0.02,
                  pad_token_id=None, tie_word_embeddings=False, attention_bias=False, mlp_bias=False),
    # MistralConfig (attention and MLP have no biases)
    "mistral": dict(vocab_size=32000, hidden_size=4096, intermediate_size=14336, num_hidden_layers=32,
                    num_attention_heads=32, num_key_value_heads=8, head_dim=None, initializer_range=0.02,
                    pad_token_id=None, tie_word_embeddings=False),
    "mixtral": dict(vocab_size=32000, hidden_size=4096, intermediate_size=14336, num_hidden_layers=32,
                    num_attention_heads=32, num_key_value_heads=8, head_dim=None, initializer_range=0.02,
                    pad_token_id=None, tie_word_embeddings=False, num_local_experts=8, num_experts_per_tok=2),
    # Qwen2Config: q/k/v with bias, o_proj without
    "qwen2": dict(vocab_size=151936, hidden_size=4096, intermediate_size=22016, num_hidden_layers=32,
                  num_attention_heads=32, num_key_value_heads=32, head_dim=None, initializer_range=0.02,
                  pad_token_id=None, tie_word_embeddings=False),
    "qwen2_moe": dict(vocab_size=151936, hidden_size=2048, intermediate_size=5632, num_hidden_layers=24,
                      num_attention_heads=16, num_key_value_heads=16, initializer_range=0.02, pad_token_id=None,
                      tie_word_embeddings=False, decoder_sparse_step=1, moe_intermediate_size=1408,
                      shared_expert_intermediate_size=5632, num_experts_per_tok=4, num_experts=60,
                      mlp_only_layers=None, qkv_bias=True, head_dim=None),
    "qwen3": dict(vocab_size=151936, hidden_size=4096, intermediate_size=22016, num_hidden_layers=32,
                  num_attention_heads=32, num_key_value_heads=32, head_dim=128, initializer_range=0.02,
                  pad_token_id=None, tie_word_embeddings=False, attention_bias=False),
    "qwen3_moe": dict(vocab_size=151936, hidden_size=2048, intermediate_size=6144, num_hidden_layers=24,
                      num_attention_heads=32, num_key_value_heads=4, head_dim=None, initializer_range=0.02,
                      pad_token_id=None, tie_word_embeddings=False, attention_bias=False, decoder_sparse_step=1,
                      moe_intermediate_size=768, num_experts_per_tok=8, num_experts=128, mlp_only_layers=None),
    # GemmaConfig: pad_token_id=0 and tie_word_embeddings=True by default
    "gemma": dict(vocab_size=256000, hidden_size=3072, intermediate_size=24576, num_hidden_layers=28,
                  num_attention_heads=16, num_key_value_heads=16, head_dim=256, initializer_range=0.02,
                  pad_token_id=0, tie_word_embeddings=True, attention_bias=False),
    "gemma2": dict(vocab_size=256000, hidden_size=2304, intermediate_size=9216, num_hidden_layers=26,
                   num_attention_heads=8, num_key_value_heads=4, head_dim=256, initializer_range=0.02,
                   pad_token_id=0, tie_word_embeddings=True, attention_bias=False),
    "gemma3_text": dict(vocab_size=262208, hidden_size=2304, intermediate_size=9216, num_hidden_layers=26,
                        num_attention_heads=8, num_key_value_heads=4, head_dim=256, initializer_range=0.02,
                        pad_token_id=0, tie_word_embeddings=True, attention_bias=False),
    # Phi3Config: pad_token_id=32000
    "phi3": dict(vocab_size=32064, hidden_size=3072, intermediate_size=8192, num_hidden_layers=32,
                 num_attention_heads=32, num_key_value_heads=None, head_dim=None, initializer_range=0.02,
                 pad_token_id=32000, tie_word_embeddings=False),
    "granite": dict(vocab_size=32000, hidden_size=4096, intermediate_size=11008, num_hidden_layers=32,
                    num_attention_heads=32, num_key_value_heads=None, head_dim=None, initializer_range=0.02,
                    pad_token_id=None,
                    tie_word_embeddings=False, attention_bias=False, mlp_bias=False),
    "granitemoe": dict(vocab_size=32000, hidden_size=4096, intermediate_size=11008, num_hidden_layers=32,
                       num_attention_heads=32, num_key_value_heads=None, initializer_range=0.02, pad_token_id=None,
                       tie_word_embeddings=False, attention_bias=False, num_local_experts=8,
                       num_experts_per_tok=2),
    # FalconConfig does not take tie_word_embeddings: PretrainedConfig's default True applies. The stored
    # configuration (@5fd8edad) predates ffn_hidden_size and num_ln_in_parallel_attn, which the modeling file
    # (@00dcc6dd) reads: absent, the MLP is 4 x hidden (falcon-7b's printed tree: 18176 = 4 x 4544) and
    # num_ln_in_parallel_attn stays None (2 under new_decoder_architecture, by FalconDecoderLayer.__init__).
    "falcon": dict(vocab_size=65024, hidden_size=4544, num_hidden_layers=32, num_attention_heads=71,
                   num_ln_in_parallel_attn=None, initializer_range=0.02, num_kv_heads=None, alibi=False,
                   new_decoder_architecture=False, multi_query=True, parallel_attn=True, bias=False,
                   ffn_hidden_size=None, tie_word_embeddings=True),
    "gpt_neox": dict(vocab_size=50432, hidden_size=6144, num_hidden_layers=44, num_attention_heads=64,
                     intermediate_size=24576, initializer_range=0.02, tie_word_embeddings=False,
                     attention_bias=True),
    # GPT2Config does not take tie_word_embeddings either (default True).
    "gpt2": dict(vocab_size=50257, n_positions=1024, n_embd=768, n_layer=12, n_head=12, n_inner=None,
                 initializer_range=0.02, tie_word_embeddings=True),
}


class Cfg:
    """A config.json dict over its type's defaults, with the derived values resolved as the
    configuration classes resolve them."""

    def __init__(self, model_type, raw):
        d = dict(DEFAULTS[model_type])
        # Falcon's configuration accepts the old n_embed for hidden_size
        if model_type == "falcon" and "n_embed" in raw and "hidden_size" not in raw:
            d["hidden_size"] = raw["n_embed"]
        d.update({k: v for k, v in raw.items() if k in d})
        if model_type == "falcon" and "n_head_kv" in raw and "num_kv_heads" not in raw:
            d["num_kv_heads"] = raw["n_head_kv"]
        if "num_key_value_heads" in d and d["num_key_value_heads"] is None:
            d["num_key_value_heads"] = d["num_attention_heads"]
        if model_type == "falcon":
            if d["num_kv_heads"] is None:
                d["num_kv_heads"] = d["num_attention_heads"]
            if d["ffn_hidden_size"] is None:
                d["ffn_hidden_size"] = 4 * d["hidden_size"]
        if "mlp_only_layers" in d and d["mlp_only_layers"] is None:
            d["mlp_only_layers"] = []
        self.__dict__.update(d)
        self.model_type = model_type


def head_dim_of(c):
    # getattr(config, "head_dim", None) or hidden // heads (llama: config resolves None the same way)
    hd = getattr(c, "head_dim", None)
    return hd if hd else c.hidden_size // c.num_attention_heads


# ---------------------------------------------------------------------------------------------
# Building blocks (meta device)

def Linear(i, o, bias):
    return nn.Linear(i, o, bias=bias, device=META)


def Embedding(n, d, padding_idx=None):
    return nn.Embedding(n, d, padding_idx=padding_idx, device=META)


class RMSNorm(nn.Module):
    """<Type>RMSNorm: self.weight = nn.Parameter(torch.ones(dim)) (Gemma's: torch.zeros, applied as 1 + w)."""

    def __init__(self, dim, gemma=False):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(dim, device=META))
        self.gemma = gemma


class LayerNorm(nn.LayerNorm):
    def __init__(self, dim):
        super().__init__(dim, device=META)


class Conv1D(nn.Module):
    """pytorch_utils.Conv1D(nf, nx): weight [nx, nf] (in, out), bias [nf]."""

    def __init__(self, nf, nx):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(nx, nf, device=META))
        self.bias = nn.Parameter(torch.empty(nf, device=META))


class ParallelExperts(nn.Module):
    """GraniteMoeParallelExperts: weight [num_experts, output_size, input_size]."""

    def __init__(self, n, i, o):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n, o, i, device=META))


class Rotary(nn.Module):
    """<Type>RotaryEmbedding: register_buffer("inv_freq", ..., persistent=False)."""

    def __init__(self, dim):
        super().__init__()
        self.register_buffer("inv_freq", torch.empty(max(dim // 2, 1), device=META), persistent=False)


def module(**children):
    m = nn.Module()
    for k, v in children.items():
        setattr(m, k, v)
    return m


def modlist(items):
    return nn.ModuleList(items)


# ---------------------------------------------------------------------------------------------
# Llama family: <Type>ForCausalLM = model (<Type>Model) + lm_head

def llama_attn(c, q_bias, kv_bias, o_bias, qk_norm=False, gemma=False):
    hd = head_dim_of(c)
    a = module(q_proj=Linear(c.hidden_size, c.num_attention_heads * hd, q_bias),
               k_proj=Linear(c.hidden_size, c.num_key_value_heads * hd, kv_bias),
               v_proj=Linear(c.hidden_size, c.num_key_value_heads * hd, kv_bias),
               o_proj=Linear(c.num_attention_heads * hd, c.hidden_size, o_bias))
    if qk_norm:  # Qwen3Attention / Gemma3Attention: q_norm, k_norm over head_dim, after the projections
        a.q_norm = RMSNorm(hd, gemma)
        a.k_norm = RMSNorm(hd, gemma)
    return a


def gated_mlp(c, inter, bias=False):
    return module(gate_proj=Linear(c.hidden_size, inter, bias), up_proj=Linear(c.hidden_size, inter, bias),
                  down_proj=Linear(inter, c.hidden_size, bias))


def causal_lm(c, layers, embed=None, gemma=False, rotary=True):
    """<Type>Model.__init__: embed_tokens (padding_idx=pad_token_id), layers, norm, rotary_emb;
    <Type>ForCausalLM.__init__: model, lm_head (bias=False)."""
    model = nn.Module()
    model.embed_tokens = embed if embed is not None else Embedding(c.vocab_size, c.hidden_size, c.pad_token_id)
    model.layers = modlist(layers)
    model.norm = RMSNorm(c.hidden_size, gemma)
    if rotary:
        model.rotary_emb = Rotary(head_dim_of(c))
    top = nn.Module()
    top.model = model
    top.lm_head = Linear(c.hidden_size, c.vocab_size, False)
    return top


def decoder(attn, mlp, norms):
    layer = nn.Module()
    layer.self_attn = attn
    layer.mlp = mlp
    for name, n in norms:
        setattr(layer, name, n)
    return layer


def two_norms(c, gemma=False):
    return [("input_layernorm", RMSNorm(c.hidden_size, gemma)),
            ("post_attention_layernorm", RMSNorm(c.hidden_size, gemma))]


def build_llama(c):
    # LlamaAttention: q/k/v/o bias=config.attention_bias; LlamaMLP: bias=config.mlp_bias;
    # LlamaDecoderLayer: self_attn, mlp, input_layernorm, post_attention_layernorm
    return causal_lm(c, [decoder(llama_attn(c, c.attention_bias, c.attention_bias, c.attention_bias),
                                 gated_mlp(c, c.intermediate_size, c.mlp_bias), two_norms(c))
                         for _ in range(c.num_hidden_layers)])


def build_granite(c):
    # GraniteAttention / GraniteMLP as Llama's (attention_bias, mlp_bias); the multipliers are scalars
    return build_llama(c)


def build_mistral(c):
    # MistralAttention / MistralMLP: no biases
    return causal_lm(c, [decoder(llama_attn(c, False, False, False), gated_mlp(c, c.intermediate_size),
                                 two_norms(c)) for _ in range(c.num_hidden_layers)])


def build_mixtral(c):
    # MixtralDecoderLayer: self_attn, block_sparse_moe (gate: Linear(hidden, num_local_experts, bias=False),
    # experts: ModuleList of MixtralBlockSparseTop2MLP with w1 (hidden->ffn), w2 (ffn->hidden), w3 (hidden->ffn)),
    # input_layernorm, post_attention_layernorm
    def moe():
        experts = [module(w1=Linear(c.hidden_size, c.intermediate_size, False),
                          w2=Linear(c.intermediate_size, c.hidden_size, False),
                          w3=Linear(c.hidden_size, c.intermediate_size, False)) for _ in range(c.num_local_experts)]
        return module(gate=Linear(c.hidden_size, c.num_local_experts, False), experts=modlist(experts))

    layers = []
    for _ in range(c.num_hidden_layers):
        layer = nn.Module()
        layer.self_attn = llama_attn(c, False, False, False)
        layer.block_sparse_moe = moe()
        layer.input_layernorm = RMSNorm(c.hidden_size)
        layer.post_attention_layernorm = RMSNorm(c.hidden_size)
        layers.append(layer)
    return causal_lm(c, layers)


def build_qwen2(c):
    # Qwen2Attention: q/k/v bias=True, o_proj bias=False; Qwen2MLP: no biases
    return causal_lm(c, [decoder(llama_attn(c, True, True, False), gated_mlp(c, c.intermediate_size), two_norms(c))
                         for _ in range(c.num_hidden_layers)])


def moe_layer_is_sparse(c, i):
    # Qwen2MoeDecoderLayer / Qwen3MoeDecoderLayer: sparse when layer_idx not in mlp_only_layers and
    # num_experts > 0 and (layer_idx + 1) % decoder_sparse_step == 0
    return i not in c.mlp_only_layers and c.num_experts > 0 and (i + 1) % c.decoder_sparse_step == 0


def build_qwen2_moe(c):
    # Qwen2MoeAttention: q/k/v bias=config.qkv_bias, o_proj bias=False.
    # Qwen2MoeSparseMoeBlock: gate Linear(hidden, num_experts, bias=False), experts (Qwen2MoeMLP with
    # moe_intermediate_size), shared_expert (Qwen2MoeMLP with shared_expert_intermediate_size),
    # shared_expert_gate Linear(hidden, 1, bias=False). Dense layers: Qwen2MoeMLP(intermediate_size).
    layers = []
    for i in range(c.num_hidden_layers):
        if moe_layer_is_sparse(c, i):
            mlp = module(gate=Linear(c.hidden_size, c.num_experts, False),
                         experts=modlist([gated_mlp(c, c.moe_intermediate_size) for _ in range(c.num_experts)]),
                         shared_expert=gated_mlp(c, c.shared_expert_intermediate_size),
                         shared_expert_gate=Linear(c.hidden_size, 1, False))
        else:
            mlp = gated_mlp(c, c.intermediate_size)
        layers.append(decoder(llama_attn(c, c.qkv_bias, c.qkv_bias, False), mlp, two_norms(c)))
    return causal_lm(c, layers)


def build_qwen3(c):
    # Qwen3Attention: q/k/v/o bias=config.attention_bias, q_norm/k_norm Qwen3RMSNorm(head_dim)
    return causal_lm(c, [decoder(llama_attn(c, c.attention_bias, c.attention_bias, c.attention_bias, qk_norm=True),
                                 gated_mlp(c, c.intermediate_size), two_norms(c)) for _ in range(c.num_hidden_layers)])


def build_qwen3_moe(c):
    # Qwen3MoeSparseMoeBlock: gate Linear(hidden, num_experts, bias=False), experts of Qwen3MoeMLP
    # (moe_intermediate_size); no shared expert. Dense layers: Qwen3MoeMLP(intermediate_size).
    layers = []
    for i in range(c.num_hidden_layers):
        if moe_layer_is_sparse(c, i):
            mlp = module(gate=Linear(c.hidden_size, c.num_experts, False),
                         experts=modlist([gated_mlp(c, c.moe_intermediate_size) for _ in range(c.num_experts)]))
        else:
            mlp = gated_mlp(c, c.intermediate_size)
        attn = llama_attn(c, c.attention_bias, c.attention_bias, c.attention_bias, qk_norm=True)
        layers.append(decoder(attn, mlp, two_norms(c)))
    return causal_lm(c, layers)


def build_gemma(c):
    # GemmaAttention: bias=config.attention_bias; GemmaMLP no bias; GemmaRMSNorm weight zeros (1 + w)
    b = c.attention_bias
    return causal_lm(c, [decoder(llama_attn(c, b, b, b), gated_mlp(c, c.intermediate_size), two_norms(c, True))
                         for _ in range(c.num_hidden_layers)], gemma=True)


def four_norms(c, gemma=True):
    # Gemma2DecoderLayer / Gemma3DecoderLayer: input_layernorm, post_attention_layernorm,
    # pre_feedforward_layernorm, post_feedforward_layernorm (registered in this order)
    return [("input_layernorm", RMSNorm(c.hidden_size, gemma)),
            ("post_attention_layernorm", RMSNorm(c.hidden_size, gemma)),
            ("pre_feedforward_layernorm", RMSNorm(c.hidden_size, gemma)),
            ("post_feedforward_layernorm", RMSNorm(c.hidden_size, gemma))]


def build_gemma2(c):
    b = c.attention_bias
    return causal_lm(c, [decoder(llama_attn(c, b, b, b), gated_mlp(c, c.intermediate_size), four_norms(c))
                         for _ in range(c.num_hidden_layers)], gemma=True)


class ScaledEmbedding(nn.Embedding):
    """Gemma3TextScaledWordEmbedding: an nn.Embedding plus register_buffer("embed_scale", ..., persistent=False)."""

    def __init__(self, n, d, padding_idx):
        super().__init__(n, d, padding_idx=padding_idx, device=META)
        self.register_buffer("embed_scale", torch.empty((), device=META), persistent=False)


def build_gemma3_text(c):
    # Gemma3ForCausalLM: model = Gemma3TextModel (embed_tokens scaled, layers, norm, rotary_emb,
    # rotary_emb_local), lm_head. Gemma3Attention has q_norm/k_norm.
    b = c.attention_bias
    top = causal_lm(c, [decoder(llama_attn(c, b, b, b, qk_norm=True, gemma=True), gated_mlp(c, c.intermediate_size),
                                four_norms(c)) for _ in range(c.num_hidden_layers)],
                    embed=ScaledEmbedding(c.vocab_size, c.hidden_size, c.pad_token_id), gemma=True)
    top.model.rotary_emb_local = Rotary(head_dim_of(c))
    return top


def build_phi3(c):
    # Phi3Attention: o_proj, qkv_proj = Linear(hidden, heads*hd + 2*kv*hd, bias=False) (o_proj registered first);
    # Phi3MLP: gate_up_proj Linear(hidden, 2*intermediate, bias=False), down_proj.
    hd = head_dim_of(c)
    layers = []
    for _ in range(c.num_hidden_layers):
        attn = module(o_proj=Linear(c.num_attention_heads * hd, c.hidden_size, False),
                      qkv_proj=Linear(c.hidden_size, c.num_attention_heads * hd + 2 * c.num_key_value_heads * hd, False))
        mlp = module(gate_up_proj=Linear(c.hidden_size, 2 * c.intermediate_size, False),
                     down_proj=Linear(c.intermediate_size, c.hidden_size, False))
        layers.append(decoder(attn, mlp, two_norms(c)))
    return causal_lm(c, layers)


def build_granitemoe(c):
    # GraniteMoeDecoderLayer: self_attn (q/k/v/o bias=attention_bias), block_sparse_moe = GraniteMoeMoE
    # (input_linear ParallelExperts(n, hidden, 2*intermediate), output_linear ParallelExperts(n, intermediate,
    # hidden), router.layer Linear(hidden, n, bias=False)), input_layernorm, post_attention_layernorm
    layers = []
    for _ in range(c.num_hidden_layers):
        layer = nn.Module()
        b = c.attention_bias
        layer.self_attn = llama_attn(c, b, b, b)
        layer.block_sparse_moe = module(
            input_linear=ParallelExperts(c.num_local_experts, c.hidden_size, 2 * c.intermediate_size),
            output_linear=ParallelExperts(c.num_local_experts, c.intermediate_size, c.hidden_size),
            router=module(layer=Linear(c.hidden_size, c.num_local_experts, False)))
        layer.input_layernorm = RMSNorm(c.hidden_size)
        layer.post_attention_layernorm = RMSNorm(c.hidden_size)
        layers.append(layer)
    return causal_lm(c, layers)


def build_falcon(c):
    # FalconForCausalLM: transformer = FalconModel (word_embeddings without padding_idx, h, ln_f, rotary_emb),
    # lm_head Linear(hidden, vocab, bias=False).
    # FalconAttention: query_key_value (qkv_out_dim below), dense, both bias=config.bias.
    # FalconMLP: dense_h_to_4h (hidden -> ffn_hidden_size), dense_4h_to_h, bias=config.bias.
    # FalconDecoderLayer norms: not parallel_attn -> post_attention_layernorm, input_layernorm;
    # parallel_attn with num_ln_in_parallel_attn == 2 (the default under new_decoder_architecture) ->
    # ln_attn, ln_mlp; else input_layernorm.
    h = c.hidden_size
    hd = h // c.num_attention_heads
    if c.new_decoder_architecture:
        qkv = (c.num_kv_heads * 2 + c.num_attention_heads) * hd
    elif c.multi_query:
        qkv = h + 2 * hd
    else:
        qkv = 3 * h
    nln = c.num_ln_in_parallel_attn
    if nln is None and c.new_decoder_architecture:
        nln = 2
    blocks = []
    for _ in range(c.num_hidden_layers):
        blk = nn.Module()
        blk.self_attention = module(query_key_value=Linear(h, qkv, c.bias), dense=Linear(h, h, c.bias))
        blk.mlp = module(dense_h_to_4h=Linear(h, c.ffn_hidden_size, c.bias),
                         dense_4h_to_h=Linear(c.ffn_hidden_size, h, c.bias))
        if not c.parallel_attn:
            blk.post_attention_layernorm = LayerNorm(h)
            blk.input_layernorm = LayerNorm(h)
        elif nln == 2:
            blk.ln_attn = LayerNorm(h)
            blk.ln_mlp = LayerNorm(h)
        else:
            blk.input_layernorm = LayerNorm(h)
        blocks.append(blk)
    tr = nn.Module()
    tr.word_embeddings = Embedding(c.vocab_size, h)
    tr.h = modlist(blocks)
    tr.ln_f = LayerNorm(h)
    if not c.alibi:
        tr.rotary_emb = Rotary(hd)
    top = nn.Module()
    top.transformer = tr
    top.lm_head = Linear(h, c.vocab_size, False)
    return top


def build_gpt_neox(c):
    # GPTNeoXForCausalLM: gpt_neox = GPTNeoXModel (embed_in, layers, final_layer_norm, rotary_emb), embed_out
    # Linear(hidden, vocab, bias=False). GPTNeoXLayer: input_layernorm, post_attention_layernorm (LayerNorm),
    # attention (query_key_value Linear(h, 3h), dense Linear(h, h), bias=config.attention_bias),
    # mlp (dense_h_to_4h Linear(h, intermediate), dense_4h_to_h, with bias).
    h = c.hidden_size
    layers = []
    for _ in range(c.num_hidden_layers):
        layer = nn.Module()
        layer.input_layernorm = LayerNorm(h)
        layer.post_attention_layernorm = LayerNorm(h)
        layer.attention = module(query_key_value=Linear(h, 3 * h, c.attention_bias),
                                 dense=Linear(h, h, c.attention_bias))
        layer.mlp = module(dense_h_to_4h=Linear(h, c.intermediate_size, True),
                           dense_4h_to_h=Linear(c.intermediate_size, h, True))
        layers.append(layer)
    m = nn.Module()
    m.embed_in = Embedding(c.vocab_size, h)
    m.layers = modlist(layers)
    m.final_layer_norm = LayerNorm(h)
    m.rotary_emb = Rotary(h // c.num_attention_heads)
    top = nn.Module()
    top.gpt_neox = m
    top.embed_out = Linear(h, c.vocab_size, False)
    return top


class GPT2Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        # the causal mask "bias" and "masked_bias" buffers are registered with persistent=False
        self.register_buffer("bias", torch.empty(1, 1, c.n_positions, c.n_positions, dtype=torch.bool, device=META),
                             persistent=False)
        self.register_buffer("masked_bias", torch.empty((), device=META), persistent=False)
        self.c_attn = Conv1D(3 * c.n_embd, c.n_embd)
        self.c_proj = Conv1D(c.n_embd, c.n_embd)


def build_gpt2(c):
    # GPT2LMHeadModel: transformer = GPT2Model (wte, wpe, drop, h, ln_f), lm_head Linear(n_embd, vocab, bias=False).
    # GPT2Block: ln_1, attn, ln_2, mlp (c_fc Conv1D(inner, n_embd), c_proj Conv1D(n_embd, inner)),
    # inner = n_inner or 4 * n_embd.
    inner = c.n_inner if c.n_inner is not None else 4 * c.n_embd
    blocks = []
    for _ in range(c.n_layer):
        blk = nn.Module()
        blk.ln_1 = LayerNorm(c.n_embd)
        blk.attn = GPT2Attention(c)
        blk.ln_2 = LayerNorm(c.n_embd)
        blk.mlp = module(c_fc=Conv1D(inner, c.n_embd), c_proj=Conv1D(c.n_embd, inner))
        blocks.append(blk)
    tr = nn.Module()
    tr.wte = Embedding(c.vocab_size, c.n_embd)
    tr.wpe = Embedding(c.n_positions, c.n_embd)
    tr.h = modlist(blocks)
    tr.ln_f = LayerNorm(c.n_embd)
    top = nn.Module()
    top.transformer = tr
    top.lm_head = Linear(c.n_embd, c.vocab_size, False)
    return top


BUILDERS = {
    "llama": build_llama, "mistral": build_mistral, "mixtral": build_mixtral, "qwen2": build_qwen2,
    "qwen2_moe": build_qwen2_moe, "qwen3": build_qwen3, "qwen3_moe": build_qwen3_moe, "gemma": build_gemma,
    "gemma2": build_gemma2, "gemma3_text": build_gemma3_text, "phi3": build_phi3, "granite": build_granite,
    "granitemoe": build_granitemoe, "falcon": build_falcon, "gpt_neox": build_gpt_neox, "gpt2": build_gpt2,
}

OUTPUT_EMBEDDING = {"gpt_neox": "embed_out.weight"}  # every other type: lm_head.weight


# ---------------------------------------------------------------------------------------------
# The `hf` recipe: each type's _init_weights, per module

def init_expectation(c, top):
    """Map tensor name -> expectation, walking the modules as PreTrainedModel.post_init() ->
    apply(_init_weights) does.

    Common rule (LlamaPreTrainedModel._init_weights @5dd4a635 and its copies; Qwen2MoePreTrainedModel
    @00a3f938; FalconPreTrainedModel @00dcc6dd; GPT2PreTrainedModel @c44b2d99; GraniteMoePreTrainedModel
    @c7a438e9; the generic PreTrainedModel._init_weights the @00d4b3d2 files inherit):
    std = config.initializer_range;
      nn.Linear (GPT-2's Conv1D, Falcon's FalconLinear): weight N(0, std), bias zero;
      nn.Embedding: weight N(0, std), then weight[padding_idx] zero when padding_idx is set (the
        Llama-family models pass padding_idx=config.pad_token_id; Falcon, GPT-NeoX and GPT-2 pass none);
      nn.LayerNorm: weight 1, bias 0;
      <Type>RMSNorm: weight 1 (constructed with torch.ones; Qwen2Moe fills it with 1.0 explicitly).
    Per type:
      gemma, gemma2, gemma3_text: RMSNorm weights 0. GemmaRMSNorm / Gemma2RMSNorm / Gemma3RMSNorm are
        built with torch.zeros because the forward pass scales by (1 + weight); GemmaPreTrainedModel
        @5dd4a635 touches only Linear and Embedding, so they stay 0 (later versions zero every
        "RMSNorm" module in _init_weights for the same reason);
      granitemoe: GraniteMoeParallelExperts weight N(0, std) (its own branch in _init_weights @c7a438e9);
      gpt2: after the module rule, every parameter a module names "c_proj.weight" (GPT2Attention.c_proj
        and GPT2MLP.c_proj) is re-drawn from N(0, std / sqrt(2 * n_layer)) (GPT2PreTrainedModel
        ._init_weights @c44b2d99, "Special Scaled Initialization").
    """
    std = c.initializer_range
    out = {}
    for mname, m in top.named_modules():
        p = (mname + ".") if mname else ""
        if isinstance(m, nn.Linear):
            out[p + "weight"] = {"dist": "normal", "std": std}
            if m.bias is not None:
                out[p + "bias"] = {"const": 0}
        elif isinstance(m, Conv1D):
            out[p + "weight"] = {"dist": "normal", "std": std}
            out[p + "bias"] = {"const": 0}
        elif isinstance(m, nn.Embedding):
            e = {"dist": "normal", "std": std}
            if m.padding_idx is not None:
                e["zero_rows"] = [m.padding_idx]
            out[p + "weight"] = e
        elif isinstance(m, nn.LayerNorm):
            out[p + "weight"] = {"const": 1}
            out[p + "bias"] = {"const": 0}
        elif isinstance(m, RMSNorm):
            out[p + "weight"] = {"const": 0 if m.gemma else 1}
        elif isinstance(m, ParallelExperts):
            out[p + "weight"] = {"dist": "normal", "std": std}
    if c.model_type == "gpt2":
        for name in out:
            if name.endswith(".c_proj.weight"):
                out[name] = {"dist": "normal", "std": std / math.sqrt(2 * c.n_layer)}
    return out


# ---------------------------------------------------------------------------------------------
# Cases

def small(model_type, **kw):
    """A small config.json of that type: only the keys given (the rest are the type's defaults)."""
    d = {"model_type": model_type, "torch_dtype": "float32"}
    d.update(kw)
    return d


L2 = dict(num_hidden_layers=2)
CASES = {
    # Llama: every flag: attention_bias, mlp_bias, explicit head_dim != hidden/heads, GQA 4:2, padding row
    "llama_small_flags": small("llama", vocab_size=128, hidden_size=64, intermediate_size=96, num_attention_heads=4,
                               num_key_value_heads=2, head_dim=24, attention_bias=True, mlp_bias=True,
                               pad_token_id=5, initializer_range=0.03, **L2),
    # Llama with the defaults of absent keys: num_key_value_heads, head_dim, biases, no pad; tied
    "llama_small_tied": small("llama", vocab_size=100, hidden_size=32, intermediate_size=80, num_attention_heads=4,
                              tie_word_embeddings=True, **L2),
    # pad_token_id -1 (older Llama configs): nn.Embedding counts a negative padding_idx from the end
    "llama_small_pad_negative": small("llama", vocab_size=50, hidden_size=32, intermediate_size=48,
                                      num_attention_heads=4, num_key_value_heads=1, pad_token_id=-1, **L2),
    "mistral_small": small("mistral", vocab_size=96, hidden_size=64, intermediate_size=112, num_attention_heads=8,
                           num_key_value_heads=2, head_dim=16, pad_token_id=3, **L2),
    "mistral_small_defaults": small("mistral", vocab_size=64, hidden_size=32, intermediate_size=48,
                                    num_attention_heads=8, **L2),
    "mixtral_small": small("mixtral", vocab_size=80, hidden_size=32, intermediate_size=48, num_attention_heads=4,
                           num_key_value_heads=2, num_local_experts=4, num_experts_per_tok=2, **L2),
    "qwen2_small": small("qwen2", vocab_size=90, hidden_size=48, intermediate_size=80, num_attention_heads=6,
                         num_key_value_heads=2, tie_word_embeddings=True, **L2),
    "qwen2_small_untied": small("qwen2", vocab_size=70, hidden_size=32, intermediate_size=40, num_attention_heads=4,
                                num_key_value_heads=4, pad_token_id=7, **L2),
    # Qwen2Attention, Phi3Attention, GraniteAttention read getattr(config, "head_dim", hidden // heads): a
    # head_dim key in config.json is used even though their configuration classes do not define one
    "qwen2_small_head_dim": small("qwen2", vocab_size=40, hidden_size=48, intermediate_size=32, num_attention_heads=4,
                                  num_key_value_heads=2, head_dim=20, **L2),
    "phi3_small_head_dim": small("phi3", vocab_size=40, hidden_size=32, intermediate_size=24, num_attention_heads=2,
                                 num_key_value_heads=1, head_dim=24, pad_token_id=3, **L2),
    "granite_small_head_dim": small("granite", vocab_size=40, hidden_size=32, intermediate_size=24,
                                    num_attention_heads=4, num_key_value_heads=2, head_dim=12, **L2),
    # 4 layers, sparse every 2nd layer, layer 3 forced dense: only layer 1 is sparse
    "qwen2_moe_small": small("qwen2_moe", vocab_size=96, hidden_size=32, intermediate_size=56, num_attention_heads=4,
                             num_key_value_heads=2, num_hidden_layers=4, decoder_sparse_step=2, mlp_only_layers=[3],
                             num_experts=4, num_experts_per_tok=2, moe_intermediate_size=24,
                             shared_expert_intermediate_size=40),
    "qwen2_moe_small_allsparse": small("qwen2_moe", vocab_size=64, hidden_size=32, intermediate_size=56,
                                       num_attention_heads=4, num_key_value_heads=4, num_experts=3,
                                       num_experts_per_tok=1, moe_intermediate_size=16,
                                       shared_expert_intermediate_size=24, qkv_bias=False, **L2),
    "qwen3_small": small("qwen3", vocab_size=100, hidden_size=64, intermediate_size=96, num_attention_heads=4,
                         num_key_value_heads=2, head_dim=32, attention_bias=True, **L2),
    "qwen3_small_tied": small("qwen3", vocab_size=64, hidden_size=32, intermediate_size=48, num_attention_heads=2,
                              num_key_value_heads=1, head_dim=16, tie_word_embeddings=True, **L2),
    "qwen3_moe_small": small("qwen3_moe", vocab_size=80, hidden_size=32, intermediate_size=64, num_attention_heads=4,
                             num_key_value_heads=2, head_dim=16, num_hidden_layers=3, mlp_only_layers=[0],
                             num_experts=4, num_experts_per_tok=2, moe_intermediate_size=24),
    # Gemma: pad_token_id and tie_word_embeddings absent -> 0 and True
    "gemma_small": small("gemma", vocab_size=64, hidden_size=32, intermediate_size=64, num_attention_heads=2,
                         num_key_value_heads=1, head_dim=24, **L2),
    # an explicit null is passed to GemmaConfig as None (no padding row), not replaced by the default 0
    "gemma_small_pad_null": small("gemma", vocab_size=48, hidden_size=32, intermediate_size=48, num_attention_heads=2,
                                  num_key_value_heads=2, head_dim=16, pad_token_id=None, **L2),
    "gemma2_small": small("gemma2", vocab_size=72, hidden_size=32, intermediate_size=48, num_attention_heads=4,
                          num_key_value_heads=2, head_dim=16, pad_token_id=2, **L2),
    "gemma3_text_small": small("gemma3_text", vocab_size=80, hidden_size=48, intermediate_size=64,
                               num_attention_heads=4, num_key_value_heads=1, head_dim=16, **L2),
    "gemma3_text_small_untied": small("gemma3_text", vocab_size=64, hidden_size=32, intermediate_size=48,
                                      num_attention_heads=2, num_key_value_heads=2, head_dim=32,
                                      attention_bias=True, tie_word_embeddings=False, pad_token_id=1, **L2),
    "phi3_small": small("phi3", vocab_size=80, hidden_size=48, intermediate_size=64, num_attention_heads=4,
                        num_key_value_heads=2, pad_token_id=70, **L2),
    "phi3_small_mha": small("phi3", vocab_size=40, hidden_size=32, intermediate_size=32, num_attention_heads=4,
                            pad_token_id=None, **L2),
    "granite_small": small("granite", vocab_size=48, hidden_size=32, intermediate_size=40, num_attention_heads=4,
                           num_key_value_heads=2, attention_bias=True, mlp_bias=True, tie_word_embeddings=True,
                           pad_token_id=0, **L2),
    "granitemoe_small": small("granitemoe", vocab_size=64, hidden_size=32, intermediate_size=24,
                              num_attention_heads=4, num_key_value_heads=2, num_local_experts=4,
                              num_experts_per_tok=2, **L2),
    # Falcon: the four norm layouts and three fused-qkv sizes, biases, ffn_hidden_size, tie both ways
    "falcon_small_mq": small("falcon", vocab_size=64, hidden_size=32, num_attention_heads=4, **L2),
    "falcon_small_mha_seq": small("falcon", vocab_size=64, hidden_size=32, num_attention_heads=4, multi_query=False,
                                  parallel_attn=False, bias=True, tie_word_embeddings=False, **L2),
    "falcon_small_new": small("falcon", vocab_size=64, hidden_size=48, num_attention_heads=6, num_kv_heads=2,
                              new_decoder_architecture=True, ffn_hidden_size=80, **L2),
    "falcon_small_new_1ln": small("falcon", vocab_size=64, hidden_size=32, num_attention_heads=4, num_kv_heads=1,
                                  new_decoder_architecture=True, num_ln_in_parallel_attn=1, bias=True, **L2),
    "falcon_small_mha_parallel": small("falcon", vocab_size=48, hidden_size=32, num_attention_heads=2,
                                       multi_query=False, alibi=True, **L2),
    "gpt_neox_small": small("gpt_neox", vocab_size=100, hidden_size=32, intermediate_size=64, num_attention_heads=4,
                            **L2),
    "gpt_neox_small_nobias_tied": small("gpt_neox", vocab_size=60, hidden_size=32, intermediate_size=48,
                                        num_attention_heads=2, attention_bias=False, tie_word_embeddings=True, **L2),
    "gpt2_small": small("gpt2", vocab_size=64, n_positions=16, n_embd=24, n_layer=2, n_head=4),
    "gpt2_small_inner_untied": small("gpt2", vocab_size=60, n_positions=8, n_embd=32, n_layer=3, n_head=2, n_inner=48,
                                     tie_word_embeddings=False, initializer_range=0.05),
}

# Published models. Each case's config holds the keys that fix names and shapes, with the values its
# source gives (the whole config.json where the source quotes it whole); PUBLISHED_CONFIG_SOURCES says
# where they were read. PUBLISHED_SIZES records a published size only where a source was found
# (named there): total_size_bf16 = the model.safetensors.index.json metadata.total_size (bf16 bytes),
# tensors = the index's tensor count, params = a published parameter count. Figures from the search
# tool's code index whose file it does not name are cited by their quote and file id.
LLM_PROF = "citsjtu2020/LLM-Prof sglang/Model_Config.md@8434c8d19c396b2f95d92a67845a7c0a0e0dd512 (config.json quoted whole)"


def pub(model_type, **kw):
    d = {"model_type": model_type, "torch_dtype": "bfloat16"}
    d.update(kw)
    return d


PUBLISHED = {
    "pub_llama_3_1_8b": pub("llama", architectures=["LlamaForCausalLM"], attention_bias=False, hidden_size=4096,
                            intermediate_size=14336, mlp_bias=False, num_attention_heads=32, num_hidden_layers=32,
                            num_key_value_heads=8, rms_norm_eps=1e-05, initializer_range=0.02, bos_token_id=128000,
                            eos_token_id=128001, rope_theta=500000.0,
                            rope_scaling={"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                                          "original_max_position_embeddings": 8192, "rope_type": "llama3"},
                            max_position_embeddings=131072, tie_word_embeddings=False, vocab_size=128256),
    "pub_llama_3_2_3b": pub("llama", architectures=["LlamaForCausalLM"], attention_bias=False, head_dim=128,
                            hidden_size=3072, intermediate_size=8192, mlp_bias=False, num_attention_heads=24,
                            num_hidden_layers=28, num_key_value_heads=8, initializer_range=0.02,
                            tie_word_embeddings=True, vocab_size=128256),
    "pub_qwen2_5_7b": pub("qwen2", architectures=["Qwen2ForCausalLM"], hidden_size=3584, intermediate_size=18944,
                          num_attention_heads=28, num_hidden_layers=28, num_key_value_heads=4, initializer_range=0.02,
                          tie_word_embeddings=False, vocab_size=152064),
    "pub_qwen2_5_3b": pub("qwen2", architectures=["Qwen2ForCausalLM"], hidden_size=2048, intermediate_size=11008,
                          num_attention_heads=16, num_hidden_layers=36, num_key_value_heads=2, initializer_range=0.02,
                          tie_word_embeddings=True, vocab_size=151936),
    "pub_qwen3_8b": pub("qwen3", architectures=["Qwen3ForCausalLM"], attention_bias=False, head_dim=128,
                        hidden_size=4096, intermediate_size=12288, num_attention_heads=32, num_hidden_layers=36,
                        num_key_value_heads=8, initializer_range=0.02, tie_word_embeddings=False, vocab_size=151936),
    "pub_qwen3_4b": pub("qwen3", architectures=["Qwen3ForCausalLM"], attention_bias=False, head_dim=128,
                        hidden_size=2560, intermediate_size=9728, num_attention_heads=32, num_hidden_layers=36,
                        num_key_value_heads=8, initializer_range=0.02, tie_word_embeddings=True, vocab_size=151936),
    "pub_qwen3_30b_a3b": pub("qwen3_moe", architectures=["Qwen3MoeForCausalLM"], attention_bias=False,
                             decoder_sparse_step=1, head_dim=128, hidden_size=2048, intermediate_size=6144,
                             mlp_only_layers=[], moe_intermediate_size=768, norm_topk_prob=True,
                             num_attention_heads=32, num_experts=128, num_experts_per_tok=8, num_hidden_layers=48,
                             num_key_value_heads=4, initializer_range=0.02, tie_word_embeddings=False,
                             vocab_size=151936),
    "pub_mistral_7b": pub("mistral", architectures=["MistralForCausalLM"], hidden_size=4096, num_hidden_layers=32,
                          head_dim=128, intermediate_size=14336, num_attention_heads=32, num_key_value_heads=8,
                          sliding_window=4096, vocab_size=32000),
    "pub_gemma2_9b": pub("gemma2", architectures=["Gemma2ForCausalLM"], hidden_size=3584, intermediate_size=14336,
                         num_hidden_layers=42, num_attention_heads=16, num_key_value_heads=8, head_dim=256,
                         vocab_size=256000, rms_norm_eps=1e-6, rope_theta=10000.0, query_pre_attn_scalar=224,
                         attn_logit_softcapping=50.0, final_logit_softcapping=30.0, max_position_embeddings=8192),
    "pub_phi3_mini_128k": pub("phi3", architectures=["Phi3ForCausalLM"], num_hidden_layers=32, hidden_size=3072,
                              intermediate_size=8192, num_attention_heads=32, num_key_value_heads=32,
                              vocab_size=32064, rms_norm_eps=1e-05, rope_theta=10000.0),
    "pub_qwen1_5_moe_a2_7b": pub("qwen2_moe", architectures=["Qwen2MoeForCausalLM"], vocab_size=151936,
                                 hidden_size=2048, intermediate_size=5632, num_hidden_layers=24,
                                 num_attention_heads=16, num_key_value_heads=16, decoder_sparse_step=1,
                                 moe_intermediate_size=1408, shared_expert_intermediate_size=5632,
                                 num_experts_per_tok=4, num_experts=60, tie_word_embeddings=False),
    "pub_mixtral_8x7b": pub("mixtral", architectures=["MixtralForCausalLM"], vocab_size=32000, hidden_size=4096,
                            intermediate_size=14336, num_hidden_layers=32, num_attention_heads=32,
                            num_key_value_heads=8, max_position_embeddings=32768, rms_norm_eps=1e-5,
                            rope_theta=1e6, sliding_window=4096, num_experts_per_tok=2, num_local_experts=8),
    "pub_gemma_2b": pub("gemma", architectures=["GemmaForCausalLM"], vocab_size=256000, max_position_embeddings=8192,
                        num_hidden_layers=18, num_attention_heads=8, num_key_value_heads=1, hidden_size=2048,
                        intermediate_size=16384, head_dim=256, rms_norm_eps=1e-6),
    "pub_gemma3_1b": pub("gemma3_text", architectures=["Gemma3ForCausalLM"], attention_bias=False, head_dim=256,
                         hidden_size=1152, initializer_range=0.02, intermediate_size=6912,
                         max_position_embeddings=32768, num_attention_heads=4, num_hidden_layers=26,
                         num_key_value_heads=1, pad_token_id=0, query_pre_attn_scalar=256, sliding_window=512,
                         vocab_size=262144),
    "pub_falcon_7b": pub("falcon", architectures=["FalconForCausalLM"], vocab_size=65024, hidden_size=4544,
                         num_hidden_layers=32, num_attention_heads=71, multi_query=True, parallel_attn=True,
                         new_decoder_architecture=False, bias=False, alibi=False),
    "pub_falcon_40b": pub("falcon", architectures=["FalconForCausalLM"], vocab_size=65024, hidden_size=8192,
                          num_hidden_layers=60, num_attention_heads=128, num_kv_heads=8,
                          new_decoder_architecture=True, parallel_attn=True, bias=False, alibi=False),
    "pub_pythia_6_9b": pub("gpt_neox", architectures=["GPTNeoXForCausalLM"], vocab_size=50432, hidden_size=4096,
                           num_hidden_layers=32, num_attention_heads=32, intermediate_size=16384,
                           tie_word_embeddings=False, torch_dtype="float16"),
    "pub_gpt2": {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "activation_function": "gelu_new",
                 "initializer_range": 0.02, "layer_norm_epsilon": 1e-05, "n_ctx": 1024, "n_embd": 768, "n_head": 12,
                 "n_layer": 12, "n_positions": 1024, "vocab_size": 50257},
    "pub_qwen2_0_5b": pub("qwen2", architectures=["Qwen2ForCausalLM"], hidden_size=896, initializer_range=0.02,
                          intermediate_size=4864, num_attention_heads=14, num_hidden_layers=24, num_key_value_heads=2,
                          tie_word_embeddings=True, vocab_size=151936),
}

PUBLISHED_CONFIG_SOURCES = {
    "pub_llama_3_1_8b": "meta-llama/Llama-3.1-8B config.json as quoted in " + LLM_PROF,
    "pub_llama_3_2_3b": "meta-llama/Llama-3.2-3B config.json as quoted in " + LLM_PROF,
    "pub_qwen2_5_7b": "Qwen/Qwen2.5-7B config.json as quoted in " + LLM_PROF,
    "pub_qwen2_5_3b": "Qwen/Qwen2.5-3B config.json as quoted in " + LLM_PROF,
    "pub_qwen3_8b": "Qwen/Qwen3-8B config.json as quoted in " + LLM_PROF,
    "pub_qwen3_4b": "Qwen/Qwen3-4B config.json as quoted in " + LLM_PROF,
    "pub_qwen3_30b_a3b": "Qwen/Qwen3-30B-A3B config.json as quoted in " + LLM_PROF,
    "pub_mistral_7b": "Mistral-7B-v0.1 parameters table (dim, n_layers, head_dim, hidden_dim, n_heads, n_kv_heads, "
                      "window_size, vocab_size) in sumitdotml/transformers mistral-7b-v0.1/README.md, written under "
                      "config.json's key names; Mistral-7B-Instruct-v0.2 has the same shapes (see published)",
    "pub_mixtral_8x7b": "huggingface/candle candle-transformers/src/models/mixtral.rs"
                        "@07c6edb2721c70e356260beceeef981f88a8c87f Config::v0_1_8x7b (values of "
                        "mistralai/Mixtral-8x7B-v0.1 config.json)",
    "pub_gemma2_9b": "google/gemma-2-9b config.json values as quoted in search-tool code index, file id 57549878798 "
                     "(a test case \"gemma2_9b\": hidden 3584, intermediate 14336, 42 layers, 16 heads, 8 KV heads, "
                     "head_dim 256, vocab 256000; tie_word_embeddings absent, Gemma2Config's default true)",
    "pub_phi3_mini_128k": "microsoft/Phi-3-mini-128k-instruct config.json values as summarised in search-tool code "
                          "index, file id 54376324643 (32 layers, hidden 3072, intermediate 8192, 32 heads, 32 KV "
                          "heads, vocab 32064); pad_token_id absent there: Phi3Config's default 32000",
    "pub_qwen1_5_moe_a2_7b": "Qwen2MoeConfig's defaults written out (configuration_qwen2_moe.py@" + V5_CFG + ", "
                             "whose docstring names Qwen/Qwen1.5-MoE-A2.7B as the model they describe)",
    "pub_gemma_2b": "gemma 2B config in UbiquitousLearning/mllm src/models/gemma/README.md (pad_token_id and "
                    "tie_word_embeddings absent: GemmaConfig's defaults 0 and true)",
    "pub_gemma3_1b": "google gemma-3-1b config.json as quoted in Liwink/gemma-jax models/README.md "
                     "(tie_word_embeddings absent: Gemma3TextConfig's default true)",
    "pub_falcon_7b": "tiiuae/falcon-7b module tree printed in kimborgen/falcon-llm README.md (word_embeddings "
                     "65024 x 4544, 32 layers, query_key_value 4544 -> 4672 = hidden + 2 head_dim, i.e. 71 heads "
                     "of 64, multi-query, one input_layernorm (parallel attention), no biases, mlp 18176)",
    "pub_falcon_40b": "falcon-40b hyperparameters printed by the Falcon loader in ggerganov/llama.cpp README.md "
                      "(n_vocab 65024, n_embd 8192, n_head 128, n_head_kv 8, n_layer 60, n_ff 32768 = 4 x n_embd), "
                      "new decoder architecture",
    "pub_pythia_6_9b": "EleutherAI pythia-6.9b module tree printed in Retruth/deontic nlp_models/pythia/README.md "
                       "(embed_in 50432 x 4096, 32 layers, query_key_value 4096 -> 12288 with bias, mlp 16384, "
                       "untied embed_out); num_attention_heads is not in that source and changes no shape",
    "pub_gpt2": "openai-community/gpt2 config.json as quoted in whaler404/Hf-Learn "
                "transformers_learn/api/models/text_models/gpt2/gpt2.md",
    "pub_qwen2_0_5b": "Qwen/Qwen2-0.5B config.json as quoted in rwth-i6/i6_experiments "
                      "users/juanola/experiments/e25_11_13_ctc/configurations/qwen2/qwen2_configs.py",
}

IDX = "search-tool code index, file id "
PUBLISHED_SIZES = {
    "pub_llama_3_1_8b": {"total_size_bf16": 16060522496, "params": 8030261248,
                         "source": "thamada/modelQuery README.md (Llama-3.1-8B row: params 8030261248, "
                                   "size (Bytes) 16060522496)"},
    "pub_qwen2_5_7b": {"total_size_bf16": 15231233024, "tensors": 339,
                       "source": IDX + "69592811516: Qwen2.5-7B-Instruct (same shapes) \"official Safetensors index "
                                 "declares metadata.total_size = 15231233024\"; " + IDX + "66449391311: 4 shards / "
                                 "339 tensors"},
    "pub_mistral_7b": {"total_size_bf16": 14483464192, "tensors": 291,
                       "source": IDX + "66497471526 and 66449391311: Mistral-7B-Instruct-v0.2 (same shapes as v0.1) "
                                 "model.safetensors.index.json metadata.total_size 14483464192, 3 shards / 291 "
                                 "tensors"},
    "pub_qwen3_8b": {"total_size_bf16": 16381470720, "tensors": 399,
                     "source": IDX + "63427097665: \"The real Qwen/Qwen3-8B inventory covers 399 tensors and "
                               "reconciles expected_total_size_bytes=16381470720 with the safetensors index total\""},
    "pub_qwen3_4b": {"total_size_bf16": 8044936192,
                     "source": IDX + "22899095704: _OFFICIAL_WEIGHT_BYTES {\"Qwen/Qwen3-4B\": 8044936192, ...}"},
    "pub_qwen3_30b_a3b": {"total_size_bf16": 61064245248,
                          "source": IDX + "55662526280: Qwen3-30B-A3B model.safetensors.index.json quoted with "
                                    "\"total_size\": 61064245248 and per-expert names "
                                    "(model.layers.0.mlp.experts.0.down_proj.weight); " + IDX + "68286320816: "
                                    "safetensors_total_size=61064245248"},
    "pub_mixtral_8x7b": {"total_size_bf16": 93405585408,
                         "source": IDX + "9876739501: a Mixtral expert-selection script writes "
                                   "model.safetensors.index.json with \"total_size\": 93405585408"},
    "pub_gemma2_9b": {"total_size_bf16": 18483411968, "tensors": 464, "params": 9241705984,
                      "source": IDX + "63536480205: google/gemma-2-9b-it \"paramCount\": 9241705984, \"onDiskBytes\": "
                                "18483411968 (source safetensors-index); " + IDX + "68304063591: model.safetensors"
                                ".index.json 464 tensor entries, total_size=18483411968"},
    "pub_phi3_mini_128k": {"total_size_bf16": 7642159104, "tensors": 195,
                           "source": IDX + "54376324643: Phi-3-mini-128k-instruct \"total_size\": 7642159104 "
                                     "(model.safetensors.index.json); " + IDX + "59792086451: an index of 195 names, "
                                     "total size 7642159104 bytes"},
    "pub_qwen1_5_moe_a2_7b": {"total_size_bf16": 28631568384, "tensors": 4659,
                              "source": IDX + "68566876972: the Qwen1.5-MoE-A2.7B index, 4659 tensors, total "
                                        "28631568384; " + IDX + "68290378793: total_size 28631568384, 72 q/k/v "
                                        "biases although config.json writes no qkv_bias"},
    "pub_gemma3_1b": {"params": 999885952,
                      "source": "keras-team/keras-hub keras_hub/src/models/gemma3/gemma3_presets.py "
                                "(gemma3_1b: params 999885952)"},
}


def make_case(name, raw):
    mt = raw["model_type"]
    c = Cfg(mt, raw)
    top = BUILDERS[mt](c)
    sd = top.state_dict()
    tied = bool(c.tie_word_embeddings)
    out_emb = OUTPUT_EMBEDDING.get(mt, "lm_head.weight")
    names = [k for k in sd if not (tied and k == out_emb)]
    expect = init_expectation(c, top)
    missing = [n for n in names if n not in expect]
    if missing:
        raise SystemExit("%s: no init expectation for %s" % (name, missing))
    tensors = [{"name": n, "shape": list(sd[n].shape)} for n in names]
    params = sum(math.prod(t["shape"]) for t in tensors)
    fx = {"model_type": mt, "source": HF + ": " + ", ".join(SOURCES[mt]), "config": raw,
          "tensors": tensors, "tied": tied, "params": params, "init": [expect[n] for n in names]}
    if name in PUBLISHED_CONFIG_SOURCES:
        fx["config_source"] = PUBLISHED_CONFIG_SOURCES[name]
    if name in PUBLISHED_SIZES:
        p = PUBLISHED_SIZES[name]
        # a recorded figure that this file's count contradicts is a defect of one or the other: stop
        if "params" in p and p["params"] != params:
            raise SystemExit("%s: %d parameters, published %d" % (name, params, p["params"]))
        if "total_size_bf16" in p and p["total_size_bf16"] != 2 * params:
            raise SystemExit("%s: %d bf16 bytes, published %d" % (name, 2 * params, p["total_size_bf16"]))
        if "tensors" in p and p["tensors"] != len(tensors):
            raise SystemExit("%s: %d tensors, published %d" % (name, len(tensors), p["tensors"]))
        fx["published"] = p
    return fx


def dumps(fx):
    """JSON with one line per top-level key and one line per tensor / init entry (readable diffs)."""
    lines = []
    for k, v in fx.items():
        if k in ("tensors", "init"):
            body = ",\n  ".join(json.dumps(x) for x in v)
            lines.append('"%s": [\n  %s\n ]' % (k, body))
        else:
            lines.append("%s: %s" % (json.dumps(k), json.dumps(v)))
    return "{\n " + ",\n ".join(lines) + "\n}\n"


def main(argv):
    outdir = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data", "hf")
    os.makedirs(outdir, exist_ok=True)
    allc = dict(CASES)
    allc.update(PUBLISHED)
    for name, raw in allc.items():
        fx = make_case(name, raw)
        with open(os.path.join(outdir, name + ".json"), "w") as f:
            f.write(dumps(fx))
        print("%-34s %-12s %4d tensors %14d params%s" % (name, fx["model_type"], len(fx["tensors"]), fx["params"],
                                                        "  tied" if fx["tied"] else ""))


if __name__ == "__main__":
    main(sys.argv)
