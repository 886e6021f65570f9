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

/* JSON numbers are doubles: integers above 2^53 are not all representable,
 * so larger seeds must be written as decimal strings and larger sizes are refused. */
#define EXACT_INT_MAX 9007199254740992.0

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
    const char *meta[7];         /* nninit_model_metadata: key, value, ..., NULL */
};

typedef struct {
    const char *pattern, *init;
    nninit_scheme scheme;
    int own_layout, own_groups;
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
    cJSON_free(m->json);
    free(m);
}

static int layout_lookup(const char *s, nninit_layout_kind *out) { return nninit_layout_lookup_(s, strlen(s), out); }

/* Does the spec (already known to parse) name parameter `param`? In the spec
 * grammar a parameter name is the only identifier followed by '='. */
static int spec_names(const char *spec, const char *param)
{
    size_t plen = strlen(param);
    for (const char *p = spec; *p; p++) {
        int start = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_';
        if (!start || (p > spec && (p[-1] == '_' || (p[-1] >= '0' && p[-1] <= '9') ||
                                    (p[-1] >= 'a' && p[-1] <= 'z') || (p[-1] >= 'A' && p[-1] <= 'Z'))))
            continue;
        const char *q = p;
        while ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == '_') q++;
        const char *r = q;
        while (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r' || *r == '\f' || *r == '\v') r++;
        if (*r == '=' && (size_t)(q - p) == plen && memcmp(p, param, plen) == 0) return 1;
        p = q - 1;
    }
    return 0;
}

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

/* A JSON number that is an integer in [lo, EXACT_INT_MAX]. */
static int json_int(const cJSON *v, double lo, int64_t *out)
{
    if (!cJSON_IsNumber(v)) return 0;
    double d = v->valuedouble;
    if (!(d >= lo && d <= EXACT_INT_MAX) || d != floor(d)) return 0;
    *out = (int64_t)d;
    return 1;
}

/* ---- the parser ---------------------------------------------------------------- */
typedef struct {
    char *msg;
    size_t msg_size;
} ctx;

#define FAIL(c, st, ...) nninit_fail_((st), (c)->msg, (c)->msg_size, __VA_ARGS__)
#define NAMEFMT "%.200s"

static nninit_status parse_seed(ctx *c, const cJSON *v, uint64_t *out)
{
    if (cJSON_IsNumber(v)) {
        int64_t s;
        if (!json_int(v, 0, &s))
            return FAIL(c, NNINIT_E_FORMAT, "field \"seed\": %.17g is not an integer in 0..2^53 "
                        "(write larger seeds, up to 2^64-1, as a decimal string)", v->valuedouble);
        *out = (uint64_t)s;
        return NNINIT_OK;
    }
    if (!cJSON_IsString(v))
        return FAIL(c, NNINIT_E_FORMAT, "field \"seed\": expected an integer or a decimal string, got %s",
                    nninit_json_type_name_(v));
    const char *s = v->valuestring;
    size_t n = strlen(s);
    int digits = n > 0 && n <= 20;
    for (size_t i = 0; i < n && digits; i++) digits = s[i] >= '0' && s[i] <= '9';
    errno = 0;
    unsigned long long u = digits ? strtoull(s, NULL, 10) : 0;
    if (!digits || errno == ERANGE)
        return FAIL(c, NNINIT_E_FORMAT, "field \"seed\": \"%.40s\" is not a decimal integer in 0..2^64-1", s);
    *out = (uint64_t)u;
    return NNINIT_OK;
}

static nninit_status parse_rule(ctx *c, const char *pattern, const cJSON *init, const char *where, mrule *r)
{
    char why[512];
    if (!cJSON_IsString(init))
        return FAIL(c, NNINIT_E_FORMAT, "rules: %s \"" NAMEFMT "\": the init spec must be a string, got %s", where,
                    pattern, nninit_json_type_name_(init));
    nninit_status st = nninit_scheme_parse(init->valuestring, &r->scheme, why, sizeof why);
    if (st != NNINIT_OK) return FAIL(c, st, "rules: %s \"" NAMEFMT "\": %s", where, pattern, why);
    r->pattern = pattern;
    r->init = init->valuestring;
    r->own_layout = spec_names(r->init, "layout") || spec_names(r->init, "in_axis");
    r->own_groups = spec_names(r->init, "groups");
    return NNINIT_OK;
}

