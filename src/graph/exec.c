/* The forward executor: one run of a batch through a graph.
 *
 * Planning (nninit_exec_create_) fixes everything before the first op runs:
 * the shapes of every value, the gemm units of every layer, and a memory
 * plan that gives each value a place in one workspace, allocated once per
 * run. Values live from the op that writes them to their last reader;
 * elementwise ops, normalizations and the residual sum write over their
 * input when nothing reads it later, and identity, dropout and flatten share
 * their input's storage. A layer never writes over its input, and an input
 * lives at least until its reader has run: so a layer can be run again on
 * the same input (lsuv's iterations) without the ops before it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "graph.h"

#define ALIGN_FLOATS 16   /* 64 bytes */
enum { CHANGED_WEIGHT = 1, CHANGED_BIAS = 2 };
/* cblas takes int sizes. */
#define BLAS_INT_MAX 2147483647LL

struct nninit_exec_ {
    const nninit_graph *g;
    const nninit_run_options *opt;
    const void *const *tensors;
    int threads, slots, mutable_layers;
    size_t pos;                   /* ops run so far: the next op to run */
    nninit_ashape_ *shape;        /* n + 1 values */
    float **val;                  /* n + 1 value pointers into the workspace */
    const float **w, **b;         /* per op: binary32 weight and bias */
    float **mw, **mb;             /* per layer (mutable runs): the private copies */
    double **factor, **biasv;     /* per layer: accumulated channel factors, current bias values */
    unsigned char *changed;       /* per layer: CHANGED_WEIGHT | CHANGED_BIAS */
    int64_t *spu, *chunk;         /* per op: gemm units */
    float *scratch;               /* slots x scratch_floats */
    size_t scratch_floats;
    double *dscratch;
    void *ws;
};

/* ---- the memory plan -------------------------------------------------------------- */
typedef struct { size_t off, size; } block;

/* First fit among the live blocks (sorted by offset): returns the offset. */
static size_t place(block *live, size_t *nlive, size_t size, size_t *peak)
{
    size_t off = 0, k = 0;
    for (; k < *nlive; k++) {
        if (live[k].off >= off + size) break;
        off = live[k].off + live[k].size;
    }
    memmove(&live[k + 1], &live[k], (*nlive - k) * sizeof *live);
    live[k].off = off;
    live[k].size = size;
    (*nlive)++;
    if (off + size > *peak) *peak = off + size;
    return off;
}

static void release(block *live, size_t *nlive, size_t off)
{
    for (size_t k = 0; k < *nlive; k++)
        if (live[k].off == off) {
            memmove(&live[k], &live[k + 1], (*nlive - k - 1) * sizeof *live);
            (*nlive)--;
            return;
        }
}

static int in_place_kind(nninit_gop_kind_ k)
{
    return k == GOP_RELU || k == GOP_LEAKY_RELU || k == GOP_TANH || k == GOP_SIGMOID || k == GOP_GELU ||
           k == GOP_SILU || k == GOP_SELU || k == GOP_BATCHNORM || k == GOP_LAYERNORM || k == GOP_RESIDUAL;
}

static int alias_kind(nninit_gop_kind_ k)
{
    return k == GOP_INPUT || k == GOP_IDENTITY || k == GOP_DROPOUT || k == GOP_FLATTEN;
}

