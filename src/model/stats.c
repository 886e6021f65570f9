/* Statistics of what was written: mean, std, min and max in binary64.
 *
 * Sums run over fixed blocks of the index, each summed in order, and the
 * block sums are added in order: the result is the same for any number of
 * threads (and equal to one thread's). Two passes: the std from squared
 * deviations about the mean keeps its precision for tensors far from zero
 * (ones plus small noise), which a one-pass sum of squares loses. */
#include <math.h>
#include <stdlib.h>
#include "model.h"

#define BLOCK ((size_t)1 << 16)

typedef struct {
    const void *data;
    nninit_dtype dtype;
    size_t n;
    double mean;                /* second pass */
    double *sum, *mn, *mx;      /* per block */
    size_t *bad;
} stats_job;

static void first_pass(void *ctx, size_t b)
{
    stats_job *j = (stats_job *)ctx;
    size_t i0 = b * BLOCK, i1 = i0 + BLOCK < j->n ? i0 + BLOCK : j->n, bad = 0;
    double sum = 0, mn = INFINITY, mx = -INFINITY;
    for (size_t i = i0; i < i1; i++) {
        double v = nninit_load_elem_(j->data, j->dtype, i);
        if (!isfinite(v)) { bad++; continue; }
        sum += v;
        if (v < mn) mn = v;
        if (v > mx) mx = v;
    }
    j->sum[b] = sum; j->mn[b] = mn; j->mx[b] = mx; j->bad[b] = bad;
}

static void second_pass(void *ctx, size_t b)
{
    stats_job *j = (stats_job *)ctx;
    size_t i0 = b * BLOCK, i1 = i0 + BLOCK < j->n ? i0 + BLOCK : j->n;
    double ss = 0;
    for (size_t i = i0; i < i1; i++) {
        double v = nninit_load_elem_(j->data, j->dtype, i);
        if (isfinite(v)) ss += (v - j->mean) * (v - j->mean);
    }
    j->sum[b] = ss;
}

nninit_status nninit_tensor_stats(const void *data, nninit_dtype dtype, size_t n, nninit_stats *out)
{
    RETURN_ERROR_IF(!out, NNINIT_E_NULL);
    RETURN_ERROR_IF(nninit_dtype_size(dtype) == 0, NNINIT_E_DTYPE);
    RETURN_ERROR_IF(n > 0 && !data, NNINIT_E_NULL);
    const size_t nb = (n + BLOCK - 1) / BLOCK;
    stats_job j = { data, dtype, n, 0, NULL, NULL, NULL, NULL };
    if (nb) {
        j.sum = malloc(nb * sizeof *j.sum);
        j.mn = malloc(nb * sizeof *j.mn);
        j.mx = malloc(nb * sizeof *j.mx);
        j.bad = malloc(nb * sizeof *j.bad);
    }
    nninit_status st = !nb || (j.sum && j.mn && j.mx && j.bad) ? NNINIT_OK : NNINIT_E_NOMEM;
    if (st == NNINIT_OK) {
        nninit_parallel_for_(nb, 2, first_pass, &j);
        double sum = 0, mn = INFINITY, mx = -INFINITY;
        size_t bad = 0;
        for (size_t b = 0; b < nb; b++) {
            sum += j.sum[b];
            bad += j.bad[b];
            if (j.mn[b] < mn) mn = j.mn[b];
            if (j.mx[b] > mx) mx = j.mx[b];
        }
        size_t good = n - bad;
        out->nonfinite = bad;
        out->mean = good ? sum / (double)good : NAN;
        out->min = good ? mn : NAN;
        out->max = good ? mx : NAN;
        out->std = NAN;
        if (good) {
            j.mean = out->mean;
            nninit_parallel_for_(nb, 2, second_pass, &j);
            double ss = 0;
            for (size_t b = 0; b < nb; b++) ss += j.sum[b];
            out->std = sqrt(ss / (double)good);
        }
    }
    free(j.sum);
    free(j.mn);
    free(j.mx);
    free(j.bad);
    return st;
}
