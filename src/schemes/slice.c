/* Boxes (hyperslabs) of a tensor: their contiguous runs, the plain draw over
 * a box, and the copy of a box out of a whole tensor (docs/CONTRACT.md,
 * "Slices"). A box's element at box index b is the tensor's element at the
 * index its coordinates have in the whole tensor, and every fill writes
 * [offset, offset + n) of the whole fill: so a box filled run by run holds
 * exactly that part of the whole tensor. */
#include <string.h>
#include "schemes.h"

/* Elements per unit of work when a box has several runs: units, not runs,
 * are handed to the threads, so a box of many short runs (a column shard)
 * and one of a few long runs spread alike. 2^18 f32 elements are 1 MiB. */
#define BOX_UNIT ((size_t)1 << 18)

void nninit_box_whole_(nninit_box_ *box, const int64_t *shape, int ndim)
{
    box->ndim = ndim;
    box->n = 1;
    for (int d = 0; d < ndim; d++) {
        box->shape[d] = box->count[d] = shape[d];
        box->start[d] = 0;
        box->n *= (size_t)shape[d];
    }
    box->whole = 1;
}

nninit_status nninit_box_make_(nninit_box_ *box, const int64_t *shape, int ndim, const int64_t *start,
                               const int64_t *count, int *bad_dim)
{
    *bad_dim = -1;
    nninit_box_whole_(box, shape, ndim);
    if (ndim == 0) return NNINIT_OK;
    RETURN_ERROR_IF(!start || !count, NNINIT_E_NULL);
    for (int d = 0; d < ndim; d++) {
        /* start + count is never formed before both are known to fit: no overflow */
        if (start[d] < 0 || count[d] < 0 || start[d] > shape[d] || count[d] > shape[d] - start[d]) {
            *bad_dim = d;
            return NNINIT_E_SHAPE;
        }
    }
    box->n = 1;
    box->whole = 1;
    for (int d = 0; d < ndim; d++) {
        box->start[d] = start[d];
        box->count[d] = count[d];
        box->n *= (size_t)count[d];     /* at most the tensor's count, which fits */
        box->whole &= start[d] == 0 && count[d] == shape[d];
    }
    return NNINIT_OK;
}

/* ---- runs ----------------------------------------------------------------------
 * Trailing dimensions the box covers whole merge with the innermost one it
 * cuts: each run is count[k] * (product of the sizes after k) consecutive
 * elements of the tensor, and the dimensions before k enumerate the runs. */
typedef struct {
    int outer;                              /* dimensions 0 .. outer-1 enumerate the runs */
    uint64_t count[NNINIT_MAX_DIMS];        /* their counts in the box */
    uint64_t stride[NNINIT_MAX_DIMS];       /* their strides in the tensor */
    uint64_t first;                         /* tensor index of the box's first element */
    uint64_t run;                           /* elements per run */
} runs_;

static void runs_of(const nninit_box_ *b, runs_ *r)
{
    uint64_t stride = 1;
    int k = b->ndim - 1;
    while (k >= 0 && b->start[k] == 0 && b->count[k] == b->shape[k]) stride *= (uint64_t)b->shape[k--];
    r->outer = k > 0 ? k : 0;
    if (k < 0) { r->first = 0; r->run = stride; return; }
    r->run = (uint64_t)b->count[k] * stride;
    r->first = (uint64_t)b->start[k] * stride;
    stride *= (uint64_t)b->shape[k];
    for (int d = k - 1; d >= 0; d--) {
        r->count[d] = (uint64_t)b->count[d];
        r->stride[d] = stride;
        r->first += (uint64_t)b->start[d] * stride;
        stride *= (uint64_t)b->shape[d];
    }
}

/* fn(ctx, at, index, n): box elements [at, at + n) are tensor elements
 * [index, index + n). Called for the pieces of runs covering box elements
 * [b, e), in order. */
typedef void (*piece_fn)(void *ctx, size_t at, uint64_t index, size_t n);

