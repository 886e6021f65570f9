/* Recipes: named rule sets over the roles of the architecture table, so
 * that every recipe applies to every model type. Each follows a training
 * stack's source; docs/HF.md gives the formulas, the files and the commits.
 * Numbers are computed here in double and written with %.17g, so a spec
 * carries the exact binary64 value its formula gives. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hf.h"

enum { R_HF, R_MEGATRON, R_TORCHTITAN, R_OLMO, R_NEOX, R_MUP };
static const char *const recipe_names[] = { "hf", "megatron", "torchtitan", "olmo", "neox", "mup" };
#define NRECIPES (sizeof recipe_names / sizeof recipe_names[0])

nninit_status nninit_hf_recipe_parse_(const char *text, nninit_hf_recipe_ *r, char *msg, size_t msg_size)
{
    memset(r, 0, sizeof *r);
    if (!text || !*text) text = "hf";
    const char *open = strchr(text, '(');
    const size_t name_len = open ? (size_t)(open - text) : strlen(text);
    int kind = -1;
    for (size_t i = 0; i < NRECIPES; i++)
        if (strlen(recipe_names[i]) == name_len && strncmp(text, recipe_names[i], name_len) == 0) kind = (int)i;
    if (kind < 0)
        return nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "recipe \"%.60s\": unknown (known: hf, megatron, "
                            "torchtitan, olmo, neox, mup(base_hidden=N))", text);
    r->kind = kind;
    if (kind != R_MUP) {
        if (open)
            return nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "recipe \"%.60s\": %s takes no parameters", text,
                                recipe_names[kind]);
        return NNINIT_OK;
    }
    long long base = 0;
    int used = 0;
    if (!open || sscanf(open, "(base_hidden=%lld)%n", &base, &used) != 1 || open[used] != '\0' || base < 1
        || base > ((long long)1 << 31))
        return nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "recipe \"%.60s\": mup needs its base width, "
                            "mup(base_hidden=N) with N a positive integer", text);
    r->base_hidden = base;
    return NNINIT_OK;
}

void nninit_hf_recipe_str_(const nninit_hf_recipe_ *r, char *buf, size_t size)
{
    if (r->kind == R_MUP) snprintf(buf, size, "mup(base_hidden=%lld)", (long long)r->base_hidden);
    else snprintf(buf, size, "%s", recipe_names[r->kind]);
}

static void normal(char *buf, size_t size, double std) { snprintf(buf, size, "normal(mean=0, std=%.17g)", std); }

/* Truncated at +-cut standard deviations (OLMo's init_normal, torchtitan's output layer). */
static void trunc_sigma(char *buf, size_t size, double std, double cut)
{
    snprintf(buf, size, "trunc_normal_sigma(mean=0, std=%.17g, lower=%.17g, upper=%.17g)", std, -cut, cut);
}

/* PyTorch's trunc_normal_ with its default absolute bounds [-2, 2] (torchtitan). */
static void trunc_abs(char *buf, size_t size, double std)
{
    snprintf(buf, size, "trunc_normal(mean=0, std=%.17g, low=-2, high=2)", std);
}

static int is_out(nninit_hf_role_ r) { return r == NNINIT_HF_ATTN_OUT_ || r == NNINIT_HF_MLP_DOWN_; }

