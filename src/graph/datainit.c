/* LSUV and batch-statistics initialization, written once over a source of
 * layer outputs: the graph's executor (nninit_graph_data_init) or a caller's
 * engine (nninit_engine_data_init). docs/GRAPHS.md describes both
 * algorithms; the references are Mishkin & Matas, "All you need is a good
 * init" (ICLR 2016), and Kraehenbuehl et al., "Data-dependent
 * initializations of convolutional neural networks" (ICLR 2016). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "graph.h"

/* ---- statistics of a layer's output ------------------------------------------------------ */
typedef struct {
    double *mean, *var, *scale, *shift;   /* per channel */
    size_t cap;
} chan;

static int chan_reserve(chan *c, size_t n)
{
    if (n <= c->cap) return 1;
    double *p = realloc(c->mean, 4 * n * sizeof *p);
    if (!p) return 0;
    c->mean = p;
    c->var = p + n;
    c->scale = p + 2 * n;
    c->shift = p + 3 * n;
    c->cap = n;
    return 1;
}

typedef struct {
    size_t channels, per_channel;
    double mean, var;
} layer_stats;

static const char *lname(const nninit_layer_source_ *src, size_t l, char *buf, size_t cap)
{
    const char *n = src->name ? src->name(src->ctx, l) : NULL;
    const char *p = src->path ? src->path(src->ctx, l) : NULL;
    if (n && p) nninit_format_c_(buf, cap, "layer %zu (graph op %s, \"%.200s\")", l, p, n);
    else if (n) nninit_format_c_(buf, cap, "layer %zu (\"%.200s\")", l, n);
    else nninit_format_c_(buf, cap, "layer %zu", l);
    return buf;
}

/* Forward to layer l and measure its output: per channel into c, overall into *s. */
static nninit_status measure(const nninit_layer_source_ *src, size_t l, chan *c, layer_stats *s, char *msg,
                             size_t msg_size)
{
    char who[320];
    nninit_layer_output out;
    memset(&out, 0, sizeof out);
    FORWARD_IF_ERROR(src->forward(src->ctx, l, &out, msg, msg_size));
    if (!out.data || out.ndim < 1 || out.ndim > NNINIT_MAX_DIMS || out.channel_axis < 0 ||
        out.channel_axis >= out.ndim)
        return nninit_fail_(NNINIT_E_SHAPE, msg, msg_size, "%s: the output description is not one (%s)",
                            lname(src, l, who, sizeof who), !out.data ? "NULL data"
                            : out.ndim < 1 || out.ndim > NNINIT_MAX_DIMS ? "ndim outside 1..8" : "bad channel_axis");
    size_t outer = 1, inner = 1, count;
    if (nninit_shape_count_(out.shape, out.ndim, &count) != NNINIT_OK)
        return nninit_fail_(NNINIT_E_SHAPE, msg, msg_size, "%s: the output's shape is not one",
                            lname(src, l, who, sizeof who));
    for (int d = 0; d < out.channel_axis; d++) outer *= (size_t)out.shape[d];
    for (int d = out.channel_axis + 1; d < out.ndim; d++) inner *= (size_t)out.shape[d];
    const size_t ch = (size_t)out.shape[out.channel_axis];
    if (count < 2)
        return nninit_fail_(NNINIT_E_DATA, msg, msg_size, "%s: the output has %zu element%s on this batch; its "
                            "statistics need at least 2", lname(src, l, who, sizeof who), count, count == 1 ? "" : "s");
    if (s->channels && s->channels != ch)
        return nninit_fail_(NNINIT_E_SHAPE, msg, msg_size, "%s: the output had %zu channels and now has %zu",
                            lname(src, l, who, sizeof who), s->channels, ch);
    if (!chan_reserve(c, ch)) return nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory");
    size_t bad;
    nninit_channel_moments_(out.data, outer, ch, inner, src->threads, c->mean, c->var, &bad);
    if (bad)
        return nninit_fail_(NNINIT_E_DATA, msg, msg_size, "%s: the output holds NaN or infinite values (the forward "
                            "pass overflows on this batch)", lname(src, l, who, sizeof who));
    /* the whole output's mean and variance from the channels' (equal counts) */
    double m = 0, v = 0, d = 0;
    for (size_t k = 0; k < ch; k++) m += c->mean[k];
    m /= (double)ch;
    for (size_t k = 0; k < ch; k++) { v += c->var[k]; d += (c->mean[k] - m) * (c->mean[k] - m); }
    s->channels = ch;
    s->per_channel = outer * inner;
    s->mean = m;
    s->var = v / (double)ch + d / (double)ch;
    return NNINIT_OK;
}

