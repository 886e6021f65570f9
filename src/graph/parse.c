/* Layer graphs: the "graph" of a model spec parsed into ops in execution
 * order, validated against the model's tensors, and the shape inference
 * shared by validation (sizes a batch has not fixed yet are unknown) and by
 * every run (all sizes known). docs/GRAPHS.md is the reference. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "graph.h"

/* Residuals nested deeper than this are refused: it bounds the recursion
 * (real networks nest two or three levels). */
#define MAX_DEPTH 64
/* Kernel sizes, strides, paddings, dilations and groups above this are
 * refused: far beyond any network, and it keeps every size computation
 * inside int64_t. */
#define MAX_PARAM ((int64_t)1 << 24)

/* ---- the op table ------------------------------------------------------------- */
typedef struct {
    const char *name;
    nninit_gop_kind_ kind;
    const char *const *fields;   /* allowed besides "op" */
    const char *fields_text;
} op_info;

static const char *const f_none[] = { NULL };
static const char *const f_input[] = { "shape", NULL };
static const char *const f_linear[] = { "weight", "bias", NULL };
static const char *const f_conv[] = { "weight", "bias", "stride", "padding", "dilation", "groups", NULL };
static const char *const f_leaky[] = { "slope", NULL };
static const char *const f_gelu[] = { "approximate", NULL };
static const char *const f_dropout[] = { "p", NULL };
static const char *const f_pool[] = { "kernel", "stride", "padding", NULL };
static const char *const f_norm[] = { "weight", "bias", "eps", NULL };
static const char *const f_residual[] = { "body", "shortcut", NULL };

static const op_info k_ops[] = {
    { "input", GOP_INPUT, f_input, "shape" },
    { "linear", GOP_LINEAR, f_linear, "weight, bias" },
    { "conv2d", GOP_CONV2D, f_conv, "weight, bias, stride, padding, dilation, groups" },
    { "relu", GOP_RELU, f_none, NULL },
    { "leaky_relu", GOP_LEAKY_RELU, f_leaky, "slope" },
    { "tanh", GOP_TANH, f_none, NULL },
    { "sigmoid", GOP_SIGMOID, f_none, NULL },
    { "gelu", GOP_GELU, f_gelu, "approximate" },
    { "silu", GOP_SILU, f_none, NULL },
    { "selu", GOP_SELU, f_none, NULL },
    { "identity", GOP_IDENTITY, f_none, NULL },
    { "dropout", GOP_DROPOUT, f_dropout, "p" },
    { "maxpool2d", GOP_MAXPOOL2D, f_pool, "kernel, stride, padding" },
    { "avgpool2d", GOP_AVGPOOL2D, f_pool, "kernel, stride, padding" },
    { "global_avgpool", GOP_GLOBAL_AVGPOOL, f_none, NULL },
    { "flatten", GOP_FLATTEN, f_none, NULL },
    { "batchnorm", GOP_BATCHNORM, f_norm, "weight, bias, eps" },
    { "layernorm", GOP_LAYERNORM, f_norm, "weight, bias, eps" },
    { "residual", GOP_RESIDUAL, f_residual, "body, shortcut" },
};
#define N_OPS (sizeof k_ops / sizeof k_ops[0])
#define OP_NAMES "input, linear, conv2d, relu, leaky_relu, tanh, sigmoid, gelu, silu, selu, identity, dropout, " \
                 "maxpool2d, avgpool2d, global_avgpool, flatten, batchnorm, layernorm, residual"

/* ---- shapes ------------------------------------------------------------------------- */
void nninit_ashape_str_(char *buf, size_t cap, const nninit_ashape_ *s)
{
    size_t len = 0;
    if (!cap) return;
    buf[0] = '\0';
    if (s->ndim == 0) {
        if (s->last >= 0) nninit_format_c_(buf, cap, "[?, ..., %lld]", (long long)s->last);
        else nninit_format_c_(buf, cap, "[?]");
        return;
    }
    len += nninit_format_c_(buf, cap, "[");
    for (int d = 0; d < s->ndim && len < cap; d++) {
        if (s->d[d] < 0) len += nninit_format_c_(buf + len, cap - len, "%s?", d ? ", " : "");
        else len += nninit_format_c_(buf + len, cap - len, "%s%lld", d ? ", " : "", (long long)s->d[d]);
    }
    if (len < cap) nninit_format_c_(buf + len, cap - len, "]");
}

size_t nninit_ashape_count_(const nninit_ashape_ *s)
{
    size_t n = 1;
    for (int d = 0; d < s->ndim; d++) n *= (size_t)s->d[d];
    return n;
}

static int64_t last_of(const nninit_ashape_ *s) { return s->ndim ? s->d[s->ndim - 1] : s->last; }
static void set_last(nninit_ashape_ *s) { if (s->ndim) s->last = s->d[s->ndim - 1]; }

typedef struct {
    const nninit_graph *g;
    char *msg;
    size_t msg_size;
} sctx;

/* "graph op 5.body.0 (conv2d): " */
#define OPFMT "graph op %s (%s): "
#define OPARGS(op) (op)->path, (op)->name
#define SFAIL(c, op, ...) shape_fail((c), (op), __VA_ARGS__)

