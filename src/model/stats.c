/* Statistics of what was written: mean, std, min and max in binary64.
 *
 * The method (the one nninit_tensor_stats and the streaming writer share, so
 * a streamed tensor's statistics equal those of the same tensor in memory, bit
 * for bit): the tensor is cut into blocks of NNINIT_STATS_BLOCK_ elements of
 * its index. Each block gives, in index order, its finite count, sum, min and
 * max, then the sum of squared deviations about the block's own mean (a second
 * pass over the block, in cache). The blocks are combined in block order with
 * Chan, Golub and LeVeque's update ("Algorithms for computing the sample
 * variance", 1983): the deviations stay small, so the std of tensors far from
 * zero (ones plus small noise) keeps its precision, which a one-pass sum of
 * squares loses. Blocks are independent: any thread count, and any split of
 * the tensor at block boundaries, gives the same result. */
#include <math.h>
#include <stdlib.h>
#include "model.h"

void nninit_block_stats_(const void *data, nninit_dtype dtype, size_t n, nninit_bstats_ *out)
{
    size_t bad = 0;
    double sum = 0, mn = INFINITY, mx = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double v = nninit_load_elem_(data, dtype, i);
        if (!isfinite(v)) { bad++; continue; }
        sum += v;
        if (v < mn) mn = v;
        if (v > mx) mx = v;
    }
    double m2 = 0;
    const size_t good = n - bad;
    if (good) {
        const double mean = sum / (double)good;
        for (size_t i = 0; i < n; i++) {
            double v = nninit_load_elem_(data, dtype, i);
            if (isfinite(v)) m2 += (v - mean) * (v - mean);
        }
    }
    out->good = good;
    out->bad = bad;
    out->sum = sum;
    out->m2 = m2;
    out->min = mn;
    out->max = mx;
}

void nninit_stats_combine_(const nninit_bstats_ *b, size_t nb, nninit_stats *out)
{
    double n = 0, sum = 0, m2 = 0, mn = INFINITY, mx = -INFINITY;
    size_t good = 0, bad = 0;
    for (size_t k = 0; k < nb; k++) {
        bad += b[k].bad;
        if (!b[k].good) continue;
        const double nk = (double)b[k].good;
        if (good == 0) {
            sum = b[k].sum;
            m2 = b[k].m2;
        } else {
            const double d = b[k].sum / nk - sum / n;
            m2 += b[k].m2 + d * d * (n * nk / (n + nk));
            sum += b[k].sum;
        }
        good += b[k].good;
        n = (double)good;
        if (b[k].min < mn) mn = b[k].min;
        if (b[k].max > mx) mx = b[k].max;
    }
    out->nonfinite = bad;
    out->mean = good ? sum / n : NAN;
    out->std = good ? sqrt(m2 / n) : NAN;
    out->min = good ? mn : NAN;
    out->max = good ? mx : NAN;
}

typedef struct {
    const unsigned char *data;
    nninit_dtype dtype;
    size_t n, esz;
    nninit_bstats_ *blocks;
} stats_job;

static void one_block(void *ctx, size_t b)
{
    const stats_job *j = (const stats_job *)ctx;
    size_t i0 = b * NNINIT_STATS_BLOCK_, i1 = i0 + NNINIT_STATS_BLOCK_ < j->n ? i0 + NNINIT_STATS_BLOCK_ : j->n;
    nninit_block_stats_(j->data + i0 * j->esz, j->dtype, i1 - i0, &j->blocks[b]);
}

nninit_status nninit_tensor_stats(const void *data, nninit_dtype dtype, size_t n, nninit_stats *out)
{
    RETURN_ERROR_IF(!out, NNINIT_E_NULL);
    RETURN_ERROR_IF(nninit_dtype_size(dtype) == 0, NNINIT_E_DTYPE);
    RETURN_ERROR_IF(n > 0 && !data, NNINIT_E_NULL);
    const size_t nb = nninit_stats_blocks_(n);
    stats_job j = { (const unsigned char *)data, dtype, n, nninit_dtype_size(dtype), NULL };
    if (nb) {
        j.blocks = (nninit_bstats_ *)malloc(nb * sizeof *j.blocks);
        RETURN_ERROR_IF(!j.blocks, NNINIT_E_NOMEM);
        nninit_parallel_for_(nb, 2, one_block, &j);
    }
    nninit_stats_combine_(j.blocks, nb, out);
    free(j.blocks);
    return NNINIT_OK;
}