/* ---- the two algorithms ----------------------------------------------------------------------- */
static nninit_status lsuv_layer(const nninit_layer_source_ *src, const nninit_data_init *a, size_t l, chan *c,
                                nninit_layer_report *r, char *msg, size_t msg_size)
{
    layer_stats s = { 0, 0, 0, 0 };
    FORWARD_IF_ERROR(measure(src, l, c, &s, msg, msg_size));
    r->channels = s.channels;
    r->mean_before = r->mean_after = s.mean;
    r->std_before = r->std_after = sqrt(s.var);
    r->scale_min = r->scale_max = 1;
    if (sqrt(s.var) < NNINIT_DEAD_STD_RATIO * sqrt(a->target_var)) {
        r->outcome = NNINIT_LAYER_DEAD;
        return NNINIT_OK;
    }
    double total = 1;
    while (fabs(s.var - a->target_var) > a->tol && r->iterations < a->max_iter) {
        const double f = sqrt(a->target_var / s.var);
        for (size_t k = 0; k < s.channels; k++) c->scale[k] = f;
        FORWARD_IF_ERROR(src->update(src->ctx, l, c->scale, NULL, s.channels, msg, msg_size));
        total *= f;
        r->iterations++;
        FORWARD_IF_ERROR(measure(src, l, c, &s, msg, msg_size));
    }
    r->mean_after = s.mean;
    r->std_after = sqrt(s.var);
    r->scale_min = r->scale_max = total;
    r->outcome = fabs(s.var - a->target_var) <= a->tol ? NNINIT_LAYER_DONE : NNINIT_LAYER_NOT_CONVERGED;
    return NNINIT_OK;
}

static nninit_status batch_stats_layer(const nninit_layer_source_ *src, const nninit_data_init *a, size_t l,
                                       chan *c, nninit_layer_report *r, char *msg, size_t msg_size)
{
    char who[320];
    layer_stats s = { 0, 0, 0, 0 };
    FORWARD_IF_ERROR(measure(src, l, c, &s, msg, msg_size));
    if (s.per_channel < 2)
        return nninit_fail_(NNINIT_E_DATA, msg, msg_size, "%s: each output channel has one value on this batch; "
                            "batch_stats needs at least 2 per channel (a larger batch)",
                            lname(src, l, who, sizeof who));
    r->channels = s.channels;
    r->mean_before = r->mean_after = s.mean;
    r->std_before = r->std_after = sqrt(s.var);
    r->scale_min = r->scale_max = 1;
    const int bias = src->has_bias ? src->has_bias(src->ctx, l) : 1;
    size_t dead = 0;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t k = 0; k < s.channels; k++) {
        const double sd = sqrt(c->var[k]);
        if (sd < NNINIT_DEAD_STD_RATIO * a->std) {
            c->scale[k] = 1;
            c->shift[k] = 0;
            dead++;
        } else {
            /* y' = y k + (mean - m k): the channel's mean becomes `mean`, its std `std` */
            c->scale[k] = a->std / sd;
            c->shift[k] = a->mean - c->mean[k] * c->scale[k];
        }
        if (c->scale[k] < lo) lo = c->scale[k];
        if (c->scale[k] > hi) hi = c->scale[k];
    }
    r->dead_channels = dead;
    if (dead == s.channels) {
        r->outcome = NNINIT_LAYER_DEAD;
        return NNINIT_OK;
    }
    FORWARD_IF_ERROR(src->update(src->ctx, l, c->scale, bias ? c->shift : NULL, s.channels, msg, msg_size));
    FORWARD_IF_ERROR(measure(src, l, c, &s, msg, msg_size));
    r->iterations = 1;
    r->scale_min = lo;
    r->scale_max = hi;
    r->mean_after = s.mean;
    r->std_after = sqrt(s.var);
    r->outcome = bias ? NNINIT_LAYER_DONE : NNINIT_LAYER_NO_BIAS;
    return NNINIT_OK;
}

