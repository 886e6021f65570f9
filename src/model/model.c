/* JSON model specs (docs/MODELS.md): parse and validate with cJSON, resolve
 * each tensor's init (its own, else the first rule whose glob matches), check
 * it against the tensor's shape, and write the result back as canonical JSON.
 *
 * Every check happens at parse time, so a model that parsed can be
 * initialized without surprises other than memory and a dtype's range. */
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "model.h"

typedef struct {
    char *name;
    char *init;                  /* the spec string that applies */
    nninit_dtype dtype;
    int ndim;
    int64_t shape[NNINIT_MAX_DIMS];
    size_t count;
    nninit_layout_kind layout;   /* the tensor's layout (own or the model default); never AXES */
    int64_t groups;              /* the tensor's own groups, 1 if not given */
    nninit_scheme scheme;        /* init parsed, the tensor's layout/groups applied */
    uint64_t stream;
    int64_t zero_row;            /* "zero_row": written as zeros after the init; -1 if none */
} mtensor;

struct nninit_model {
    uint64_t seed;
    nninit_dtype dtype;
    char *name, *description;    /* NULL if absent */
    char *graph;                 /* "graph" as compact JSON text, NULL if absent (src/graph/ parses it) */
    char *data_init;             /* "data_init" as written, NULL if absent (src/graph/ parses it) */
    size_t n;
    mtensor *t;
    char *json;                  /* the canonical JSON, rebuilt by every change */
    char seed_text[24];          /* the seed in decimal, for the metadata */
    char **user_meta;            /* "metadata": key, value, ... (n_user_meta pairs) */
    size_t n_user_meta;
    const char **meta;           /* nninit_model_metadata: nninit's keys, then the spec's; NULL-terminated */
};

typedef struct {
    const char *pattern, *init;
    nninit_scheme scheme;        /* the parsed init, unless it depends on captures */
    int own_layout, own_groups;  /* the init sets its own layout (layout=, in_axis=) / groups= */
    int per_tensor;              /* the init depends on captures: parsed again for each tensor */
    size_t n_caps;               /* captures {name} in the pattern */
    char *parts;                 /* the pattern, split: globs and capture names, NUL-separated */
    const char **glob;           /* n_caps + 1 fnmatch patterns: glob[0] {cap[0]} glob[1] ... */
    const char **cap;            /* n_caps names */
} mrule;

static nninit_status refresh(nninit_model *m);

/* ---- small helpers --------------------------------------------------------- */
static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static void free_tensors(mtensor *t, size_t n)
{
    for (size_t i = 0; i < n; i++) { free(t[i].name); free(t[i].init); }
    free(t);
}

void nninit_model_free(nninit_model *m)
{
    if (!m) return;
    free_tensors(m->t, m->n);
    free(m->name);
    free(m->description);
    cJSON_free(m->graph);
    free(m->data_init);
    for (size_t i = 0; i < 2 * m->n_user_meta; i++) free(m->user_meta[i]);
    free(m->user_meta);
    free(m->meta);
    cJSON_free(m->json);
    free(m);
}

static int layout_lookup(const char *s, nninit_layout_kind *out) { return nninit_layout_lookup_(s, strlen(s), out); }

const char *nninit_json_type_name_(const cJSON *v)
{
    if (cJSON_IsString(v)) return "a string";
    if (cJSON_IsNumber(v)) return "a number";
    if (cJSON_IsBool(v)) return "a boolean";
    if (cJSON_IsNull(v)) return "null";
    if (cJSON_IsArray(v)) return "an array";
    if (cJSON_IsObject(v)) return "an object";
    return "invalid";
}

/* The first key of obj that is not in allowed[], or that repeats an earlier key. */
static const cJSON *bad_key(const cJSON *obj, const char *const *allowed, int *dup)
{
    for (const cJSON *c = obj->child; c; c = c->next) {
        int ok = 0;
        for (const char *const *a = allowed; *a && !ok; a++) ok = strcmp(c->string, *a) == 0;
        *dup = 0;
        for (const cJSON *e = obj->child; e != c && ok; e = e->next)
            if (strcmp(e->string, c->string) == 0) { *dup = 1; ok = 0; }
        if (!ok) return c;
    }
    return NULL;
}

/* ---- the parser ---------------------------------------------------------------- */
typedef struct {
    char *msg;
    size_t msg_size;
    /* The variables init specs may use: the caller's, then the spec's "vars",
     * then (while a rule is read or applied) that rule's captures. */
    nninit_var *vars;
    size_t n_vars, n_fixed, cap_vars;   /* n_fixed: the caller's and the spec's */
    size_t max_caps;                    /* the most captures of one rule */
} ctx;

#define CTX_FAIL(c, st, ...) nninit_fail_((st), (c)->msg, (c)->msg_size, __VA_ARGS__)
#define NAMEFMT "%.200s"

/* "; did you mean \"f16\"?" for an unknown dtype name close to one (nninit_suggest), or "". */
static const char *dtype_hint(char *buf, size_t cap, const char *name)
{
    const char *d = nninit_dtype_suggest_(name, strlen(name));
    if (!d) return "";
    snprintf(buf, cap, "; did you mean \"%s\"?", d);
    return buf;
}

static nninit_status parse_seed(ctx *c, const cJSON *v, uint64_t *out)
{
    if (cJSON_IsNumber(v)) {
        int64_t s;
        if (!nninit_json_int_(v, 0, NNINIT_JSON_INT_MAX_, &s))
            return CTX_FAIL(c, NNINIT_E_FORMAT, "field \"seed\": %.17g is not an integer in 0..2^53 "
                        "(write larger seeds, up to 2^64-1, as a decimal string)", v->valuedouble);
        *out = (uint64_t)s;
        return NNINIT_OK;
    }
    if (!cJSON_IsString(v))
        return CTX_FAIL(c, NNINIT_E_FORMAT, "field \"seed\": expected an integer or a decimal string, got %s",
                    nninit_json_type_name_(v));
    const char *s = v->valuestring;
    size_t n = strlen(s);
    int digits = n > 0 && n <= 20;
    for (size_t i = 0; i < n && digits; i++) digits = s[i] >= '0' && s[i] <= '9';
    errno = 0;
    unsigned long long u = digits ? strtoull(s, NULL, 10) : 0;
    if (!digits || errno == ERANGE)
        return CTX_FAIL(c, NNINIT_E_FORMAT, "field \"seed\": \"%.40s\" is not a decimal integer in 0..2^64-1", s);
    *out = (uint64_t)u;
    return NNINIT_OK;
}

/* ---- variables ------------------------------------------------------------------- */
static int var_defined(const ctx *c, const char *name, size_t n)
{
    for (size_t i = 0; i < c->n_vars; i++)
        if (strlen(c->vars[i].name) == n && memcmp(c->vars[i].name, name, n) == 0) return 1;
    return 0;
}

