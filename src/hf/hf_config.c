/* Reading a transformers config.json: the keys each model type's
 * configuration_*.py defines, with its defaults for absent (or null) keys.
 * The sizes (hidden, layers, heads, vocabulary, MLP width) are required:
 * a config without them describes no particular model, and transformers'
 * defaults for them (Llama 2 7B's, for instance) would make a model the
 * user did not ask for. Every error names the key. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "hf.h"

/* Sizes beyond this are surely a mistake, and keep every product in int64. */
#define SIZE_LIMIT ((int64_t)1 << 31)

typedef struct {
    const cJSON *root;
    const char *type;
    char *msg;
    size_t msg_size;
    nninit_status st;
} rd;

static const cJSON *item(const rd *r, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(r->root, key);
    return cJSON_IsNull(v) ? NULL : v;
}

/* The first of up to two spellings present (Falcon's and GPT-2's aliases). */
static const char *present(const rd *r, const char *key, const char *alias)
{
    if (item(r, key) || !alias) return key;
    return item(r, alias) ? alias : key;
}

static int fail(rd *r, nninit_status st, const char *key, const char *fmt, const char *what, double v)
{
    if (r->st != NNINIT_OK) return 0;
    char why[200];
    snprintf(why, sizeof why, fmt, what, v);
    r->st = nninit_fail_(st, r->msg, r->msg_size, "config key \"%s\": %s", key, why);
    return 0;
}

/* An integer in lo..SIZE_LIMIT; required when dflt < lo. */
static int64_t get_int(rd *r, const char *key, int64_t lo, int64_t dflt)
{
    if (r->st != NNINIT_OK) return dflt;
    const cJSON *v = item(r, key);
    if (!v) {
        if (dflt >= lo) return dflt;
        fail(r, NNINIT_E_FORMAT, key, "missing (%s configs need it)", r->type, 0);
        return 0;
    }
    if (!cJSON_IsNumber(v)) { fail(r, NNINIT_E_FORMAT, key, "expected an integer, got %s", nninit_json_type_name_(v), 0); return 0; }
    int64_t i;
    if (!nninit_json_int_(v, lo, SIZE_LIMIT, &i)) {
        char what[48];
        snprintf(what, sizeof what, "an integer in %lld..2^31", (long long)lo);
        fail(r, NNINIT_E_FORMAT, key, "%s expected, got %.17g", what, v->valuedouble);
        return 0;
    }
    return i;
}

static int get_bool(rd *r, const char *key, int dflt)
{
    const cJSON *v = item(r, key);
    if (!v || r->st != NNINIT_OK) return dflt;
    if (!cJSON_IsBool(v)) return fail(r, NNINIT_E_FORMAT, key, "expected true or false, got %s", nninit_json_type_name_(v), 0);
    return cJSON_IsTrue(v);
}

static double get_num(rd *r, const char *key, double dflt)
{
    const cJSON *v = item(r, key);
    if (!v || r->st != NNINIT_OK) return dflt;
    if (!cJSON_IsNumber(v) || !(v->valuedouble > 0) || !isfinite(v->valuedouble)) {
        fail(r, NNINIT_E_FORMAT, key, "expected a positive number, got %s%.17g",
             cJSON_IsNumber(v) ? "" : nninit_json_type_name_(v), cJSON_IsNumber(v) ? v->valuedouble : 0);
        return dflt;
    }
    return v->valuedouble;
}

/* The sizes every type has, hidden, layers, heads and vocab, each under its
 * key or its alias (NULL: none); returns the heads' key, which the head-count
 * checks name. */
static const char *core_sizes(rd *r, nninit_hf_config_ *c, const char *hidden, const char *hidden_alias,
                              const char *layers, const char *layers_alias, const char *heads, const char *heads_alias)
{
    c->hidden = get_int(r, present(r, hidden, hidden_alias), 1, -1);
    c->layers = get_int(r, present(r, layers, layers_alias), 1, -1);
    const char *hk = present(r, heads, heads_alias);
    c->heads = get_int(r, hk, 1, -1);
    c->vocab = get_int(r, "vocab_size", 1, -1);
    return hk;
}

