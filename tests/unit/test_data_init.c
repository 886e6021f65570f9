/* LSUV and batch_stats, checked by a forward pass that is not the
 * executor's: a direct, binary64 interpretation of the graph written here
 * from the op table (plain loops, no im2col, no gemm, no memory plan).
 *  - lsuv: every processed layer's output variance within tol of the target
 *    (and equal to the reported one); every weight equals its stored value
 *    times the one positive factor the report gives, rounded once to its
 *    dtype (f32, f64, bf16, f16); biases and other tensors untouched.
 *  - batch_stats: every live channel's mean and std to 1e-4; dead channels
 *    and layers left alone and counted; layers without bias scaled only.
 *  - the same bits for 1 and 2 threads; failures leave the tensors and the
 *    report untouched; too few samples, dead layers, max_iter.
 *  - the engine API with a forward pass written here, against the graph's.
 * Runs from the repository root (examples/models/). */
#include <cjson/cJSON.h>
#include "testutil.h"

/* ---- a direct binary64 forward pass ---------------------------------------------------- */
typedef struct {
    int ndim;
    int64_t d[4];
    double *v;
} dt;

typedef struct {
    size_t channels;
    double mean, var;          /* the whole output */
    double *cmean, *cstd;      /* per channel */
} layer_rec;

typedef struct {
    const nninit_model *m;
    void *const *t;
    layer_rec *rec;
    size_t nrec, cap;
} fwd;

static size_t dt_count(const dt *x)
{
    size_t n = 1;
    for (int i = 0; i < x->ndim; i++) n *= (size_t)x->d[i];
    return n;
}

static dt dt_new(int ndim, const int64_t *d)
{
    dt x;
    x.ndim = ndim;
    for (int i = 0; i < 4; i++) x.d[i] = i < ndim ? d[i] : 1;
    x.v = calloc(dt_count(&x), sizeof(double));
    return x;
}

static dt dt_copy(const dt *x)
{
    dt y = dt_new(x->ndim, x->d);
    memcpy(y.v, x->v, dt_count(x) * sizeof(double));
    return y;
}

/* Element i of tensor `name`, decoded from its dtype (testutil's conversions). */
static double wv(const fwd *f, long t, size_t i)
{
    nninit_model_tensor info;
    nninit_model_tensor_info(f->m, (size_t)t, &info);
    const void *p = f->t[t];
    switch (info.dtype) {
    case NNINIT_F32: return ((const float *)p)[i];
    case NNINIT_F64: return ((const double *)p)[i];
    case NNINIT_BF16: return nt_bf16_to_f32(((const uint16_t *)p)[i]);
    default: return nt_f16_to_f32(((const uint16_t *)p)[i]);
    }
}

/* The whole tensor decoded to binary64 (caller frees). */
static double *wall(const fwd *f, long t)
{
    if (t < 0) return NULL;
    nninit_model_tensor info;
    nninit_model_tensor_info(f->m, (size_t)t, &info);
    double *v = malloc(info.count * sizeof *v);
    for (size_t i = 0; i < info.count; i++) v[i] = wv(f, t, i);
    return v;
}

static long tensor(const fwd *f, const cJSON *op, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(op, key);
    if (!v) return -1;
    long t = nninit_model_find(f->m, v->valuestring);
    ck_assert_int_ge(t, 0);
    return t;
}

static void pair(const cJSON *op, const char *key, int64_t def, int64_t out[2])
{
    const cJSON *v = cJSON_GetObjectItem(op, key);
    if (!v) { out[0] = out[1] = def; return; }
    if (cJSON_IsArray(v)) { out[0] = (int64_t)v->child->valuedouble; out[1] = (int64_t)v->child->next->valuedouble; }
    else out[0] = out[1] = (int64_t)v->valuedouble;
}

/* Records a layer's output: overall and per channel (axis 1 for conv, last for linear). */
static void record(fwd *f, const dt *y, int axis)
{
    if (f->nrec == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 16;
        f->rec = realloc(f->rec, f->cap * sizeof *f->rec);
    }
    layer_rec *r = &f->rec[f->nrec++];
    size_t n = dt_count(y), c = (size_t)y->d[axis], inner = 1;
    for (int i = axis + 1; i < y->ndim; i++) inner *= (size_t)y->d[i];
    r->channels = c;
    r->cmean = calloc(c, sizeof(double));
    r->cstd = calloc(c, sizeof(double));
    double *cnt = calloc(c, sizeof(double));
    double s = 0;
    for (size_t i = 0; i < n; i++) { s += y->v[i]; r->cmean[(i / inner) % c] += y->v[i]; cnt[(i / inner) % c]++; }
    r->mean = s / (double)n;
    for (size_t k = 0; k < c; k++) r->cmean[k] /= cnt[k];
    double ss = 0;
    for (size_t i = 0; i < n; i++) {
        const size_t k = (i / inner) % c;
        ss += (y->v[i] - r->mean) * (y->v[i] - r->mean);
        r->cstd[k] += (y->v[i] - r->cmean[k]) * (y->v[i] - r->cmean[k]);
    }
    r->var = ss / (double)n;
    for (size_t k = 0; k < c; k++) r->cstd[k] = sqrt(r->cstd[k] / cnt[k]);
    free(cnt);
}

static dt run_seq(fwd *f, const cJSON *ops, const dt *x);