/* Room for k more variables. */
static nninit_status vars_reserve(ctx *c, size_t k)
{
    if (c->n_vars + k <= c->cap_vars) return NNINIT_OK;
    size_t cap = c->n_vars + k + 8;
    nninit_var *v = realloc(c->vars, cap * sizeof *v);
    if (!v) return CTX_FAIL(c, NNINIT_E_NOMEM, "out of memory");
    c->vars = v;
    c->cap_vars = cap;
    return NNINIT_OK;
}

/* "vars": {"name": number or "expression over earlier variables", ...}, in
 * document order, after the caller's. The names stay cJSON's until the parse ends. */
static nninit_status parse_vars(ctx *c, const cJSON *v)
{
    char why[512];
    if (!v) return NNINIT_OK;
    if (!cJSON_IsObject(v))
        return CTX_FAIL(c, NNINIT_E_FORMAT, "field \"vars\": expected an object (name: number or expression), got %s",
                    nninit_json_type_name_(v));
    for (const cJSON *e = v->child; e; e = e->next) {
        const char *name = e->string;
        double x = 0;
        if (!nninit_var_name_ok_(name))
            return CTX_FAIL(c, NNINIT_E_FORMAT, "field \"vars\": \"%.40s\" is not a variable name ([A-Za-z_][A-Za-z0-9_]*)",
                        name);
        if (nninit_expr_function_(name, strlen(name)) >= 0)
            return CTX_FAIL(c, NNINIT_E_FORMAT, "field \"vars\": \"%s\" is the name of a function (%s)", name,
                        nninit_expr_functions_text_);
        if (var_defined(c, name, strlen(name)))
            return CTX_FAIL(c, NNINIT_E_FORMAT, "field \"vars\": variable \"%.40s\" is defined twice%s", name,
                        c->n_vars && var_defined(&(ctx){ .vars = c->vars, .n_vars = c->n_fixed }, name, strlen(name))
                            ? " (the caller gives it)" : "");
        if (cJSON_IsNumber(e)) {
            x = e->valuedouble;
            if (!isfinite(x))
                return CTX_FAIL(c, NNINIT_E_FORMAT, "field \"vars\": variable \"%s\": not a finite number", name);
        } else if (cJSON_IsString(e)) {
            nninit_status st = nninit_expr_eval(e->valuestring, c->vars, c->n_vars, &x, why, sizeof why);
            if (st != NNINIT_OK) return CTX_FAIL(c, st, "field \"vars\": variable \"%s\": %s", name, why);
        } else {
            return CTX_FAIL(c, NNINIT_E_FORMAT, "field \"vars\": variable \"%s\": expected a number or an expression "
                        "(a string), got %s", name, nninit_json_type_name_(e));
        }
        FORWARD_IF_ERROR(vars_reserve(c, 1));
        c->vars[c->n_vars].name = name;
        c->vars[c->n_vars++].value = x;
    }
    c->n_fixed = c->n_vars;
    return NNINIT_OK;
}

/* ---- rules ---------------------------------------------------------------------- */
static void free_rules(mrule *r, size_t n)
{
    for (size_t i = 0; r && i < n; i++) { free(r[i].parts); free(r[i].glob); }
    free(r);
}

/* Splits a rule's pattern at its captures {name}: '{' outside a bracket
 * expression and not quoted by '\' starts one. */
static nninit_status split_pattern(ctx *c, const char *where, mrule *r)
{
    const char *pattern = r->pattern;
    size_t len = strlen(pattern), max_caps = len / 3 + 1;
    r->parts = malloc(len + 1);
    r->glob = malloc((2 * max_caps + 1) * sizeof *r->glob);
    if (!r->parts || !r->glob) return CTX_FAIL(c, NNINIT_E_NOMEM, "out of memory");
    memcpy(r->parts, pattern, len + 1);
    r->cap = r->glob + max_caps + 1;
    char *s = r->parts;
    r->glob[0] = s;
    for (size_t i = 0; s[i];) {
        if (s[i] == '\\' && s[i + 1]) { i += 2; continue; }
        if (s[i] == '[') {           /* [!...] / [^...], a ']' first is a member */
            size_t j = i + 1;
            if (s[j] == '!' || s[j] == '^') j++;
            if (s[j] == ']') j++;
            while (s[j] && s[j] != ']') j++;
            i = s[j] ? j + 1 : i + 1;
            continue;
        }
        if (s[i] != '{') { i++; continue; }
        size_t n = 0;
        while (nninit_ident_char_(s[i + 1 + n])) n++;
        if (n == 0 || !nninit_ident0_(s[i + 1]) || s[i + 1 + n] != '}')
            return CTX_FAIL(c, NNINIT_E_FORMAT, "rules: %s \"" NAMEFMT "\": the '{' at character %zu does not start a "
                        "capture {name} (a literal brace is [{])", where, pattern, i + 1);
        const char *name = s + i + 1;
        if (nninit_expr_function_(name, n) >= 0 || var_defined(c, name, n))
            return CTX_FAIL(c, NNINIT_E_FORMAT, "rules: %s \"" NAMEFMT "\": capture {%.*s}: %s", where, pattern, (int)n,
                        name, var_defined(c, name, n) ? "the name of a variable already defined (or captured twice)"
                                                      : "the name of a function");
        FORWARD_IF_ERROR(vars_reserve(c, 1));
        c->vars[c->n_vars].name = name;
        c->vars[c->n_vars++].value = NAN;      /* unknown until a tensor binds it */
        s[i] = '\0';
        s[i + 1 + n] = '\0';
        r->cap[r->n_caps++] = name;
        r->glob[r->n_caps] = s + i + n + 2;
        i += n + 2;
    }
    return NNINIT_OK;
}

/* A rule: its pattern split at its captures, its init parsed (with the
 * captures unknown, when it uses them: only what does not depend on them is
 * checked here, the rest when a tensor binds them). */
static nninit_status parse_rule(ctx *c, const char *pattern, const cJSON *init, const char *where, mrule *r)
{
    char why[512];
    if (!cJSON_IsString(init))
        return CTX_FAIL(c, NNINIT_E_FORMAT, "rules: %s \"" NAMEFMT "\": the init spec must be a string, got %s", where,
                    pattern, nninit_json_type_name_(init));
    r->pattern = pattern;
    r->init = init->valuestring;
    nninit_status st = split_pattern(c, where, r);
    unsigned named = 0;
    int unknown = 0;
    if (st == NNINIT_OK) {
        st = nninit_scheme_parse_(r->init, c->vars, c->n_vars, &named, &unknown, &r->scheme, why, sizeof why);
        if (st != NNINIT_OK) st = CTX_FAIL(c, st, "rules: %s \"" NAMEFMT "\": %s", where, pattern, why);
    }
    c->n_vars = c->n_fixed;
    if (r->n_caps > c->max_caps) c->max_caps = r->n_caps;
    r->per_tensor = unknown;
    r->own_layout = (named & NNP_LAYOUT) != 0;
    r->own_groups = (named & NNP_GROUPS) != 0;
    return st;
}