/* rules: {"glob": "spec", ...} in document order, or [{"match": glob, "init": spec}, ...]. */
static nninit_status parse_rules(ctx *c, const cJSON *v, mrule **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    if (!v) return NNINIT_OK;
    if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
        return FAIL(c, NNINIT_E_FORMAT, "field \"rules\": expected an object (pattern: init spec) or an array of "
                    "{\"match\", \"init\"}, got %s", nninit_json_type_name_(v));
    size_t n = (size_t)cJSON_GetArraySize(v);
    mrule *r = calloc(n ? n : 1, sizeof *r);
    if (!r) return FAIL(c, NNINIT_E_NOMEM, "out of memory");
    nninit_status st = NNINIT_OK;
    size_t i = 0;
    for (const cJSON *e = v->child; e && st == NNINIT_OK; e = e->next, i++) {
        if (cJSON_IsObject(v)) {
            for (const cJSON *p = v->child; p != e && st == NNINIT_OK; p = p->next)
                if (strcmp(p->string, e->string) == 0)
                    st = FAIL(c, NNINIT_E_FORMAT, "rules: pattern \"" NAMEFMT "\" appears twice", e->string);
            if (st == NNINIT_OK) st = parse_rule(c, e->string, e, "pattern", &r[i]);
            continue;
        }
        static const char *const allowed[] = { "match", "init", NULL };
        const cJSON *k;
        int dup;
        if (!cJSON_IsObject(e)) {
            st = FAIL(c, NNINIT_E_FORMAT, "rules[%zu]: expected an object {\"match\", \"init\"}, got %s", i,
                      nninit_json_type_name_(e));
        } else if ((k = bad_key(e, allowed, &dup))) {
            st = FAIL(c, NNINIT_E_FORMAT, "rules[%zu]: field \"" NAMEFMT "\": %s", i, k->string,
                      dup ? "appears twice" : "unknown field (expected match, init)");
        } else {
            const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "match");
            const cJSON *in = cJSON_GetObjectItemCaseSensitive(e, "init");
            if (!cJSON_IsString(m))
                st = FAIL(c, NNINIT_E_FORMAT, "rules[%zu]: field \"match\": %s", i,
                          m ? "expected a string (a glob pattern)" : "missing");
            else if (!in)
                st = FAIL(c, NNINIT_E_FORMAT, "rules[%zu]: field \"init\": missing", i);
            else
                st = parse_rule(c, m->valuestring, in, "match", &r[i]);
        }
    }
    if (st != NNINIT_OK) { free(r); return st; }
    *out = r;
    *n_out = n;
    return NNINIT_OK;
}

