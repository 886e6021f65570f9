/* The architecture table: for each model_type, what transformers' modeling
 * code registers (docs/HF.md names the files and the commit read). One row
 * per type; the builders below turn a row and a config into the tensors of
 * the state_dict a checkpoint holds: parameters only (rotary tables and
 * masks are non-persistent buffers), the lm_head left out when tied. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hf.h"

#define M "src/transformers/models/"
static const nninit_hf_arch_ archs[] = {
    /* type          family               moe                     flags                                   tie hd  pad */
    { "llama",       NNINIT_HF_DECODER_, NNINIT_HF_DENSE_,
      NNINIT_HF_ATTN_BIAS_KEY_ | NNINIT_HF_MLP_BIAS_KEY_ | NNINIT_HF_PAD_ROW_, 0, 0, -1, M "llama/modeling_llama.py" },
    { "mistral",     NNINIT_HF_DECODER_, NNINIT_HF_DENSE_, NNINIT_HF_PAD_ROW_, 0, 0, -1, M "mistral/modeling_mistral.py" },
    { "mixtral",     NNINIT_HF_DECODER_, NNINIT_HF_MOE_MIXTRAL_, NNINIT_HF_PAD_ROW_, 0, 0, -1,
      M "mixtral/modeling_mixtral.py" },
    { "qwen2",       NNINIT_HF_DECODER_, NNINIT_HF_DENSE_, NNINIT_HF_QKV_BIAS_ | NNINIT_HF_PAD_ROW_, 0, 0, -1,
      M "qwen2/modeling_qwen2.py" },
    { "qwen2_moe",   NNINIT_HF_DECODER_, NNINIT_HF_MOE_QWEN2_, NNINIT_HF_QKV_BIAS_KEY_ | NNINIT_HF_PAD_ROW_, 0, 0, -1,
      M "qwen2_moe/modeling_qwen2_moe.py" },
    { "qwen3",       NNINIT_HF_DECODER_, NNINIT_HF_DENSE_,
      NNINIT_HF_ATTN_BIAS_KEY_ | NNINIT_HF_QK_NORM_ | NNINIT_HF_PAD_ROW_, 0, 128, -1, M "qwen3/modeling_qwen3.py" },
    { "qwen3_moe",   NNINIT_HF_DECODER_, NNINIT_HF_MOE_QWEN3_,
      NNINIT_HF_ATTN_BIAS_KEY_ | NNINIT_HF_QK_NORM_ | NNINIT_HF_PAD_ROW_, 0, 0, -1, M "qwen3_moe/modeling_qwen3_moe.py" },
    { "gemma",       NNINIT_HF_DECODER_, NNINIT_HF_DENSE_,
      NNINIT_HF_ATTN_BIAS_KEY_ | NNINIT_HF_NORM_OFFSET_ | NNINIT_HF_PAD_ROW_, 1, 256, 0, M "gemma/modeling_gemma.py" },
    { "gemma2",      NNINIT_HF_DECODER_, NNINIT_HF_DENSE_,
      NNINIT_HF_ATTN_BIAS_KEY_ | NNINIT_HF_NORM_OFFSET_ | NNINIT_HF_SANDWICH_ | NNINIT_HF_PAD_ROW_, 1, 256, 0,
      M "gemma2/modeling_gemma2.py" },
    { "gemma3_text", NNINIT_HF_DECODER_, NNINIT_HF_DENSE_,
      NNINIT_HF_ATTN_BIAS_KEY_ | NNINIT_HF_NORM_OFFSET_ | NNINIT_HF_SANDWICH_ | NNINIT_HF_QK_NORM_ | NNINIT_HF_PAD_ROW_,
      1, 256, 0, M "gemma3/modeling_gemma3.py" },
    { "phi3",        NNINIT_HF_DECODER_, NNINIT_HF_DENSE_, NNINIT_HF_FUSED_ | NNINIT_HF_PAD_ROW_, 0, 0, 32000,
      M "phi3/modeling_phi3.py" },
    { "granite",     NNINIT_HF_DECODER_, NNINIT_HF_DENSE_,
      NNINIT_HF_ATTN_BIAS_KEY_ | NNINIT_HF_MLP_BIAS_KEY_ | NNINIT_HF_PAD_ROW_, 0, 0, -1, M "granite/modeling_granite.py" },
    { "granitemoe",  NNINIT_HF_DECODER_, NNINIT_HF_MOE_GRANITE_, NNINIT_HF_ATTN_BIAS_KEY_ | NNINIT_HF_PAD_ROW_, 0, 0, -1,
      M "granitemoe/modeling_granitemoe.py" },
    { "falcon",      NNINIT_HF_FALCON_, NNINIT_HF_DENSE_, 0, 1, 0, -1, M "falcon/modeling_falcon.py" },
    { "gpt_neox",    NNINIT_HF_NEOX_, NNINIT_HF_DENSE_, 0, 0, 0, -1, M "gpt_neox/modeling_gpt_neox.py" },
    { "gpt2",        NNINIT_HF_GPT2_, NNINIT_HF_DENSE_, NNINIT_HF_SCALED_PROJ_, 1, 0, -1, M "gpt2/modeling_gpt2.py" },
};
#undef M
#define NARCHS (sizeof archs / sizeof archs[0])