/* Offsets (in floats) of every value; returns the peak, or 0 when out of memory. */
static size_t plan_memory(const nninit_graph *g, const nninit_ashape_ *shape, size_t *offset)
{
    const size_t n = g->n, nv = n + 1;
    size_t *last = calloc(nv, sizeof *last), *stor = calloc(nv, sizeof *stor), *end = calloc(nv, sizeof *end);
    size_t *soff = calloc(nv, sizeof *soff), *ssize = calloc(nv, sizeof *ssize);
    block *live = calloc(nv, sizeof *live);
    size_t peak = 0, nlive = 0, ns = 0;
    if (!last || !stor || !end || !soff || !ssize || !live) goto done;
    for (size_t i = 0; i < n; i++) {
        last[g->ops[i].in0] = i;
        if (g->ops[i].kind == GOP_RESIDUAL) last[g->ops[i].in1] = i;
    }
    last[n] = n;   /* the graph's output outlives every op */
    /* storages: the batch first */
    ssize[0] = (nninit_ashape_count_(&shape[0]) + ALIGN_FLOATS - 1) / ALIGN_FLOATS * ALIGN_FLOATS;
    soff[0] = place(live, &nlive, ssize[0], &peak);
    end[0] = last[0];
    stor[0] = 0;
    ns = 1;
    for (size_t i = 0; i < n; i++) {
        const nninit_gop_ *op = &g->ops[i];
        const size_t v = i + 1;
        /* storages whose last reader ran before op i are free again */
        for (size_t s = 0; s < ns; s++)
            if (ssize[s] && end[s] < i) { release(live, &nlive, soff[s]); ssize[s] = 0; }
        size_t s0 = stor[op->in0];
        if (alias_kind(op->kind)) {
            stor[v] = s0;
        } else if (in_place_kind(op->kind) && end[s0] == i) {
            stor[v] = s0;
        } else if (op->kind == GOP_RESIDUAL && end[stor[op->in1]] == i) {
            stor[v] = stor[op->in1];
        } else {
            stor[v] = ns;
            ssize[ns] = (nninit_ashape_count_(&shape[v]) + ALIGN_FLOATS - 1) / ALIGN_FLOATS * ALIGN_FLOATS;
            soff[ns] = place(live, &nlive, ssize[ns], &peak);
            end[ns] = 0;
            ns++;
        }
        if (last[v] > end[stor[v]]) end[stor[v]] = last[v];
    }
    for (size_t v = 0; v < nv; v++) offset[v] = soff[stor[v]];
    if (peak == 0) peak = ALIGN_FLOATS;
done:
    free(last); free(stor); free(end); free(soff); free(ssize); free(live);
    return peak;
}

/* ---- weights ------------------------------------------------------------------------------ */
static nninit_model_tensor tinfo(const nninit_graph *g, long t)
{
    nninit_model_tensor info;
    nninit_model_tensor_info(g->model, (size_t)t, &info);
    return info;
}

/* Does tensor t need a binary32 copy? (f32 tensors are read in place.) */
static int needs_copy(const nninit_exec_ *e, long t, int layer)
{
    if (t < 0) return 0;
    const nninit_model_tensor info = tinfo(e->g, t);
    return (layer && e->mutable_layers) || info.dtype != NNINIT_F32 || ((uintptr_t)e->tensors[t] % 4) != 0;
}

static void load_f32(float *dst, const void *src, nninit_dtype dtype, size_t n)
{
    nninit_convert_(dst, NNINIT_F32, src, dtype, n);
}

/* ---- creation ------------------------------------------------------------------------------ */
void nninit_exec_free_(nninit_exec_ *e)
{
    if (!e) return;
    free(e->ws);
    free(e->shape);
    free(e->val);
    free(e->w);
    free(e->b);
    free(e->mw);
    free(e->mb);
    free(e->factor);
    free(e->biasv);
    free(e->changed);
    free(e->spu);
    free(e->chunk);
    free(e);
}

static nninit_status check_batch(const nninit_tensor *batch, nninit_ashape_ *b, char *msg, size_t msg_size)
{
    RETURN_ERROR_IF(!batch, nninit_fail_(NNINIT_E_NULL, msg, msg_size, "NULL batch"));
    size_t es = nninit_dtype_size(batch->dtype);
    RETURN_ERROR_IF(es == 0, nninit_fail_(NNINIT_E_DTYPE, msg, msg_size, "the batch's dtype %d is not f32, f64, bf16 "
                                          "or f16", (int)batch->dtype));
    RETURN_ERROR_IF(batch->ndim != 2 && batch->ndim != 4,
                    nninit_fail_(NNINIT_E_SHAPE, msg, msg_size, "the batch is %d-D; expected (N, F) or (N, C, H, W)",
                                 batch->ndim));
    b->ndim = batch->ndim;
    for (int d = 0; d < batch->ndim; d++) {
        RETURN_ERROR_IF(batch->shape[d] < 0 || batch->shape[d] > ((int64_t)1 << 40),
                        nninit_fail_(NNINIT_E_SHAPE, msg, msg_size, "the batch has a bad size %lld",
                                     (long long)batch->shape[d]));
        b->d[d] = batch->shape[d];
    }
    b->last = b->d[b->ndim - 1];
    RETURN_ERROR_IF(b->d[0] == 0, nninit_fail_(NNINIT_E_DATA, msg, msg_size, "the batch is empty (N = 0)"));
    for (int d = 1; d < b->ndim; d++)
        RETURN_ERROR_IF(b->d[d] == 0, nninit_fail_(NNINIT_E_SHAPE, msg, msg_size, "the batch has a size 0 "
                                                   "(axis %d)", d));
    size_t count;
    RETURN_ERROR_IF(nninit_shape_count_(batch->shape, batch->ndim, &count) != NNINIT_OK || count > SIZE_MAX / es,
                    nninit_fail_(NNINIT_E_SHAPE, msg, msg_size, "the batch is too large"));
    RETURN_ERROR_IF(batch->nbytes != count * es,
                    nninit_fail_(NNINIT_E_SHAPE, msg, msg_size, "the batch's nbytes (%zu) is not its shape times "
                                 "the element size (%zu)", batch->nbytes, count * es));
    RETURN_ERROR_IF(!batch->data, nninit_fail_(NNINIT_E_NULL, msg, msg_size, "NULL batch data"));
    return NNINIT_OK;
}