/* Does name match the rule? With captures, each {cap} matches a whole run of
 * decimal digits (not next to another digit) of at most 15 digits, whose
 * value goes to vals[]; the globs around them match the text between. The
 * first binding found, scanning runs left to right, is taken. failed[] marks
 * the (capture, offset) pairs already known not to lead to a match: what
 * follows them does not depend on earlier bindings, so no state is tried
 * twice and the search stays polynomial. */
static int match_from(const mrule *r, size_t k, const char *name, size_t pos, double *vals, char *scratch,
                      unsigned char *failed, size_t len)
{
    if (k == r->n_caps) return fnmatch(r->glob[k], name + pos, 0) == 0;
    if (failed[k * (len + 1) + pos]) return 0;
    for (size_t q = pos; name[q]; q++) {
        if (!(name[q] >= '0' && name[q] <= '9') || (q > 0 && name[q - 1] >= '0' && name[q - 1] <= '9')) continue;
        size_t end = q;
        while (name[end] >= '0' && name[end] <= '9') end++;
        if (end - q > 15) continue;
        memcpy(scratch, name + pos, q - pos);
        scratch[q - pos] = '\0';
        if (fnmatch(r->glob[k], scratch, 0) != 0) continue;
        memcpy(scratch, name + q, end - q);
        scratch[end - q] = '\0';
        vals[k] = strtod(scratch, NULL);        /* digits only: exact, locale-free */
        if (match_from(r, k + 1, name, end, vals, scratch, failed, len)) return 1;
    }
    failed[k * (len + 1) + pos] = 1;
    return 0;
}

/* 1: name matches rule r (captures bound in vals), 0: no, -1: out of memory. */
static int rule_match(const mrule *r, const char *name, double *vals)
{
    if (r->n_caps == 0) return fnmatch(r->pattern, name, 0) == 0;
    size_t len = strlen(name);
    char *scratch = malloc(len + 1);
    unsigned char *failed = calloc(r->n_caps * (len + 1), 1);
    int m = scratch && failed ? match_from(r, 0, name, 0, vals, scratch, failed, len) : -1;
    free(scratch);
    free(failed);
    return m;
}

/* rules: {"glob": "spec", ...} in document order, or [{"match": glob, "init": spec}, ...]. */
static nninit_status parse_rules(ctx *c, const cJSON *v, mrule **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    if (!v) return NNINIT_OK;
    if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
        return CTX_FAIL(c, NNINIT_E_FORMAT, "field \"rules\": expected an object (pattern: init spec) or an array of "
                    "{\"match\", \"init\"}, got %s", nninit_json_type_name_(v));
    size_t n = (size_t)cJSON_GetArraySize(v);
    mrule *r = calloc(n ? n : 1, sizeof *r);
    if (!r) return CTX_FAIL(c, NNINIT_E_NOMEM, "out of memory");
    nninit_status st = NNINIT_OK;
    size_t i = 0;
    for (const cJSON *e = v->child; e && st == NNINIT_OK; e = e->next, i++) {
        if (cJSON_IsObject(v)) {
            for (const cJSON *p = v->child; p != e && st == NNINIT_OK; p = p->next)
                if (strcmp(p->string, e->string) == 0)
                    st = CTX_FAIL(c, NNINIT_E_FORMAT, "rules: pattern \"" NAMEFMT "\" appears twice", e->string);
            if (st == NNINIT_OK) st = parse_rule(c, e->string, e, "pattern", &r[i]);
            continue;
        }
        static const char *const allowed[] = { "match", "init", NULL };
        const cJSON *k;
        int dup;
        if (!cJSON_IsObject(e)) {
            st = CTX_FAIL(c, NNINIT_E_FORMAT, "rules[%zu]: expected an object {\"match\", \"init\"}, got %s", i,
                      nninit_json_type_name_(e));
        } else if ((k = bad_key(e, allowed, &dup))) {
            st = CTX_FAIL(c, NNINIT_E_FORMAT, "rules[%zu]: field \"" NAMEFMT "\": %s", i, k->string,
                      dup ? "appears twice" : "unknown field (expected match, init)");
        } else {
            const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "match");
            const cJSON *in = cJSON_GetObjectItemCaseSensitive(e, "init");
            if (!cJSON_IsString(m))
                st = CTX_FAIL(c, NNINIT_E_FORMAT, "rules[%zu]: field \"match\": %s", i,
                          m ? "expected a string (a glob pattern)" : "missing");
            else if (!in)
                st = CTX_FAIL(c, NNINIT_E_FORMAT, "rules[%zu]: field \"init\": missing", i);
            else
                st = parse_rule(c, m->valuestring, in, "match", &r[i]);
        }
    }
    if (st != NNINIT_OK) { free_rules(r, n); return st; }
    *out = r;
    *n_out = n;
    return NNINIT_OK;
}