const nninit_hf_arch_ *nninit_hf_arch_find_(const char *type)
{
    for (size_t i = 0; i < NARCHS; i++)
        if (strcmp(archs[i].type, type) == 0) return &archs[i];
    return NULL;
}

const char *nninit_hf_types_text_(void)
{
    return "llama, mistral, mixtral, qwen2, qwen2_moe, qwen3, qwen3_moe, gemma, gemma2, gemma3_text, phi3, granite, "
           "granitemoe, falcon, gpt_neox, gpt2";
}

const char *nninit_hf_role_name_(nninit_hf_role_ role)
{
    static const char *const names[NNINIT_HF_ROLES_] = {
        "embedding", "pos_embedding", "attn_q", "attn_k", "attn_v", "attn_qkv", "attn_out", "mlp_in", "mlp_gate",
        "mlp_up", "mlp_gate_up", "mlp_down", "router", "norm", "norm_bias", "bias", "lm_head"
    };
    return (unsigned)role < NNINIT_HF_ROLES_ ? names[role] : "?";
}

/* ---- a growing list of tensors --------------------------------------------------- */
typedef struct {
    nninit_hf_tensor_ *t;
    size_t n, cap;
    int failed;
} list;

/* Appends a tensor: name from fmt, role, layer, fan_in, then ndim sizes. */
static nninit_hf_tensor_ *add(list *L, nninit_hf_role_ role, int layer, int64_t fan_in, int ndim, const int64_t *shape,
                              const char *fmt, ...) NNINIT_PRINTF_(7, 8);
static nninit_hf_tensor_ *add(list *L, nninit_hf_role_ role, int layer, int64_t fan_in, int ndim, const int64_t *shape,
                              const char *fmt, ...)
{
    if (L->failed) return NULL;
    if (L->n == L->cap) {
        size_t cap = L->cap ? 2 * L->cap : 256;
        nninit_hf_tensor_ *t = (nninit_hf_tensor_ *)realloc(L->t, cap * sizeof *t);
        if (!t) { L->failed = 1; return NULL; }
        L->t = t;
        L->cap = cap;
    }
    nninit_hf_tensor_ *t = &L->t[L->n++];
    memset(t, 0, sizeof *t);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->name, sizeof t->name, fmt, ap);
    va_end(ap);
    t->role = role;
    t->layer = layer;
    t->fan_in = fan_in;
    t->ndim = ndim;
    for (int d = 0; d < ndim; d++) t->shape[d] = shape[d];
    t->zero_row = -1;
    return t;
}

/* A matrix [out, in] (nn.Linear's layout), with its bias [out] when bias. */
static void linear(list *L, nninit_hf_role_ role, int layer, int64_t out, int64_t in, int bias, const char *owner,
                   const char *part)
{
    const int64_t w[2] = { out, in }, b[1] = { out };
    add(L, role, layer, in, 2, w, "%s.%s.weight", owner, part);
    if (bias) add(L, NNINIT_HF_BIAS_, layer, in, 1, b, "%s.%s.bias", owner, part);
}

/* GPT-2's Conv1D: the weight is [in, out]. */
static void conv1d(list *L, nninit_hf_role_ role, int layer, int64_t in, int64_t out, const char *owner,
                   const char *part)
{
    const int64_t w[2] = { in, out }, b[1] = { out };
    add(L, role, layer, in, 2, w, "%s.%s.weight", owner, part);
    add(L, NNINIT_HF_BIAS_, layer, in, 1, b, "%s.%s.bias", owner, part);
}