/* Per-op checks a batch shape brings: batchnorm statistics, BLAS's int sizes. */
static nninit_status check_plan(const nninit_graph *g, const nninit_ashape_ *shape, char *msg, size_t msg_size)
{
    char s[96];
    for (size_t i = 0; i < g->n; i++) {
        const nninit_gop_ *op = &g->ops[i];
        const nninit_ashape_ *in = &shape[op->in0], *out = &shape[i + 1];
        if (op->kind == GOP_BATCHNORM && nninit_ashape_count_(in) / (size_t)in->d[1] < 2) {
            nninit_ashape_str_(s, sizeof s, in);
            return nninit_fail_(NNINIT_E_DATA, msg, msg_size, "graph op %s (batchnorm): the input %s has one value "
                                "per channel; batch statistics need at least 2 (a larger batch)", op->path, s);
        }
        int64_t big = 0;
        if (op->kind == GOP_LINEAR) big = (int64_t)(nninit_ashape_count_(in) / (size_t)in->d[in->ndim - 1]);
        if (op->kind == GOP_CONV2D) {
            const int64_t k = in->d[1] / op->groups * op->kernel[0] * op->kernel[1];
            big = k > in->d[0] * out->d[2] * out->d[3] ? k : in->d[0] * out->d[2] * out->d[3];
        }
        if (big > BLAS_INT_MAX || nninit_ashape_count_(out) > (size_t)BLAS_INT_MAX * 64)
            return nninit_fail_(NNINIT_E_SHAPE, msg, msg_size, "graph op %s (%s): too large for BLAS's int sizes",
                                op->path, op->name);
    }
    return NNINIT_OK;
}

/* Sizes (in bytes) of the workspace's parts, and where each goes. */
typedef struct { size_t values, weights, factors, scratch, dscratch; } ws_plan;

static size_t round_up(size_t n, size_t a) { return (n + a - 1) / a * a; }

static nninit_status alloc_arrays(nninit_exec_ *e)
{
    const size_t n = e->g->n, nl = e->g->n_layers ? e->g->n_layers : 1;
    e->shape = calloc(n + 1, sizeof *e->shape);
    e->val = calloc(n + 1, sizeof *e->val);
    e->w = calloc(n ? n : 1, sizeof *e->w);
    e->b = calloc(n ? n : 1, sizeof *e->b);
    e->spu = calloc(n ? n : 1, sizeof *e->spu);
    e->chunk = calloc(n ? n : 1, sizeof *e->chunk);
    e->mw = calloc(nl, sizeof *e->mw);
    e->mb = calloc(nl, sizeof *e->mb);
    e->factor = calloc(nl, sizeof *e->factor);
    e->biasv = calloc(nl, sizeof *e->biasv);
    e->changed = calloc(nl, 1);
    return e->shape && e->val && e->w && e->b && e->spu && e->chunk && e->mw && e->mb && e->factor && e->biasv &&
           e->changed ? NNINIT_OK : NNINIT_E_NOMEM;
}