static nninit_status shape_fail(sctx *c, const nninit_gop_ *op, const char *fmt, ...) NNINIT_PRINTF_(3, 4);
static nninit_status shape_fail(sctx *c, const nninit_gop_ *op, const char *fmt, ...)
{
    if (c->msg && c->msg_size) {
        char why[640];
        va_list ap;
        va_start(ap, fmt);
        nninit_vformat_c_(why, sizeof why, fmt, ap);
        va_end(ap);
        nninit_format_c_(c->msg, c->msg_size, OPFMT "%s", OPARGS(op), why);
    }
    return NNINIT_E_SHAPE;
}

static void tensor_shape(const nninit_graph *g, long t, int64_t *shape, int *ndim)
{
    nninit_model_tensor info;
    nninit_model_tensor_info(g->model, (size_t)t, &info);
    memcpy(shape, info.shape, sizeof info.shape);
    *ndim = info.ndim;
}

static const char *tensor_name(const nninit_graph *g, long t)
{
    nninit_model_tensor info;
    nninit_model_tensor_info(g->model, (size_t)t, &info);
    return info.name;
}

/* Output size of a window op along one axis; -1 when unknown, -2 when the input is too small. */
static int64_t window_out(int64_t in, int64_t k, int64_t s, int64_t p, int64_t d)
{
    if (in < 0) return -1;
    int64_t span = d * (k - 1) + 1, room = in + 2 * p;
    return room < span ? -2 : (room - span) / s + 1;
}

static nninit_status shape_window(sctx *c, const nninit_gop_ *op, const nninit_ashape_ *in, nninit_ashape_ *out,
                                  int64_t channels)
{
    char a[96];
    if (in->ndim != 4 && in->ndim != 0) {
        nninit_ashape_str_(a, sizeof a, in);
        return SFAIL(c, op, "needs a 4-D (N, C, H, W) input; the incoming activation is %s", a);
    }
    nninit_ashape_ o = { 4, { -1, -1, -1, -1 }, -1 };
    if (in->ndim == 4) memcpy(o.d, in->d, sizeof o.d);
    if (channels >= 0) o.d[1] = channels;
    if (op->kind != GOP_GLOBAL_AVGPOOL) {
        const int64_t dil[2] = { op->kind == GOP_CONV2D ? op->dil[0] : 1, op->kind == GOP_CONV2D ? op->dil[1] : 1 };
        for (int ax = 0; ax < 2; ax++) {
            int64_t v = window_out(in->ndim ? in->d[2 + ax] : -1, op->kernel[ax], op->stride[ax], op->pad[ax],
                                   dil[ax]);
            if (v == -2) {
                nninit_ashape_str_(a, sizeof a, in);
                return SFAIL(c, op, "the input %s is too small along %s for a %lld-wide window (dilation %lld) with "
                             "padding %lld", a, ax ? "W" : "H", (long long)op->kernel[ax], (long long)dil[ax],
                             (long long)op->pad[ax]);
            }
            o.d[2 + ax] = v;
        }
    } else {
        o.d[2] = o.d[3] = 1;
    }
    set_last(&o);
    *out = o;
    return NNINIT_OK;
}

/* Two shapes that must agree (a residual's branches, a batch and an input op):
 * known sizes compared, the merge keeps what either knows. */
static int merge(const nninit_ashape_ *a, const nninit_ashape_ *b, nninit_ashape_ *out)
{
    if (a->ndim && b->ndim && a->ndim != b->ndim) return 0;
    if (!a->ndim && !b->ndim) {
        if (a->last >= 0 && b->last >= 0 && a->last != b->last) return 0;
        *out = *a;
        if (out->last < 0) out->last = b->last;
        return 1;
    }
    const nninit_ashape_ *k = a->ndim ? a : b, *u = a->ndim ? b : a;
    nninit_ashape_ o = *k;
    if (u->ndim) {
        for (int d = 0; d < o.ndim; d++) {
            if (o.d[d] >= 0 && u->d[d] >= 0 && o.d[d] != u->d[d]) return 0;
            if (o.d[d] < 0) o.d[d] = u->d[d];
        }
    } else if (u->last >= 0) {
        if (o.d[o.ndim - 1] >= 0 && o.d[o.ndim - 1] != u->last) return 0;
        o.d[o.ndim - 1] = u->last;
    }
    set_last(&o);
    *out = o;
    return 1;
}