static dt run_op(fwd *f, const cJSON *op, const dt *x)
{
    const char *name = cJSON_GetObjectItem(op, "op")->valuestring;
    const size_t n = dt_count(x);
    if (!strcmp(name, "input") || !strcmp(name, "identity") || !strcmp(name, "dropout")) return dt_copy(x);
    if (!strcmp(name, "flatten")) {
        int64_t d[2] = { x->d[0], (int64_t)(n / (size_t)x->d[0]) };
        dt y = dt_new(2, d);
        memcpy(y.v, x->v, n * sizeof(double));
        return y;
    }
    if (!strcmp(name, "linear")) {
        long w = tensor(f, op, "weight"), b = tensor(f, op, "bias");
        nninit_model_tensor wi;
        nninit_model_tensor_info(f->m, (size_t)w, &wi);
        const int64_t o = wi.shape[0], in = wi.shape[1];
        int64_t d[4];
        memcpy(d, x->d, sizeof d);
        d[x->ndim - 1] = o;
        dt y = dt_new(x->ndim, d);
        double *W = wall(f, w), *B = wall(f, b);
        for (size_t r = 0; r < n / (size_t)in; r++)
            for (int64_t k = 0; k < o; k++) {
                double s = B ? B[k] : 0;
                for (int64_t j = 0; j < in; j++) s += x->v[r * (size_t)in + (size_t)j] * W[k * in + j];
                y.v[r * (size_t)o + (size_t)k] = s;
            }
        free(W);
        free(B);
        record(f, &y, y.ndim - 1);
        return y;
    }
    if (!strcmp(name, "conv2d")) {
        long w = tensor(f, op, "weight"), b = tensor(f, op, "bias");
        nninit_model_tensor wi;
        nninit_model_tensor_info(f->m, (size_t)w, &wi);
        int64_t st[2], pd[2], dl[2];
        pair(op, "stride", 1, st);
        pair(op, "padding", 0, pd);
        pair(op, "dilation", 1, dl);
        const cJSON *gj = cJSON_GetObjectItem(op, "groups");
        const int64_t g = gj ? (int64_t)gj->valuedouble : 1, o = wi.shape[0], cg = wi.shape[1];
        const int64_t kh = wi.shape[2], kw = wi.shape[3], og = o / g;
        const int64_t ho = (x->d[2] + 2 * pd[0] - dl[0] * (kh - 1) - 1) / st[0] + 1;
        const int64_t wo = (x->d[3] + 2 * pd[1] - dl[1] * (kw - 1) - 1) / st[1] + 1;
        int64_t d[4] = { x->d[0], o, ho, wo };
        dt y = dt_new(4, d);
        double *W = wall(f, w), *B = wall(f, b);
        for (int64_t s = 0; s < x->d[0]; s++)
            for (int64_t k = 0; k < o; k++)
                for (int64_t i = 0; i < ho; i++)
                    for (int64_t j = 0; j < wo; j++) {
                        double acc = B ? B[k] : 0;
                        for (int64_t c = 0; c < cg; c++)
                            for (int64_t p = 0; p < kh; p++)
                                for (int64_t q = 0; q < kw; q++) {
                                    int64_t ii = i * st[0] - pd[0] + p * dl[0], jj = j * st[1] - pd[1] + q * dl[1];
                                    if (ii < 0 || jj < 0 || ii >= x->d[2] || jj >= x->d[3]) continue;
                                    int64_t ci = (k / og) * cg + c;
                                    acc += x->v[((s * x->d[1] + ci) * x->d[2] + ii) * x->d[3] + jj] *
                                           W[((k * cg + c) * kh + p) * kw + q];
                                }
                        y.v[((s * o + k) * ho + i) * wo + j] = acc;
                    }
        free(W);
        free(B);
        record(f, &y, 1);
        return y;
    }
    if (!strcmp(name, "residual")) {
        dt a = run_seq(f, cJSON_GetObjectItem(op, "body"), x);
        const cJSON *sc = cJSON_GetObjectItem(op, "shortcut");
        dt b = sc ? run_seq(f, sc, x) : dt_copy(x);
        for (size_t i = 0; i < dt_count(&a); i++) a.v[i] += b.v[i];
        free(b.v);
        return a;
    }
    if (!strcmp(name, "batchnorm") || !strcmp(name, "layernorm")) {
        long w = tensor(f, op, "weight"), b = tensor(f, op, "bias");
        const cJSON *ej = cJSON_GetObjectItem(op, "eps");
        const double eps = ej ? ej->valuedouble : 1e-5;
        dt y = dt_copy(x);
        const int bn = !strcmp(name, "batchnorm");
        const size_t c = bn ? (size_t)x->d[1] : (size_t)x->d[x->ndim - 1];
        const size_t inner = bn ? n / (size_t)x->d[0] / c : 1;
        const size_t groups = bn ? c : n / c;
        for (size_t gi = 0; gi < groups; gi++) {
            double s = 0, ss = 0, cnt = 0;
            for (size_t i = 0; i < n; i++) {
                if (bn ? (i / inner) % c != gi : i / c != gi) continue;
                s += x->v[i];
                cnt++;
            }
            const double m = s / cnt;
            for (size_t i = 0; i < n; i++)
                if (bn ? (i / inner) % c == gi : i / c == gi) ss += (x->v[i] - m) * (x->v[i] - m);
            const double rs = 1 / sqrt(ss / cnt + eps);
            for (size_t i = 0; i < n; i++) {
                if (bn ? (i / inner) % c != gi : i / c != gi) continue;
                const size_t k = bn ? gi : i % c;
                y.v[i] = (x->v[i] - m) * rs * wv(f, w, k) + (b >= 0 ? wv(f, b, k) : 0);
            }
        }
        return y;
    }
    if (strstr(name, "pool")) {
        const int global = !strcmp(name, "global_avgpool"), mx = !strcmp(name, "maxpool2d");
        int64_t k[2] = { x->d[2], x->d[3] }, st[2] = { 1, 1 }, pd[2] = { 0, 0 };
        if (!global) {
            pair(op, "kernel", 1, k);
            pair(op, "stride", 0, st);
            if (!cJSON_GetObjectItem(op, "stride")) { st[0] = k[0]; st[1] = k[1]; }
            pair(op, "padding", 0, pd);
        }
        const int64_t ho = (x->d[2] + 2 * pd[0] - k[0]) / st[0] + 1, wo = (x->d[3] + 2 * pd[1] - k[1]) / st[1] + 1;
        int64_t d[4] = { x->d[0], x->d[1], ho, wo };
        dt y = dt_new(4, d);
        for (int64_t p = 0; p < x->d[0] * x->d[1]; p++)
            for (int64_t i = 0; i < ho; i++)
                for (int64_t j = 0; j < wo; j++) {
                    double acc = mx ? -INFINITY : 0;
                    for (int64_t a = 0; a < k[0]; a++)
                        for (int64_t c = 0; c < k[1]; c++) {
                            int64_t ii = i * st[0] - pd[0] + a, jj = j * st[1] - pd[1] + c;
                            if (ii < 0 || jj < 0 || ii >= x->d[2] || jj >= x->d[3]) continue;
                            double v = x->v[(p * x->d[2] + ii) * x->d[3] + jj];
                            acc = mx ? (v > acc ? v : acc) : acc + v;
                        }
                    y.v[(p * ho + i) * wo + j] = mx ? acc : acc / (double)(k[0] * k[1]);
                }
        return y;
    }
    dt y = dt_copy(x);
    for (size_t i = 0; i < n; i++) {
        const double v = x->v[i];
        if (!strcmp(name, "relu")) y.v[i] = v > 0 ? v : 0;
        else if (!strcmp(name, "tanh")) y.v[i] = tanh(v);
        else if (!strcmp(name, "sigmoid")) y.v[i] = 1 / (1 + exp(-v));
        else if (!strcmp(name, "leaky_relu")) {
            const cJSON *s = cJSON_GetObjectItem(op, "slope");
            y.v[i] = v > 0 ? v : v * (s ? s->valuedouble : 0.01);
        } else ck_abort_msg("the direct forward pass has no op %s", name);
    }
    return y;
}

