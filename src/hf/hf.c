/* The public calls of the Hugging Face front end (include/nninit.h, section
 * 4b): a config.json to a model spec (docs/MODELS.md) with every tensor
 * named and shaped as transformers names and shapes it, its init resolved
 * by a recipe. The spec is checked by nninit_model_parse before it is
 * handed out, so what the caller gets always loads. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cjson/cJSON.h>
#include "hf.h"

void nninit_hf_options_default(nninit_hf_options *opt)
{
    if (!opt) return;
    memset(opt, 0, sizeof *opt);
    opt->recipe = "hf";
}

const char *nninit_hf_model_types(void) { return nninit_hf_types_text_(); }

int nninit_hf_is_config(const char *text, size_t len)
{
    if (!text) return 0;
    cJSON *root = cJSON_ParseWithLength(text, len);
    const int yes = cJSON_IsObject(root) && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(root, "model_type"))
                    && !cJSON_GetObjectItemCaseSensitive(root, "tensors");
    cJSON_Delete(root);
    return yes;
}

/* The dtype: the option's, else the config's (nninit's names or the long ones
 * configs use, one table: nninit_dtype_lookup_), else f32. */
static nninit_status pick_dtype(const char *opt, const char *config, nninit_dtype *out, char *msg, size_t msg_size)
{
    const char *name = opt ? opt : config;
    *out = NNINIT_F32;   /* transformers loads float32 when the config says nothing */
    if (!name || nninit_dtype_lookup_(name, out)) return NNINIT_OK;
    return nninit_fail_(NNINIT_E_DTYPE, msg, msg_size, "dtype \"%.40s\": unknown (expected f32, f64, bf16, f16 or "
                        "float32, float64, bfloat16, float16)", name);
}

/* The config's sizes as the spec's "vars" (docs/HF.md), for rules a user adds
 * to the printed spec: "normal(std=initializer_range/sqrt(2*n_layers))". */
static void write_vars(nninit_text_ *s, const nninit_hf_config_ *c)
{
    nninit_text_fmt_(s, "  \"vars\": {\"n_layers\": %lld, \"hidden\": %lld, \"intermediate\": %lld, \"vocab\": %lld, "
                     "\"heads\": %lld, \"kv_heads\": %lld, \"head_dim\": %lld, \"initializer_range\": %.17g},\n",
                     (long long)c->layers, (long long)c->hidden, (long long)c->inter, (long long)c->vocab,
                     (long long)c->heads, (long long)c->kv_heads, (long long)c->head_dim, c->init_range);
}

static nninit_status write_spec(const nninit_hf_config_ *c, const nninit_hf_recipe_ *r, const nninit_hf_tensor_ *t,
                                size_t n, nninit_dtype dtype, uint64_t seed, char **out, char *msg, size_t msg_size)
{
    nninit_text_ s = { 0 };
    char rec[64];
    nninit_hf_recipe_str_(r, rec, sizeof rec);
    nninit_text_fmt_(&s, "{\n  \"name\": \"%s\",\n  \"description\": \"Hugging Face %s config, recipe %s\",\n",
                     c->arch->type, c->arch->type, rec);
    if (r->base_hidden) {
        /* what the training code needs beside the weights (MuReadout divides
         * the logits by width_mult), as keys of every output's metadata */
        const double wm = (double)c->hidden / (double)r->base_hidden;
        nninit_text_fmt_(&s, "  \"metadata\": {\"mup_base_hidden\": \"%lld\", \"mup_width_mult\": \"%.17g\", "
                         "\"mup_output_mult\": \"%.17g\"},\n", (long long)r->base_hidden, wm, 1.0 / wm);
    }
    if (seed <= (uint64_t)NNINIT_JSON_INT_MAX_) nninit_text_fmt_(&s, "  \"seed\": %llu,\n", (unsigned long long)seed);
    else nninit_text_fmt_(&s, "  \"seed\": \"%llu\",\n", (unsigned long long)seed);
    nninit_text_fmt_(&s, "  \"dtype\": \"%s\",\n", nninit_dtype_name(dtype));
    write_vars(&s, c);
    nninit_text_str_(&s, "  \"tensors\": [\n");
    for (size_t i = 0; i < n; i++) {
        char init[200];
        int64_t zero_row;
        nninit_status st = nninit_hf_recipe_init_(r, c, &t[i], init, sizeof init, &zero_row, msg, msg_size);
        if (st != NNINIT_OK) { nninit_text_free_(&s); return st; }
        nninit_text_fmt_(&s, "    {\"name\": \"%s\", \"shape\": [", t[i].name);
        for (int d = 0; d < t[i].ndim; d++) nninit_text_fmt_(&s, "%s%lld", d ? ", " : "", (long long)t[i].shape[d]);
        nninit_text_fmt_(&s, "], \"init\": \"%s\"", init);
        if (zero_row >= 0) nninit_text_fmt_(&s, ", \"zero_row\": %lld", (long long)zero_row);
        nninit_text_str_(&s, i + 1 < n ? "},\n" : "}\n");
    }
    nninit_text_str_(&s, "  ]\n}\n");
    *out = nninit_text_take_(&s);
    return *out ? NNINIT_OK : nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory");
}

