/* The ops' computations, in binary32 with PyTorch's semantics (docs/GRAPHS.md).
 *
 * linear and conv2d are cblas_sgemm calls on units cut by shape alone
 * (nninit_op_units_): conv2d as im2col + gemm over a few samples at a time,
 * a 1x1 convolution with stride 1 straight on the input; every unit runs on
 * one thread with OpenBLAS on one thread (blas.c), so a unit's bits never
 * depend on the thread count. Statistics (batchnorm, layernorm, pooling
 * sums) are accumulated in binary64 in a fixed order. */
#include <cblas.h>
#include <math.h>
#include <string.h>
#include "graph.h"

/* A conv2d unit takes enough samples for its gemm to have about this many
 * columns: below a few hundred, OpenBLAS spends more time packing the
 * weights than multiplying. */
#define CONV_COLS 1024
/* A linear unit takes about this many rows. */
#define LINEAR_ROWS 64
/* With fewer sample (row) units than this, the output channels are split
 * too, in chunks of at least OUT_CHUNK_MIN, so two or more threads have
 * work. Chosen from the shapes only, never from the thread count. */
#define UNITS_MIN 8
#define OUT_CHUNK_MIN 64
/* Elementwise ops and pooling run over blocks of this many elements / planes. */
#define EW_BLOCK ((size_t)1 << 15)
#define PLANE_BLOCK ((size_t)16)

static int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

/* ---- units ---------------------------------------------------------------------- */
static int64_t out_chunk_for(int64_t units, int64_t outs)
{
    if (units >= UNITS_MIN || outs < 2 * OUT_CHUNK_MIN) return outs;
    int64_t parts = ceil_div(UNITS_MIN, units);
    if (parts > outs / OUT_CHUNK_MIN) parts = outs / OUT_CHUNK_MIN;
    int64_t chunk = ceil_div(ceil_div(outs, parts), 16) * 16;   /* whole gemm micro-tiles */
    return chunk < outs ? chunk : outs;
}

static int conv_direct(const nninit_gop_ *op)
{
    return op->kernel[0] == 1 && op->kernel[1] == 1 && op->stride[0] == 1 && op->stride[1] == 1 && op->pad[0] == 0 &&
           op->pad[1] == 0;
}

void nninit_op_units_(const nninit_gop_ *op, const nninit_ashape_ *in, const nninit_ashape_ *out,
                      int64_t *samples_per_unit, int64_t *out_chunk, size_t *scratch_floats)
{
    *samples_per_unit = 1;
    *out_chunk = 0;
    *scratch_floats = 0;
    if (op->kind == GOP_LINEAR) {
        int64_t f = in->d[in->ndim - 1], o = out->d[out->ndim - 1];
        int64_t rows = (int64_t)(nninit_ashape_count_(in) / (size_t)f);
        int64_t units = ceil_div(rows, LINEAR_ROWS);
        *samples_per_unit = ceil_div(rows, units);   /* rows per unit, balanced */
        *out_chunk = out_chunk_for(units, o);
        return;
    }
    if (op->kind != GOP_CONV2D) return;
    const int64_t n = in->d[0], cg = in->d[1] / op->groups, og = out->d[1] / op->groups;
    const int64_t hwo = out->d[2] * out->d[3], k = cg * op->kernel[0] * op->kernel[1];
    int64_t s = ceil_div(CONV_COLS, hwo);
    if (s > n) s = n;
    int64_t blocks = ceil_div(n, s);
    s = ceil_div(n, blocks);                          /* balanced blocks */
    *samples_per_unit = s;
    *out_chunk = op->groups == 1 ? out_chunk_for(blocks, og) : og;
    size_t cols = (size_t)(s * hwo);
    if (!(conv_direct(op) && s == 1)) *scratch_floats += (size_t)k * cols;
    if (s > 1) *scratch_floats += (size_t)*out_chunk * cols;
}

size_t nninit_op_dscratch_(const nninit_gop_ *op, const nninit_ashape_ *in)
{
    if (op->kind == GOP_BATCHNORM) return 2 * (size_t)in->d[1];
    return 0;
}

/* ---- bias ---------------------------------------------------------------------------
 * A layer's bias goes in before the gemm (gemm with beta = 1 adds to it), or
 * with the copy that scatters a unit's result: never as a pass of its own. */