/* One tensor object: fills t (name and init are owned copies on success). */
static nninit_status parse_tensor(ctx *c, const cJSON *e, size_t idx, const nninit_model *m, nninit_layout_kind default_layout,
                                  const mrule *rules, size_t n_rules, mtensor *t)
{
    static const char *const allowed[] = { "name", "shape", "dtype", "layout", "groups", "init", "zero_row", NULL };
    char why[512], shp[256];
    int dup;
    if (!cJSON_IsObject(e))
        return CTX_FAIL(c, NNINIT_E_FORMAT, "tensors[%zu]: expected an object, got %s", idx, nninit_json_type_name_(e));
    const cJSON *jn = cJSON_GetObjectItemCaseSensitive(e, "name");
    if (!cJSON_IsString(jn) || !jn->valuestring[0])
        return CTX_FAIL(c, NNINIT_E_FORMAT, "tensors[%zu]: field \"name\": %s", idx,
                    !jn ? "missing" : cJSON_IsString(jn) ? "empty" : "expected a string");
    const char *name = jn->valuestring;
    /* a model that parsed can be written: names are UTF-8 (safetensors headers are JSON
     * text), and safetensors keeps "__metadata__" for its metadata */
    if (!nninit_utf8_ok_(name))
        return CTX_FAIL(c, NNINIT_E_FORMAT, "tensors[%zu]: field \"name\": not valid UTF-8 (byte %zu): no output could "
                    "hold the tensor", idx, nninit_utf8_check_((const unsigned char *)name, strlen(name)));
    if (strcmp(name, "__metadata__") == 0)
        return CTX_FAIL(c, NNINIT_E_FORMAT, "tensors[%zu]: the name \"__metadata__\" is reserved (safetensors' metadata "
                    "key): no output could hold the tensor", idx);
    const cJSON *k = bad_key(e, allowed, &dup);
    if (k)
        return CTX_FAIL(c, NNINIT_E_FORMAT, "tensor \"" NAMEFMT "\": field \"" NAMEFMT "\": %s", name, k->string,
                    dup ? "appears twice"
                                : "unknown field (expected name, shape, dtype, layout, groups, init, zero_row)");

    /* shape */
    const cJSON *js = cJSON_GetObjectItemCaseSensitive(e, "shape");
    if (!js) return CTX_FAIL(c, NNINIT_E_FORMAT, "tensor \"" NAMEFMT "\": field \"shape\": missing", name);
    if (!cJSON_IsArray(js))
        return CTX_FAIL(c, NNINIT_E_FORMAT, "tensor \"" NAMEFMT "\": field \"shape\": expected an array of sizes, got %s",
                    name, nninit_json_type_name_(js));
    int ndim = cJSON_GetArraySize(js);
    if (ndim > NNINIT_MAX_DIMS)
        return CTX_FAIL(c, NNINIT_E_SHAPE, "tensor \"" NAMEFMT "\": field \"shape\": %d dimensions (at most %d)", name,
                    ndim, NNINIT_MAX_DIMS);
    memset(t, 0, sizeof *t);
    int d = 0;
    for (const cJSON *s = js->child; s; s = s->next, d++) {
        if (!cJSON_IsNumber(s))
            return CTX_FAIL(c, NNINIT_E_FORMAT, "tensor \"" NAMEFMT "\": field \"shape\": expected a size, got %s", name,
                        nninit_json_type_name_(s));
        if (!nninit_json_int_(s, 0, NNINIT_JSON_INT_MAX_, &t->shape[d]))
            return CTX_FAIL(c, NNINIT_E_SHAPE, "tensor \"" NAMEFMT "\": field \"shape\": %.17g is not a size%s", name,
                        s->valuedouble, s->valuedouble > (double)NNINIT_JSON_INT_MAX_ ? " (larger than 2^53)" : "");
    }
    t->ndim = ndim;
    nninit_shape_str_(shp, sizeof shp, t->shape, ndim);
    if (nninit_shape_count_(t->shape, ndim, &t->count) != NNINIT_OK)
        return CTX_FAIL(c, NNINIT_E_SHAPE, "tensor \"" NAMEFMT "\": field \"shape\": %s has too many elements", name, shp);

    /* dtype, layout, groups */
    t->dtype = m->dtype;
    const cJSON *jd = cJSON_GetObjectItemCaseSensitive(e, "dtype");
    if (jd && !cJSON_IsString(jd))
        return CTX_FAIL(c, NNINIT_E_FORMAT, "tensor \"" NAMEFMT "\": field \"dtype\": expected a string, got %s", name,
                    nninit_json_type_name_(jd));
    char hint[64];
    if (jd && !nninit_dtype_lookup_(jd->valuestring, &t->dtype))
        return CTX_FAIL(c, NNINIT_E_DTYPE, "tensor \"" NAMEFMT "\": field \"dtype\": unknown dtype \"%.40s\"%s "
                    "(expected %s)", name, jd->valuestring, dtype_hint(hint, sizeof hint, jd->valuestring),
                    nninit_dtype_names_text_);
    if (t->count > SIZE_MAX / nninit_dtype_size(t->dtype))
        return CTX_FAIL(c, NNINIT_E_OVERFLOW, "tensor \"" NAMEFMT "\": field \"shape\": %s of %s does not fit in memory "
                    "(byte count overflows)", name, shp, nninit_dtype_name(t->dtype));
    t->layout = default_layout;
    const cJSON *jl = cJSON_GetObjectItemCaseSensitive(e, "layout");
    if (jl && !(cJSON_IsString(jl) && layout_lookup(jl->valuestring, &t->layout)))
        return CTX_FAIL(c, NNINIT_E_FORMAT, "tensor \"" NAMEFMT "\": field \"layout\": %s%.40s%s (expected %s)", name,
                    cJSON_IsString(jl) ? "unknown layout \"" : "expected a string, got ",
                    cJSON_IsString(jl) ? jl->valuestring : nninit_json_type_name_(jl), cJSON_IsString(jl) ? "\"" : "",
                    nninit_layout_names_text_);
    t->groups = 1;
    const cJSON *jg = cJSON_GetObjectItemCaseSensitive(e, "groups");
    if (jg && !nninit_json_int_(jg, 1, NNINIT_JSON_INT_MAX_, &t->groups))
        return cJSON_IsNumber(jg)
            ? CTX_FAIL(c, NNINIT_E_FORMAT, "tensor \"" NAMEFMT "\": field \"groups\": %.17g is not a group count "
                   "(an integer >= 1)", name, jg->valuedouble)
            : CTX_FAIL(c, NNINIT_E_FORMAT, "tensor \"" NAMEFMT "\": field \"groups\": expected an integer, got %s",
                   name, nninit_json_type_name_(jg));

    /* zero_row: one row (an index along the first axis) written as zeros after
     * the init, as an embedding's padding_idx; streaming-safe because it is
     * applied to whatever element range is filled. */
    t->zero_row = -1;
    const cJSON *jz = cJSON_GetObjectItemCaseSensitive(e, "zero_row");
    if (jz && !(ndim >= 1 && nninit_json_int_(jz, 0, NNINIT_JSON_INT_MAX_, &t->zero_row) && t->zero_row < t->shape[0]))
        return !cJSON_IsNumber(jz)
            ? CTX_FAIL(c, NNINIT_E_FORMAT, "tensor \"" NAMEFMT "\": field \"zero_row\": expected an integer, got %s",
                   name, nninit_json_type_name_(jz))
            : CTX_FAIL(c, NNINIT_E_SHAPE, "tensor \"" NAMEFMT "\": field \"zero_row\": %.17g is not a row of shape %s",
                   name, jz->valuedouble, shp);

    /* init: its own, else the first matching rule */
    const cJSON *ji = cJSON_GetObjectItemCaseSensitive(e, "init");
    const mrule *rule = NULL;
    mrule own = { 0 };
    double *vals = NULL;       /* the matching rule's captures */
    char bound[160] = "";      /* "l=3, ..." for messages */
    nninit_status st = NNINIT_OK;
    if (ji) {
        if (!cJSON_IsString(ji))
            return CTX_FAIL(c, NNINIT_E_FORMAT, "tensor \"" NAMEFMT "\": field \"init\": expected a string, got %s", name,
                        nninit_json_type_name_(ji));
        unsigned named = 0;
        st = nninit_scheme_parse_(ji->valuestring, c->vars, c->n_vars, &named, NULL, &own.scheme, why, sizeof why);
        if (st != NNINIT_OK) return CTX_FAIL(c, st, "tensor \"" NAMEFMT "\": field \"init\": %s", name, why);
        own.pattern = NULL;
        own.init = ji->valuestring;
        own.own_layout = (named & NNP_LAYOUT) != 0;
        own.own_groups = (named & NNP_GROUPS) != 0;
        rule = &own;
    } else {
        if (c->max_caps && !(vals = malloc(c->max_caps * sizeof *vals))) return CTX_FAIL(c, NNINIT_E_NOMEM, "out of memory");
        for (size_t r = 0; r < n_rules && !rule; r++) {
            int mt = rule_match(&rules[r], name, vals);
            if (mt < 0) { free(vals); return CTX_FAIL(c, NNINIT_E_NOMEM, "out of memory"); }
            if (mt) rule = &rules[r];
        }
        if (!rule) {
            free(vals);
            return CTX_FAIL(c, NNINIT_E_FORMAT, "tensor \"" NAMEFMT "\": field \"init\": missing, and no rule matches "
                        "the name", name);
        }
    }
    t->scheme = rule->scheme;
    if (rule->per_tensor) {    /* the rule's init over its captures' values for this name */
        size_t kb = 0;
        st = vars_reserve(c, rule->n_caps);
        for (size_t j = 0; j < rule->n_caps && st == NNINIT_OK; j++) {
            c->vars[c->n_vars].name = rule->cap[j];
            c->vars[c->n_vars++].value = vals[j];
            if (kb < sizeof bound)
                kb += nninit_format_c_(bound + kb, sizeof bound - kb, "%s%s=%.17g", j ? ", " : "", rule->cap[j], vals[j]);
        }
        if (st == NNINIT_OK)
            st = nninit_scheme_parse_(rule->init, c->vars, c->n_vars, NULL, NULL, &t->scheme, why, sizeof why);
        c->n_vars = c->n_fixed;
        if (st != NNINIT_OK) {
            free(vals);
            return CTX_FAIL(c, st, "tensor \"" NAMEFMT "\": rule \"" NAMEFMT "\" with %s: %s", name, rule->pattern, bound,
                        why);
        }
    }
    free(vals);
    const unsigned params = nninit_schemes_[t->scheme.kind].params;
    if ((params & NNP_LAYOUT) && !rule->own_layout) t->scheme.layout.kind = t->layout;
    if ((params & NNP_GROUPS) && !rule->own_groups) t->scheme.layout.groups = t->groups;
    nninit_plan plan;
    st = nninit_scheme_plan(&t->scheme, t->shape, ndim, &plan, why, sizeof why);
    if (st != NNINIT_OK) {
        if (rule->pattern)
            return CTX_FAIL(c, st, "tensor \"" NAMEFMT "\": init \"%.120s\" (rule \"" NAMEFMT "\"%s%s): %s", name,
                        rule->init, rule->pattern, bound[0] ? " with " : "", bound, why);
        return CTX_FAIL(c, st, "tensor \"" NAMEFMT "\": field \"init\": %s", name, why);
    }
    t->stream = nninit_stream_id(name);
    t->name = dup_str(name);
    t->init = dup_str(rule->init);
    if (!t->name || !t->init) {
        free(t->name); free(t->init);
        t->name = t->init = NULL;
        return CTX_FAIL(c, NNINIT_E_NOMEM, "out of memory");
    }
    return NNINIT_OK;
}

