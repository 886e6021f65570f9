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

Sources. The index of public code this was written from stores each file at its own commit, so
every type names the files (and commits) it follows in SOURCES; "source" in each fixture repeats
them. All are transformers 4.x files, whose per-expert MoE layout is the one published checkpoints
hold (transformers 5 fuses experts at load time and converts names).

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

# Model type -> the transformers files (path@commit) its skeleton and defaults follow.
SOURCES = {
    "llama": "src/transformers/models/llama/modeling_llama.py@5dd4a63548857797727ae73eeb6a6e886ea02a3e",
    "mistral": "src/transformers/models/mistral/modeling_mistral.py",
    "mixtral": "src/transformers/models/mixtral/modeling_mixtral.py",
    "qwen2": "src/transformers/models/qwen2/modeling_qwen2.py",
    "qwen2_moe": "src/transformers/models/qwen2_moe/modeling_qwen2_moe.py@00a3f9386614dde0dc41cf4e9b8d0abd3af0671d",
    "qwen3": "src/transformers/models/qwen3/modeling_qwen3.py",
    "qwen3_moe": "src/transformers/models/qwen3_moe/modeling_qwen3_moe.py@00d4b3d2142cb4ced2f51b90614b5d26bc045015",
    "gemma": "src/transformers/models/gemma/modeling_gemma.py",
    "gemma2": "src/transformers/models/gemma2/modeling_gemma2.py",
    "gemma3_text": "src/transformers/models/gemma3/modeling_gemma3.py",
    "phi3": "src/transformers/models/phi3/modeling_phi3.py",
    "granite": "src/transformers/models/granite/modeling_granite.py",
    "granitemoe": "src/transformers/models/granitemoe/modeling_granitemoe.py@013458c1caaacbd32680c030827296fa65d6fe99",
    "falcon": "src/transformers/models/falcon/modeling_falcon.py@00dcc6dda6f6d8e69541a6b51f97986a80242367",
    "gpt_neox": "src/transformers/models/gpt_neox/modeling_gpt_neox.py",
    "gpt2": "src/transformers/models/gpt2/modeling_gpt2.py@0010f60284ab4b9d14b7df9c6525b1a2ad44e640",
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
                  num_attention_heads=32, num_key_value_heads=32, initializer_range=0.02, pad_token_id=None,
                  tie_word_embeddings=False),
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
                 num_attention_heads=32, num_key_value_heads=None, initializer_range=0.02, pad_token_id=32000,
                 tie_word_embeddings=False),
    "granite": dict(vocab_size=32000, hidden_size=4096, intermediate_size=11008, num_hidden_layers=32,
                    num_attention_heads=32, num_key_value_heads=None, initializer_range=0.02, pad_token_id=None,
                    tie_word_embeddings=False, attention_bias=False, mlp_bias=False),
    "granitemoe": dict(vocab_size=32000, hidden_size=4096, intermediate_size=11008, num_hidden_layers=32,
                       num_attention_heads=32, num_key_value_heads=None, initializer_range=0.02, pad_token_id=None,
                       tie_word_embeddings=False, attention_bias=False, num_local_experts=8,
                       num_experts_per_tok=2),
    # FalconConfig does not take tie_word_embeddings: PretrainedConfig's default True applies.
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

    Common to every type here (LlamaPreTrainedModel._init_weights and its copies, Falcon's, GPT-NeoX's,
    GPT-2's, PreTrainedModel._init_weights): std = config.initializer_range;
      nn.Linear (and GPT-2's Conv1D, Falcon's FalconLinear): weight N(0, std), bias zero;
      nn.Embedding: weight N(0, std), then weight[padding_idx] zero when padding_idx is set;
      LayerNorm: weight 1, bias 0;
      RMSNorm: weight 1 (left at its torch.ones construction, or filled with 1 in newer versions);
    per type:
      gemma, gemma2, gemma3_text: RMSNorm weights 0 (constructed with torch.zeros, the model uses 1 + w;
        newer _init_weights zero every "RMSNorm" module explicitly);
      granitemoe: GraniteMoeParallelExperts weight N(0, std) (GraniteMoePreTrainedModel._init_weights);
      gpt2: after the module rule, GPT2PreTrainedModel._init_weights re-draws every parameter named
        "c_proj.weight" (attn.c_proj and mlp.c_proj) from N(0, std / sqrt(2 * n_layer)).
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

# Published models' config.json values (the keys that matter here). Where each was read is in
# PUBLISHED_CONFIG_SOURCES.
PUBLISHED = {}
PUBLISHED_CONFIG_SOURCES = {}
PUBLISHED_SIZES = {}


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
    src = SOURCES[mt]
    fx = {"model_type": mt, "source": src if "@" in src else src + " (" + HF + ")", "config": raw,
          "tensors": tensors, "tied": tied, "params": params, "init": [expect[n] for n in names]}
    if name in PUBLISHED_CONFIG_SOURCES:
        fx["config_source"] = PUBLISHED_CONFIG_SOURCES[name]
    if name in PUBLISHED_SIZES:
        fx["published"] = PUBLISHED_SIZES[name]
    return fx


def main(argv):
    outdir = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data", "hf")
    os.makedirs(outdir, exist_ok=True)
    allc = dict(CASES)
    allc.update(PUBLISHED)
    for name, raw in allc.items():
        fx = make_case(name, raw)
        with open(os.path.join(outdir, name + ".json"), "w") as f:
            json.dump(fx, f, indent=1)
            f.write("\n")
        print("%-34s %-12s %4d tensors %14d params%s" % (name, fx["model_type"], len(fx["tensors"]), fx["params"],
                                                        "  tied" if fx["tied"] else ""))


if __name__ == "__main__":
    main(sys.argv)