nninit_status nninit_hf_spec(const char *config, size_t len, const nninit_hf_options *opt, char **spec_json, char *msg,
                             size_t msg_size)
{
    RETURN_ERROR_IF(!config || !spec_json, nninit_fail_(NNINIT_E_NULL, msg, msg_size, "NULL config or result"));
    nninit_hf_options o;
    nninit_hf_options_default(&o);
    if (opt) o = *opt;
    nninit_hf_recipe_ r;
    FORWARD_IF_ERROR(nninit_hf_recipe_parse_(o.recipe, &r, msg, msg_size));
    nninit_hf_config_ c;
    FORWARD_IF_ERROR(nninit_hf_config_read_(config, len, &c, msg, msg_size));
    nninit_dtype dtype;
    nninit_status st = pick_dtype(o.dtype, c.dtype_name, &dtype, msg, msg_size);
    nninit_hf_tensor_ *t = NULL;
    size_t n = 0;
    if (st == NNINIT_OK && nninit_hf_tensors_(&c, &t, &n) != NNINIT_OK)
        st = nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory");
    char *spec = NULL;
    if (st == NNINIT_OK) st = write_spec(&c, &r, t, n, dtype, o.seed, &spec, msg, msg_size);
    free(t);
    nninit_hf_config_free_(&c);
    /* the spec must parse as any other: sizes whose byte counts overflow,
     * for one, are caught here */
    nninit_model *m = NULL;
    if (st == NNINIT_OK) {
        char why[512];
        st = nninit_model_parse(spec, strlen(spec), &m, why, sizeof why);
        if (st != NNINIT_OK) nninit_fail_(st, msg, msg_size, "the model this config describes: %s", why);
        nninit_model_free(m);
    }
    if (st != NNINIT_OK) { free(spec); return st; }
    *spec_json = spec;
    nninit_msg_clear_(msg, msg_size);
    return NNINIT_OK;
}

void nninit_hf_free(char *spec_json) { free(spec_json); }

/* A config.json is a few kilobytes; the limit only keeps a wrong path (a
 * checkpoint shard) from being read whole. */
#define CONFIG_MAX_BYTES ((size_t)16 << 20)

nninit_status nninit_hf_read_config(const char *path, char **config, size_t *len, char *msg, size_t msg_size)
{
    nninit_msg_clear_(msg, msg_size);
    RETURN_ERROR_IF(!path || !config || !len, nninit_fail_(NNINIT_E_NULL, msg, msg_size, "NULL path or result"));
    struct stat sb;
    const int dir = stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
    char *file = dir ? malloc(strlen(path) + sizeof "/config.json") : NULL;
    RETURN_ERROR_IF(dir && !file, nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory"));
    if (dir) strcat(strcpy(file, path), "/config.json");
    const char *name = dir ? file : path, *why;
    char *text;
    size_t n;
    int opened;
    nninit_status st = NNINIT_OK;
    if (nninit_read_input_(name, 0, CONFIG_MAX_BYTES, &text, &n, &opened, &why) != 0) {
        int e = errno;
        st = e == ENOMEM ? nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory")
                         : nninit_fail_(NNINIT_E_IO, msg, msg_size, "cannot %s \"%.300s\": %s%s", opened ? "read" : "open",
                                        name, e == EFBIG ? "larger than 16 MiB, not a config.json" : why,
                                        dir ? " (a directory must hold a Hugging Face config.json)" : "");
        errno = e;
    } else {
        *config = text;
        *len = n;
    }
    free(file);
    return st;
}