/* One tensor object: fills t (name and init are owned copies on success). */
static nninit_status parse_tensor(ctx *c, const cJSON *e, size_t idx, const nninit_model *m, nninit_layout_kind default_layout,
                                  const mrule *rules, size_t n_rules, mtensor *t)
{
    static const char *const allowed[] = { "name", "shape", "dtype", "layout", "groups", "init", NULL };
    char why[512], shp[256];
    int dup;
    if (!cJSON_IsObject(e))
        return FAIL(c, NNINIT_E_FORMAT, "tensors[%zu]: expected an object, got %s", idx, nninit_json_type_name_(e));
    const cJSON *jn = cJSON_GetObjectItemCaseSensitive(e, "name");
    if (!cJSON_IsString(jn) || !jn->valuestring[0])
        return FAIL(c, NNINIT_E_FORMAT, "tensors[%zu]: field \"name\": %s", idx,
                    !jn ? "missing" : cJSON_IsString(jn) ? "empty" : "expected a string");
    const char *name = jn->valuestring;
    /* a model that parsed can be written: names are UTF-8 (safetensors headers are JSON
     * text), and safetensors keeps "__metadata__" for its metadata */
    if (!nninit_utf8_ok_(name))
        return FAIL(c, NNINIT_E_FORMAT, "tensors[%zu]: field \"name\": not valid UTF-8 (byte %zu): no output could "
                    "hold the tensor", idx, nninit_utf8_check_((const unsigned char *)name, strlen(name)));
    if (strcmp(name, "__metadata__") == 0)
        return FAIL(c, NNINIT_E_FORMAT, "tensors[%zu]: the name \"__metadata__\" is reserved (safetensors' metadata "
                    "key): no output could hold the tensor", idx);
    const cJSON *k = bad_key(e, allowed, &dup);
    if (k)
        return FAIL(c, NNINIT_E_FORMAT, "tensor \"" NAMEFMT "\": field \"" NAMEFMT "\": %s", name, k->string,
                    dup ? "appears twice" : "unknown field (expected name, shape, dtype, layout, groups, init)");

    /* shape */
    const cJSON *js = cJSON_GetObjectItemCaseSensitive(e, "shape");
    if (!js) return FAIL(c, NNINIT_E_FORMAT, "tensor \"" NAMEFMT "\": field \"shape\": missing", name);
    if (!cJSON_IsArray(js))
        return FAIL(c, NNINIT_E_FORMAT, "tensor \"" NAMEFMT "\": field \"shape\": expected an array of sizes, got %s",
                    name, nninit_json_type_name_(js));
    int ndim = cJSON_GetArraySize(js);
    if (ndim > NNINIT_MAX_DIMS)
        return FAIL(c, NNINIT_E_SHAPE, "tensor \"" NAMEFMT "\": field \"shape\": %d dimensions (at most %d)", name,
                    ndim, NNINIT_MAX_DIMS);
    memset(t, 0, sizeof *t);
    int d = 0;
    for (const cJSON *s = js->child; s; s = s->next, d++) {
        if (!cJSON_IsNumber(s))
            return FAIL(c, NNINIT_E_FORMAT, "tensor \"" NAMEFMT "\": field \"shape\": expected a size, got %s", name,
                        nninit_json_type_name_(s));
        if (!json_int(s, 0, &t->shape[d]))
            return FAIL(c, NNINIT_E_SHAPE, "tensor \"" NAMEFMT "\": field \"shape\": %.17g is not a size%s", name,
                        s->valuedouble, s->valuedouble > EXACT_INT_MAX ? " (larger than 2^53)" : "");
    }
    t->ndim = ndim;
    nninit_shape_str_(shp, sizeof shp, t->shape, ndim);
    if (nninit_shape_count_(t->shape, ndim, &t->count) != NNINIT_OK)
        return FAIL(c, NNINIT_E_SHAPE, "tensor \"" NAMEFMT "\": field \"shape\": %s has too many elements", name, shp);

    /* dtype, layout, groups */
    t->dtype = m->dtype;
    const cJSON *jd = cJSON_GetObjectItemCaseSensitive(e, "dtype");
    if (jd && !cJSON_IsString(jd))
        return FAIL(c, NNINIT_E_FORMAT, "tensor \"" NAMEFMT "\": field \"dtype\": expected a string, got %s", name,
                    nninit_json_type_name_(jd));
    if (jd && !nninit_dtype_lookup_(jd->valuestring, &t->dtype))
        return FAIL(c, NNINIT_E_DTYPE, "tensor \"" NAMEFMT "\": field \"dtype\": unknown dtype \"%.40s\" "
                    "(expected %s)", name, jd->valuestring, nninit_dtype_names_text_);
    if (t->count > SIZE_MAX / nninit_dtype_size(t->dtype))
        return FAIL(c, NNINIT_E_OVERFLOW, "tensor \"" NAMEFMT "\": field \"shape\": %s of %s does not fit in memory "
                    "(byte count overflows)", name, shp, nninit_dtype_name(t->dtype));
    t->layout = default_layout;
    const cJSON *jl = cJSON_GetObjectItemCaseSensitive(e, "layout");
    if (jl && !(cJSON_IsString(jl) && layout_lookup(jl->valuestring, &t->layout)))
        return FAIL(c, NNINIT_E_FORMAT, "tensor \"" NAMEFMT "\": field \"layout\": %s%.40s%s (expected %s)", name,
                    cJSON_IsString(jl) ? "unknown layout \"" : "expected a string, got ",
                    cJSON_IsString(jl) ? jl->valuestring : nninit_json_type_name_(jl), cJSON_IsString(jl) ? "\"" : "",
                    nninit_layout_names_text_);
    t->groups = 1;
    const cJSON *jg = cJSON_GetObjectItemCaseSensitive(e, "groups");
    if (jg && !json_int(jg, 1, &t->groups))
        return cJSON_IsNumber(jg)
            ? FAIL(c, NNINIT_E_FORMAT, "tensor \"" NAMEFMT "\": field \"groups\": %.17g is not a group count "
                   "(an integer >= 1)", name, jg->valuedouble)
            : FAIL(c, NNINIT_E_FORMAT, "tensor \"" NAMEFMT "\": field \"groups\": expected an integer, got %s",
                   name, nninit_json_type_name_(jg));

    /* init: its own, else the first matching rule */
    const cJSON *ji = cJSON_GetObjectItemCaseSensitive(e, "init");
    const mrule *rule = NULL;
    mrule own;
    if (ji) {
        if (!cJSON_IsString(ji))
            return FAIL(c, NNINIT_E_FORMAT, "tensor \"" NAMEFMT "\": field \"init\": expected a string, got %s", name,
                        nninit_json_type_name_(ji));
        nninit_status st = nninit_scheme_parse(ji->valuestring, &own.scheme, why, sizeof why);
        if (st != NNINIT_OK) return FAIL(c, st, "tensor \"" NAMEFMT "\": field \"init\": %s", name, why);
        own.pattern = NULL;
        own.init = ji->valuestring;
        own.own_layout = spec_names(own.init, "layout") || spec_names(own.init, "in_axis");
        own.own_groups = spec_names(own.init, "groups");
        rule = &own;
    } else {
        for (size_t r = 0; r < n_rules && !rule; r++)
            if (fnmatch(rules[r].pattern, name, 0) == 0) rule = &rules[r];
        if (!rule)
            return FAIL(c, NNINIT_E_FORMAT, "tensor \"" NAMEFMT "\": field \"init\": missing, and no rule matches "
                        "the name", name);
    }
    t->scheme = rule->scheme;
    const unsigned params = nninit_schemes_[t->scheme.kind].params;
    if ((params & NNP_LAYOUT) && !rule->own_layout) t->scheme.layout.kind = t->layout;
    if ((params & NNP_GROUPS) && !rule->own_groups) t->scheme.layout.groups = t->groups;
    nninit_plan plan;
    nninit_status st = nninit_scheme_plan(&t->scheme, t->shape, ndim, &plan, why, sizeof why);
    if (st != NNINIT_OK) {
        if (rule->pattern)
            return FAIL(c, st, "tensor \"" NAMEFMT "\": init \"%.120s\" (rule \"" NAMEFMT "\"): %s", name, rule->init,
                        rule->pattern, why);
        return FAIL(c, st, "tensor \"" NAMEFMT "\": field \"init\": %s", name, why);
    }
    t->stream = nninit_stream_id(name);
    t->name = dup_str(name);
    t->init = dup_str(rule->init);
    if (!t->name || !t->init) {
        free(t->name); free(t->init);
        t->name = t->init = NULL;
        return FAIL(c, NNINIT_E_NOMEM, "out of memory");
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
        return FAIL(c, NNINIT_E_FORMAT, "field \"graph\": expected an array of ops, got %s", nninit_json_type_name_(g));
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(root, "data_init");
    if (d && !cJSON_IsString(d))
        return FAIL(c, NNINIT_E_FORMAT, "field \"data_init\": expected a string (e.g. \"lsuv(tol=0.1)\"), got %s",
                    nninit_json_type_name_(d));
    if (g && !(m->graph = cJSON_PrintUnformatted(g))) return FAIL(c, NNINIT_E_NOMEM, "out of memory");
    if (d && !(m->data_init = dup_str(d->valuestring))) return FAIL(c, NNINIT_E_NOMEM, "out of memory");
    return NNINIT_OK;
}

static nninit_status parse_doc(ctx *c, const cJSON *root, nninit_model *m)
{
    static const char *const allowed[] = { "seed", "dtype", "layout", "name", "description", "rules", "tensors",
                                           "graph", "data_init", NULL };
    int dup;
    if (!cJSON_IsObject(root))
        return FAIL(c, NNINIT_E_FORMAT, "the model spec must be a JSON object, got %s", nninit_json_type_name_(root));
    const cJSON *k = bad_key(root, allowed, &dup);
    if (k)
        return FAIL(c, NNINIT_E_FORMAT, "field \"" NAMEFMT "\": %s", k->string, dup ? "appears twice"
                    : "unknown field (expected seed, dtype, layout, name, description, rules, tensors, graph, "
                      "data_init)");
    const cJSON *v;
    if ((v = cJSON_GetObjectItemCaseSensitive(root, "seed"))) FORWARD_IF_ERROR(parse_seed(c, v, &m->seed));
    m->dtype = NNINIT_F32;
    if ((v = cJSON_GetObjectItemCaseSensitive(root, "dtype"))) {
        if (!cJSON_IsString(v))
            return FAIL(c, NNINIT_E_FORMAT, "field \"dtype\": expected a string, got %s", nninit_json_type_name_(v));
        if (!nninit_dtype_lookup_(v->valuestring, &m->dtype))
            return FAIL(c, NNINIT_E_DTYPE, "field \"dtype\": unknown dtype \"%.40s\" (expected %s)",
                        v->valuestring, nninit_dtype_names_text_);
    }
    nninit_layout_kind layout = NNINIT_LAYOUT_OIHW;
    if ((v = cJSON_GetObjectItemCaseSensitive(root, "layout")) && !(cJSON_IsString(v) && layout_lookup(v->valuestring,
                                                                                                       &layout)))
        return FAIL(c, NNINIT_E_FORMAT, "field \"layout\": %s%.40s%s (expected %s)",
                    cJSON_IsString(v) ? "unknown layout \"" : "expected a string, got ",
                    cJSON_IsString(v) ? v->valuestring : nninit_json_type_name_(v), cJSON_IsString(v) ? "\"" : "",
                    nninit_layout_names_text_);
    static const char *const texts[] = { "name", "description" };
    for (int i = 0; i < 2; i++) {
        if (!(v = cJSON_GetObjectItemCaseSensitive(root, texts[i]))) continue;
        if (!cJSON_IsString(v))
            return FAIL(c, NNINIT_E_FORMAT, "field \"%s\": expected a string, got %s", texts[i], nninit_json_type_name_(v));
        char *s = dup_str(v->valuestring);
        if (!s) return FAIL(c, NNINIT_E_NOMEM, "out of memory");
        *(i ? &m->description : &m->name) = s;
    }
    FORWARD_IF_ERROR(parse_graph_fields(c, root, m));
    const cJSON *jt = cJSON_GetObjectItemCaseSensitive(root, "tensors");
    if (!jt) return FAIL(c, NNINIT_E_FORMAT, "field \"tensors\": missing");
    if (!cJSON_IsArray(jt))
        return FAIL(c, NNINIT_E_FORMAT, "field \"tensors\": expected an array, got %s", nninit_json_type_name_(jt));

    mrule *rules;
    size_t n_rules;
    FORWARD_IF_ERROR(parse_rules(c, cJSON_GetObjectItemCaseSensitive(root, "rules"), &rules, &n_rules));
    size_t n = (size_t)cJSON_GetArraySize(jt);
    nninit_status st = NNINIT_OK;
    m->t = calloc(n ? n : 1, sizeof *m->t);
    if (!m->t) st = FAIL(c, NNINIT_E_NOMEM, "out of memory");
    uint64_t total = 0;
    size_t i = 0;
    for (const cJSON *e = jt->child; e && st == NNINIT_OK; e = e->next, i++) {
        st = parse_tensor(c, e, i, m, layout, rules, n_rules, &m->t[i]);
        if (st != NNINIT_OK) break;
        m->n = i + 1;
        uint64_t nb = (uint64_t)m->t[i].count * nninit_dtype_size(m->t[i].dtype);
        if (nb > UINT64_MAX - total)
            st = FAIL(c, NNINIT_E_OVERFLOW, "tensor \"" NAMEFMT "\": the model's total byte count overflows",
                      m->t[i].name);
        total += nb;
    }
    free(rules);
    if (st != NNINIT_OK) return st;

    /* Duplicate names: sort pointers, compare neighbours. */
    if (n > 1) {
        const mtensor **by = malloc(n * sizeof *by);
        if (!by) return FAIL(c, NNINIT_E_NOMEM, "out of memory");
        for (size_t j = 0; j < n; j++) by[j] = &m->t[j];
        qsort(by, n, sizeof *by, cmp_name);
        for (size_t j = 1; j < n && st == NNINIT_OK; j++)
            if (strcmp(by[j - 1]->name, by[j]->name) == 0)
                st = FAIL(c, NNINIT_E_FORMAT, "tensor \"" NAMEFMT "\": field \"name\": duplicate tensor name "
                          "(tensors[%zu] and tensors[%zu])", by[j]->name,
                          (size_t)(by[j - 1] < by[j] ? by[j - 1] - m->t : by[j] - m->t),
                          (size_t)(by[j - 1] < by[j] ? by[j] - m->t : by[j - 1] - m->t));
        free(by);
    }
    return st;
}

nninit_status nninit_model_parse(const char *json, size_t len, nninit_model **out, char *msg, size_t msg_size)
{
    ctx c = { msg, msg_size };
    if (msg && msg_size > 0) msg[0] = '\0';
    if (out) *out = NULL;
    RETURN_ERROR_IF(!out || (!json && len > 0), FAIL(&c, NNINIT_E_NULL, "NULL spec or output"));
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
            return FAIL(&c, NNINIT_E_FORMAT, "line %zu, column %zu: a NUL character, U+0000 (%s); names and strings cannot "
                        "hold one", line, col, json[i] ? "\\u0000" : "a zero byte");
        }
    }
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
        return FAIL(&c, NNINIT_E_FORMAT, len == 0 ? "malformed JSON: empty input"
                    : "malformed JSON at line %zu, column %zu", line, col);
    }
    nninit_model *m = calloc(1, sizeof *m);
    nninit_status st = m ? parse_doc(&c, root, m) : FAIL(&c, NNINIT_E_NOMEM, "out of memory");
    cJSON_Delete(root);
    if (st == NNINIT_OK && refresh(m) != NNINIT_OK) st = FAIL(&c, NNINIT_E_NOMEM, "out of memory");
    if (st != NNINIT_OK) { nninit_model_free(m); return st; }
    *out = m;
    return NNINIT_OK;
}