static dt run_seq(fwd *f, const cJSON *ops, const dt *x)
{
    dt cur = dt_copy(x);
    for (const cJSON *op = ops->child; op; op = op->next) {
        dt next = run_op(f, op, &cur);
        free(cur.v);
        cur = next;
    }
    return cur;
}

static void free_recs(fwd *f)
{
    for (size_t i = 0; i < f->nrec; i++) { free(f->rec[i].cmean); free(f->rec[i].cstd); }
    free(f->rec);
    f->rec = NULL;
    f->nrec = f->cap = 0;
}

/* The direct forward of the model's graph on batch x (f32): layer records in f->rec. */
static void direct_forward(fwd *f, const nninit_model *m, void *const *tensors, const nninit_tensor *batch)
{
    memset(f, 0, sizeof *f);
    f->m = m;
    f->t = tensors;
    cJSON *spec = cJSON_Parse(nninit_model_json(m));
    dt x = dt_new(batch->ndim, batch->shape);
    for (size_t i = 0; i < dt_count(&x); i++) x.v[i] = ((const float *)batch->data)[i];
    dt y = run_seq(f, cJSON_GetObjectItem(spec, "graph"), &x);
    free(x.v);
    free(y.v);
    cJSON_Delete(spec);
}

/* ---- fixtures ------------------------------------------------------------------------------ */
typedef struct {
    nninit_model *m;
    nninit_graph *g;
    nninit_arena *a;
    void *const *t;
    float *x;
    nninit_tensor batch;
} net;

static net make_net_from(nninit_model *m, int64_t n, double offset, uint64_t seed)
{
    net k;
    char msg[1024];
    memset(&k, 0, sizeof k);
    k.m = m;
    ck_assert_msg(nninit_graph_create(m, &k.g, msg, sizeof msg) == NNINIT_OK, "%s", msg);
    ck_assert_int_eq(nninit_arena_create(m, &k.a), NNINIT_OK);
    k.t = nninit_arena_pointers(k.a);
    ck_assert_msg(nninit_model_init(m, k.t, NULL, msg, sizeof msg) == NNINIT_OK, "%s", msg);
    int64_t in[NNINIT_MAX_DIMS];
    int nd;
    nninit_graph_input_shape(k.g, in, &nd);
    k.batch.dtype = NNINIT_F32;
    k.batch.ndim = nd + 1;
    k.batch.shape[0] = n;
    size_t cnt = (size_t)n;
    for (int d = 0; d < nd; d++) { k.batch.shape[d + 1] = in[d]; cnt *= (size_t)in[d]; }
    k.x = malloc(cnt * sizeof(float));
    nninit_rng rng = { seed, 99 };
    ck_assert_int_eq(nninit_normal(k.x, NNINIT_F32, cnt, offset, 1.0, rng, 0), NNINIT_OK);
    k.batch.data = k.x;
    k.batch.nbytes = cnt * sizeof(float);
    return k;
}

static net make_net(const char *path, int64_t n, double offset, uint64_t seed)
{
    char msg[1024];
    nninit_model *m = NULL;
    ck_assert_msg(nninit_model_load(path, &m, msg, sizeof msg) == NNINIT_OK, "%s", msg);
    return make_net_from(m, n, offset, seed);
}

static net make_net_json(const char *json, int64_t n, double offset, uint64_t seed)
{
    char msg[1024];
    nninit_model *m = NULL;
    ck_assert_msg(nninit_model_parse(json, strlen(json), &m, msg, sizeof msg) == NNINIT_OK, "%s", msg);
    return make_net_from(m, n, offset, seed);
}

static void free_net(net *k)
{
    free(k->x);
    nninit_arena_free(k->a);
    nninit_graph_free(k->g);
    nninit_model_free(k->m);
}

/* A copy of every tensor's bytes. */
static unsigned char **snapshot(const net *k)
{
    size_t n = nninit_model_count(k->m);
    unsigned char **s = calloc(n, sizeof *s);
    for (size_t i = 0; i < n; i++) {
        nninit_model_tensor t;
        nninit_model_tensor_info(k->m, i, &t);
        s[i] = malloc(t.nbytes ? t.nbytes : 1);
        memcpy(s[i], k->t[i], t.nbytes);
    }
    return s;
}

static int same_as(const net *k, unsigned char **s)
{
    for (size_t i = 0; i < nninit_model_count(k->m); i++) {
        nninit_model_tensor t;
        nninit_model_tensor_info(k->m, i, &t);
        if (memcmp(s[i], k->t[i], t.nbytes) != 0) return 0;
    }
    return 1;
}

static void free_snapshot(const net *k, unsigned char **s)
{
    for (size_t i = 0; i < nninit_model_count(k->m); i++) free(s[i]);
    free(s);
}

static nninit_layer_report *run_algo(net *k, const char *algo, int threads)
{
    char msg[1024];
    nninit_data_init a;
    ck_assert_msg(nninit_data_init_parse(algo, &a, msg, sizeof msg) == NNINIT_OK, "%s", msg);
    size_t L = nninit_graph_layer_count(k->g);
    nninit_layer_report *r = calloc(L, sizeof *r);
    nninit_run_options opt;
    memset(&opt, 0, sizeof opt);
    opt.threads = threads;
    nninit_status st = nninit_graph_data_init(k->g, &a, k->t, &k->batch, &opt, r, msg, sizeof msg);
    ck_assert_msg(st == NNINIT_OK, "%s: %s", algo, msg);
    ck_assert_str_eq(msg, "");
    return r;
}