static nninit_status shape_op(sctx *c, const nninit_gop_ *op, const nninit_ashape_ *values, nninit_ashape_ *out)
{
    const nninit_graph *g = c->g;
    const nninit_ashape_ *in = &values[op->in0];
    char a[96], b[96], t[96];
    int64_t ws[NNINIT_MAX_DIMS] = { 0 };
    int wn = 0;
    if (op->weight >= 0) tensor_shape(g, op->weight, ws, &wn);
    nninit_shape_str_(t, sizeof t, ws, wn);
    *out = *in;
    switch (op->kind) {
    case GOP_INPUT:
        if (!merge(in, &op->input, out)) {
            nninit_ashape_str_(a, sizeof a, in);
            nninit_ashape_str_(b, sizeof b, &op->input);
            return SFAIL(c, op, "the batch is %s; the input op declares %s (N, then \"shape\")", a, b);
        }
        return NNINIT_OK;
    case GOP_LINEAR: {
        int64_t f = last_of(in);
        if (f >= 0 && f != ws[1]) {
            nninit_ashape_str_(a, sizeof a, in);
            return SFAIL(c, op, "field \"weight\": tensor \"%.200s\" is %s (in_features %lld), but the incoming "
                         "activation %s has %lld features in its last dimension%s", tensor_name(g, op->weight), t,
                         (long long)ws[1], a, (long long)f, in->ndim == 4 ? " (a flatten before it?)" : "");
        }
        if (out->ndim) out->d[out->ndim - 1] = ws[0];
        out->last = ws[0];
        return NNINIT_OK;
    }
    case GOP_CONV2D: {
        int64_t cin = ws[1] * op->groups;
        if (in->ndim == 4 && in->d[1] >= 0 && in->d[1] != cin) {
            nninit_ashape_str_(a, sizeof a, in);
            return SFAIL(c, op, "field \"weight\": tensor \"%.200s\" is %s with groups %lld, so it takes %lld input "
                         "channels; the incoming activation %s has %lld", tensor_name(g, op->weight), t,
                         (long long)op->groups, (long long)cin, a, (long long)in->d[1]);
        }
        return shape_window(c, op, in, out, ws[0]);
    }
    case GOP_MAXPOOL2D: case GOP_AVGPOOL2D: case GOP_GLOBAL_AVGPOOL:
        return shape_window(c, op, in, out, -1);
    case GOP_FLATTEN: {
        nninit_ashape_ o = { 2, { in->ndim ? in->d[0] : -1, -1, -1, -1 }, -1 };
        if (in->ndim) {
            int64_t f = 1;
            for (int d = 1; d < in->ndim && f >= 0; d++) f = in->d[d] < 0 ? -1 : f * in->d[d];
            o.d[1] = f;
        }
        set_last(&o);
        *out = o;
        return NNINIT_OK;
    }
    case GOP_BATCHNORM:
        if (in->ndim == 2 || in->ndim == 4) {
            if (in->d[1] >= 0 && in->d[1] != ws[0]) {
                nninit_ashape_str_(a, sizeof a, in);
                return SFAIL(c, op, "field \"weight\": tensor \"%.200s\" is %s, but the incoming activation %s has "
                             "%lld channels (axis 1)", tensor_name(g, op->weight), t, a, (long long)in->d[1]);
            }
            out->d[1] = ws[0];
            set_last(out);
        }
        return NNINIT_OK;
    case GOP_LAYERNORM: {
        int64_t f = last_of(in);
        if (f >= 0 && f != ws[0]) {
            nninit_ashape_str_(a, sizeof a, in);
            return SFAIL(c, op, "field \"weight\": tensor \"%.200s\" is %s, but the incoming activation %s has %lld "
                         "in its last dimension", tensor_name(g, op->weight), t, a, (long long)f);
        }
        if (out->ndim) out->d[out->ndim - 1] = ws[0];
        out->last = ws[0];
        return NNINIT_OK;
    }
    case GOP_RESIDUAL:
        if (!merge(&values[op->in0], &values[op->in1], out)) {
            nninit_ashape_str_(a, sizeof a, &values[op->in0]);
            nninit_ashape_str_(b, sizeof b, &values[op->in1]);
            return SFAIL(c, op, "the body's output %s and the shortcut's output %s differ", a, b);
        }
        return NNINIT_OK;
    default:
        return NNINIT_OK;   /* elementwise: the shape passes through */
    }
}

nninit_status nninit_graph_shapes_(const nninit_graph *g, const nninit_ashape_ *batch, nninit_ashape_ *values,
                                   char *msg, size_t msg_size)
{
    sctx c = { g, msg, msg_size };
    values[0] = *batch;
    for (size_t i = 0; i < g->n; i++) FORWARD_IF_ERROR(shape_op(&c, &g->ops[i], values, &values[i + 1]));
    return NNINIT_OK;
}

/* ---- the parser ------------------------------------------------------------------------ */
typedef struct {
    nninit_graph *g;
    size_t cap;
    long *user;        /* per model tensor: the op using it + 1, or 0 */
    char *msg;
    size_t msg_size;
} pctx;

#define PFAIL(c, st, path, opname, ...) parse_fail((c), (st), (path), (opname), __VA_ARGS__)
static nninit_status parse_fail(pctx *c, nninit_status st, const char *path, const char *opname, const char *fmt, ...)
    NNINIT_PRINTF_(5, 6);
static nninit_status parse_fail(pctx *c, nninit_status st, const char *path, const char *opname, const char *fmt, ...)
{
    if (c->msg && c->msg_size) {
        char why[640];
        va_list ap;
        va_start(ap, fmt);
        nninit_vformat_c_(why, sizeof why, fmt, ap);
        va_end(ap);
        if (opname) nninit_format_c_(c->msg, c->msg_size, "graph op %s (%s): %s", path, opname, why);
        else nninit_format_c_(c->msg, c->msg_size, "graph op %s: %s", path, why);
    }
    return st;
}