/* Tensors are named OWNER.PART.weight / .bias: the module holding the part
 * (a layer's prefix) and the part's attribute path in it. */
static void norm(list *L, int layer, int64_t n, int bias, const char *owner, const char *part)
{
    const int64_t s[1] = { n };
    add(L, NNINIT_HF_NORM_, layer, n, 1, s, "%s.%s.weight", owner, part);
    if (bias) add(L, NNINIT_HF_NORM_BIAS_, layer, n, 1, s, "%s.%s.bias", owner, part);
}

static void embedding(list *L, nninit_hf_role_ role, int64_t rows, int64_t hidden, int64_t zero_row, const char *name)
{
    const int64_t s[2] = { rows, hidden };
    nninit_hf_tensor_ *t = add(L, role, -1, hidden, 2, s, "%s", name);
    if (t) t->zero_row = zero_row;
}

/* ---- the decoder family (Llama and its descendants) ------------------------------------ */
/* A gated MLP: gate, up, down registered in that order, or (down_second, Mixtral's
 * w1 w2 w3) gate, down, up. */
static void gated_mlp(list *L, const nninit_hf_config_ *c, int l, int64_t inter, int bias, const char *p,
                      const char *gate, const char *up, const char *down, int down_second)
{
    linear(L, NNINIT_HF_MLP_GATE_, l, inter, c->hidden, bias, p, gate);
    for (int k = 0; k < 2; k++) {
        if (k == down_second) {
            linear(L, NNINIT_HF_MLP_UP_, l, inter, c->hidden, bias, p, up);
        } else {
            linear(L, NNINIT_HF_MLP_DOWN_, l, c->hidden, inter, bias, p, down);
        }
    }
}

static void decoder_mlp(list *L, const nninit_hf_config_ *c, int l, const char *lp)
{
    const unsigned f = c->arch->flags;
    char p[96], q[128];
    const int sparse = c->arch->moe != NNINIT_HF_DENSE_ && !c->mlp_only[l];
    switch (sparse ? c->arch->moe : NNINIT_HF_DENSE_) {
    case NNINIT_HF_MOE_MIXTRAL_:
        snprintf(p, sizeof p, "%s.block_sparse_moe", lp);
        linear(L, NNINIT_HF_ROUTER_, l, c->experts, c->hidden, 0, p, "gate");
        for (int64_t e = 0; e < c->experts; e++) {
            snprintf(q, sizeof q, "%s.experts.%lld", p, (long long)e);
            gated_mlp(L, c, l, c->inter, 0, q, "w1", "w3", "w2", 1);
        }
        return;
    case NNINIT_HF_MOE_GRANITE_: {
        /* ParallelExperts: [experts, out, in] */
        const int64_t in[3] = { c->experts, 2 * c->inter, c->hidden }, out[3] = { c->experts, c->hidden, c->inter };
        add(L, NNINIT_HF_MLP_GATE_UP_, l, c->hidden, 3, in, "%s.block_sparse_moe.input_linear.weight", lp);
        add(L, NNINIT_HF_MLP_DOWN_, l, c->inter, 3, out, "%s.block_sparse_moe.output_linear.weight", lp);
        linear(L, NNINIT_HF_ROUTER_, l, c->experts, c->hidden, 0, lp, "block_sparse_moe.router.layer");
        return;
    }
    case NNINIT_HF_MOE_QWEN2_: case NNINIT_HF_MOE_QWEN3_:
        snprintf(p, sizeof p, "%s.mlp", lp);
        linear(L, NNINIT_HF_ROUTER_, l, c->experts, c->hidden, 0, p, "gate");
        for (int64_t e = 0; e < c->experts; e++) {
            snprintf(q, sizeof q, "%s.experts.%lld", p, (long long)e);
            gated_mlp(L, c, l, c->moe_inter, 0, q, "gate_proj", "up_proj", "down_proj", 0);
        }
        if (c->arch->moe == NNINIT_HF_MOE_QWEN2_) {
            snprintf(q, sizeof q, "%s.shared_expert", p);
            gated_mlp(L, c, l, c->shared_inter, 0, q, "gate_proj", "up_proj", "down_proj", 0);
            linear(L, NNINIT_HF_ROUTER_, l, 1, c->hidden, 0, p, "shared_expert_gate");
        }
        return;
    default:
        snprintf(p, sizeof p, "%s.mlp", lp);
        if (f & NNINIT_HF_FUSED_) {
            linear(L, NNINIT_HF_MLP_GATE_UP_, l, 2 * c->inter, c->hidden, 0, p, "gate_up_proj");
            linear(L, NNINIT_HF_MLP_DOWN_, l, c->hidden, c->inter, 0, p, "down_proj");
        } else {
            gated_mlp(L, c, l, c->inter, c->mlp_bias, p, "gate_proj", "up_proj", "down_proj", 0);
        }
    }
}