static void walk(const runs_ *r, size_t b, size_t e, piece_fn fn, void *ctx)
{
    uint64_t q = b / r->run, o = b % r->run, index = r->first, digit[NNINIT_MAX_DIMS];
    for (int d = r->outer - 1; d >= 0; d--) {
        digit[d] = q % r->count[d];
        q /= r->count[d];
        index += digit[d] * r->stride[d];
    }
    while (b < e) {
        size_t n = r->run - o < e - b ? (size_t)(r->run - o) : e - b;
        fn(ctx, b, index + o, n);
        b += n;
        o = 0;
        /* the next run: an odometer over the outer dimensions (unsigned
         * arithmetic; past the box's last run the index is never used) */
        for (int d = r->outer - 1; d >= 0; d--) {
            index += r->stride[d];
            if (++digit[d] < r->count[d]) break;
            index -= r->count[d] * r->stride[d];
            digit[d] = 0;
        }
    }
}

/* ---- the plain draw over a box ------------------------------------------------- */
typedef struct {
    unsigned char *dst;
    nninit_dtype dtype;
    size_t esz, n;
    const nnk_params *p;
    nninit_rng rng;
    runs_ runs;
} box_fill;

typedef struct {
    const box_fill *job;
    nnk_params p;           /* this unit's copy: the driver writes the key and stream into it */
} unit_fill;

static void fill_piece(void *ctx, size_t at, uint64_t index, size_t n)
{
    unit_fill *u = (unit_fill *)ctx;
    const box_fill *j = u->job;
    /* Cannot fail: the parameters are checked, dst is not NULL and index + n
     * stays within the tensor's count. */
    (void)nninit_run_fill_(j->dst + at * j->esz, j->dtype, n, &u->p, j->rng, index);
}

static void fill_unit(void *ctx, size_t i)
{
    const box_fill *j = (const box_fill *)ctx;
    unit_fill u;
    u.job = j;
    u.p = *j->p;
    size_t b = i * BOX_UNIT, e = j->n - b < BOX_UNIT ? j->n : b + BOX_UNIT;
    walk(&j->runs, b, e, fill_piece, &u);
}

nninit_status nninit_plan_fill_box_(void *dst, nninit_dtype dtype, const nninit_plan *pl, nninit_rng rng,
                                    const nninit_box_ *box)
{
    if (pl->kind == NNINIT_PLAN_CONSTANT) return nninit_constant(dst, dtype, box->n, pl->mean);
    nnk_params p;
    box_fill j;
    j.esz = nninit_dtype_size(dtype);
    RETURN_ERROR_IF(j.esz == 0, NNINIT_E_DTYPE);
    FORWARD_IF_ERROR(nninit_plan_params_(&p, dtype, pl));
    RETURN_ERROR_IF(box->n > 0 && !dst, NNINIT_E_NULL);
    if (box->n == 0) return NNINIT_OK;
    runs_of(box, &j.runs);
    /* One run (the whole tensor, a block of rows): one fill, split over the
     * team by the fill driver itself. */
    if (j.runs.run == box->n) return nninit_run_fill_(dst, dtype, box->n, &p, rng, j.runs.first);
    j.dst = (unsigned char *)dst;
    j.dtype = dtype;
    j.n = box->n;
    j.p = &p;
    j.rng = rng;
    nninit_parallel_for_((box->n + BOX_UNIT - 1) / BOX_UNIT, 2, fill_unit, &j);
    return NNINIT_OK;
}

/* ---- copying a box out of the whole tensor -------------------------------------- */
typedef struct { unsigned char *dst; const unsigned char *full; size_t esz; } box_copy;

static void copy_piece(void *ctx, size_t at, uint64_t index, size_t n)
{
    const box_copy *c = (const box_copy *)ctx;
    memcpy(c->dst + at * c->esz, c->full + (size_t)index * c->esz, n * c->esz);
}

void nninit_box_copy_(void *dst, const void *full, size_t esz, const nninit_box_ *box)
{
    runs_ r;
    box_copy c = { (unsigned char *)dst, (const unsigned char *)full, esz };
    if (box->n == 0) return;
    runs_of(box, &r);
    walk(&r, 0, box->n, copy_piece, &c);
}