nninit_status nninit_data_init_run_(const nninit_layer_source_ *src, const nninit_data_init *algo,
                                    nninit_layer_report *report, char *msg, size_t msg_size)
{
    nninit_layer_report *rep = calloc(src->layers ? src->layers : 1, sizeof *rep);
    chan c = { NULL, NULL, NULL, NULL, 0 };
    nninit_status st = rep ? NNINIT_OK : nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory");
    for (size_t l = 0; st == NNINIT_OK && l < src->layers; l++) {
        if (src->opt && src->opt->cancel && *src->opt->cancel) {
            st = nninit_fail_(NNINIT_E_CANCELED, msg, msg_size, "canceled");
            break;
        }
        nninit_layer_report *r = &rep[l];
        r->name = src->name ? src->name(src->ctx, l) : NULL;
        r->path = src->path ? src->path(src->ctx, l) : NULL;
        st = algo->kind == NNINIT_DATA_LSUV ? lsuv_layer(src, algo, l, &c, r, msg, msg_size)
                                            : batch_stats_layer(src, algo, l, &c, r, msg, msg_size);
        if (st == NNINIT_OK && src->opt && src->opt->progress) {
            nninit_progress p = { l + 1, src->layers, 0, 0 };
            src->opt->progress(src->opt->progress_ctx, &p);
        }
    }
    if (st == NNINIT_OK && report) memcpy(report, rep, src->layers * sizeof *rep);
    free(rep);
    free(c.mean);
    return st;
}

/* ---- the graph's executor as the source -------------------------------------------------------- */
typedef struct {
    const nninit_graph *g;
    nninit_exec_ *e;
} gsrc;

static nninit_status g_forward(void *ctx, size_t l, nninit_layer_output *out, char *msg, size_t msg_size)
{
    gsrc *s = ctx;
    const size_t op = s->g->layer_op[l];
    FORWARD_IF_ERROR(nninit_exec_run_to_(s->e, op, msg, msg_size));
    nninit_ashape_ shape;
    out->data = nninit_exec_value_(s->e, op + 1, &shape);
    out->ndim = shape.ndim;
    for (int d = 0; d < NNINIT_MAX_DIMS; d++) out->shape[d] = d < shape.ndim ? shape.d[d] : 0;
    out->channel_axis = s->g->ops[op].kind == GOP_CONV2D ? 1 : shape.ndim - 1;
    return NNINIT_OK;
}

static nninit_status g_update(void *ctx, size_t l, const double *scale, const double *shift, size_t channels,
                              char *msg, size_t msg_size)
{
    (void)channels; (void)msg; (void)msg_size;
    gsrc *s = ctx;
    return nninit_exec_scale_(s->e, l, scale, shift);
}

static int g_has_bias(void *ctx, size_t l)
{
    gsrc *s = ctx;
    return s->g->ops[s->g->layer_op[l]].bias >= 0;
}

static const char *g_name(void *ctx, size_t l)
{
    gsrc *s = ctx;
    nninit_model_tensor t;
    nninit_model_tensor_info(s->g->model, (size_t)s->g->ops[s->g->layer_op[l]].weight, &t);
    return t.name;
}

static const char *g_path(void *ctx, size_t l)
{
    gsrc *s = ctx;
    return s->g->ops[s->g->layer_op[l]].path;
}