#if defined(__GNUC__)
#define OPS_NOINLINE __attribute__((noinline))   /* keeps restrict, so -O2 vectorizes the loop */
#else
#define OPS_NOINLINE
#endif
static OPS_NOINLINE void fill_value(float *p, size_t n, float v)
{
    const size_t m = n & ~(size_t)15;
    for (size_t k = 0; k < m; k++) p[k] = v;
    for (size_t k = m; k < n; k++) p[k] = v;
}

static OPS_NOINLINE void copy_add(float *restrict dst, const float *restrict src, size_t n, float v)
{
    const size_t m = n & ~(size_t)15;
    for (size_t k = 0; k < m; k++) dst[k] = src[k] + v;
    for (size_t k = m; k < n; k++) dst[k] = src[k] + v;
}

/* ---- linear ------------------------------------------------------------------------- */
typedef struct {
    const nninit_opcall_ *c;
    int64_t rows, f, o, per, chunk, n_chunks;
} lin_job;

static void linear_unit(void *ctx, size_t u, int slot)
{
    (void)slot;
    const lin_job *j = ctx;
    const nninit_opcall_ *c = j->c;
    int64_t r0 = (int64_t)(u / (size_t)j->n_chunks) * j->per, q = (int64_t)(u % (size_t)j->n_chunks);
    int64_t r1 = r0 + j->per < j->rows ? r0 + j->per : j->rows;
    int64_t o0 = q * j->chunk, o1 = o0 + j->chunk < j->o ? o0 + j->chunk : j->o;
    if (r0 >= r1 || o0 >= o1) return;
    float *y = c->y + r0 * j->o + o0;
    if (c->b)
        for (int64_t r = 0; r < r1 - r0; r++) memcpy(y + r * j->o, c->b + o0, (size_t)(o1 - o0) * sizeof *y);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)(r1 - r0), (int)(o1 - o0), (int)j->f, 1.0f,
                c->x + r0 * j->f, (int)j->f, c->w + o0 * j->f, (int)j->f, c->b ? 1.0f : 0.0f, y, (int)j->o);
}

static void run_linear(const nninit_opcall_ *c)
{
    lin_job j;
    j.c = c;
    j.f = c->in->d[c->in->ndim - 1];
    j.o = c->out->d[c->out->ndim - 1];
    j.rows = (int64_t)(nninit_ashape_count_(c->in) / (size_t)j.f);
    j.per = c->samples_per_unit;
    j.chunk = c->out_chunk;
    j.n_chunks = ceil_div(j.o, j.chunk);
    nninit_parallel_slots_((size_t)(ceil_div(j.rows, j.per) * j.n_chunks), c->threads, linear_unit, &j);
}

/* ---- conv2d ---------------------------------------------------------------------------- */
typedef struct {
    const nninit_opcall_ *c;
    int64_t n, cin, h, w, o, ho, wo, cg, og, k, chunk, n_chunks;
    int direct;
} conv_job;

/* First index i in [0, n) with lo <= i * s + off < hi, and one past the last
 * (both n when none): the outputs whose input tap falls inside [lo, hi). */
static void tap_range(int64_t n, int64_t s, int64_t off, int64_t lo, int64_t hi, int64_t *first, int64_t *end)
{
    int64_t a = off >= lo ? 0 : (lo - off + s - 1) / s;
    int64_t b = off >= hi ? 0 : (hi - off + s - 1) / s;   /* first i with i * s + off >= hi */
    if (a > n) a = n;
    if (b > n) b = n;
    if (b < a) b = a;
    *first = a;
    *end = b;
}

/* One sample's Cg channels as the (Cg*kh*kw) x (ho*wo) column matrix, rows ld
 * apart: row (ch, ki, kj) holds input (ch, oh*sh - ph + ki*dh, ow*sw - pw +
 * kj*dw), 0 outside the input. The valid output rows and columns of each tap
 * are computed once, so the inner loops only copy. */