/* Head counts: heads divide hidden unless head_dim is given; kv heads divide heads. */
static void heads(rd *r, nninit_hf_config_ *c, const char *heads_key, const char *kv_key)
{
    if (r->st != NNINIT_OK) return;
    const int64_t hd_default = c->arch->head_dim_default;
    const int has_hd = item(r, "head_dim") != NULL;
    if (!has_hd && !hd_default && c->hidden % c->heads != 0) {
        char what[120];
        snprintf(what, sizeof what, "%lld does not divide hidden_size %lld (and head_dim is not given)",
                 (long long)c->heads, (long long)c->hidden);
        fail(r, NNINIT_E_FORMAT, heads_key, "%s", what, 0);
        return;
    }
    c->head_dim = get_int(r, "head_dim", 1, hd_default ? hd_default : c->hidden / c->heads);
    if (kv_key) c->kv_heads = get_int(r, kv_key, 1, c->heads);
    if (r->st == NNINIT_OK && c->heads % c->kv_heads != 0) {
        char what[120];
        snprintf(what, sizeof what, "%lld does not divide %s %lld", (long long)c->kv_heads, heads_key,
                 (long long)c->heads);
        fail(r, NNINIT_E_FORMAT, kv_key, "%s", what, 0);
    }
}

static void decoder(rd *r, nninit_hf_config_ *c)
{
    const unsigned f = c->arch->flags;
    core_sizes(r, c, "hidden_size", NULL, "num_hidden_layers", NULL, "num_attention_heads", NULL);
    c->inter = get_int(r, "intermediate_size", 1, -1);
    heads(r, c, "num_attention_heads", "num_key_value_heads");
    if (f & NNINIT_HF_ATTN_BIAS_KEY_) c->attn_bias = get_bool(r, "attention_bias", 0);
    if (f & NNINIT_HF_MLP_BIAS_KEY_) c->mlp_bias = get_bool(r, "mlp_bias", 0);
    if (f & NNINIT_HF_QKV_BIAS_KEY_) c->qkv_bias = get_bool(r, "qkv_bias", 1);
    if (f & NNINIT_HF_PAD_ROW_) {
        /* nn.Embedding's padding_idx: negative values count from the end; an
         * explicit null is no padding row (the config class gets None), where
         * an absent key takes the type's default */
        const cJSON *v = item(r, "pad_token_id");
        c->pad = cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r->root, "pad_token_id")) ? -1 : c->arch->pad_default;
        if (v && r->st == NNINIT_OK) {
            if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble >= (double)c->vocab
                || v->valuedouble < -(double)c->vocab)
                fail(r, NNINIT_E_FORMAT, "pad_token_id", "%s", "not a row of the embedding (an integer in "
                     "-vocab_size..vocab_size-1)", 0);
            else c->pad = (int64_t)v->valuedouble < 0 ? (int64_t)v->valuedouble + c->vocab : (int64_t)v->valuedouble;
        }
        if (!v && c->pad >= c->vocab) c->pad = -1;   /* a default past a small vocabulary: nn.Embedding would refuse */
    }
    switch (c->arch->moe) {
    case NNINIT_HF_MOE_MIXTRAL_: case NNINIT_HF_MOE_GRANITE_:
        c->experts = get_int(r, "num_local_experts", 1, 8);
        break;
    case NNINIT_HF_MOE_QWEN2_: case NNINIT_HF_MOE_QWEN3_: {
        const int q2 = c->arch->moe == NNINIT_HF_MOE_QWEN2_;
        c->experts = get_int(r, "num_experts", 0, q2 ? 60 : 128);
        c->moe_inter = get_int(r, "moe_intermediate_size", 1, q2 ? 1408 : 768);
        if (q2) c->shared_inter = get_int(r, "shared_expert_intermediate_size", 1, 5632);
        c->sparse_step = get_int(r, "decoder_sparse_step", 1, 1);
        break;
    }
    default: break;
    }
    if (r->st != NNINIT_OK) return;
    c->mlp_only = (unsigned char *)calloc((size_t)c->layers, 1);
    if (!c->mlp_only) { r->st = nninit_fail_(NNINIT_E_NOMEM, r->msg, r->msg_size, "out of memory"); return; }
    if (c->arch->moe == NNINIT_HF_MOE_QWEN2_ || c->arch->moe == NNINIT_HF_MOE_QWEN3_) {
        /* a layer is sparse when it is not in mlp_only_layers, there are
         * experts, and (l + 1) % decoder_sparse_step == 0 */
        for (int64_t l = 0; l < c->layers; l++)
            c->mlp_only[l] = c->experts == 0 || (l + 1) % c->sparse_step != 0;
        const cJSON *v = item(r, "mlp_only_layers");
        if (v && !cJSON_IsArray(v)) {
            fail(r, NNINIT_E_FORMAT, "mlp_only_layers", "expected an array of layer indices, got %s",
                 nninit_json_type_name_(v), 0);
            return;
        }
        for (const cJSON *e = v ? v->child : NULL; e; e = e->next) {
            if (!cJSON_IsNumber(e) || e->valuedouble != floor(e->valuedouble) || e->valuedouble < 0
                || e->valuedouble >= (double)c->layers) {
                fail(r, NNINIT_E_FORMAT, "mlp_only_layers", "%s", "expected layer indices in 0..num_hidden_layers-1", 0);
                return;
            }
            c->mlp_only[(size_t)e->valuedouble] = 1;
        }
    }
}