/* Element i of a tensor as a double (the library's decoding is not used). */
static double elem(const void *p, nninit_dtype dt_, size_t i)
{
    switch (dt_) {
    case NNINIT_F32: return ((const float *)p)[i];
    case NNINIT_F64: return ((const double *)p)[i];
    case NNINIT_BF16: return nt_bf16_to_f32(((const uint16_t *)p)[i]);
    default: return nt_f16_to_f32(((const uint16_t *)p)[i]);
    }
}

/* after is before * f rounded once to the dtype (nearest; ties not expected). */
static void expect_scaled(const void *before, const void *after, nninit_dtype dt_, size_t n, double f, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        const double b = elem(before, dt_, i), a = elem(after, dt_, i), p = b * f;
        if (dt_ == NNINIT_F64) { ck_assert_msg(a == p, "%s[%zu]: %.17g != %.17g * %.17g", name, i, a, b, f); continue; }
        if (dt_ == NNINIT_F32) { ck_assert_msg(a == (float)p, "%s[%zu]: %.9g != (float)(%.9g * %.17g)", name, i, a, b, f); continue; }
        /* 16-bit: a is the representable value nearest p */
        const double ulp = dt_ == NNINIT_BF16 ? ldexp(1.0, ilogb(p == 0 ? 1 : p) - 7) : ldexp(1.0, ilogb(p == 0 ? 1 : p) - 10);
        ck_assert_msg(fabs(a - p) <= 0.5 * ulp * (1 + 1e-9), "%s[%zu]: %.9g is not %.9g rounded", name, i, a, p);
    }
}

/* ---- lsuv --------------------------------------------------------------------------------------- */
static void check_lsuv(net *k, const char *algo, double tol, double target, nninit_dtype dtype)
{
    unsigned char **before = snapshot(k);
    nninit_layer_report *r = run_algo(k, algo, 2);
    fwd f;
    direct_forward(&f, k->m, k->t, &k->batch);
    const size_t L = nninit_graph_layer_count(k->g);
    ck_assert_uint_eq(f.nrec, L);
    int changed_layers = 0;
    for (size_t l = 0; l < L; l++) {
        nninit_graph_op op;
        nninit_graph_op_info(k->g, (size_t)nninit_graph_layer_op(k->g, l), &op);
        nninit_model_tensor w;
        nninit_model_tensor_info(k->m, (size_t)op.weight, &w);
        ck_assert_str_eq(r[l].name, w.name);
        ck_assert_str_eq(r[l].path, op.path);
        ck_assert_uint_eq(r[l].channels, (size_t)w.shape[0]);
        ck_assert_msg(r[l].outcome == NNINIT_LAYER_DONE, "%s: outcome %d", w.name, r[l].outcome);
        /* the variance the direct pass sees: within tol, and the one reported */
        const double var = f.rec[l].var, rep = r[l].std_after * r[l].std_after;
        const double slack = dtype == NNINIT_F32 || dtype == NNINIT_F64 ? 1e-4 : 1e-3;
        ck_assert_msg(fabs(var - target) <= tol + slack * target, "%s: variance %.6f, target %g +- %g", w.name, var,
                      target, tol);
        ck_assert_msg(fabs(var - rep) <= slack * rep, "%s: variance %.8f, reported %.8f", w.name, var, rep);
        /* one positive factor for the whole weight; bias untouched */
        ck_assert(r[l].scale_min == r[l].scale_max && r[l].scale_min > 0);
        ck_assert_int_eq(r[l].dead_channels, 0);
        expect_scaled(before[op.weight], k->t[op.weight], w.dtype, w.count, r[l].scale_min, w.name);
        changed_layers += r[l].iterations > 0;
        if (r[l].iterations == 0) ck_assert(r[l].scale_min == 1 && r[l].std_before == r[l].std_after);
    }
    ck_assert_int_gt(changed_layers, 0);
    /* everything but the layers' weights is as it was */
    for (size_t i = 0; i < nninit_model_count(k->m); i++) {
        int is_weight = 0;
        for (size_t l = 0; l < L; l++) {
            nninit_graph_op op;
            nninit_graph_op_info(k->g, (size_t)nninit_graph_layer_op(k->g, l), &op);
            is_weight |= op.weight == (long)i;
        }
        nninit_model_tensor t;
        nninit_model_tensor_info(k->m, i, &t);
        if (!is_weight) ck_assert_msg(memcmp(before[i], k->t[i], t.nbytes) == 0, "%s changed", t.name);
    }
    free_recs(&f);
    free(r);
    free_snapshot(k, before);
}

START_TEST(test_lsuv_resnet20)
{
    net k = make_net("examples/models/resnet20.json", 8, 0.0, 1);
    check_lsuv(&k, "lsuv", 0.1, 1.0, NNINIT_F32);
    free_net(&k);
}
END_TEST

START_TEST(test_lsuv_mlp_tight)
{
    net k = make_net("examples/models/mlp.json", 64, 0.3, 2);
    check_lsuv(&k, "lsuv(tol=0.001, target_var=2.5)", 0.001, 2.5, NNINIT_F32);
    free_net(&k);
}
END_TEST

/* A small CNN without normalization: conv biases, tanh, leaky_relu, pools. */
static const char *k_cnn =
    "{\"seed\": 5, \"rules\": {\"*.b\": \"normal(std=0.1)\", \"*\": \"kaiming_uniform\"},"
    " \"tensors\": [{\"name\": \"c1.w\", \"shape\": [6, 3, 3, 3]}, {\"name\": \"c1.b\", \"shape\": [6]},"
    "  {\"name\": \"c2.w\", \"shape\": [8, 3, 3, 3], \"groups\": 2}, {\"name\": \"c2.b\", \"shape\": [8]},"
    "  {\"name\": \"fc.w\", \"shape\": [5, 72]}, {\"name\": \"fc.b\", \"shape\": [5]}],"
    " \"graph\": [{\"op\": \"input\", \"shape\": [3, 9, 9]},"
    "  {\"op\": \"conv2d\", \"weight\": \"c1.w\", \"bias\": \"c1.b\", \"padding\": 1}, {\"op\": \"tanh\"},"
    "  {\"op\": \"maxpool2d\", \"kernel\": 3, \"stride\": 2, \"padding\": 1},"
    "  {\"op\": \"conv2d\", \"weight\": \"c2.w\", \"bias\": \"c2.b\", \"groups\": 2, \"stride\": 2, \"padding\": 1},"
    "  {\"op\": \"leaky_relu\", \"slope\": 0.1}, {\"op\": \"flatten\"}, {\"op\": \"linear\", \"weight\": \"fc.w\", \"bias\": \"fc.b\"}]}";