static void im2col(const conv_job *j, const float *x, float *dst, size_t ld)
{
    const nninit_gop_ *op = j->c->op;
    const int64_t kh = op->kernel[0], kw = op->kernel[1], sh = op->stride[0], sw = op->stride[1];
    const int64_t ph = op->pad[0], pw = op->pad[1], dh = op->dil[0], dw = op->dil[1];
    const int64_t ho = j->ho, wo = j->wo;
    for (int64_t ki = 0; ki < kh; ki++) {
        int64_t h0, h1;
        tap_range(ho, sh, ki * dh - ph, 0, j->h, &h0, &h1);
        for (int64_t kj = 0; kj < kw; kj++) {
            int64_t w0, w1;
            const int64_t iw0 = kj * dw - pw;
            tap_range(wo, sw, iw0, 0, j->w, &w0, &w1);
            for (int64_t ch = 0; ch < j->cg; ch++) {
                float *row = dst + (size_t)((ch * kh + ki) * kw + kj) * ld;
                const float *plane = x + ch * j->h * j->w;
                memset(row, 0, (size_t)(h0 * wo) * sizeof *row);
                memset(row + h1 * wo, 0, (size_t)((ho - h1) * wo) * sizeof *row);
                for (int64_t oh = h0; oh < h1; oh++) {
                    float *d = row + oh * wo;
                    const float *src = plane + (oh * sh - ph + ki * dh) * j->w + iw0;
                    for (int64_t ow = 0; ow < w0; ow++) d[ow] = 0.0f;
                    if (sw == 1) {
                        if (w1 - w0 >= 32) memcpy(d + w0, src + w0, (size_t)(w1 - w0) * sizeof *d);
                        else for (int64_t ow = w0; ow < w1; ow++) d[ow] = src[ow];
                    } else {
                        for (int64_t ow = w0; ow < w1; ow++) d[ow] = src[ow * sw];
                    }
                    for (int64_t ow = w1; ow < wo; ow++) d[ow] = 0.0f;
                }
            }
        }
    }
}

static void conv_unit(void *ctx, size_t u, int slot)
{
    const conv_job *j = ctx;
    const nninit_opcall_ *c = j->c;
    const int64_t s = c->samples_per_unit, hwo = j->ho * j->wo, hw = j->h * j->w;
    const int64_t s0 = (int64_t)(u / (size_t)j->n_chunks) * s, q = (int64_t)(u % (size_t)j->n_chunks);
    const int64_t s1 = s0 + s < j->n ? s0 + s : j->n, ns = s1 - s0;
    const int64_t o0 = q * j->chunk, o1 = o0 + j->chunk < j->og ? o0 + j->chunk : j->og;
    if (ns <= 0 || o0 >= o1) return;
    const int64_t cols = ns * hwo;
    float *scratch = c->scratch + (size_t)slot * c->scratch_floats;
    const int direct = j->direct && ns == 1;
    float *colbuf = scratch, *tmp = direct ? scratch : scratch + (size_t)(j->k * s * hwo);
    for (int64_t g = 0; g < c->op->groups; g++) {
        const float *bmat;
        int64_t ldb;
        if (direct) {
            bmat = c->x + (s0 * j->cin + g * j->cg) * hw;
            ldb = hw;
        } else {
            for (int64_t i = 0; i < ns; i++)
                im2col(j, c->x + ((s0 + i) * j->cin + g * j->cg) * hw, colbuf + i * hwo, (size_t)cols);
            bmat = colbuf;
            ldb = cols;
        }
        const float *a = c->w + (g * j->og + o0) * j->k;
        const int64_t m = o1 - o0;
        const float *bias = c->b ? c->b + g * j->og + o0 : NULL;
        if (ns == 1) {
            float *y = c->y + (s0 * j->o + g * j->og + o0) * hwo;
            if (bias)
                for (int64_t o = 0; o < m; o++) fill_value(y + o * hwo, (size_t)hwo, bias[o]);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)cols, (int)j->k, 1.0f, a, (int)j->k,
                        bmat, (int)ldb, bias ? 1.0f : 0.0f, y, (int)hwo);
        } else {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)cols, (int)j->k, 1.0f, a, (int)j->k,
                        bmat, (int)ldb, 0.0f, tmp, (int)cols);
            for (int64_t i = 0; i < ns; i++)
                for (int64_t o = 0; o < m; o++)
                    copy_add(c->y + ((s0 + i) * j->o + g * j->og + o0 + o) * hwo, tmp + o * cols + i * hwo,
                             (size_t)hwo, bias ? bias[o] : 0.0f);
        }
    }
}

static void run_conv(const nninit_opcall_ *c)
{
    conv_job j;
    j.c = c;
    j.n = c->in->d[0]; j.cin = c->in->d[1]; j.h = c->in->d[2]; j.w = c->in->d[3];
    j.o = c->out->d[1]; j.ho = c->out->d[2]; j.wo = c->out->d[3];
    j.cg = j.cin / c->op->groups;
    j.og = j.o / c->op->groups;
    j.k = j.cg * c->op->kernel[0] * c->op->kernel[1];
    j.chunk = c->out_chunk;
    j.n_chunks = ceil_div(j.og, j.chunk);
    j.direct = conv_direct(c->op);
    nninit_parallel_slots_((size_t)(ceil_div(j.n, c->samples_per_unit) * j.n_chunks), c->threads, conv_unit, &j);
}

