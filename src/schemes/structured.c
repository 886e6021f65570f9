/* The structured schemes: eye, dirac, and sparse's choice of zeros
 * (docs/CONTRACT.md, "Schemes"), each over a box of the tensor (the whole
 * tensor or a slice of it, docs/CONTRACT.md "Slices"). */
#include <stdlib.h>
#include <string.h>
#include "schemes.h"

/* Ones at the centre tap of channel pairs (g * per_group_total + d, d), those
 * inside the box. */
static void dirac_ones(void *dst, nninit_dtype dtype, const nninit_layout *layout, const nninit_box_ *b)
{
    nninit_axes_ ax;
    int64_t at[NNINIT_MAX_DIMS];
    if (nninit_channel_axes_(layout, b->ndim, &ax) != NNINIT_OK) return;   /* checked by the plan */
    int per = ax.total == ax.in ? ax.out : ax.in;
    for (int i = 0; i < b->ndim; i++) at[i] = b->shape[i] / 2;
    int64_t tg = b->shape[ax.total] / ax.groups, pg = b->shape[per], m = tg < pg ? tg : pg;
    for (int64_t g = 0; g < ax.groups; g++)
        for (int64_t d = 0; d < m; d++) {
            at[ax.total] = g * tg + d;
            at[per] = d;
            size_t local = 0;
            int i = 0;
            for (; i < b->ndim; i++) {
                int64_t k = at[i] - b->start[i];
                if (k < 0 || k >= b->count[i]) break;
                local = local * (size_t)b->count[i] + (size_t)k;
            }
            if (i == b->ndim) nninit_store_elem_(dst, dtype, local, 1.0);
        }
}

nninit_status nninit_eye_fill_(void *dst, nninit_dtype dtype, const nninit_box_ *b)
{
    FORWARD_IF_ERROR(nninit_constant(dst, dtype, b->n, 0.0));
    const int64_t r0 = b->start[0], c0 = b->start[1], r1 = r0 + b->count[0], c1 = c0 + b->count[1];
    for (int64_t i = r0 > c0 ? r0 : c0; i < r1 && i < c1; i++)
        nninit_store_elem_(dst, dtype, (size_t)((i - r0) * b->count[1] + (i - c0)), 1.0);
    return NNINIT_OK;
}

nninit_status nninit_dirac_fill_(void *dst, nninit_dtype dtype, const nninit_layout *layout, const nninit_box_ *b)
{
    FORWARD_IF_ERROR(nninit_constant(dst, dtype, b->n, 0.0));
    dirac_ones(dst, dtype, layout, b);
    return NNINIT_OK;
}

/* ---- element ranges --------------------------------------------------------- */
nninit_status nninit_eye_range_(void *dst, nninit_dtype dtype, const nninit_plan *pl, size_t offset, size_t n)
{
    FORWARD_IF_ERROR(nninit_constant(dst, dtype, n, 0.0));
    /* the diagonal element of row i is i * (cols + 1): the first row whose
     * diagonal is at or after offset, then every one inside the range */
    const uint64_t step = (uint64_t)pl->cols + 1, diag = (uint64_t)(pl->rows < pl->cols ? pl->rows : pl->cols);
    for (uint64_t i = ((uint64_t)offset + step - 1) / step; i < diag && i * step < (uint64_t)offset + n; i++)
        nninit_store_elem_(dst, dtype, (size_t)(i * step - offset), 1.0);
    return NNINIT_OK;
}

nninit_status nninit_dirac_range_(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim,
                                  const nninit_layout *layout, size_t offset, size_t n)
{
    FORWARD_IF_ERROR(nninit_constant(dst, dtype, n, 0.0));
    /* the ones at the centre tap of channel pairs (g * per_group_total + d, d),
     * by their row-major index */
    nninit_axes_ ax;
    size_t stride[NNINIT_MAX_DIMS], centre = 0;
    if (nninit_channel_axes_(layout, ndim, &ax) != NNINIT_OK) return NNINIT_OK;   /* checked by the plan */
    stride[ndim - 1] = 1;
    for (int i = ndim - 2; i >= 0; i--) stride[i] = stride[i + 1] * (size_t)shape[i + 1];
    int per = ax.total == ax.in ? ax.out : ax.in;
    for (int i = 0; i < ndim; i++)
        if (i != ax.in && i != ax.out) centre += (size_t)(shape[i] / 2) * stride[i];
    int64_t tg = shape[ax.total] / ax.groups, pg = shape[per], m = tg < pg ? tg : pg;
    for (int64_t g = 0; g < ax.groups; g++)
        for (int64_t d = 0; d < m; d++) {
            size_t at = centre + (size_t)(g * tg + d) * stride[ax.total] + (size_t)d * stride[per];
            if (at >= offset && at - offset < n) nninit_store_elem_(dst, dtype, at - offset, 1.0);
        }
    return NNINIT_OK;
}