START_TEST(test_lsuv_dtypes)
{
    static const nninit_dtype dts[] = { NNINIT_F32, NNINIT_F64, NNINIT_BF16, NNINIT_F16 };
    for (int d = 0; d < 4; d++) {
        nninit_model *m = NULL;
        char msg[512];
        ck_assert_int_eq(nninit_model_parse(k_cnn, strlen(k_cnn), &m, msg, sizeof msg), NNINIT_OK);
        ck_assert_int_eq(nninit_model_set_dtype(m, dts[d]), NNINIT_OK);
        net k = make_net_from(m, 12, 0.5, 3);
        check_lsuv(&k, "lsuv(tol=0.02)", 0.02, 1.0, dts[d]);
        free_net(&k);
    }
}
END_TEST

/* ---- batch_stats ------------------------------------------------------------------------------------ */
static void check_batch_stats(net *k, const char *algo, double mean, double std, size_t zero_rows_layer0)
{
    unsigned char **before = snapshot(k);
    nninit_layer_report *r = run_algo(k, algo, 0);
    fwd f;
    direct_forward(&f, k->m, k->t, &k->batch);
    const size_t L = nninit_graph_layer_count(k->g);
    for (size_t l = 0; l < L; l++) {
        nninit_graph_op op;
        nninit_graph_op_info(k->g, (size_t)nninit_graph_layer_op(k->g, l), &op);
        const layer_rec *rec = &f.rec[l];
        ck_assert_int_eq(r[l].iterations, 1);
        ck_assert_int_eq(r[l].outcome, op.bias >= 0 ? NNINIT_LAYER_DONE : NNINIT_LAYER_NO_BIAS);
        ck_assert_uint_eq(r[l].dead_channels, l == 0 ? zero_rows_layer0 : 0);
        size_t live = 0;
        for (size_t c = 0; c < rec->channels; c++) {
            if (rec->cstd[c] < 1e-12) continue;   /* a dead channel: constant */
            live++;
            ck_assert_msg(fabs(rec->cstd[c] - std) <= 1e-4 * std, "layer %zu channel %zu: std %.9g", l, c, rec->cstd[c]);
            if (op.bias >= 0)
                ck_assert_msg(fabs(rec->cmean[c] - mean) <= 1e-4 * std, "layer %zu channel %zu: mean %.9g", l, c,
                              rec->cmean[c]);
        }
        ck_assert_uint_eq(live + r[l].dead_channels, rec->channels);
        ck_assert(r[l].scale_min > 0 && r[l].scale_min <= r[l].scale_max);
    }
    free_recs(&f);
    free(r);
    free_snapshot(k, before);
}

START_TEST(test_batch_stats)
{
    net k = make_net("examples/models/mlp.json", 40, 0.7, 4);
    check_batch_stats(&k, "batch_stats", 0, 1, 0);
    free_net(&k);
    k = make_net_json(k_cnn, 6, -0.2, 5);
    check_batch_stats(&k, "batch_stats(mean=0.5, std=2)", 0.5, 2, 0);
    free_net(&k);
    /* no biases: the std is set, the report says the mean could not be */
    k = make_net("examples/models/resnet20.json", 4, 0, 6);
    check_batch_stats(&k, "batch_stats", 0, 1, 0);
    free_net(&k);
}
END_TEST

/* Dead channels (zero weight rows) are left alone and counted. */
START_TEST(test_batch_stats_dead_channels)
{
    net k = make_net("examples/models/mlp.json", 30, 0, 7);
    float *w = k.t[0], *b = k.t[1];
    for (int row = 10; row < 13; row++) { memset(w + row * 784, 0, 784 * sizeof *w); b[row] = 0.25f; }
    check_batch_stats(&k, "batch_stats", 0, 1, 3);
    for (int row = 10; row < 13; row++) {
        ck_assert(b[row] == 0.25f);
        for (int i = 0; i < 784; i++) ck_assert(w[row * 784 + i] == 0);
    }
    free_net(&k);
}
END_TEST

/* ---- dead layers, max_iter, too few samples ---------------------------------------------------------- */
START_TEST(test_dead_layers)
{
    net k = make_net("examples/models/mlp.json", 16, 0, 8);
    /* fc1 all zero with bias -1: its output is constant, relu kills everything after it */
    memset(k.t[0], 0, 256 * 784 * sizeof(float));
    for (int i = 0; i < 256; i++) ((float *)k.t[1])[i] = -1;
    unsigned char **before = snapshot(&k);
    nninit_layer_report *r = run_algo(&k, "lsuv", 1);
    for (int l = 0; l < 3; l++) {
        ck_assert_msg(r[l].outcome == NNINIT_LAYER_DEAD, "layer %d: outcome %d", l, r[l].outcome);
        ck_assert_int_eq(r[l].iterations, 0);
        ck_assert(r[l].scale_min == 1 && r[l].std_after == r[l].std_before);
    }
    ck_assert(r[0].mean_before == -1 && r[0].std_before == 0);
    ck_assert(same_as(&k, before));
    free(r);
    r = run_algo(&k, "batch_stats", 1);
    for (int l = 0; l < 3; l++) {
        ck_assert_int_eq(r[l].outcome, NNINIT_LAYER_DEAD);
        ck_assert_uint_eq(r[l].dead_channels, r[l].channels);
    }
    ck_assert(same_as(&k, before));
    free(r);
    free_snapshot(&k, before);
    free_net(&k);
}
END_TEST

START_TEST(test_max_iter)
{
    net k = make_net("examples/models/mlp.json", 16, 0, 9);
    unsigned char **before = snapshot(&k);
    nninit_layer_report *r = run_algo(&k, "lsuv(max_iter=0)", 2);
    ck_assert(same_as(&k, before));
    for (int l = 0; l < 3; l++) {
        ck_assert_int_eq(r[l].iterations, 0);
        ck_assert(r[l].std_after == r[l].std_before);
        ck_assert_int_eq(r[l].outcome, fabs(r[l].std_before * r[l].std_before - 1) <= 0.1 ? NNINIT_LAYER_DONE
                                                                                            : NNINIT_LAYER_NOT_CONVERGED);
    }
    free(r);
    r = run_algo(&k, "lsuv(max_iter=1, tol=0)", 2);
    for (int l = 0; l < 3; l++) {
        ck_assert_int_eq(r[l].iterations, 1);
        ck_assert_int_eq(r[l].outcome, NNINIT_LAYER_NOT_CONVERGED);
        ck_assert(fabs(r[l].std_after - 1) < 1e-3);   /* one step lands (almost) on the target */
    }
    free(r);
    free_snapshot(&k, before);
    free_net(&k);
}
END_TEST