/* ---- pooling -------------------------------------------------------------------------------- */
typedef struct {
    const nninit_opcall_ *c;
    size_t planes;
} plane_job;

static void pool_unit(void *ctx, size_t u, int slot)
{
    (void)slot;
    const plane_job *j = ctx;
    const nninit_opcall_ *c = j->c;
    const nninit_gop_ *op = c->op;
    const int64_t h = c->in->d[2], w = c->in->d[3], ho = c->out->d[2], wo = c->out->d[3];
    const size_t p0 = u * PLANE_BLOCK, p1 = p0 + PLANE_BLOCK < j->planes ? p0 + PLANE_BLOCK : j->planes;
    for (size_t p = p0; p < p1; p++) {
        const float *x = c->x + p * (size_t)(h * w);
        float *y = c->y + p * (size_t)(ho * wo);
        if (op->kind == GOP_GLOBAL_AVGPOOL) {
            double s = 0;
            for (int64_t i = 0; i < h * w; i++) s += x[i];
            y[0] = (float)(s / (double)(h * w));
            continue;
        }
        for (int64_t oh = 0; oh < ho; oh++)
            for (int64_t ow = 0; ow < wo; ow++) {
                const int64_t h0 = oh * op->stride[0] - op->pad[0], w0 = ow * op->stride[1] - op->pad[1];
                const int64_t hs = h0 < 0 ? 0 : h0, ws = w0 < 0 ? 0 : w0;
                const int64_t he = h0 + op->kernel[0] < h ? h0 + op->kernel[0] : h;
                const int64_t we = w0 + op->kernel[1] < w ? w0 + op->kernel[1] : w;
                if (op->kind == GOP_MAXPOOL2D) {
                    float m = -INFINITY;
                    for (int64_t i = hs; i < he; i++)
                        for (int64_t k = ws; k < we; k++)
                            if (x[i * w + k] > m || isnan(x[i * w + k])) m = x[i * w + k];   /* NaN wins, as in PyTorch */
                    y[oh * wo + ow] = m;
                } else {
                    /* count_include_pad (PyTorch's default): the divisor is the whole window */
                    double s = 0;
                    for (int64_t i = hs; i < he; i++)
                        for (int64_t k = ws; k < we; k++) s += x[i * w + k];
                    y[oh * wo + ow] = (float)(s / (double)(op->kernel[0] * op->kernel[1]));
                }
            }
    }
}

static void run_pool(const nninit_opcall_ *c)
{
    plane_job j = { c, (size_t)(c->in->d[0] * c->in->d[1]) };
    nninit_parallel_slots_((j.planes + PLANE_BLOCK - 1) / PLANE_BLOCK, c->threads, pool_unit, &j);
}

/* ---- normalization ---------------------------------------------------------------------------- */
typedef struct {
    const nninit_opcall_ *c;
    size_t outer, channels, inner;
    const double *mean, *var;
} bn_job;

static void bn_unit(void *ctx, size_t u, int slot)
{
    (void)slot;
    const bn_job *j = ctx;
    const nninit_opcall_ *c = j->c;
    const size_t p0 = u * PLANE_BLOCK, p1 = p0 + PLANE_BLOCK < j->outer * j->channels ? p0 + PLANE_BLOCK
                                                                                    : j->outer * j->channels;
    for (size_t p = p0; p < p1; p++) {
        const size_t ch = p % j->channels;
        /* y = (x - mean) / sqrt(var + eps) * w + b as x * alpha + beta, alpha and beta in binary64 */
        const double alpha = (double)c->w[ch] / sqrt(j->var[ch] + c->op->eps);
        const float a = (float)alpha, b = (float)((c->b ? (double)c->b[ch] : 0.0) - j->mean[ch] * alpha);
        const float *x = c->x + p * j->inner;
        float *y = c->y + p * j->inner;
        for (size_t i = 0; i < j->inner; i++) y[i] = x[i] * a + b;
    }
}

