/* Statistics of activations: whole-tensor moments (the probe, lsuv) and
 * per-channel moments (batch_stats). Sums run over blocks fixed by the
 * index alone, each summed in order in binary64, and the block results are
 * combined in order: the same bits for any number of threads. Two passes: the
 * variance from squared deviations about the mean. */
#include <math.h>
#include <string.h>
#include "graph.h"

#define BLOCK ((size_t)1 << 14)
#define CHANNEL_CHUNK ((size_t)16)
enum { R_SUM, R_SSD, R_MIN, R_MAX, R_ZEROS, R_BAD, R_FIELDS };

size_t nninit_moments_scratch_(size_t n) { return ((n + BLOCK - 1) / BLOCK) * R_FIELDS + 1; }

typedef struct {
    const float *x;
    size_t n;
    double mean;
    double *r;
} mjob;

/* Sums over a block run in LANES interleaved binary64 accumulators (element
 * i of the block goes to lane i % LANES, the lanes are added in a fixed
 * tree): the same order for any thread count, and the loop vectorizes. */
#define LANES 8

static double lanes_total(const double *a)
{
    return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
}

/* Sum, min, max and zeros of x[0..n) with NaN and infinities counted in *bad
 * and left out: the fast path assumes none and checks the result. */
static void block_pass1(const float *x, size_t n, double *r)
{
    double s[LANES] = { 0 };
    float mn[LANES], mx[LANES];
    double z[LANES] = { 0 };
    for (int k = 0; k < LANES; k++) { mn[k] = INFINITY; mx[k] = -INFINITY; }
    const size_t m = n & ~(size_t)(LANES - 1);
    for (size_t i = 0; i < m; i += LANES)
        for (int k = 0; k < LANES; k++) {
            const float v = x[i + (size_t)k];
            s[k] += v;
            mn[k] = v < mn[k] ? v : mn[k];
            mx[k] = v > mx[k] ? v : mx[k];
            z[k] += v == 0.0f;
        }
    for (size_t i = m; i < n; i++) {
        const float v = x[i];
        s[0] += v;
        mn[0] = v < mn[0] ? v : mn[0];
        mx[0] = v > mx[0] ? v : mx[0];
        z[0] += v == 0.0f;
    }
    double sum = lanes_total(s), lo = INFINITY, hi = -INFINITY;
    for (int k = 0; k < LANES; k++) { lo = mn[k] < lo ? mn[k] : lo; hi = mx[k] > hi ? mx[k] : hi; }
    size_t bad = 0;
    if (!isfinite(sum)) {
        /* NaN or infinities somewhere: again, element by element, leaving them out */
        sum = 0;
        lo = INFINITY;
        hi = -INFINITY;
        for (size_t i = 0; i < n; i++) {
            const double v = x[i];
            if (!isfinite(v)) { bad++; continue; }
            sum += v;
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
    }
    r[R_SUM] = sum; r[R_MIN] = lo; r[R_MAX] = hi; r[R_ZEROS] = lanes_total(z); r[R_BAD] = (double)bad;
}

static double block_ssd(const float *x, size_t n, double mean, int skip_bad)
{
    double s[LANES] = { 0 };
    if (skip_bad) {
        for (size_t i = 0; i < n; i++)
            if (isfinite(x[i])) s[0] += ((double)x[i] - mean) * ((double)x[i] - mean);
        return s[0];
    }
    const size_t m = n & ~(size_t)(LANES - 1);
    for (size_t i = 0; i < m; i += LANES)
        for (int k = 0; k < LANES; k++) {
            const double d = (double)x[i + (size_t)k] - mean;
            s[k] += d * d;
        }
    for (size_t i = m; i < n; i++) s[0] += ((double)x[i] - mean) * ((double)x[i] - mean);
    return lanes_total(s);
}

static void pass1(void *ctx, size_t b, int slot)
{
    (void)slot;
    mjob *j = ctx;
    size_t i0 = b * BLOCK, i1 = i0 + BLOCK < j->n ? i0 + BLOCK : j->n;
    block_pass1(j->x + i0, i1 - i0, j->r + b * R_FIELDS);
}

static void pass2(void *ctx, size_t b, int slot)
{
    (void)slot;
    mjob *j = ctx;
    size_t i0 = b * BLOCK, i1 = i0 + BLOCK < j->n ? i0 + BLOCK : j->n;
    double *r = j->r + b * R_FIELDS;
    r[R_SSD] = block_ssd(j->x + i0, i1 - i0, j->mean, r[R_BAD] != 0);
}

void nninit_act_moments_(const float *x, size_t n, int threads, double *scratch, nninit_moments_ *out)
{
    memset(out, 0, sizeof *out);
    out->min = out->max = NAN;
    if (n == 0) { out->mean = out->var = NAN; return; }
    size_t nb = (n + BLOCK - 1) / BLOCK;
    mjob j = { x, n, 0, scratch };
    nninit_parallel_slots_(nb, threads, pass1, &j);
    double sum = 0, mn = INFINITY, mx = -INFINITY;
    size_t zeros = 0, bad = 0;
    for (size_t b = 0; b < nb; b++) {  /* blocks in order */
        const double *r = scratch + b * R_FIELDS;
        sum += r[R_SUM];
        if (r[R_MIN] < mn) mn = r[R_MIN];
        if (r[R_MAX] > mx) mx = r[R_MAX];
        zeros += (size_t)r[R_ZEROS];
        bad += (size_t)r[R_BAD];
    }
    size_t good = n - bad;
    out->zeros = zeros;
    out->nonfinite = bad;
    if (good == 0) { out->mean = out->var = NAN; return; }
    out->min = mn;
    out->max = mx;
    j.mean = sum / (double)good;
    nninit_parallel_slots_(nb, threads, pass2, &j);
    double ssd = 0;
    for (size_t b = 0; b < nb; b++) ssd += scratch[b * R_FIELDS + R_SSD];
    out->mean = j.mean;
    out->var = ssd / (double)good;
}

/* ---- per channel ----------------------------------------------------------------- */
typedef struct {
    const float *x;
    size_t outer, channels, inner;
    double *mean, *var;
} cjob;

/* Sum and sum of squared deviations of p[0..n) in lanes (as above). */
static void row_sum(const float *p, size_t n, double *lane)
{
    const size_t m = n & ~(size_t)(LANES - 1);
    for (size_t i = 0; i < m; i += LANES)
        for (int k = 0; k < LANES; k++) lane[k] += p[i + (size_t)k];
    for (size_t i = m; i < n; i++) lane[0] += p[i];
}

static void row_ssd(const float *p, size_t n, double mean, double *lane)
{
    const size_t m = n & ~(size_t)(LANES - 1);
    for (size_t i = 0; i < m; i += LANES)
        for (int k = 0; k < LANES; k++) {
            const double d = (double)p[i + (size_t)k] - mean;
            lane[k] += d * d;
        }
    for (size_t i = m; i < n; i++) lane[0] += ((double)p[i] - mean) * ((double)p[i] - mean);
}

/* Channels [c0, c0 + CHANNEL_CHUNK): each channel's values summed over
 * (outer, inner) in a fixed order and lane assignment, so the result does not
 * depend on the chunking or the threads. */
static void channel_chunk(void *ctx, size_t u, int slot)
{
    (void)slot;
    cjob *j = ctx;
    size_t c0 = u * CHANNEL_CHUNK, c1 = c0 + CHANNEL_CHUNK < j->channels ? c0 + CHANNEL_CHUNK : j->channels;
    double acc[CHANNEL_CHUNK][LANES];
    const double count = (double)(j->outer * j->inner);
    memset(acc, 0, sizeof acc);
    for (size_t o = 0; o < j->outer; o++)
        for (size_t c = c0; c < c1; c++) row_sum(j->x + (o * j->channels + c) * j->inner, j->inner, acc[c - c0]);
    for (size_t c = c0; c < c1; c++) {
        j->mean[c] = lanes_total(acc[c - c0]) / count;
        memset(acc[c - c0], 0, sizeof acc[0]);
    }
    for (size_t o = 0; o < j->outer; o++)
        for (size_t c = c0; c < c1; c++)
            row_ssd(j->x + (o * j->channels + c) * j->inner, j->inner, j->mean[c], acc[c - c0]);
    for (size_t c = c0; c < c1; c++) j->var[c] = lanes_total(acc[c - c0]) / count;
}

void nninit_channel_moments_(const float *x, size_t outer, size_t channels, size_t inner, int threads, double *mean,
                             double *var, size_t *nonfinite)
{
    cjob j = { x, outer, channels, inner, mean, var };
    nninit_parallel_slots_((channels + CHANNEL_CHUNK - 1) / CHANNEL_CHUNK, threads, channel_chunk, &j);
    size_t bad = 0;
    for (size_t c = 0; c < channels; c++) bad += !isfinite(mean[c]) || !isfinite(var[c]);
    if (nonfinite) *nonfinite = bad;
}