START_TEST(test_too_few_samples)
{
    char msg[1024];
    nninit_data_init bs = nninit_data_init_default(NNINIT_DATA_BATCH_STATS), lsuv = nninit_data_init_default(0);
    net k = make_net("examples/models/mlp.json", 1, 0, 10);
    unsigned char **before = snapshot(&k);
    nninit_layer_report rep[3], keep[3];
    memset(rep, 0x3c, sizeof rep);
    memcpy(keep, rep, sizeof rep);
    ck_assert_int_eq(nninit_graph_data_init(k.g, &bs, k.t, &k.batch, NULL, rep, msg, sizeof msg), NNINIT_E_DATA);
    ck_assert_str_eq(msg, "layer 0 (graph op 2, \"fc1.weight\"): each output channel has one value on this batch; "
                          "batch_stats needs at least 2 per channel (a larger batch)");
    ck_assert(same_as(&k, before) && memcmp(rep, keep, sizeof rep) == 0);
    free_snapshot(&k, before);
    free_net(&k);
    /* a one-element output: no variance */
    const char *one = "{\"rules\": {\"*\": \"ones\"}, \"tensors\": [{\"name\": \"w\", \"shape\": [1, 3]}],"
                      " \"graph\": [{\"op\": \"linear\", \"weight\": \"w\"}]}";
    k = make_net_json(one, 1, 0, 11);
    ck_assert_int_eq(nninit_graph_data_init(k.g, &lsuv, k.t, &k.batch, NULL, NULL, msg, sizeof msg), NNINIT_E_DATA);
    ck_assert_str_eq(msg, "layer 0 (graph op 0, \"w\"): the output has 1 element on this batch; its statistics need at "
                          "least 2");
    free_net(&k);
}
END_TEST

/* ---- determinism and failures --------------------------------------------------------------------------- */
START_TEST(test_threads_same_bits)
{
    static const char *const algos[] = { "lsuv(tol=0.01)", "batch_stats(mean=0.1, std=0.9)" };
    for (int a = 0; a < 2; a++) {
        net k1 = make_net("examples/models/resnet20.json", 16, 0, 12);
        net k2 = make_net("examples/models/resnet20.json", 16, 0, 12);
        nninit_layer_report *r1 = run_algo(&k1, algos[a], 1), *r2 = run_algo(&k2, algos[a], 2);
        for (size_t i = 0; i < nninit_model_count(k1.m); i++) {
            nninit_model_tensor t;
            nninit_model_tensor_info(k1.m, i, &t);
            ck_assert_msg(memcmp(k1.t[i], k2.t[i], t.nbytes) == 0, "%s: %s differs with 1 and 2 threads", algos[a],
                          t.name);
        }
        for (size_t l = 0; l < nninit_graph_layer_count(k1.g); l++) {
            ck_assert(r1[l].std_before == r2[l].std_before && r1[l].std_after == r2[l].std_after);
            ck_assert(r1[l].scale_min == r2[l].scale_min && r1[l].iterations == r2[l].iterations);
        }
        free(r1);
        free(r2);
        free_net(&k1);
        free_net(&k2);
    }
}
END_TEST

static void cancel_after_first(void *ctx, const nninit_progress *p)
{
    if (p->tensors_done >= 1) *(volatile sig_atomic_t *)ctx = 1;
}

START_TEST(test_failures_untouched)
{
    char msg[1024];
    net k = make_net("examples/models/resnet20.json", 4, 0, 13);
    unsigned char **before = snapshot(&k);
    nninit_data_init a = nninit_data_init_default(NNINIT_DATA_LSUV);
    size_t L = nninit_graph_layer_count(k.g);
    nninit_layer_report *rep = malloc(L * sizeof *rep), *keep = malloc(L * sizeof *keep);
    memset(rep, 0x77, L * sizeof *rep);
    memcpy(keep, rep, L * sizeof *rep);
    /* canceled after the first layer: the first layer's change is not written */
    volatile sig_atomic_t flag = 0;
    nninit_run_options opt;
    memset(&opt, 0, sizeof opt);
    opt.cancel = &flag;
    opt.progress = cancel_after_first;
    opt.progress_ctx = (void *)&flag;
    ck_assert_int_eq(nninit_graph_data_init(k.g, &a, k.t, &k.batch, &opt, rep, msg, sizeof msg), NNINIT_E_CANCELED);
    ck_assert(same_as(&k, before));
    ck_assert(memcmp(rep, keep, L * sizeof *rep) == 0);
    /* a NaN in the batch */
    k.x[5] = NAN;
    ck_assert_int_eq(nninit_graph_data_init(k.g, &a, k.t, &k.batch, NULL, rep, msg, sizeof msg), NNINIT_E_DATA);
    ck_assert_str_eq(msg, "the batch holds a NaN at element 5 (sample 0)");
    k.x[5] = 0;
    /* a bad algorithm */
    a.target_var = -1;
    ck_assert_int_eq(nninit_graph_data_init(k.g, &a, k.t, &k.batch, NULL, rep, msg, sizeof msg), NNINIT_E_PARAM);
    ck_assert_str_eq(msg, "data init: target_var out of range: -1 (a finite number > 0)");
    a.target_var = 1;
    /* an overflowing layer */
    float *w = k.t[0];
    float w0 = w[0];
    w[0] = 3e38f;
    unsigned char **big = snapshot(&k);
    ck_assert_int_eq(nninit_graph_data_init(k.g, &a, k.t, &k.batch, NULL, rep, msg, sizeof msg), NNINIT_E_DATA);
    ck_assert_str_eq(msg, "layer 0 (graph op 1, \"conv1.weight\"): the output holds NaN or infinite values (the forward "
                          "pass overflows on this batch)");
    ck_assert(same_as(&k, big));
    free_snapshot(&k, big);
    w[0] = w0;
    ck_assert(same_as(&k, before));
    ck_assert(memcmp(rep, keep, L * sizeof *rep) == 0);
    ck_assert_int_eq(nninit_graph_data_init(NULL, &a, k.t, &k.batch, NULL, rep, msg, sizeof msg), NNINIT_E_NULL);
    ck_assert_int_eq(nninit_graph_data_init(k.g, NULL, k.t, &k.batch, NULL, rep, msg, sizeof msg), NNINIT_E_NULL);
    ck_assert_int_eq(nninit_graph_data_init(k.g, &a, NULL, &k.batch, NULL, rep, msg, sizeof msg), NNINIT_E_NULL);
    /* and then it works, without a report */
    ck_assert_int_eq(nninit_graph_data_init(k.g, &a, k.t, &k.batch, NULL, NULL, msg, sizeof msg), NNINIT_OK);
    ck_assert(!same_as(&k, before));
    free(rep);
    free(keep);
    free_snapshot(&k, before);
    free_net(&k);
}
END_TEST