static void run_batchnorm(const nninit_opcall_ *c)
{
    bn_job j;
    j.c = c;
    j.outer = (size_t)c->in->d[0];
    j.channels = (size_t)c->in->d[1];
    j.inner = nninit_ashape_count_(c->in) / (j.outer * j.channels);
    double *mean = c->dscratch, *var = c->dscratch + j.channels;
    nninit_channel_moments_(c->x, j.outer, j.channels, j.inner, c->threads, mean, var, NULL);
    j.mean = mean;
    j.var = var;
    nninit_parallel_slots_((j.outer * j.channels + PLANE_BLOCK - 1) / PLANE_BLOCK, c->threads, bn_unit, &j);
}

typedef struct {
    const nninit_opcall_ *c;
    size_t rows, d;
} ln_job;

static void ln_unit(void *ctx, size_t u, int slot)
{
    (void)slot;
    const ln_job *j = ctx;
    const nninit_opcall_ *c = j->c;
    const size_t per = EW_BLOCK / j->d ? EW_BLOCK / j->d : 1;
    const size_t r0 = u * per, r1 = r0 + per < j->rows ? r0 + per : j->rows;
    for (size_t r = r0; r < r1; r++) {
        const float *x = c->x + r * j->d;
        float *y = c->y + r * j->d;
        double s = 0, ss = 0;
        for (size_t i = 0; i < j->d; i++) s += x[i];
        const double mean = s / (double)j->d;
        for (size_t i = 0; i < j->d; i++) ss += ((double)x[i] - mean) * ((double)x[i] - mean);
        const double rstd = 1.0 / sqrt(ss / (double)j->d + c->op->eps);
        for (size_t i = 0; i < j->d; i++)
            y[i] = (float)(((double)x[i] - mean) * rstd * c->w[i] + (c->b ? c->b[i] : 0.0f));
    }
}

static void run_layernorm(const nninit_opcall_ *c)
{
    ln_job j;
    j.c = c;
    j.d = (size_t)c->in->d[c->in->ndim - 1];
    j.rows = nninit_ashape_count_(c->in) / j.d;
    const size_t per = EW_BLOCK / j.d ? EW_BLOCK / j.d : 1;
    nninit_parallel_slots_((j.rows + per - 1) / per, c->threads, ln_unit, &j);
}

/* ---- elementwise ------------------------------------------------------------------------------- */
typedef struct {
    const nninit_opcall_ *c;
    size_t n;
} ew_job;

/* SELU's constants as PyTorch spells them (Klambauer et al. 2017). */
#define SELU_ALPHA 1.6732632423543772848170429916717f
#define SELU_SCALE 1.0507009873554804934193349852946f

/* Elementwise functions, each twice: out of place (restrict: the buffers are
 * disjoint) and in place. The main loop's trip count is a multiple of 16,
 * which lets the compiler vectorize the cheap ones at -O2 without an
 * epilogue; the rest runs scalar. `a` is leaky_relu's slope. */
#define EW_LANES ((size_t)16)
/* Not inlined: inlined into a caller whose pointers are not restrict, the
 * loops would need run-time alias checks, which -O2 does not vectorize. */
#if defined(__GNUC__)
#define EW_NOINLINE __attribute__((noinline))
#else
#define EW_NOINLINE
#endif
#define EW_FN(name, EXPR)                                                                      \
    static EW_NOINLINE void name##_oop(float *restrict y, const float *restrict x, size_t n, float a)     \
    {                                                                                          \
        (void)a;                                                                               \
        const size_t m = n & ~(EW_LANES - 1);                                                  \
        for (size_t k = 0; k < m; k++) { const float v = x[k]; y[k] = (EXPR); }               \
        for (size_t k = m; k < n; k++) { const float v = x[k]; y[k] = (EXPR); }               \
    }                                                                                          \
    static EW_NOINLINE void name##_ip(float *p, size_t n, float a)                                         \
    {                                                                                          \
        (void)a;                                                                               \
        const size_t m = n & ~(EW_LANES - 1);                                                  \
        for (size_t k = 0; k < m; k++) { const float v = p[k]; p[k] = (EXPR); }               \
        for (size_t k = m; k < n; k++) { const float v = p[k]; p[k] = (EXPR); }               \
    }

/* NaN stays NaN, as in PyTorch (so an overflow upstream reaches the output). */
EW_FN(ew_relu, v <= 0.0f ? 0.0f : v)
EW_FN(ew_leaky, v * (v > 0.0f ? 1.0f : a))   /* v * 1 = v exactly: a multiply either way, no branch */
EW_FN(ew_tanh, tanhf(v))
EW_FN(ew_sigmoid, 1.0f / (1.0f + expf(-v)))
EW_FN(ew_silu, v / (1.0f + expf(-v)))
EW_FN(ew_selu, SELU_SCALE * (v > 0.0f ? v : SELU_ALPHA * expm1f(v)))
/* 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) and 0.5 x (1 + erf(x / sqrt(2))) */
EW_FN(ew_gelu_tanh, 0.5f * v * (1.0f + tanhf(0.7978845608028654f * (v + 0.044715f * v * v * v))))
EW_FN(ew_gelu, 0.5f * v * (1.0f + erff(v * 0.70710678118654752f)))
EW_FN(ew_double, v + v)