/* Name order index for the duplicate check. */
static int cmp_name(const void *a, const void *b)
{
    const mtensor *x = *(const mtensor *const *)a, *y = *(const mtensor *const *)b;
    return strcmp(x->name, y->name);
}

/* "graph" and "data_init" are kept as text for src/graph/, which parses and
 * validates them against the tensors (the model layer cannot call it); here
 * only their JSON types are checked. */
static nninit_status parse_graph_fields(ctx *c, const cJSON *root, nninit_model *m)
{
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(root, "graph");
    if (g && !cJSON_IsArray(g))
        return CTX_FAIL(c, NNINIT_E_FORMAT, "field \"graph\": expected an array of ops, got %s", nninit_json_type_name_(g));
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(root, "data_init");
    if (d && !cJSON_IsString(d))
        return CTX_FAIL(c, NNINIT_E_FORMAT, "field \"data_init\": expected a string (e.g. \"lsuv(tol=0.1)\"), got %s",
                    nninit_json_type_name_(d));
    if (g && !(m->graph = cJSON_PrintUnformatted(g))) return CTX_FAIL(c, NNINIT_E_NOMEM, "out of memory");
    if (d && !(m->data_init = dup_str(d->valuestring))) return CTX_FAIL(c, NNINIT_E_NOMEM, "out of memory");
    return NNINIT_OK;
}

/* The keys nninit writes into a file's metadata itself (nninit_model_metadata,
 * safetensors' format, what the writer adds for --from): a spec's "metadata"
 * may not set them. */
static const char *const k_own_meta[] = { "nninit_version", "seed", "spec", "format", "nninit_from",
                                          "nninit_from_digest", NULL };

/* "metadata": {"key": "text", ...}, written into every output's metadata
 * after nninit's own keys. */
static nninit_status parse_metadata(ctx *c, const cJSON *v, nninit_model *m)
{
    if (!v) return NNINIT_OK;
    if (!cJSON_IsObject(v))
        return CTX_FAIL(c, NNINIT_E_FORMAT, "field \"metadata\": expected an object of strings, got %s",
                        nninit_json_type_name_(v));
    const size_t n = (size_t)cJSON_GetArraySize(v);
    if (n == 0) return NNINIT_OK;
    m->user_meta = calloc(2 * n, sizeof *m->user_meta);
    if (!m->user_meta) return CTX_FAIL(c, NNINIT_E_NOMEM, "out of memory");
    for (const cJSON *e = v->child; e; e = e->next) {
        if (!e->string[0]) return CTX_FAIL(c, NNINIT_E_FORMAT, "field \"metadata\": a key is empty");
        for (const cJSON *p = v->child; p != e; p = p->next)
            if (strcmp(p->string, e->string) == 0)
                return CTX_FAIL(c, NNINIT_E_FORMAT, "field \"metadata\": key \"" NAMEFMT "\" appears twice", e->string);
        for (const char *const *o = k_own_meta; *o; o++)
            if (strcmp(*o, e->string) == 0)
                return CTX_FAIL(c, NNINIT_E_FORMAT, "field \"metadata\": key \"%s\" is nninit's own (it records how "
                                "the output was made)", *o);
        if (!cJSON_IsString(e))
            return CTX_FAIL(c, NNINIT_E_FORMAT, "field \"metadata\": key \"" NAMEFMT "\": expected a string (file "
                            "metadata holds text), got %s", e->string, nninit_json_type_name_(e));
        /* safetensors headers are JSON text: no output could hold other bytes */
        if (!nninit_utf8_ok_(e->string) || !nninit_utf8_ok_(e->valuestring))
            return CTX_FAIL(c, NNINIT_E_FORMAT, "field \"metadata\": %s is not valid UTF-8",
                            nninit_utf8_ok_(e->string) ? "a value" : "a key");
        char **kv = &m->user_meta[2 * m->n_user_meta];
        if (!(kv[0] = dup_str(e->string)) || !(kv[1] = dup_str(e->valuestring)))
            return CTX_FAIL(c, NNINIT_E_NOMEM, "out of memory");
        m->n_user_meta++;
    }
    return NNINIT_OK;
}