/* An int or [h, w] field, absent = def. */
static nninit_status int_pair(pctx *c, const cJSON *o, const char *path, const char *opname, const char *key,
                              int64_t lo, int64_t def, int required, int64_t out[2])
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v) {
        if (required) return PFAIL(c, NNINIT_E_FORMAT, path, opname, "field \"%s\": missing", key);
        out[0] = out[1] = def;
        return NNINIT_OK;
    }
    if (cJSON_IsArray(v)) {
        if (cJSON_GetArraySize(v) == 2 && nninit_json_int_(v->child, lo, MAX_PARAM, &out[0]) &&
            nninit_json_int_(v->child->next, lo, MAX_PARAM, &out[1]))
            return NNINIT_OK;
    } else if (nninit_json_int_(v, lo, MAX_PARAM, &out[0])) {
        out[1] = out[0];
        return NNINIT_OK;
    }
    return PFAIL(c, NNINIT_E_FORMAT, path, opname, "field \"%s\": expected an integer in %lld..%lld or [h, w] of "
                 "them, got %s", key, (long long)lo, (long long)MAX_PARAM,
                 cJSON_IsNumber(v) ? "a number out of range" : nninit_json_type_name_(v));
}

static nninit_status number(pctx *c, const cJSON *o, const char *path, const char *opname, const char *key,
                            double def, double lo, int lo_open, double hi, int hi_open, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v) { *out = def; return NNINIT_OK; }
    if (!cJSON_IsNumber(v))
        return PFAIL(c, NNINIT_E_FORMAT, path, opname, "field \"%s\": expected a number, got %s", key, nninit_json_type_name_(v));
    double d = v->valuedouble;
    if (!isfinite(d) || (lo_open ? d <= lo : d < lo) || (hi_open ? d >= hi : d > hi))
        return PFAIL(c, NNINIT_E_FORMAT, path, opname, "field \"%s\": %.17g is out of range (%s%.17g, %.17g%s)", key,
                     d, lo_open ? "(" : "[", lo, hi, hi_open ? ")" : "]");
    *out = d;
    return NNINIT_OK;
}

/* A tensor field: the name of a model tensor of the given rank, used by no other op. */
static nninit_status tensor_ref(pctx *c, const cJSON *o, const char *path, const char *opname, const char *key,
                                int required, int rank, long *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    *out = -1;
    if (!v) return required ? PFAIL(c, NNINIT_E_FORMAT, path, opname, "field \"%s\": missing", key) : NNINIT_OK;
    if (!cJSON_IsString(v))
        return PFAIL(c, NNINIT_E_FORMAT, path, opname, "field \"%s\": expected a tensor name, got %s", key,
                     nninit_json_type_name_(v));
    long t = nninit_model_find(c->g->model, v->valuestring);
    if (t < 0)
        return PFAIL(c, NNINIT_E_FORMAT, path, opname, "field \"%s\": tensor \"%.200s\" is not in the model", key,
                     v->valuestring);
    if (c->user[t])
        return PFAIL(c, NNINIT_E_FORMAT, path, opname, "field \"%s\": tensor \"%.200s\" is already used by graph op "
                     "%s (a tensor may serve one op only)", key, v->valuestring, c->g->ops[c->user[t] - 1].path);
    nninit_model_tensor info;
    nninit_model_tensor_info(c->g->model, (size_t)t, &info);
    if (info.ndim != rank) {
        char s[96];
        nninit_shape_str_(s, sizeof s, info.shape, info.ndim);
        return PFAIL(c, NNINIT_E_SHAPE, path, opname, "field \"%s\": tensor \"%.200s\" is %s; %s", key,
                     v->valuestring, s, rank == 1 ? "expected a vector (1-D)"
                     : rank == 2 ? "a linear weight is 2-D (out_features, in_features)"
                     : "a conv2d weight is 4-D (out_channels, in_channels / groups, kH, kW)");
    }
    for (int d = 0; d < info.ndim; d++)
        if (info.shape[d] == 0)
            return PFAIL(c, NNINIT_E_SHAPE, path, opname, "field \"%s\": tensor \"%.200s\" is empty", key,
                         v->valuestring);
    /* The executor reads PyTorch layouts; a spec that says otherwise describes another tensor. */
    const unsigned params = nninit_schemes_[info.scheme.kind].params;
    if ((params & NNP_LAYOUT) && info.scheme.layout.kind != NNINIT_LAYOUT_OIHW)
        return PFAIL(c, NNINIT_E_FORMAT, path, opname, "field \"%s\": tensor \"%.200s\" is initialized with a "
                     "non-PyTorch layout; graphs use PyTorch's (out, in, kH, kW) / (out, in)", key, v->valuestring);
    *out = t;
    return NNINIT_OK;
}

static nninit_gop_ *new_op(pctx *c)
{
    if (c->g->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 16;
        nninit_gop_ *ops = realloc(c->g->ops, cap * sizeof *ops);
        if (!ops) return NULL;
        c->g->ops = ops;
        c->cap = cap;
    }
    nninit_gop_ *op = &c->g->ops[c->g->n];
    memset(op, 0, sizeof *op);
    op->weight = op->bias = op->layer = -1;
    return op;
}