nninit_status nninit_hf_recipe_init_(const nninit_hf_recipe_ *r, const nninit_hf_config_ *c,
                                     const nninit_hf_tensor_ *t, char *buf, size_t size, int64_t *zero_row,
                                     char *msg, size_t msg_size)
{
    *zero_row = -1;
    const nninit_hf_role_ role = t->role;
    const double sigma = c->init_range, L = (double)c->layers, d = (double)c->hidden;
    /* Vectors are the same in every recipe: biases zero, norms at unit scale
     * (weight one, or zero where the model multiplies by 1 + w). */
    if (role == NNINIT_HF_BIAS_ || role == NNINIT_HF_NORM_BIAS_) { snprintf(buf, size, "zeros"); return NNINIT_OK; }
    if (role == NNINIT_HF_NORM_) {
        snprintf(buf, size, (c->arch->flags & NNINIT_HF_NORM_OFFSET_) ? "zeros" : "ones");
        return NNINIT_OK;
    }
    switch (r->kind) {
    case R_HF:
        /* transformers' _init_weights: normal(0, initializer_range) for
         * Linear, Conv1D, Embedding and ParallelExperts; the padding row
         * zero; GPT-2 rescales every c_proj.weight */
        if ((c->arch->flags & NNINIT_HF_SCALED_PROJ_) && is_out(role)) normal(buf, size, sigma / sqrt(2.0 * L));
        else normal(buf, size, sigma);
        if (role == NNINIT_HF_EMBED_) *zero_row = t->zero_row;
        return NNINIT_OK;
    case R_MEGATRON:
        /* init_method_normal(sigma) everywhere, scaled_init_method_normal
         * (sigma / sqrt(2 L)) for the layers' output projections */
        normal(buf, size, is_out(role) ? sigma / sqrt(2.0 * L) : sigma);
        return NNINIT_OK;
    case R_TORCHTITAN: {
        /* llama3 with depth_init: init_std = 0.02 / sqrt(2 (l + 1)) */
        const double std_l = 0.02 / sqrt(2.0 * (double)(t->layer + 1));
        switch (role) {
        case NNINIT_HF_EMBED_: case NNINIT_HF_POS_EMBED_: normal(buf, size, 1.0); break;
        case NNINIT_HF_LM_HEAD_: trunc_sigma(buf, size, pow(d, -0.5), 3.0); break;
        case NNINIT_HF_ATTN_OUT_: case NNINIT_HF_MLP_UP_: case NNINIT_HF_MLP_DOWN_: case NNINIT_HF_ROUTER_:
            trunc_abs(buf, size, std_l); break;
        default: trunc_abs(buf, size, 0.02);   /* q, k, v (fused or not), gate, gate_up, mlp_in */
        }
        return NNINIT_OK;
    }
    case R_OLMO: {
        /* the "mitchell" init: every matrix truncated at +-3 std */
        double std = 1.0 / sqrt(d);
        if (role == NNINIT_HF_ATTN_OUT_) std = 1.0 / sqrt(2.0 * d * (double)(t->layer + 1));
        else if (role == NNINIT_HF_MLP_DOWN_) std = 1.0 / sqrt(2.0 * (double)t->fan_in * (double)(t->layer + 1));
        trunc_sigma(buf, size, std, 3.0);
        return NNINIT_OK;
    }
    case R_NEOX:
        /* small_init sqrt(2 / (5 d)) for inputs, wang_init 2 / (L sqrt(d)) for outputs */
        normal(buf, size, is_out(role) ? 2.0 / L / sqrt(d) : sqrt(2.0 / (5.0 * d)));
        return NNINIT_OK;
    case R_MUP: {
        /* mup.init.normal_: matrix-like tensors (both dimensions grow with
         * the width) std / sqrt(width_mult), width_mult = fan_in / base
         * fan_in = hidden / base_hidden (every width scales together);
         * vector-like ones (embeddings, the readout, routers: one dimension
         * is the vocabulary or the expert count) unchanged */
        const int vector_like = role == NNINIT_HF_EMBED_ || role == NNINIT_HF_POS_EMBED_ || role == NNINIT_HF_LM_HEAD_
                                || role == NNINIT_HF_ROUTER_;
        if (r->base_hidden > c->hidden)
            return nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "recipe mup(base_hidden=%lld): the base is wider than "
                                "the model (hidden_size %lld)", (long long)r->base_hidden, (long long)c->hidden);
        const double width_mult = d / (double)r->base_hidden;
        normal(buf, size, vector_like ? sigma : sigma / sqrt(width_mult));
        return NNINIT_OK;
    }
    default:
        return nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "unknown recipe");
    }
}