/* Heads (key hk) must divide hidden (key hidden_key), for the types without a
 * head_dim key: 0 and an error naming hk if not. */
static int heads_divide(rd *r, const nninit_hf_config_ *c, const char *hk, const char *hidden_key)
{
    if (r->st != NNINIT_OK || c->hidden % c->heads == 0) return r->st == NNINIT_OK;
    char what[120];
    snprintf(what, sizeof what, "%lld does not divide %s %lld", (long long)c->heads, hidden_key, (long long)c->hidden);
    fail(r, NNINIT_E_FORMAT, hk, "%s", what, 0);
    return 0;
}

static void falcon(rd *r, nninit_hf_config_ *c)
{
    const char *hk = core_sizes(r, c, "hidden_size", "n_embed", "num_hidden_layers", "n_layer", "num_attention_heads",
                                "n_head");
    c->new_arch = get_bool(r, "new_decoder_architecture", 0);
    c->multi_query = get_bool(r, "multi_query", 1);
    c->parallel_attn = get_bool(r, "parallel_attn", 1);
    c->attn_bias = get_bool(r, "bias", 0);
    if (!heads_divide(r, c, hk, present(r, "hidden_size", "n_embed"))) return;
    c->head_dim = c->hidden / c->heads;
    /* FalconAttention: num_kv_heads counts only with the new architecture or
     * without multi-query; multi-query is one k/v head */
    c->kv_heads = get_int(r, "num_kv_heads", 1, c->heads);
    if (!c->new_arch && c->multi_query) c->kv_heads = 1;
    if (r->st == NNINIT_OK && c->new_arch && c->heads % c->kv_heads != 0) {
        char what[120];
        snprintf(what, sizeof what, "%lld does not divide %s %lld", (long long)c->kv_heads, hk, (long long)c->heads);
        fail(r, NNINIT_E_FORMAT, "num_kv_heads", "%s", what, 0);
    }
    c->inter = get_int(r, "ffn_hidden_size", 1, 4 * c->hidden);
    c->ln_parallel = (int)get_int(r, "num_ln_in_parallel_attn", 1, c->new_arch ? 2 : 1);
}

static void neox(rd *r, nninit_hf_config_ *c)
{
    core_sizes(r, c, "hidden_size", NULL, "num_hidden_layers", NULL, "num_attention_heads", NULL);
    c->inter = get_int(r, "intermediate_size", 1, -1);
    c->attn_bias = get_bool(r, "attention_bias", 1);
    heads_divide(r, c, "num_attention_heads", "hidden_size");
    c->head_dim = c->heads ? c->hidden / c->heads : 0;
    c->kv_heads = c->heads;
}

static void gpt2(rd *r, nninit_hf_config_ *c)
{
    const char *hk = core_sizes(r, c, "n_embd", "hidden_size", "n_layer", "num_hidden_layers", "n_head",
                                "num_attention_heads");
    c->positions = get_int(r, present(r, "n_positions", "max_position_embeddings"), 1, -1);
    c->inter = get_int(r, "n_inner", 1, 4 * c->hidden);
    heads_divide(r, c, hk, present(r, "n_embd", "hidden_size"));
    c->head_dim = c->heads ? c->hidden / c->heads : 0;
    c->kv_heads = c->heads;
}