static nninit_status parse_doc(ctx *c, const cJSON *root, nninit_model *m)
{
    static const char *const allowed[] = { "seed", "dtype", "layout", "name", "description", "metadata", "vars",
                                           "rules", "tensors", "graph", "data_init", NULL };
    int dup;
    if (!cJSON_IsObject(root))
        return CTX_FAIL(c, NNINIT_E_FORMAT, "the model spec must be a JSON object, got %s", nninit_json_type_name_(root));
    const cJSON *k = bad_key(root, allowed, &dup);
    if (k)
        return CTX_FAIL(c, NNINIT_E_FORMAT, "field \"" NAMEFMT "\": %s", k->string, dup ? "appears twice"
                    : "unknown field (expected seed, dtype, layout, name, description, metadata, vars, rules, "
                      "tensors, graph, data_init)");
    const cJSON *v;
    if ((v = cJSON_GetObjectItemCaseSensitive(root, "seed"))) FORWARD_IF_ERROR(parse_seed(c, v, &m->seed));
    m->dtype = NNINIT_F32;
    if ((v = cJSON_GetObjectItemCaseSensitive(root, "dtype"))) {
        if (!cJSON_IsString(v))
            return CTX_FAIL(c, NNINIT_E_FORMAT, "field \"dtype\": expected a string, got %s", nninit_json_type_name_(v));
        char hint[64];
        if (!nninit_dtype_lookup_(v->valuestring, &m->dtype))
            return CTX_FAIL(c, NNINIT_E_DTYPE, "field \"dtype\": unknown dtype \"%.40s\"%s (expected %s)",
                        v->valuestring, dtype_hint(hint, sizeof hint, v->valuestring), nninit_dtype_names_text_);
    }
    nninit_layout_kind layout = NNINIT_LAYOUT_OIHW;
    if ((v = cJSON_GetObjectItemCaseSensitive(root, "layout")) && !(cJSON_IsString(v) && layout_lookup(v->valuestring,
                                                                                                       &layout)))
        return CTX_FAIL(c, NNINIT_E_FORMAT, "field \"layout\": %s%.40s%s (expected %s)",
                    cJSON_IsString(v) ? "unknown layout \"" : "expected a string, got ",
                    cJSON_IsString(v) ? v->valuestring : nninit_json_type_name_(v), cJSON_IsString(v) ? "\"" : "",
                    nninit_layout_names_text_);
    static const char *const texts[] = { "name", "description" };
    for (int i = 0; i < 2; i++) {
        if (!(v = cJSON_GetObjectItemCaseSensitive(root, texts[i]))) continue;
        if (!cJSON_IsString(v))
            return CTX_FAIL(c, NNINIT_E_FORMAT, "field \"%s\": expected a string, got %s", texts[i], nninit_json_type_name_(v));
        if (!nninit_utf8_ok_(v->valuestring))   /* it goes into every output's metadata, JSON text */
            return CTX_FAIL(c, NNINIT_E_FORMAT, "field \"%s\": not valid UTF-8", texts[i]);
        char *s = dup_str(v->valuestring);
        if (!s) return CTX_FAIL(c, NNINIT_E_NOMEM, "out of memory");
        *(i ? &m->description : &m->name) = s;
    }
    FORWARD_IF_ERROR(parse_metadata(c, cJSON_GetObjectItemCaseSensitive(root, "metadata"), m));
    FORWARD_IF_ERROR(parse_graph_fields(c, root, m));
    const cJSON *jt = cJSON_GetObjectItemCaseSensitive(root, "tensors");
    if (!jt) return CTX_FAIL(c, NNINIT_E_FORMAT, "field \"tensors\": missing");
    if (!cJSON_IsArray(jt))
        return CTX_FAIL(c, NNINIT_E_FORMAT, "field \"tensors\": expected an array, got %s", nninit_json_type_name_(jt));

    mrule *rules;
    size_t n_rules;
    FORWARD_IF_ERROR(parse_vars(c, cJSON_GetObjectItemCaseSensitive(root, "vars")));
    FORWARD_IF_ERROR(parse_rules(c, cJSON_GetObjectItemCaseSensitive(root, "rules"), &rules, &n_rules));
    size_t n = (size_t)cJSON_GetArraySize(jt);
    nninit_status st = NNINIT_OK;
    m->t = calloc(n ? n : 1, sizeof *m->t);
    if (!m->t) st = CTX_FAIL(c, NNINIT_E_NOMEM, "out of memory");
    uint64_t total = 0;
    size_t i = 0;
    for (const cJSON *e = jt->child; e && st == NNINIT_OK; e = e->next, i++) {
        st = parse_tensor(c, e, i, m, layout, rules, n_rules, &m->t[i]);
        if (st != NNINIT_OK) break;
        m->n = i + 1;
        uint64_t nb = (uint64_t)m->t[i].count * nninit_dtype_size(m->t[i].dtype);
        if (nb > UINT64_MAX - total)
            st = CTX_FAIL(c, NNINIT_E_OVERFLOW, "tensor \"" NAMEFMT "\": the model's total byte count overflows",
                      m->t[i].name);
        total += nb;
    }
    free_rules(rules, n_rules);
    if (st != NNINIT_OK) return st;

    /* Duplicate names: sort pointers, compare neighbours. */
    if (n > 1) {
        const mtensor **by = malloc(n * sizeof *by);
        if (!by) return CTX_FAIL(c, NNINIT_E_NOMEM, "out of memory");
        for (size_t j = 0; j < n; j++) by[j] = &m->t[j];
        qsort(by, n, sizeof *by, cmp_name);
        for (size_t j = 1; j < n && st == NNINIT_OK; j++)
            if (strcmp(by[j - 1]->name, by[j]->name) == 0)
                st = CTX_FAIL(c, NNINIT_E_FORMAT, "tensor \"" NAMEFMT "\": field \"name\": duplicate tensor name "
                          "(tensors[%zu] and tensors[%zu])", by[j]->name,
                          (size_t)(by[j - 1] < by[j] ? by[j - 1] - m->t : by[j] - m->t),
                          (size_t)(by[j - 1] < by[j] ? by[j] - m->t : by[j - 1] - m->t));
        free(by);
    }
    return st;
}