/* ---- the engine API --------------------------------------------------------------------------------------- */
/* An engine with its own forward pass: 16 -> 32 (relu) -> 8, f32, plain loops. */
typedef struct {
    float w0[32 * 16], b0[32], w1[8 * 32], b1[8];
    float x[50 * 16], h[50 * 32], y[50 * 8];
    int fail_forward, fail_update, bad_axis, grow, nan;
    int calls;
} engine;

static void eng_run(engine *e, size_t layer)
{
    for (int n = 0; n < 50; n++)
        for (int o = 0; o < 32; o++) {
            float s = e->b0[o];
            for (int i = 0; i < 16; i++) s += e->x[n * 16 + i] * e->w0[o * 16 + i];
            e->h[n * 32 + o] = s;
        }
    if (layer == 0) return;
    for (int n = 0; n < 50; n++)
        for (int o = 0; o < 8; o++) {
            float s = e->b1[o];
            for (int i = 0; i < 32; i++) s += (e->h[n * 32 + i] > 0 ? e->h[n * 32 + i] : 0) * e->w1[o * 32 + i];
            e->y[n * 8 + o] = s;
        }
}

static int eng_forward(void *ctx, size_t layer, nninit_layer_output *out)
{
    engine *e = ctx;
    e->calls++;
    if (e->fail_forward && layer == 1) return -1;
    eng_run(e, layer);
    out->data = layer ? e->y : e->h;
    out->ndim = 2;
    out->shape[0] = 50;
    out->shape[1] = layer ? 8 : 32;
    out->channel_axis = e->bad_axis ? 2 : 1;
    if (e->grow && e->calls > 1) out->shape[1] = 16;   /* the channel count changes between calls */
    if (e->nan) e->h[3] = NAN;
    return 0;
}

static int eng_update(void *ctx, size_t layer, const double *scale, const double *shift, size_t channels)
{
    engine *e = ctx;
    if (e->fail_update) return 1;
    float *w = layer ? e->w1 : e->w0, *b = layer ? e->b1 : e->b0;
    const int in = layer ? 32 : 16;
    ck_assert_uint_eq(channels, layer ? 8 : 32);
    for (size_t c = 0; c < channels; c++) {
        for (int i = 0; i < in; i++) w[c * (size_t)in + (size_t)i] = (float)(w[c * (size_t)in + (size_t)i] * scale[c]);
        if (shift) b[c] = (float)(b[c] * scale[c] + shift[c]);
    }
    return 0;
}

static void eng_init(engine *e)
{
    memset(e, 0, sizeof *e);
    nninit_rng r = { 21, 1 };
    nninit_normal(e->w0, NNINIT_F32, 32 * 16, 0, 0.7, r, 0);
    r.stream = 2;
    nninit_normal(e->w1, NNINIT_F32, 8 * 32, 0, 0.05, r, 0);
    r.stream = 3;
    nninit_normal(e->b0, NNINIT_F32, 32, 0, 0.2, r, 0);
    r.stream = 4;
    nninit_normal(e->x, NNINIT_F32, 50 * 16, 0.5, 1, r, 0);
}

static double var_of(const float *x, size_t n)
{
    double s = 0, ss = 0;
    for (size_t i = 0; i < n; i++) s += x[i];
    for (size_t i = 0; i < n; i++) ss += (x[i] - s / (double)n) * (x[i] - s / (double)n);
    return ss / (double)n;
}

START_TEST(test_engine)
{
    static const char *const names[2] = { "hidden", "out" };
    static const unsigned char bias[2] = { 1, 0 };
    engine e;
    eng_init(&e);
    nninit_engine en;
    memset(&en, 0, sizeof en);
    en.layers = 2;
    en.forward = eng_forward;
    en.update = eng_update;
    en.ctx = &e;
    en.names = names;
    nninit_layer_report r[2];
    char msg[512];
    nninit_data_init a = nninit_data_init_default(NNINIT_DATA_LSUV);
    a.tol = 0.01;
    ck_assert_msg(nninit_engine_data_init(&en, &a, r, msg, sizeof msg) == NNINIT_OK, "%s", msg);
    eng_run(&e, 1);
    ck_assert(fabs(var_of(e.h, 50 * 32) - 1) <= 0.01 + 1e-5);
    ck_assert(fabs(var_of(e.y, 50 * 8) - 1) <= 0.01 + 1e-5);
    ck_assert_str_eq(r[0].name, "hidden");
    ck_assert_ptr_null(r[0].path);
    ck_assert(r[1].iterations >= 1 && r[1].scale_min > 1);   /* std 0.05 weights: scaled up */
    /* batch_stats: layer 0 mean and std per channel; layer 1 has no bias */
    eng_init(&e);
    en.has_bias = bias;
    a = nninit_data_init_default(NNINIT_DATA_BATCH_STATS);
    ck_assert_msg(nninit_engine_data_init(&en, &a, r, msg, sizeof msg) == NNINIT_OK, "%s", msg);
    ck_assert_int_eq(r[0].outcome, NNINIT_LAYER_DONE);
    ck_assert_int_eq(r[1].outcome, NNINIT_LAYER_NO_BIAS);
    eng_run(&e, 1);
    for (int c = 0; c < 32; c++) {
        double s = 0, ss = 0;
        for (int n = 0; n < 50; n++) s += e.h[n * 32 + c];
        for (int n = 0; n < 50; n++) ss += (e.h[n * 32 + c] - s / 50) * (e.h[n * 32 + c] - s / 50);
        ck_assert(fabs(s / 50) <= 1e-4 && fabs(sqrt(ss / 50) - 1) <= 1e-4);
    }
    /* failures */
    static const struct { int which; nninit_status st; const char *msg; } bad[] = {
        { 0, NNINIT_E_CALLBACK, "layer 1 (\"out\"): the engine's forward callback failed" },
        { 1, NNINIT_E_CALLBACK, "layer 0 (\"hidden\"): the engine's update callback failed" },
        { 2, NNINIT_E_SHAPE, "layer 0 (\"hidden\"): the output description is not one (bad channel_axis)" },
        { 3, NNINIT_E_SHAPE, "layer 0 (\"hidden\"): the output had 32 channels and now has 16" },
        { 4, NNINIT_E_DATA, "layer 0 (\"hidden\"): the output holds NaN or infinite values" },
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        eng_init(&e);
        e.fail_forward = bad[k].which == 0;
        e.fail_update = bad[k].which == 1;
        e.bad_axis = bad[k].which == 2;
        e.grow = bad[k].which == 3;
        e.nan = bad[k].which == 4;
        nninit_data_init l = nninit_data_init_default(NNINIT_DATA_LSUV);
        l.tol = 0;
        nninit_status st = nninit_engine_data_init(&en, &l, r, msg, sizeof msg);
        ck_assert_msg(st == bad[k].st, "case %zu: %d (%s)", k, st, msg);
        ck_assert_msg(strstr(msg, bad[k].msg) != NULL, "case %zu: %s", k, msg);
    }
    en.update = NULL;
    ck_assert_int_eq(nninit_engine_data_init(&en, &a, r, msg, sizeof msg), NNINIT_E_NULL);
}
END_TEST