/* Sparse: which rows of each column are zero. Floyd's algorithm draws a
 * uniformly random k-subset of [0, rows) with exactly k draws; draw j of
 * column c is Philox at counter (j, c, selection stream), CONTRACT.md. A box
 * runs the whole selection of each of its columns and zeroes the picked rows
 * that fall inside it: the selection of a column costs k draws whatever the
 * box's rows. */
typedef struct {
    unsigned char *dst;
    size_t esz;
    uint64_t rows, zeros, block;
    uint64_t r0, nr, c0, nc;    /* the box: rows [r0, r0 + nr), columns [c0, c0 + nc) */
    uint32_t key[2], sel[2];
    uint64_t *bitmaps;          /* one bitmap of `rows` bits per block of columns */
    size_t words;
} sparse_job;

/* High 64 bits of the 128-bit product a * b, in portable C. */
static uint64_t mulhi64(uint64_t a, uint64_t b)
{
    uint64_t al = (uint32_t)a, ah = a >> 32, bl = (uint32_t)b, bh = b >> 32;
    uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
    uint64_t mid = (ll >> 32) + (uint32_t)lh + (uint32_t)hl;
    return hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
}

static void sparse_block(void *ctx, size_t b)
{
    const sparse_job *j = (const sparse_job *)ctx;
    uint64_t *bits = j->bitmaps + b * j->words;
    uint64_t e = (b + 1) * j->block < j->nc ? (b + 1) * j->block : j->nc;
    for (uint64_t k = b * j->block; k < e; k++) {
        const uint64_t c = j->c0 + k;
        memset(bits, 0, j->words * sizeof *bits);
        for (uint64_t r = j->rows - j->zeros; r < j->rows; r++) {
            uint32_t ctr[4] = { (uint32_t)r, (uint32_t)c, j->sel[0], j->sel[1] }, out[4];
            nninit_philox4x32_10(ctr, j->key, out);
            uint64_t u = (uint64_t)out[0] | (uint64_t)out[1] << 32;
            /* t uniform on [0, r]: the high word of u * (r + 1) (bias below 2^-32) */
            uint64_t t = mulhi64(u, r + 1);
            if (bits[t >> 6] >> (t & 63) & 1) t = r;
            bits[t >> 6] |= (uint64_t)1 << (t & 63);
            if (t - j->r0 < j->nr)      /* unsigned: t inside [r0, r0 + nr) */
                memset(j->dst + ((t - j->r0) * j->nc + k) * j->esz, 0, j->esz);
        }
    }
}

uint64_t nninit_sparse_stream_(uint64_t stream)
{
    /* A fixed bijection of the tensor's stream ("sparse" in ASCII, then the
     * SplitMix64 finalizer), so the selection never reuses the fill's counters. */
    return nninit_mix64_(stream ^ 0x7370617273650000ull);
}

/* Columns are handed out in blocks of at least 64, and at most this many
 * blocks (each holding one bitmap of the whole column) are allocated. */
#define SPARSE_MAX_BLOCKS 256

nninit_status nninit_sparse_fill_(void *dst, nninit_dtype dtype, const nninit_plan *pl, nninit_rng rng,
                                  const nninit_box_ *box)
{
    sparse_job j;
    j.dst = (unsigned char *)dst;
    j.esz = nninit_dtype_size(dtype);
    j.rows = (uint64_t)pl->rows; j.zeros = (uint64_t)pl->zeros;
    j.r0 = (uint64_t)box->start[0]; j.nr = (uint64_t)box->count[0];
    j.c0 = (uint64_t)box->start[1]; j.nc = (uint64_t)box->count[1];
    j.key[0] = (uint32_t)rng.seed; j.key[1] = (uint32_t)(rng.seed >> 32);
    uint64_t sel = nninit_sparse_stream_(rng.stream);
    j.sel[0] = (uint32_t)sel; j.sel[1] = (uint32_t)(sel >> 32);
    j.words = (size_t)((j.rows + 63) / 64);
    j.block = (j.nc + SPARSE_MAX_BLOCKS - 1) / SPARSE_MAX_BLOCKS;
    if (j.block < 64) j.block = 64;
    size_t nblocks = (size_t)((j.nc + j.block - 1) / j.block);
    j.bitmaps = NULL;
    if (j.zeros > 0) {
        RETURN_ERROR_IF(nblocks > SIZE_MAX / 8 / j.words, NNINIT_E_OVERFLOW);
        j.bitmaps = (uint64_t *)malloc(nblocks * j.words * sizeof(uint64_t));
        RETURN_ERROR_IF(!j.bitmaps, NNINIT_E_NOMEM);
    }
    nninit_status st = nninit_plan_fill_box_(dst, dtype, pl, rng, box);
    if (st == NNINIT_OK && j.zeros > 0) nninit_parallel_for_(nblocks, 2, sparse_block, &j);
    free(j.bitmaps);
    return st;
}