nninit_status nninit_graph_data_init(const nninit_graph *graph, const nninit_data_init *algo, void *const *tensors,
                                     const nninit_tensor *batch, const nninit_run_options *opt,
                                     nninit_layer_report *report, char *msg, size_t msg_size)
{
    nninit_msg_clear_(msg, msg_size);
    RETURN_ERROR_IF(!graph || !algo, nninit_fail_(NNINIT_E_NULL, msg, msg_size, "NULL graph or algorithm"));
    char why[256];
    nninit_status st = nninit_data_init_check_(algo, why, sizeof why);
    RETURN_ERROR_IF(st != NNINIT_OK, nninit_fail_(st, msg, msg_size, "data init: %s", why));
    nninit_blas_serial_begin_();
    nninit_exec_ *e = NULL;
    st = nninit_exec_create_(graph, (const void *const *)tensors, batch, opt, 1, &e, msg, msg_size);
    if (st == NNINIT_OK) {
        gsrc s = { graph, e };
        nninit_layer_source_ src = { graph->n_layers, &s, g_forward, g_update, g_has_bias, g_name, g_path,
                                     nninit_exec_threads_(e), opt };
        st = nninit_data_init_run_(&src, algo, report, msg, msg_size);
        if (st == NNINIT_OK) nninit_exec_write_back_(e, tensors);
    }
    nninit_exec_free_(e);
    nninit_blas_serial_end_();
    return st;
}

/* ---- a caller's engine as the source --------------------------------------------------------------- */
static nninit_status e_forward(void *ctx, size_t l, nninit_layer_output *out, char *msg, size_t msg_size)
{
    const nninit_engine *en = ctx;
    if (en->forward(en->ctx, l, out) != 0) {
        const char *n = en->names ? en->names[l] : NULL;
        return nninit_fail_(NNINIT_E_CALLBACK, msg, msg_size, "layer %zu%s%.200s%s: the engine's forward callback "
                            "failed", l, n ? " (\"" : "", n ? n : "", n ? "\")" : "");
    }
    return NNINIT_OK;
}

static nninit_status e_update(void *ctx, size_t l, const double *scale, const double *shift, size_t channels,
                              char *msg, size_t msg_size)
{
    const nninit_engine *en = ctx;
    if (en->update(en->ctx, l, scale, shift, channels) != 0) {
        const char *n = en->names ? en->names[l] : NULL;
        return nninit_fail_(NNINIT_E_CALLBACK, msg, msg_size, "layer %zu%s%.200s%s: the engine's update callback "
                            "failed", l, n ? " (\"" : "", n ? n : "", n ? "\")" : "");
    }
    return NNINIT_OK;
}

static int e_has_bias(void *ctx, size_t l)
{
    const nninit_engine *en = ctx;
    return en->has_bias ? en->has_bias[l] != 0 : 1;
}

static const char *e_name(void *ctx, size_t l)
{
    const nninit_engine *en = ctx;
    return en->names ? en->names[l] : NULL;
}

nninit_status nninit_engine_data_init(const nninit_engine *engine, const nninit_data_init *algo,
                                      nninit_layer_report *report, char *msg, size_t msg_size)
{
    nninit_msg_clear_(msg, msg_size);
    RETURN_ERROR_IF(!engine || !algo || !engine->forward || !engine->update,
                    nninit_fail_(NNINIT_E_NULL, msg, msg_size, "NULL engine, algorithm or callback"));
    char why[256];
    nninit_status st = nninit_data_init_check_(algo, why, sizeof why);
    RETURN_ERROR_IF(st != NNINIT_OK, nninit_fail_(st, msg, msg_size, "data init: %s", why));
    nninit_layer_source_ src = { engine->layers, (void *)engine, e_forward, e_update, e_has_bias, e_name, NULL, 0,
                                 NULL };
    return nninit_data_init_run_(&src, algo, report, msg, msg_size);
}