static nninit_status parse_seq(pctx *c, const cJSON *arr, const char *prefix, int depth, size_t in, size_t *out);

/* The fields of a non-residual op. */
static nninit_status parse_fields(pctx *c, const cJSON *o, const char *path, const op_info *info, nninit_gop_ *op)
{
    const char *nm = info->name;
    switch (info->kind) {
    case GOP_INPUT: {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "shape");
        int n = cJSON_IsArray(v) ? cJSON_GetArraySize(v) : -1;
        if (n != 1 && n != 3)
            return PFAIL(c, NNINIT_E_FORMAT, path, nm, "field \"shape\": %s", !v ? "missing"
                         : "expected one sample's shape: [features] or [channels, height, width]");
        op->input.ndim = n + 1;
        op->input.d[0] = -1;
        int d = 1;
        for (const cJSON *e = v->child; e; e = e->next, d++)
            if (!nninit_json_int_(e, 1, (int64_t)1 << 40, &op->input.d[d]))
                return PFAIL(c, NNINIT_E_FORMAT, path, nm, "field \"shape\": expected sizes >= 1");
        op->input.last = op->input.d[n];
        return NNINIT_OK;
    }
    case GOP_LINEAR:
        FORWARD_IF_ERROR(tensor_ref(c, o, path, nm, "weight", 1, 2, &op->weight));
        c->user[op->weight] = (long)c->g->n;   /* this op's index + 1 */
        FORWARD_IF_ERROR(tensor_ref(c, o, path, nm, "bias", 0, 1, &op->bias));
        break;
    case GOP_CONV2D:
        FORWARD_IF_ERROR(tensor_ref(c, o, path, nm, "weight", 1, 4, &op->weight));
        c->user[op->weight] = (long)c->g->n;   /* this op's index + 1 */
        FORWARD_IF_ERROR(tensor_ref(c, o, path, nm, "bias", 0, 1, &op->bias));
        FORWARD_IF_ERROR(int_pair(c, o, path, nm, "stride", 1, 1, 0, op->stride));
        FORWARD_IF_ERROR(int_pair(c, o, path, nm, "padding", 0, 0, 0, op->pad));
        FORWARD_IF_ERROR(int_pair(c, o, path, nm, "dilation", 1, 1, 0, op->dil));
        {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "groups");
            op->groups = 1;
            if (v && !nninit_json_int_(v, 1, MAX_PARAM, &op->groups))
                return PFAIL(c, NNINIT_E_FORMAT, path, nm, "field \"groups\": expected an integer in 1..%lld, got %s",
                             (long long)MAX_PARAM, cJSON_IsNumber(v) ? "a number out of range" : nninit_json_type_name_(v));
        }
        break;
    case GOP_LEAKY_RELU:
        FORWARD_IF_ERROR(number(c, o, path, nm, "slope", 0.01, -INFINITY, 0, INFINITY, 0, &op->slope));
        return NNINIT_OK;
    case GOP_GELU: {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "approximate");
        if (v && !(cJSON_IsString(v) && (strcmp(v->valuestring, "none") == 0 || strcmp(v->valuestring, "tanh") == 0)))
            return PFAIL(c, NNINIT_E_FORMAT, path, nm, "field \"approximate\": expected \"none\" or \"tanh\"");
        op->gelu_tanh = v && strcmp(v->valuestring, "tanh") == 0;
        return NNINIT_OK;
    }
    case GOP_DROPOUT: {
        double p;
        return number(c, o, path, nm, "p", 0.5, 0, 0, 1, 1, &p);
    }
    case GOP_MAXPOOL2D: case GOP_AVGPOOL2D:
        FORWARD_IF_ERROR(int_pair(c, o, path, nm, "kernel", 1, 0, 1, op->kernel));
        FORWARD_IF_ERROR(int_pair(c, o, path, nm, "stride", 1, 0, 0, op->stride));
        if (!cJSON_GetObjectItemCaseSensitive(o, "stride")) { op->stride[0] = op->kernel[0]; op->stride[1] = op->kernel[1]; }
        FORWARD_IF_ERROR(int_pair(c, o, path, nm, "padding", 0, 0, 0, op->pad));
        for (int ax = 0; ax < 2; ax++)
            if (2 * op->pad[ax] > op->kernel[ax])
                return PFAIL(c, NNINIT_E_FORMAT, path, nm, "field \"padding\": %lld is more than half the kernel "
                             "(%lld), which PyTorch refuses", (long long)op->pad[ax], (long long)op->kernel[ax]);
        op->dil[0] = op->dil[1] = 1;
        return NNINIT_OK;
    case GOP_BATCHNORM: case GOP_LAYERNORM:
        FORWARD_IF_ERROR(tensor_ref(c, o, path, nm, "weight", 1, 1, &op->weight));
        c->user[op->weight] = (long)c->g->n;   /* this op's index + 1 */
        FORWARD_IF_ERROR(tensor_ref(c, o, path, nm, "bias", 0, 1, &op->bias));
        FORWARD_IF_ERROR(number(c, o, path, nm, "eps", 1e-5, 0, 1, INFINITY, 1, &op->eps));
        break;
    default:
        return NNINIT_OK;
    }
    /* weight and bias agree */
    int64_t ws[NNINIT_MAX_DIMS], bs[NNINIT_MAX_DIMS];
    int wn, bn;
    tensor_shape(c->g, op->weight, ws, &wn);
    if (op->bias >= 0) {
        tensor_shape(c->g, op->bias, bs, &bn);
        if (bs[0] != ws[0])
            return PFAIL(c, NNINIT_E_SHAPE, path, nm, "field \"bias\": tensor \"%.200s\" has %lld elements; the "
                         "weight \"%.200s\" has %lld %s", tensor_name(c->g, op->bias), (long long)bs[0],
                         tensor_name(c->g, op->weight), (long long)ws[0],
                         info->kind == GOP_LINEAR || info->kind == GOP_CONV2D ? "outputs" : "elements");
        c->user[op->bias] = (long)c->g->n;   /* this op's index + 1 */
    }
    if (info->kind == GOP_CONV2D) {
        if (ws[0] % op->groups)
            return PFAIL(c, NNINIT_E_SHAPE, path, nm, "field \"groups\": %lld does not divide the %lld output "
                         "channels of \"%.200s\"", (long long)op->groups, (long long)ws[0],
                         tensor_name(c->g, op->weight));
        nninit_model_tensor t;
        nninit_model_tensor_info(c->g->model, (size_t)op->weight, &t);
        const unsigned params = nninit_schemes_[t.scheme.kind].params;
        int64_t sg = t.scheme.layout.groups > 1 ? t.scheme.layout.groups : 1;
        if ((params & NNP_GROUPS) && sg != op->groups)
            return PFAIL(c, NNINIT_E_FORMAT, path, nm, "field \"groups\": %lld, but tensor \"%.200s\" is initialized "
                         "with groups %lld", (long long)op->groups, t.name, (long long)sg);
        op->kernel[0] = ws[2];
        op->kernel[1] = ws[3];
    }
    return NNINIT_OK;
}