static EW_NOINLINE void add_oop(float *restrict y, const float *restrict a, const float *restrict b, size_t n)
{
    const size_t m = n & ~(EW_LANES - 1);
    for (size_t k = 0; k < m; k++) y[k] = a[k] + b[k];
    for (size_t k = m; k < n; k++) y[k] = a[k] + b[k];
}

static EW_NOINLINE void add_ip(float *restrict p, const float *restrict b, size_t n)
{
    const size_t m = n & ~(EW_LANES - 1);
    for (size_t k = 0; k < m; k++) p[k] += b[k];
    for (size_t k = m; k < n; k++) p[k] += b[k];
}

/* y = a + b, where y may be a or b (the memory plan writes the sum over a dying input). */
static void add_range(const nninit_opcall_ *c, size_t i0, size_t n)
{
    const float *a = c->x + i0, *b = c->x1 + i0;
    float *y = c->y + i0;
    if (a == b) {                                   /* a body of aliases and no shortcut: x + x */
        if (y == a) ew_double_ip(y, n, 0);
        else ew_double_oop(y, a, n, 0);
        return;
    }
    if (y == b) { const float *t = a; a = b; b = t; }   /* addition commutes exactly */
    if (y == a) add_ip(y, b, n);
    else add_oop(y, a, b, n);
}

static void ew_unit(void *ctx, size_t u, int slot)
{
    (void)slot;
    const ew_job *j = ctx;
    const nninit_opcall_ *c = j->c;
    const size_t i0 = u * EW_BLOCK, n = (i0 + EW_BLOCK < j->n ? i0 + EW_BLOCK : j->n) - i0;
    void (*oop)(float *restrict, const float *restrict, size_t, float) = NULL;
    void (*ip)(float *, size_t, float) = NULL;
    switch (c->op->kind) {
    case GOP_RELU: oop = ew_relu_oop; ip = ew_relu_ip; break;
    case GOP_LEAKY_RELU: oop = ew_leaky_oop; ip = ew_leaky_ip; break;
    case GOP_TANH: oop = ew_tanh_oop; ip = ew_tanh_ip; break;
    case GOP_SIGMOID: oop = ew_sigmoid_oop; ip = ew_sigmoid_ip; break;
    case GOP_SILU: oop = ew_silu_oop; ip = ew_silu_ip; break;
    case GOP_SELU: oop = ew_selu_oop; ip = ew_selu_ip; break;
    case GOP_GELU:
        oop = c->op->gelu_tanh ? ew_gelu_tanh_oop : ew_gelu_oop;
        ip = c->op->gelu_tanh ? ew_gelu_tanh_ip : ew_gelu_ip;
        break;
    case GOP_RESIDUAL: add_range(c, i0, n); return;
    default: return;
    }
    if (c->x == c->y) ip(c->y + i0, n, (float)c->op->slope);
    else oop(c->y + i0, c->x + i0, n, (float)c->op->slope);
}

nninit_status nninit_op_run_(const nninit_opcall_ *c)
{
    switch (c->op->kind) {
    case GOP_LINEAR: run_linear(c); break;
    case GOP_CONV2D: run_conv(c); break;
    case GOP_MAXPOOL2D: case GOP_AVGPOOL2D: case GOP_GLOBAL_AVGPOOL: run_pool(c); break;
    case GOP_BATCHNORM: run_batchnorm(c); break;
    case GOP_LAYERNORM: run_layernorm(c); break;
    case GOP_INPUT: case GOP_IDENTITY: case GOP_DROPOUT: case GOP_FLATTEN:
        /* the executor gives these ops their input's storage */
        if (c->y != c->x) memcpy(c->y, c->x, nninit_ashape_count_(c->out) * sizeof(float));
        break;
    default: {
        ew_job j = { c, nninit_ashape_count_(c->out) };
        nninit_parallel_slots_((j.n + EW_BLOCK - 1) / EW_BLOCK, c->threads, ew_unit, &j);
        break;
    }
    }
    return NNINIT_OK;
}