static void decoder(list *L, const nninit_hf_config_ *c)
{
    const unsigned f = c->arch->flags;
    const int64_t q = c->heads * c->head_dim, kv = c->kv_heads * c->head_dim;
    const int bias_o = (f & NNINIT_HF_ATTN_BIAS_KEY_) && c->attn_bias;
    const int bias_qkv = bias_o || (f & NNINIT_HF_QKV_BIAS_) || ((f & NNINIT_HF_QKV_BIAS_KEY_) && c->qkv_bias);
    embedding(L, NNINIT_HF_EMBED_, c->vocab, c->hidden, c->pad, "model.embed_tokens.weight");
    for (int l = 0; l < c->layers; l++) {
        char lp[64];
        snprintf(lp, sizeof lp, "model.layers.%d", l);
        if (f & NNINIT_HF_FUSED_) {
            /* Phi3Attention registers o_proj first */
            linear(L, NNINIT_HF_ATTN_OUT_, l, c->hidden, q, 0, lp, "self_attn.o_proj");
            linear(L, NNINIT_HF_ATTN_QKV_, l, q + 2 * kv, c->hidden, 0, lp, "self_attn.qkv_proj");
        } else {
            linear(L, NNINIT_HF_ATTN_Q_, l, q, c->hidden, bias_qkv, lp, "self_attn.q_proj");
            linear(L, NNINIT_HF_ATTN_K_, l, kv, c->hidden, bias_qkv, lp, "self_attn.k_proj");
            linear(L, NNINIT_HF_ATTN_V_, l, kv, c->hidden, bias_qkv, lp, "self_attn.v_proj");
        }
        if (!(f & NNINIT_HF_FUSED_)) {
            linear(L, NNINIT_HF_ATTN_OUT_, l, c->hidden, q, bias_o, lp, "self_attn.o_proj");
        }
        if (f & NNINIT_HF_QK_NORM_) {
            norm(L, l, c->head_dim, 0, lp, "self_attn.q_norm");
            norm(L, l, c->head_dim, 0, lp, "self_attn.k_norm");
        }
        decoder_mlp(L, c, l, lp);
        norm(L, l, c->hidden, 0, lp, "input_layernorm");
        norm(L, l, c->hidden, 0, lp, "post_attention_layernorm");
        if (f & NNINIT_HF_SANDWICH_) {
            norm(L, l, c->hidden, 0, lp, "pre_feedforward_layernorm");
            norm(L, l, c->hidden, 0, lp, "post_feedforward_layernorm");
        }
    }
    norm(L, -1, c->hidden, 0, "model", "norm");
    if (!c->tie) embedding(L, NNINIT_HF_LM_HEAD_, c->vocab, c->hidden, -1, "lm_head.weight");
}

/* ---- Falcon, GPT-NeoX, GPT-2 ------------------------------------------------------------ */
static void falcon(list *L, const nninit_hf_config_ *c)
{
    /* FalconAttention: the fused width by architecture */
    const int64_t qkv = c->new_arch ? (2 * c->kv_heads + c->heads) * c->head_dim
                      : c->multi_query ? c->hidden + 2 * c->head_dim : 3 * c->hidden;
    embedding(L, NNINIT_HF_EMBED_, c->vocab, c->hidden, -1, "transformer.word_embeddings.weight");
    for (int l = 0; l < c->layers; l++) {
        char lp[64];
        snprintf(lp, sizeof lp, "transformer.h.%d", l);
        linear(L, NNINIT_HF_ATTN_QKV_, l, qkv, c->hidden, c->attn_bias, lp, "self_attention.query_key_value");
        linear(L, NNINIT_HF_ATTN_OUT_, l, c->hidden, c->hidden, c->attn_bias, lp, "self_attention.dense");
        linear(L, NNINIT_HF_MLP_IN_, l, c->inter, c->hidden, c->attn_bias, lp, "mlp.dense_h_to_4h");
        linear(L, NNINIT_HF_MLP_DOWN_, l, c->hidden, c->inter, c->attn_bias, lp, "mlp.dense_4h_to_h");
        if (!c->parallel_attn) {
            norm(L, l, c->hidden, 1, lp, "post_attention_layernorm");
            norm(L, l, c->hidden, 1, lp, "input_layernorm");
        } else if (c->ln_parallel == 2) {
            norm(L, l, c->hidden, 1, lp, "ln_attn");
            norm(L, l, c->hidden, 1, lp, "ln_mlp");
        } else {
            norm(L, l, c->hidden, 1, lp, "input_layernorm");
        }
    }
    norm(L, -1, c->hidden, 1, "transformer", "ln_f");
    if (!c->tie) embedding(L, NNINIT_HF_LM_HEAD_, c->vocab, c->hidden, -1, "lm_head.weight");
}