void nninit_hf_config_free_(nninit_hf_config_ *c)
{
    if (!c) return;
    free(c->mlp_only);
    c->mlp_only = NULL;
}

nninit_status nninit_hf_config_read_(const char *config, size_t len, nninit_hf_config_ *c, char *msg,
                                     size_t msg_size)
{
    memset(c, 0, sizeof *c);
    c->pad = -1;
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(config, len, &end, 0);
    if (!root) return nninit_fail_(NNINIT_E_FORMAT, msg, msg_size, "config.json: malformed JSON");
    while (end && end < config + len && (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t')) end++;
    if (end && end < config + len && *end) {
        cJSON_Delete(root);
        return nninit_fail_(NNINIT_E_FORMAT, msg, msg_size, "config.json: trailing text after the JSON object");
    }
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return nninit_fail_(NNINIT_E_FORMAT, msg, msg_size, "config.json: expected an object, got %s",
                            nninit_json_type_name_(root));
    }
    const cJSON *mt = cJSON_GetObjectItemCaseSensitive(root, "model_type");
    nninit_status st = NNINIT_OK;
    if (!cJSON_IsString(mt))
        st = nninit_fail_(NNINIT_E_FORMAT, msg, msg_size, "config key \"model_type\": %s (known: %s)",
                          mt ? "expected a string" : "missing", nninit_hf_types_text_());
    else if (!(c->arch = nninit_hf_arch_find_(mt->valuestring)))
        st = nninit_fail_(NNINIT_E_FORMAT, msg, msg_size, "config key \"model_type\": unknown model type \"%.60s\" "
                          "(known: %s)", mt->valuestring, nninit_hf_types_text_());
    if (st != NNINIT_OK) { cJSON_Delete(root); return st; }

    rd r = { root, c->arch->type, msg, msg_size, NNINIT_OK };
    switch (c->arch->family) {
    case NNINIT_HF_FALCON_: falcon(&r, c); break;
    case NNINIT_HF_NEOX_: neox(&r, c); break;
    case NNINIT_HF_GPT2_: gpt2(&r, c); break;
    default: decoder(&r, c);
    }
    c->tie = get_bool(&r, "tie_word_embeddings", c->arch->tie_default);
    c->init_range = get_num(&r, "initializer_range", 0.02);
    /* torch_dtype, or dtype as transformers 5 writes it */
    const cJSON *dt = item(&r, "torch_dtype");
    if (!dt) dt = item(&r, "dtype");
    static const char *const known[] = { "float32", "bfloat16", "float16", "float64" };
    if (dt && r.st == NNINIT_OK) {
        const char *key = item(&r, "torch_dtype") ? "torch_dtype" : "dtype";
        for (size_t i = 0; cJSON_IsString(dt) && i < 4; i++)
            if (strcmp(dt->valuestring, known[i]) == 0) c->dtype_name = known[i];
        if (!c->dtype_name)
            fail(&r, NNINIT_E_DTYPE, key, "%s", "expected \"float32\", \"bfloat16\", \"float16\" or \"float64\"", 0);
    }
    /* bounds that keep every size the table computes exact (2^53) and the
     * tensor list of a sane length (a few 10^4 for the largest MoE models) */
    if (r.st == NNINIT_OK && (double)c->vocab * (double)c->hidden > (double)NNINIT_JSON_INT_MAX_)
        fail(&r, NNINIT_E_FORMAT, "vocab_size", "%s", "times hidden_size is too many elements", 0);
    if (r.st == NNINIT_OK && (double)c->heads * (double)c->head_dim > (double)((int64_t)1 << 40))
        fail(&r, NNINIT_E_FORMAT, "head_dim", "%s", "times the attention heads is too large", 0);
    if (r.st == NNINIT_OK && (double)c->layers * (20.0 + 3.0 * (double)c->experts) > 1e6)
        fail(&r, NNINIT_E_FORMAT, c->experts ? (c->arch->moe == NNINIT_HF_MOE_MIXTRAL_ || c->arch->moe ==
             NNINIT_HF_MOE_GRANITE_ ? "num_local_experts" : "num_experts") : "num_hidden_layers",
             "%s", "gives more than 10^6 tensors", 0);
    cJSON_Delete(root);
    if (r.st != NNINIT_OK) nninit_hf_config_free_(c);
    return r.st;
}