static nninit_status parse_op(pctx *c, const cJSON *o, const char *path, int depth, int first, size_t in, size_t *out)
{
    if (!cJSON_IsObject(o))
        return PFAIL(c, NNINIT_E_FORMAT, path, NULL, "expected an object {\"op\": ...}, got %s", nninit_json_type_name_(o));
    const cJSON *jop = cJSON_GetObjectItemCaseSensitive(o, "op");
    if (!cJSON_IsString(jop))
        return PFAIL(c, NNINIT_E_FORMAT, path, NULL, "field \"op\": %s", jop ? "expected a string" : "missing");
    const op_info *info = NULL;
    for (size_t k = 0; k < N_OPS && !info; k++)
        if (strcmp(k_ops[k].name, jop->valuestring) == 0) info = &k_ops[k];
    if (!info)
        return PFAIL(c, NNINIT_E_FORMAT, path, NULL, "field \"op\": unknown op \"%.60s\" (expected %s)",
                     jop->valuestring, OP_NAMES);
    for (const cJSON *f = o->child; f; f = f->next) {
        int ok = strcmp(f->string, "op") == 0;
        for (const char *const *a = info->fields; *a && !ok; a++) ok = strcmp(*a, f->string) == 0;
        for (const cJSON *e = o->child; e != f && ok; e = e->next)
            if (strcmp(e->string, f->string) == 0)
                return PFAIL(c, NNINIT_E_FORMAT, path, info->name, "field \"%.60s\": appears twice", f->string);
        if (!ok)
            return PFAIL(c, NNINIT_E_FORMAT, path, info->name, "field \"%.60s\": unknown field (%s%s)", f->string,
                         info->fields_text ? "expected op, " : "this op takes none besides op",
                         info->fields_text ? info->fields_text : "");
    }
    if (info->kind == GOP_INPUT && !first)
        return PFAIL(c, NNINIT_E_FORMAT, path, info->name, "only the graph's first op may be an input op");

    size_t body = in, shortcut = in;
    if (info->kind == GOP_RESIDUAL) {
        if (depth >= MAX_DEPTH)
            return PFAIL(c, NNINIT_E_FORMAT, path, info->name, "residuals nested deeper than %d", MAX_DEPTH);
        const cJSON *jb = cJSON_GetObjectItemCaseSensitive(o, "body");
        const cJSON *js = cJSON_GetObjectItemCaseSensitive(o, "shortcut");
        if (!cJSON_IsArray(jb) || cJSON_GetArraySize(jb) == 0)
            return PFAIL(c, NNINIT_E_FORMAT, path, info->name, "field \"body\": %s", !jb ? "missing"
                         : cJSON_IsArray(jb) ? "empty (a residual needs a body)" : "expected an array of ops");
        if (js && !cJSON_IsArray(js))
            return PFAIL(c, NNINIT_E_FORMAT, path, info->name, "field \"shortcut\": expected an array of ops, got %s",
                         nninit_json_type_name_(js));
        char sub[512];
        nninit_format_c_(sub, sizeof sub, "%s.body", path);
        FORWARD_IF_ERROR(parse_seq(c, jb, sub, depth + 1, in, &body));
        if (js) {
            nninit_format_c_(sub, sizeof sub, "%s.shortcut", path);
            FORWARD_IF_ERROR(parse_seq(c, js, sub, depth + 1, in, &shortcut));
        }
    }
    nninit_gop_ *op = new_op(c);
    if (!op) return PFAIL(c, NNINIT_E_NOMEM, path, info->name, "out of memory");
    op->kind = info->kind;
    op->name = info->name;
    op->depth = depth;
    op->path = malloc(strlen(path) + 1);
    if (!op->path) return PFAIL(c, NNINIT_E_NOMEM, path, info->name, "out of memory");
    memcpy(op->path, path, strlen(path) + 1);
    c->g->n++;   /* owned by the graph from here on, complete or not */
    op->in0 = body;
    op->in1 = shortcut;
    FORWARD_IF_ERROR(parse_fields(c, o, path, info, op));
    *out = c->g->n;   /* this op's value */
    return NNINIT_OK;
}