nninit_status nninit_model_load(const char *path, nninit_model **out, char *msg, size_t msg_size)
{
    if (msg && msg_size > 0) msg[0] = '\0';
    if (out) *out = NULL;
    RETURN_ERROR_IF(!path || !out, nninit_fail_(NNINIT_E_NULL, msg, msg_size, "NULL path or output"));
    const char *why;
    int fd = nninit_open_input_(path, &why);   /* a FIFO or a device: an error, never a hang */
    FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
    if (!f) {
        int e = errno;
        if (fd >= 0) { close(fd); why = strerror(e); }
        nninit_fail_(NNINIT_E_IO, msg, msg_size, "cannot open \"%.200s\": %s", path, why);
        errno = e;
        return NNINIT_E_IO;
    }
    size_t cap = 1 << 16, len = 0, got;
    char *buf = malloc(cap);
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            char *nb = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
            if (!nb) { free(buf); buf = NULL; break; }
            buf = nb;
            cap *= 2;
        }
    }
    int err = ferror(f) ? errno : 0;
    fclose(f);
    if (!buf) return nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory reading \"%.200s\"", path);
    if (err) {
        free(buf);
        nninit_fail_(NNINIT_E_IO, msg, msg_size, "cannot read \"%.200s\": %s", path, strerror(err));
        errno = err;
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
    return ok;
}

/* The canonical JSON of m (NULL when out of memory). */
static char *canonical_json(const nninit_model *m)
{
    cJSON *root = cJSON_CreateObject();
    int ok = root != NULL;
    /* Seeds JSON numbers hold exactly stay numbers; larger ones are strings. */
    if (ok && m->seed <= (uint64_t)EXACT_INT_MAX) ok = put(root, "seed", raw_int(m->seed));
    else if (ok) {
        char buf[24];
        snprintf(buf, sizeof buf, "%llu", (unsigned long long)m->seed);
        ok = put(root, "seed", cJSON_CreateString(buf));
    }
    ok = ok && put(root, "dtype", cJSON_CreateString(nninit_dtype_name(m->dtype)));
    if (ok && m->name) ok = put(root, "name", cJSON_CreateString(m->name));
    if (ok && m->description) ok = put(root, "description", cJSON_CreateString(m->description));
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
    cJSON_free(m->json);
    m->json = json;
    snprintf(m->seed_text, sizeof m->seed_text, "%llu", (unsigned long long)m->seed);
    const char *meta[] = { "nninit_version", nninit_version_string(), "seed", m->seed_text, "spec", m->json, NULL };
    memcpy(m->meta, meta, sizeof meta);
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