static void neox(list *L, const nninit_hf_config_ *c)
{
    embedding(L, NNINIT_HF_EMBED_, c->vocab, c->hidden, -1, "gpt_neox.embed_in.weight");
    for (int l = 0; l < c->layers; l++) {
        char lp[64];
        snprintf(lp, sizeof lp, "gpt_neox.layers.%d", l);
        norm(L, l, c->hidden, 1, lp, "input_layernorm");
        norm(L, l, c->hidden, 1, lp, "post_attention_layernorm");
        linear(L, NNINIT_HF_ATTN_QKV_, l, 3 * c->hidden, c->hidden, c->attn_bias, lp, "attention.query_key_value");
        linear(L, NNINIT_HF_ATTN_OUT_, l, c->hidden, c->hidden, c->attn_bias, lp, "attention.dense");
        linear(L, NNINIT_HF_MLP_IN_, l, c->inter, c->hidden, 1, lp, "mlp.dense_h_to_4h");
        linear(L, NNINIT_HF_MLP_DOWN_, l, c->hidden, c->inter, 1, lp, "mlp.dense_4h_to_h");
    }
    norm(L, -1, c->hidden, 1, "gpt_neox", "final_layer_norm");
    if (!c->tie) embedding(L, NNINIT_HF_LM_HEAD_, c->vocab, c->hidden, -1, "embed_out.weight");
}

static void gpt2(list *L, const nninit_hf_config_ *c)
{
    embedding(L, NNINIT_HF_EMBED_, c->vocab, c->hidden, -1, "transformer.wte.weight");
    embedding(L, NNINIT_HF_POS_EMBED_, c->positions, c->hidden, -1, "transformer.wpe.weight");
    for (int l = 0; l < c->layers; l++) {
        char lp[64];
        snprintf(lp, sizeof lp, "transformer.h.%d", l);
        norm(L, l, c->hidden, 1, lp, "ln_1");
        conv1d(L, NNINIT_HF_ATTN_QKV_, l, c->hidden, 3 * c->hidden, lp, "attn.c_attn");
        conv1d(L, NNINIT_HF_ATTN_OUT_, l, c->hidden, c->hidden, lp, "attn.c_proj");
        norm(L, l, c->hidden, 1, lp, "ln_2");
        conv1d(L, NNINIT_HF_MLP_IN_, l, c->hidden, c->inter, lp, "mlp.c_fc");
        conv1d(L, NNINIT_HF_MLP_DOWN_, l, c->inter, c->hidden, lp, "mlp.c_proj");
    }
    norm(L, -1, c->hidden, 1, "transformer", "ln_f");
    if (!c->tie) embedding(L, NNINIT_HF_LM_HEAD_, c->vocab, c->hidden, -1, "lm_head.weight");
}

nninit_status nninit_hf_tensors_(const nninit_hf_config_ *c, nninit_hf_tensor_ **out, size_t *n)
{
    list L = { NULL, 0, 0, 0 };
    switch (c->arch->family) {
    case NNINIT_HF_FALCON_: falcon(&L, c); break;
    case NNINIT_HF_NEOX_: neox(&L, c); break;
    case NNINIT_HF_GPT2_: gpt2(&L, c); break;
    default: decoder(&L, c);
    }
    if (L.failed) { free(L.t); return NNINIT_E_NOMEM; }
    *out = L.t;
    *n = L.n;
    return NNINIT_OK;
}