static nninit_status parse_seq(pctx *c, const cJSON *arr, const char *prefix, int depth, size_t in, size_t *out)
{
    size_t idx = 0;
    for (const cJSON *e = arr->child; e; e = e->next, idx++) {
        char path[512];
        if (prefix) nninit_format_c_(path, sizeof path, "%s.%zu", prefix, idx);
        else nninit_format_c_(path, sizeof path, "%zu", idx);
        FORWARD_IF_ERROR(parse_op(c, e, path, depth, !prefix && idx == 0, in, &in));
    }
    *out = in;
    return NNINIT_OK;
}

/* The batch shape the graph fixes: an input op's, else what its first op
 * needs. A first linear fixes the last size only (it takes any rank) unless
 * `guess`, which makes it (N, F): the shape a batch of samples is drawn in. */
static nninit_ashape_ declared_input(const nninit_graph *g, int guess)
{
    nninit_ashape_ s = { 0, { -1, -1, -1, -1 }, -1 };
    for (size_t i = 0; i < g->n; i++) {
        const nninit_gop_ *op = &g->ops[i];
        if (op->in0 != 0 || op->kind == GOP_RESIDUAL) continue;
        int64_t ws[NNINIT_MAX_DIMS] = { 0 };
        int wn;
        if (op->kind == GOP_INPUT) return op->input;
        if (op->weight >= 0) tensor_shape(g, op->weight, ws, &wn);
        if (op->kind == GOP_LINEAR) { s.ndim = guess ? 2 : 0; s.d[1] = ws[1]; s.last = ws[1]; }
        if (op->kind == GOP_CONV2D) { s.ndim = 4; s.d[1] = ws[1] * op->groups; }
        if (op->kind == GOP_MAXPOOL2D || op->kind == GOP_AVGPOOL2D || op->kind == GOP_GLOBAL_AVGPOOL) s.ndim = 4;
        break;   /* the first op that reads the batch decides */
    }
    return s;
}

void nninit_graph_free(nninit_graph *g)
{
    if (!g) return;
    for (size_t i = 0; i < g->n; i++) free(g->ops[i].path);
    free(g->ops);
    free(g->layer_op);
    free(g);
}

static nninit_status build(pctx *c, const cJSON *root)
{
    nninit_graph *g = c->g;
    if (cJSON_GetArraySize(root) == 0)
        return nninit_fail_(NNINIT_E_FORMAT, c->msg, c->msg_size, "field \"graph\": empty (expected at least one op)");
    size_t nt = nninit_model_count(g->model);
    c->user = calloc(nt ? nt : 1, sizeof *c->user);
    if (!c->user) return nninit_fail_(NNINIT_E_NOMEM, c->msg, c->msg_size, "out of memory");
    size_t out;
    nninit_status st = parse_seq(c, root, NULL, 0, 0, &out);
    free(c->user);
    FORWARD_IF_ERROR(st);
    for (size_t i = 0; i < g->n; i++)
        if (g->ops[i].kind == GOP_LINEAR || g->ops[i].kind == GOP_CONV2D) g->ops[i].layer = (long)g->n_layers++;
    g->layer_op = malloc((g->n_layers ? g->n_layers : 1) * sizeof *g->layer_op);
    if (!g->layer_op) return nninit_fail_(NNINIT_E_NOMEM, c->msg, c->msg_size, "out of memory");
    for (size_t i = 0; i < g->n; i++)
        if (g->ops[i].layer >= 0) g->layer_op[g->ops[i].layer] = i;
    g->input = declared_input(g, 0);
    nninit_ashape_ *values = malloc((g->n + 1) * sizeof *values);
    if (!values) return nninit_fail_(NNINIT_E_NOMEM, c->msg, c->msg_size, "out of memory");
    st = nninit_graph_shapes_(g, &g->input, values, c->msg, c->msg_size);
    free(values);
    return st;
}