nninit_status nninit_model_parse_vars(const char *json, size_t len, const nninit_var *vars, size_t n_vars,
                                      nninit_model **out, char *msg, size_t msg_size)
{
    ctx c = { msg, msg_size, NULL, 0, 0, 0, 0 };
    char why[256];
    if (msg && msg_size > 0) msg[0] = '\0';
    if (out) *out = NULL;
    RETURN_ERROR_IF(!out || (!json && len > 0), CTX_FAIL(&c, NNINIT_E_NULL, "NULL spec or output"));
    /* A NUL character, raw or as the escape \u0000, would cut a name short
     * (C strings): "a\u0000b" would silently become "a". Refused wherever it is. */
    for (size_t i = 0; json && i < len; i++) {
        int nul = json[i] == '\0';
        if (!nul && json[i] == '\\' && i + 5 < len) {
            nul = json[i + 1] == 'u' && json[i + 2] == '0' && json[i + 3] == '0' && json[i + 4] == '0' &&
                  json[i + 5] == '0';
            if (!nul) { i++; continue; }   /* another escape: its next character is not a backslash of its own */
        }
        if (nul) {
            size_t line = 1, col = 1;
            for (size_t j = 0; j < i; j++) { if (json[j] == '\n') { line++; col = 1; } else col++; }
            return CTX_FAIL(&c, NNINIT_E_FORMAT, "line %zu, column %zu: a NUL character, U+0000 (%s); names and strings cannot "
                        "hold one", line, col, json[i] ? "\\u0000" : "a zero byte");
        }
    }
    nninit_status vst = nninit_vars_check_(vars, n_vars, why, sizeof why);
    if (vst != NNINIT_OK) return CTX_FAIL(&c, vst, "variables: %s", why);
    if (vars_reserve(&c, n_vars) != NNINIT_OK) return NNINIT_E_NOMEM;
    if (n_vars) memcpy(c.vars, vars, n_vars * sizeof *vars);
    c.n_vars = c.n_fixed = n_vars;
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(json ? json : "", len, &end, 0);
    if (root) {
        /* cJSON stops after the value: anything but whitespace after it is an error too. */
        size_t pos = (size_t)(end - json);
        while (pos < len && (json[pos] == ' ' || json[pos] == '\t' || json[pos] == '\n' || json[pos] == '\r')) pos++;
        if (pos < len) { cJSON_Delete(root); root = NULL; end = json + pos; }
    }
    if (!root) {
        size_t pos = end && json ? (size_t)(end - json) : 0, line = 1, col = 1;
        for (size_t i = 0; i < pos && i < len; i++) { if (json[i] == '\n') { line++; col = 1; } else col++; }
        free(c.vars);
        return CTX_FAIL(&c, NNINIT_E_FORMAT, len == 0 ? "malformed JSON: empty input"
                    : "malformed JSON at line %zu, column %zu", line, col);
    }
    nninit_model *m = calloc(1, sizeof *m);
    nninit_status st = m ? parse_doc(&c, root, m) : CTX_FAIL(&c, NNINIT_E_NOMEM, "out of memory");
    cJSON_Delete(root);
    free(c.vars);
    if (st == NNINIT_OK && refresh(m) != NNINIT_OK) st = CTX_FAIL(&c, NNINIT_E_NOMEM, "out of memory");
    if (st != NNINIT_OK) { nninit_model_free(m); return st; }
    *out = m;
    return NNINIT_OK;
}

nninit_status nninit_model_parse(const char *json, size_t len, nninit_model **out, char *msg, size_t msg_size)
{
    return nninit_model_parse_vars(json, len, NULL, 0, out, msg, msg_size);
}

nninit_status nninit_model_load(const char *path, nninit_model **out, char *msg, size_t msg_size)
{
    if (msg && msg_size > 0) msg[0] = '\0';
    if (out) *out = NULL;
    RETURN_ERROR_IF(!path || !out, nninit_fail_(NNINIT_E_NULL, msg, msg_size, "NULL path or output"));
    const char *why;
    char *buf;
    size_t len;
    int opened;
    if (nninit_read_input_(path, 0, 0, &buf, &len, &opened, &why) != 0) {   /* a FIFO: an error, never a hang */
        int e = errno;
        if (e == ENOMEM) return nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory reading \"%.200s\"", path);
        nninit_fail_(NNINIT_E_IO, msg, msg_size, "cannot %s \"%.200s\": %s", opened ? "read" : "open", path, why);
        errno = e;
        return NNINIT_E_IO;
    }
    char reason[768];
    nninit_status st = nninit_model_parse(buf, len, out, reason, sizeof reason);
    free(buf);
    if (st != NNINIT_OK) return nninit_fail_(st, msg, msg_size, "%.200s: %s", path, reason);
    return NNINIT_OK;
}

/* ---- accessors ---------------------------------------------------------------------- */
uint64_t nninit_model_seed(const nninit_model *m) { return m ? m->seed : 0; }

nninit_status nninit_model_set_seed(nninit_model *m, uint64_t seed)
{
    RETURN_ERROR_IF(!m, NNINIT_E_NULL);
    uint64_t old = m->seed;
    m->seed = seed;
    nninit_status st = refresh(m);
    if (st != NNINIT_OK) m->seed = old;
    return st;
}

nninit_status nninit_model_set_dtype(nninit_model *m, nninit_dtype dtype)
{
    RETURN_ERROR_IF(!m, NNINIT_E_NULL);
    size_t es = nninit_dtype_size(dtype);
    RETURN_ERROR_IF(es == 0, NNINIT_E_DTYPE);
    uint64_t total = 0;
    for (size_t i = 0; i < m->n; i++) {       /* check everything before changing anything */
        RETURN_ERROR_IF(m->t[i].count > SIZE_MAX / es, NNINIT_E_OVERFLOW);
        RETURN_ERROR_IF((uint64_t)m->t[i].count * es > UINT64_MAX - total, NNINIT_E_OVERFLOW);
        total += (uint64_t)m->t[i].count * es;
    }
    nninit_dtype *old = malloc((m->n ? m->n : 1) * sizeof *old);
    RETURN_ERROR_IF(!old, NNINIT_E_NOMEM);
    nninit_dtype old_model = m->dtype;
    for (size_t i = 0; i < m->n; i++) { old[i] = m->t[i].dtype; m->t[i].dtype = dtype; }
    m->dtype = dtype;
    nninit_status st = refresh(m);
    if (st != NNINIT_OK) {
        m->dtype = old_model;
        for (size_t i = 0; i < m->n; i++) m->t[i].dtype = old[i];
    }
    free(old);
    return st;
}

size_t nninit_model_count(const nninit_model *m) { return m ? m->n : 0; }

uint64_t nninit_model_bytes(const nninit_model *m)
{
    uint64_t total = 0;
    for (size_t i = 0; m && i < m->n; i++) total += (uint64_t)m->t[i].count * nninit_dtype_size(m->t[i].dtype);
    return total;
}