/* The graph's executor and an engine computing the same MLP agree on the factors. */
typedef struct {
    const float *w[3], *b[3];
    float *wm[3];
    const float *x;
    float *act[3];
    int64_t dims[4];
} mlp_engine;

static int mlp_forward(void *ctx, size_t layer, nninit_layer_output *out)
{
    mlp_engine *e = ctx;
    const float *in = e->x;
    for (size_t l = 0; l <= layer; l++) {
        const int64_t fi = e->dims[l], fo = e->dims[l + 1];
        for (int n = 0; n < 32; n++)
            for (int64_t o = 0; o < fo; o++) {
                double s = e->b[l][o];
                for (int64_t i = 0; i < fi; i++) {
                    const float v = l ? (in[n * fi + i] > 0 ? in[n * fi + i] : 0) : in[n * fi + i];
                    s += (double)v * e->wm[l][o * fi + i];
                }
                e->act[l][n * fo + o] = (float)s;
            }
        in = e->act[l];
    }
    out->data = e->act[layer];
    out->ndim = 2;
    out->shape[0] = 32;
    out->shape[1] = e->dims[layer + 1];
    out->channel_axis = 1;
    return 0;
}

static int mlp_update(void *ctx, size_t layer, const double *scale, const double *shift, size_t channels)
{
    mlp_engine *e = ctx;
    (void)shift;
    for (size_t c = 0; c < channels; c++)
        for (int64_t i = 0; i < e->dims[layer]; i++) e->wm[layer][c * (size_t)e->dims[layer] + (size_t)i] *= (float)scale[c];
    return 0;
}

START_TEST(test_engine_matches_graph)
{
    net k = make_net("examples/models/mlp.json", 32, 0, 14);
    mlp_engine e;
    memset(&e, 0, sizeof e);
    int64_t dims[4] = { 784, 256, 128, 10 };
    memcpy(e.dims, dims, sizeof dims);
    for (int l = 0; l < 3; l++) {
        e.w[l] = k.t[2 * l];
        e.b[l] = k.t[2 * l + 1];
        e.wm[l] = malloc((size_t)(dims[l] * dims[l + 1]) * sizeof(float));
        memcpy(e.wm[l], e.w[l], (size_t)(dims[l] * dims[l + 1]) * sizeof(float));
        e.act[l] = malloc((size_t)(32 * dims[l + 1]) * sizeof(float));
    }
    e.x = k.x;
    nninit_engine en;
    memset(&en, 0, sizeof en);
    en.layers = 3;
    en.forward = mlp_forward;
    en.update = mlp_update;
    en.ctx = &e;
    nninit_layer_report re[3];
    char msg[512];
    nninit_data_init a = nninit_data_init_default(NNINIT_DATA_LSUV);
    a.tol = 1e-3;
    ck_assert_msg(nninit_engine_data_init(&en, &a, re, msg, sizeof msg) == NNINIT_OK, "%s", msg);
    nninit_layer_report *rg = run_algo(&k, "lsuv(tol=0.001)", 2);
    for (int l = 0; l < 3; l++) {
        ck_assert_int_eq(re[l].iterations, rg[l].iterations);
        ck_assert_msg(fabs(re[l].scale_min / rg[l].scale_min - 1) < 1e-5, "layer %d: engine %.9g, graph %.9g", l,
                      re[l].scale_min, rg[l].scale_min);
        ck_assert(fabs(re[l].std_before / rg[l].std_before - 1) < 1e-5);
        free(e.wm[l]);
        free(e.act[l]);
    }
    free(rg);
    free_net(&k);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("data_init");
    TCase *tc = nt_tcase("lsuv");
    tcase_add_test(tc, test_lsuv_resnet20);
    tcase_add_test(tc, test_lsuv_mlp_tight);
    tcase_add_test(tc, test_lsuv_dtypes);
    tcase_add_test(tc, test_max_iter);
    tcase_add_test(tc, test_dead_layers);
    suite_add_tcase(s, tc);
    tc = nt_tcase("batch_stats");
    tcase_add_test(tc, test_batch_stats);
    tcase_add_test(tc, test_batch_stats_dead_channels);
    tcase_add_test(tc, test_too_few_samples);
    suite_add_tcase(s, tc);
    tc = nt_tcase("runs");
    tcase_add_test(tc, test_threads_same_bits);
    tcase_add_test(tc, test_failures_untouched);
    suite_add_tcase(s, tc);
    tc = nt_tcase("engine");
    tcase_add_test(tc, test_engine);
    tcase_add_test(tc, test_engine_matches_graph);
    suite_add_tcase(s, tc);
    return s;
}

NNINIT_TEST_MAIN