/* Converts the batch into value 0, refusing NaN and infinities. */
static nninit_status load_batch(nninit_exec_ *e, const nninit_tensor *batch, char *msg, size_t msg_size)
{
    const size_t n = nninit_ashape_count_(&e->shape[0]);
    load_f32(e->val[0], batch->data, batch->dtype, n);
    const size_t per_sample = n / (size_t)e->shape[0].d[0];
    for (size_t i = 0; i < n; i++)
        if (!isfinite(e->val[0][i]))
            return nninit_fail_(NNINIT_E_DATA, msg, msg_size, "the batch holds %s at element %zu (sample %zu)%s",
                                isnan(e->val[0][i]) ? "a NaN" : "an infinity", i, i / per_sample,
                                batch->dtype == NNINIT_F64 && isfinite(nninit_load_elem_(batch->data, batch->dtype, i))
                                ? " (a value beyond binary32's range)" : "");
    return NNINIT_OK;
}

nninit_status nninit_exec_create_(const nninit_graph *g, const void *const *tensors, const nninit_tensor *batch,
                                  const nninit_run_options *opt, int mutable_layers, nninit_exec_ **out, char *msg,
                                  size_t msg_size)
{
    nninit_ashape_ b = { 0, { 0, 0, 0, 0 }, 0 };
    *out = NULL;
    RETURN_ERROR_IF(!tensors, nninit_fail_(NNINIT_E_NULL, msg, msg_size, "NULL tensor array"));
    FORWARD_IF_ERROR(check_batch(batch, &b, msg, msg_size));
    nninit_exec_ *e = calloc(1, sizeof *e);
    RETURN_ERROR_IF(!e, nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory"));
    e->g = g;
    e->opt = opt;
    e->tensors = tensors;
    e->threads = opt ? opt->threads : 0;
    e->slots = nninit_team_size_(e->threads);
    e->mutable_layers = mutable_layers;
    nninit_status st = alloc_arrays(e);
    size_t *offset = st == NNINIT_OK ? calloc(g->n + 1, sizeof *offset) : NULL;
    if (!offset) { nninit_exec_free_(e); return nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory"); }
    st = nninit_graph_shapes_(g, &b, e->shape, msg, msg_size);
    if (st == NNINIT_OK) st = check_plan(g, e->shape, msg, msg_size);
    for (size_t i = 0; st == NNINIT_OK && i < g->n; i++) {
        const nninit_gop_ *op = &g->ops[i];
        long t[2] = { op->weight, op->bias };
        for (int k = 0; k < 2; k++)
            if (t[k] >= 0 && !tensors[t[k]] && tinfo(g, t[k]).count > 0)
                st = nninit_fail_(NNINIT_E_NULL, msg, msg_size, "graph op %s (%s): tensor \"%.200s\" is NULL",
                                  op->path, op->name, tinfo(g, t[k]).name);
    }
    if (st != NNINIT_OK) { free(offset); nninit_exec_free_(e); return st; }

    /* Sizes of the workspace's parts. */
    ws_plan p = { 0, 0, 0, 0, 0 };
    size_t peak = plan_memory(g, e->shape, offset);
    p.values = peak * sizeof(float);
    size_t scratch_max = 0, dmax = nninit_moments_scratch_(1);
    for (size_t i = 0; i < g->n; i++) {
        const nninit_gop_ *op = &g->ops[i];
        size_t sf, d;
        nninit_op_units_(op, &e->shape[op->in0], &e->shape[i + 1], &e->spu[i], &e->chunk[i], &sf);
        if (sf > scratch_max) scratch_max = sf;
        d = nninit_op_dscratch_(op, &e->shape[op->in0]);
        if (d > dmax) dmax = d;
        d = nninit_moments_scratch_(nninit_ashape_count_(&e->shape[i + 1]));
        if (d > dmax) dmax = d;
        const int layer = op->layer >= 0;
        if (needs_copy(e, op->weight, layer)) p.weights += round_up(tinfo(g, op->weight).count * sizeof(float), 64);
        if (needs_copy(e, op->bias, layer)) p.weights += round_up(tinfo(g, op->bias).count * sizeof(float), 64);
        if (layer && mutable_layers) {
            const size_t ch = (size_t)tinfo(g, op->weight).shape[0];
            p.factors += round_up(2 * ch * sizeof(double), 64);
        }
    }
    e->scratch_floats = round_up(scratch_max, ALIGN_FLOATS);
    p.scratch = e->scratch_floats * (size_t)e->slots * sizeof(float);
    p.dscratch = round_up(dmax * sizeof(double), 64);
    size_t total = p.values + p.weights + p.factors + p.scratch + p.dscratch;
    if (total < p.values || posix_memalign(&e->ws, 64, total ? total : 64) != 0) {
        free(offset);
        nninit_exec_free_(e);
        return nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory for the run's workspace (%zu MB)",
                            total >> 20);
    }

    /* Carve it up. */
    unsigned char *cur = e->ws;
    float *values = (float *)cur;
    for (size_t v = 0; v <= g->n; v++) e->val[v] = values + offset[v];
    free(offset);
    cur += p.values;
    for (size_t i = 0; i < g->n; i++) {
        const nninit_gop_ *op = &g->ops[i];
        const int layer = op->layer >= 0;
        long t[2] = { op->weight, op->bias };
        for (int k = 0; k < 2; k++) {
            if (t[k] < 0) continue;
            const nninit_model_tensor info = tinfo(g, t[k]);
            const float *src = (const float *)tensors[t[k]];
            if (needs_copy(e, t[k], layer)) {
                float *copy = (float *)cur;
                cur += round_up(info.count * sizeof(float), 64);
                load_f32(copy, tensors[t[k]], info.dtype, info.count);
                if (layer && mutable_layers) *(k ? &e->mb[op->layer] : &e->mw[op->layer]) = copy;
                src = copy;
            }
            *(k ? &e->b[i] : &e->w[i]) = src;
        }
        if (layer && mutable_layers) {
            const size_t ch = (size_t)tinfo(g, op->weight).shape[0];
            e->factor[op->layer] = (double *)cur;
            e->biasv[op->layer] = (double *)cur + ch;
            cur += round_up(2 * ch * sizeof(double), 64);
            for (size_t c = 0; c < ch; c++) {
                e->factor[op->layer][c] = 1;
                e->biasv[op->layer][c] = op->bias >= 0 ? nninit_load_elem_(tensors[op->bias], tinfo(g, op->bias).dtype, c)
                                                       : 0;
            }
        }
    }
    e->scratch = (float *)cur;
    cur += p.scratch;
    e->dscratch = (double *)cur;

    st = load_batch(e, batch, msg, msg_size);
    if (st != NNINIT_OK) { nninit_exec_free_(e); return st; }
    *out = e;
    return NNINIT_OK;
}

/* ---- running ------------------------------------------------------------------------------------ */
static nninit_status run_op(nninit_exec_ *e, size_t i)
{
    const nninit_gop_ *op = &e->g->ops[i];
    nninit_opcall_ c;
    memset(&c, 0, sizeof c);
    c.op = op;
    c.in = &e->shape[op->in0];
    c.out = &e->shape[i + 1];
    c.x = e->val[op->in0];
    c.y = e->val[i + 1];
    if (op->kind == GOP_RESIDUAL) { c.in1 = &e->shape[op->in1]; c.x1 = e->val[op->in1]; }
    c.w = e->w[i];
    c.b = e->b[i];
    c.samples_per_unit = e->spu[i];
    c.out_chunk = e->chunk[i];
    c.scratch = e->scratch;
    c.scratch_floats = e->scratch_floats;
    c.threads = e->threads;
    c.dscratch = e->dscratch;
    return nninit_op_run_(&c);
}

nninit_status nninit_exec_run_to_(nninit_exec_ *e, size_t last, char *msg, size_t msg_size)
{
    size_t i = e->pos == last + 1 ? last : e->pos;
    for (; i <= last && i < e->g->n; i++) {
        if (e->opt && e->opt->cancel && *e->opt->cancel)
            return nninit_fail_(NNINIT_E_CANCELED, msg, msg_size, "canceled");
        FORWARD_IF_ERROR(run_op(e, i));
        e->pos = i + 1;
    }
    return NNINIT_OK;
}

const float *nninit_exec_value_(const nninit_exec_ *e, size_t v, nninit_ashape_ *shape)
{
    if (shape) *shape = e->shape[v];
    return e->val[v];
}

int nninit_exec_threads_(const nninit_exec_ *e) { return e->threads; }

double *nninit_exec_scratch_(const nninit_exec_ *e) { return e->dscratch; }

/* ---- changing a layer ------------------------------------------------------------------------------ */
#define CHUNK 4096

/* dst[i] = the stored value src[i] times f, rounded once to dtype, as binary32 (f32 = 1) or in dtype (f32 = 0). */
static void scaled(void *dst, int f32, const void *src, nninit_dtype dtype, size_t off, size_t n, double f)
{
    double prod[CHUNK];
    uint16_t half[CHUNK];
    for (size_t i0 = 0; i0 < n; i0 += CHUNK) {
        const size_t m = n - i0 < CHUNK ? n - i0 : CHUNK;
        for (size_t i = 0; i < m; i++) prod[i] = nninit_load_elem_(src, dtype, off + i0 + i) * f;
        if (!f32) {
            nninit_convert_((unsigned char *)dst + (off + i0) * nninit_dtype_size(dtype), dtype, prod, NNINIT_F64, m);
        } else if (dtype == NNINIT_BF16 || dtype == NNINIT_F16) {
            /* the value the dtype will hold, so the algorithm measures what is stored */
            nninit_convert_(half, dtype, prod, NNINIT_F64, m);
            for (size_t i = 0; i < m; i++) ((float *)dst)[off + i0 + i] = nninit_f32_from_half_(dtype, half[i]);
        } else {
            for (size_t i = 0; i < m; i++) ((float *)dst)[off + i0 + i] = (float)prod[i];
        }
    }
}

/* The bias values as dtype (f32 = 0) or as the binary32 the dtype holds (f32 = 1). */
static void bias_values(void *dst, int f32, nninit_dtype dtype, const double *v, size_t n)
{
    for (size_t c = 0; c < n; c++) {
        if (!f32) { nninit_convert_((unsigned char *)dst + c * nninit_dtype_size(dtype), dtype, &v[c], NNINIT_F64, 1); continue; }
        unsigned char one[8];
        nninit_convert_(one, dtype, &v[c], NNINIT_F64, 1);
        float f;
        nninit_convert_(&f, NNINIT_F32, one, dtype, 1);
        ((float *)dst)[c] = f;
    }
}

nninit_status nninit_exec_scale_(nninit_exec_ *e, size_t layer, const double *scale, const double *shift)
{
    const nninit_gop_ *op = &e->g->ops[e->g->layer_op[layer]];
    const nninit_model_tensor wt = tinfo(e->g, op->weight);
    const size_t ch = (size_t)wt.shape[0], per = wt.count / ch;
    double *f = e->factor[layer];
    for (size_t c = 0; c < ch; c++) {
        f[c] *= scale[c];
        if (shift && op->bias >= 0) e->biasv[layer][c] = e->biasv[layer][c] * scale[c] + shift[c];
        scaled(e->mw[layer], 1, e->tensors[op->weight], wt.dtype, c * per, per, f[c]);
    }
    e->changed[layer] |= CHANGED_WEIGHT;
    if (shift && op->bias >= 0) {
        const nninit_model_tensor bt = tinfo(e->g, op->bias);
        bias_values(e->mb[layer], 1, bt.dtype, e->biasv[layer], ch);
        e->changed[layer] |= CHANGED_BIAS;
    }
    return NNINIT_OK;
}

void nninit_exec_write_back_(nninit_exec_ *e, void *const *tensors)
{
    for (size_t l = 0; l < e->g->n_layers; l++) {
        if (!e->changed[l]) continue;
        const nninit_gop_ *op = &e->g->ops[e->g->layer_op[l]];
        const nninit_model_tensor wt = tinfo(e->g, op->weight);
        const size_t ch = (size_t)wt.shape[0], per = wt.count / ch;
        for (size_t c = 0; c < ch; c++)
            if (e->factor[l][c] != 1) scaled(tensors[op->weight], 0, tensors[op->weight], wt.dtype, c * per, per,
                                             e->factor[l][c]);
        if (e->changed[l] & CHANGED_BIAS) {
            const nninit_model_tensor bt = tinfo(e->g, op->bias);
            bias_values(tensors[op->bias], 0, bt.dtype, e->biasv[l], ch);
        }
    }
}