nninit_status nninit_model_tensor_info(const nninit_model *m, size_t i, nninit_model_tensor *out)
{
    RETURN_ERROR_IF(!m || !out, NNINIT_E_NULL);
    RETURN_ERROR_IF(i >= m->n, NNINIT_E_PARAM);
    const mtensor *t = &m->t[i];
    memset(out, 0, sizeof *out);
    out->name = t->name;
    out->dtype = t->dtype;
    out->ndim = t->ndim;
    memcpy(out->shape, t->shape, sizeof out->shape);
    out->count = t->count;
    out->nbytes = t->count * nninit_dtype_size(t->dtype);
    out->init = t->init;
    out->scheme = t->scheme;
    out->rng.seed = m->seed;
    out->rng.stream = t->stream;
    return NNINIT_OK;
}

int64_t nninit_model_zero_row_(const nninit_model *m, size_t i) { return m->t[i].zero_row; }

/* ---- canonical JSON ------------------------------------------------------------------ */
static cJSON *raw_int(unsigned long long v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%llu", v);
    return cJSON_CreateRaw(buf);
}

/* Adds item to obj (arrays when key is NULL); 0 if item is NULL (out of memory). */
static int put(cJSON *obj, const char *key, cJSON *item)
{
    if (!item) return 0;
    if (key) return cJSON_AddItemToObject(obj, key, item) ? 1 : (cJSON_Delete(item), 0);
    return cJSON_AddItemToArray(obj, item) ? 1 : (cJSON_Delete(item), 0);
}

static int canonical_tensor(cJSON *arr, const mtensor *t)
{
    cJSON *o = cJSON_CreateObject(), *shape = cJSON_CreateArray();
    if (!put(arr, NULL, o)) { cJSON_Delete(shape); return 0; }
    if (!put(o, "name", cJSON_CreateString(t->name)) || !put(o, "shape", shape)) return 0;
    for (int d = 0; d < t->ndim; d++)
        if (!put(shape, NULL, raw_int((unsigned long long)t->shape[d]))) return 0;
    if (!put(o, "dtype", cJSON_CreateString(nninit_dtype_name(t->dtype)))) return 0;
    /* The layout and groups that took effect: the scheme's when it reads them
     * (the formatted init then agrees), else the tensor's own. */
    const unsigned params = nninit_schemes_[t->scheme.kind].params;
    nninit_layout_kind layout = t->layout;
    if ((params & NNP_LAYOUT) && t->scheme.layout.kind != NNINIT_LAYOUT_AXES) layout = t->scheme.layout.kind;
    int64_t groups = (params & NNP_GROUPS) ? t->scheme.layout.groups : t->groups;
    if (layout != NNINIT_LAYOUT_OIHW && !put(o, "layout", cJSON_CreateString(nninit_layout_name_(layout)))) return 0;
    if (groups > 1 && !put(o, "groups", raw_int((unsigned long long)groups))) return 0;
    size_t need = nninit_scheme_format(&t->scheme, NULL, 0);
    char *spec = malloc(need + 1);
    if (!spec) return 0;
    nninit_scheme_format(&t->scheme, spec, need + 1);
    int ok = put(o, "init", cJSON_CreateString(spec));
    free(spec);
    if (ok && t->zero_row >= 0) ok = put(o, "zero_row", raw_int((unsigned long long)t->zero_row));
    return ok;
}

/* The canonical JSON of m (NULL when out of memory). */
static char *canonical_json(const nninit_model *m)
{
    cJSON *root = cJSON_CreateObject();
    int ok = root != NULL;
    /* Seeds JSON numbers hold exactly (up to 2^53) stay numbers; larger ones are strings. */
    if (ok && m->seed <= (uint64_t)NNINIT_JSON_INT_MAX_) ok = put(root, "seed", raw_int(m->seed));
    else if (ok) {
        char buf[24];
        snprintf(buf, sizeof buf, "%llu", (unsigned long long)m->seed);
        ok = put(root, "seed", cJSON_CreateString(buf));
    }
    ok = ok && put(root, "dtype", cJSON_CreateString(nninit_dtype_name(m->dtype)));
    if (ok && m->name) ok = put(root, "name", cJSON_CreateString(m->name));
    if (ok && m->description) ok = put(root, "description", cJSON_CreateString(m->description));
    if (ok && m->n_user_meta) {
        cJSON *mo = cJSON_CreateObject();
        ok = put(root, "metadata", mo);
        for (size_t i = 0; ok && i < m->n_user_meta; i++)
            ok = put(mo, m->user_meta[2 * i], cJSON_CreateString(m->user_meta[2 * i + 1]));
    }
    cJSON *arr = ok ? cJSON_CreateArray() : NULL;
    ok = ok && put(root, "tensors", arr);
    for (size_t i = 0; ok && i < m->n; i++) ok = canonical_tensor(arr, &m->t[i]);
    if (ok && m->graph) ok = put(root, "graph", cJSON_CreateRaw(m->graph));
    if (ok && m->data_init) ok = put(root, "data_init", cJSON_CreateString(m->data_init));
    char *text = ok ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    return text;
}

/* Rebuilds what the accessors hand out after a change: the canonical JSON
 * and the metadata list. On failure the old ones stay. */
static nninit_status refresh(nninit_model *m)
{
    char *json = canonical_json(m);
    RETURN_ERROR_IF(!json, NNINIT_E_NOMEM);
    const char **meta = malloc((7 + 2 * m->n_user_meta) * sizeof *meta);
    if (!meta) {
        cJSON_free(json);
        return NNINIT_E_NOMEM;
    }
    cJSON_free(m->json);
    m->json = json;
    free(m->meta);
    m->meta = meta;
    snprintf(m->seed_text, sizeof m->seed_text, "%llu", (unsigned long long)m->seed);
    size_t k = 0;
    meta[k++] = "nninit_version";
    meta[k++] = nninit_version_string();
    meta[k++] = "seed";
    meta[k++] = m->seed_text;
    meta[k++] = "spec";
    meta[k++] = m->json;
    for (size_t i = 0; i < 2 * m->n_user_meta; i++) meta[k++] = m->user_meta[i];
    meta[k] = NULL;
    return NNINIT_OK;
}

const char *nninit_model_json(const nninit_model *m) { return m ? m->json : NULL; }

const char *nninit_model_graph(const nninit_model *m) { return m ? m->graph : NULL; }

const char *nninit_model_data_init(const nninit_model *m) { return m ? m->data_init : NULL; }

nninit_status nninit_model_set_data_init(nninit_model *m, const char *data_init)
{
    RETURN_ERROR_IF(!m, NNINIT_E_NULL);
    char *copy = NULL;
    RETURN_ERROR_IF(data_init && !(copy = dup_str(data_init)), NNINIT_E_NOMEM);
    char *old = m->data_init;
    m->data_init = copy;
    nninit_status st = refresh(m);
    if (st != NNINIT_OK) { m->data_init = old; free(copy); return st; }
    free(old);
    return NNINIT_OK;
}

long nninit_model_find(const nninit_model *m, const char *name)
{
    if (!m || !name) return -1;
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->t[i].name, name) == 0) return (long)i;
    return -1;
}

const char *const *nninit_model_metadata(const nninit_model *m) { return m ? m->meta : NULL; }