nninit_status nninit_graph_create(const nninit_model *model, nninit_graph **out, char *msg, size_t msg_size)
{
    nninit_msg_clear_(msg, msg_size);
    RETURN_ERROR_IF(!out, nninit_fail_(NNINIT_E_NULL, msg, msg_size, "NULL output handle"));
    *out = NULL;
    RETURN_ERROR_IF(!model, nninit_fail_(NNINIT_E_NULL, msg, msg_size, "NULL model"));
    const char *text = nninit_model_graph(model);
    const char *algo = nninit_model_data_init(model);
    if (!text)
        return nninit_fail_(NNINIT_E_FORMAT, msg, msg_size, "the model spec has no \"graph\"%s",
                            algo ? " (its \"data_init\" needs one)" : "");
    if (algo) {
        nninit_data_init a;
        char why[512];
        nninit_status st = nninit_data_init_parse(algo, &a, why, sizeof why);
        if (st != NNINIT_OK) return nninit_fail_(st, msg, msg_size, "field \"data_init\": %s", why);
    }
    cJSON *root = cJSON_Parse(text);
    if (!root) return nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory");   /* it parsed before */
    nninit_graph *g = calloc(1, sizeof *g);
    pctx c = { g, 0, NULL, msg, msg_size };
    nninit_status st = g ? (g->model = model, build(&c, root)) : nninit_fail_(NNINIT_E_NOMEM, msg, msg_size,
                                                                                "out of memory");
    cJSON_Delete(root);
    if (st != NNINIT_OK) { nninit_graph_free(g); return st; }
    *out = g;
    return NNINIT_OK;
}

/* ---- accessors ---------------------------------------------------------------------------- */
size_t nninit_graph_op_count(const nninit_graph *g) { return g ? g->n : 0; }
size_t nninit_graph_layer_count(const nninit_graph *g) { return g ? g->n_layers : 0; }

nninit_status nninit_graph_op_info(const nninit_graph *g, size_t i, nninit_graph_op *out)
{
    RETURN_ERROR_IF(!g || !out, NNINIT_E_NULL);
    RETURN_ERROR_IF(i >= g->n, NNINIT_E_PARAM);
    const nninit_gop_ *op = &g->ops[i];
    out->path = op->path;
    out->op = op->name;
    out->weight = op->weight;
    out->bias = op->bias;
    out->layer = op->layer;
    out->depth = op->depth;
    return NNINIT_OK;
}

long nninit_graph_layer_op(const nninit_graph *g, size_t layer)
{
    return g && layer < g->n_layers ? (long)g->layer_op[layer] : -1;
}

nninit_status nninit_graph_input_shape(const nninit_graph *g, int64_t shape[NNINIT_MAX_DIMS], int *ndim)
{
    RETURN_ERROR_IF(!g || !shape || !ndim, NNINIT_E_NULL);
    nninit_ashape_ in = declared_input(g, 1);
    *ndim = in.ndim ? in.ndim - 1 : 0;
    for (int d = 0; d < NNINIT_MAX_DIMS; d++) shape[d] = d < *ndim ? in.d[d + 1] : 0;
    return NNINIT_OK;
}

nninit_status nninit_graph_output_shape(const nninit_graph *g, const int64_t *batch_shape, int batch_ndim,
                                        int64_t out_shape[NNINIT_MAX_DIMS], int *out_ndim, char *msg, size_t msg_size)
{
    nninit_msg_clear_(msg, msg_size);
    RETURN_ERROR_IF(!g || !batch_shape || !out_shape || !out_ndim,
                    nninit_fail_(NNINIT_E_NULL, msg, msg_size, "NULL argument"));
    RETURN_ERROR_IF(batch_ndim != 2 && batch_ndim != 4,
                    nninit_fail_(NNINIT_E_SHAPE, msg, msg_size, "the batch is %d-D; expected (N, F) or (N, C, H, W)",
                                 batch_ndim));
    nninit_ashape_ b = { batch_ndim, { 0, 0, 0, 0 }, 0 };
    for (int d = 0; d < batch_ndim; d++) {
        RETURN_ERROR_IF(batch_shape[d] < 0 || batch_shape[d] > ((int64_t)1 << 40),
                        nninit_fail_(NNINIT_E_SHAPE, msg, msg_size, "the batch has a bad size %lld",
                                     (long long)batch_shape[d]));
        b.d[d] = batch_shape[d];
    }
    b.last = b.d[batch_ndim - 1];
    RETURN_ERROR_IF(b.d[0] == 0, nninit_fail_(NNINIT_E_DATA, msg, msg_size, "the batch is empty (N = 0)"));
    for (int d = 1; d < batch_ndim; d++)
        RETURN_ERROR_IF(b.d[d] == 0, nninit_fail_(NNINIT_E_SHAPE, msg, msg_size, "the batch has a size 0"));
    nninit_ashape_ *values = malloc((g->n + 1) * sizeof *values);
    RETURN_ERROR_IF(!values, nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory"));
    nninit_status st = nninit_graph_shapes_(g, &b, values, msg, msg_size);
    if (st == NNINIT_OK) {
        const nninit_ashape_ *o = &values[g->n];
        *out_ndim = o->ndim;
        for (int d = 0; d < NNINIT_MAX_DIMS; d++) out_shape[d] = d < o->ndim ? o->d[d] : 0;
    }
    free(values);
    return st;
}
