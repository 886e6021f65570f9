/* src/schemes/: what the layers above (model, graph) may use of the schemes
 * (docs/ARCHITECTURE.md). The schemes use the engine and src/common/. */
#ifndef NNINIT_SCHEMES_H
#define NNINIT_SCHEMES_H

#include "../engine/engine.h"

#define NNINIT_SCHEME_COUNT_ ((int)NNINIT_SCHEME_PYTORCH_DEFAULT_BIAS + 1)

/* ---- registry.c: the parameters each scheme takes (spec names in spec.c) ---- */
enum {
    NNP_VALUE = 1u << 0, NNP_MEAN = 1u << 1, NNP_STD = 1u << 2, NNP_LOW = 1u << 3, NNP_HIGH = 1u << 4,
    NNP_LOWER = 1u << 5, NNP_UPPER = 1u << 6, NNP_GAIN = 1u << 7, NNP_A = 1u << 8, NNP_MODE = 1u << 9,
    NNP_NONLINEARITY = 1u << 10, NNP_SCALE = 1u << 11, NNP_DISTRIBUTION = 1u << 12, NNP_SPARSITY = 1u << 13,
    NNP_FAN_IN = 1u << 14, NNP_LAYOUT = 1u << 15, NNP_GROUPS = 1u << 16,
    NNP_FANS = NNP_LAYOUT | NNP_GROUPS     /* schemes that read fans from the shape */
};
typedef struct { const char *name; unsigned params, required; } nninit_scheme_info_;
extern const nninit_scheme_info_ nninit_schemes_[NNINIT_SCHEME_COUNT_];

/* Range checks of a scheme's values. On failure *bad is the offending
 * parameter's NNP_ bit and why says what is wrong. */
nninit_status nninit_scheme_check_(const nninit_scheme *s, unsigned *bad, char *why, size_t why_size);

/* ---- spec.c ------------------------------------------------------------------ */
/* nninit_scheme_parse_vars without the check of vars, for the model layer
 * (whose variables are checked where they are made). A variable whose value
 * is NaN is unknown (a rule's capture before a tensor binds it): values that
 * depend on it are not checked, *unknown (if not NULL) is set to 1, and *out
 * is then not a usable scheme, only the proof that the spec's syntax, names
 * and the values that do not depend on the unknowns are right. *named (if not
 * NULL) receives the NNP_ bits of the parameters the spec names. */
nninit_status nninit_scheme_parse_(const char *spec, const nninit_var *vars, size_t n_vars, unsigned *named,
                                   int *unknown, nninit_scheme *out, char *msg, size_t msg_size);

/* ---- fans.c ---------------------------------------------------------------- */
/* Where a layout puts the channels of an ndim >= 2 tensor: the in and out
 * axes, which of them holds all groups' channels (`total`), and groups. */
typedef struct { int in, out, total; int64_t groups; } nninit_axes_;
nninit_status nninit_channel_axes_(const nninit_layout *layout, int ndim, nninit_axes_ *ax);
/* The gain of a nonlinearity (slope: leaky_relu's negative slope). */
double nninit_gain_of_(nninit_nonlinearity nl, double slope);

/* ---- slice.c: boxes ---------------------------------------------------------
 * A box is a hyperslab of a row-major tensor: the elements with
 * start[d] <= i_d < start[d] + count[d], written at dst as a row-major block
 * of shape count. The whole tensor is the box with start 0 and count shape. */
typedef struct {
    int ndim;
    int64_t shape[NNINIT_MAX_DIMS], start[NNINIT_MAX_DIMS], count[NNINIT_MAX_DIMS];
    size_t n;       /* elements in the box */
    int whole;      /* 1: the box is the whole tensor */
} nninit_box_;

/* The whole tensor of a valid shape (nninit_shape_count_ accepted it). */
void nninit_box_whole_(nninit_box_ *box, const int64_t *shape, int ndim);
/* The box (start, count) of a valid shape: NNINIT_E_NULL for a NULL start or
 * count with ndim > 0, NNINIT_E_SHAPE for a box outside the tensor (then
 * *bad_dim is the first dimension at fault). A 0-D tensor's box is the
 * tensor; start and count are not read. */
nninit_status nninit_box_make_(nninit_box_ *box, const int64_t *shape, int ndim, const int64_t *start,
                               const int64_t *count, int *bad_dim);
/* A plan's plain draw over a non-empty box: each contiguous run of the box
 * is the fill of the indices its elements have in the tensor (constant,
 * uniform, normal, trunc_normal, and sparse's normal draw). Runs are spread
 * over the OpenMP team in units of a fixed size, so the bits do not depend
 * on the thread count. Parameters are checked before anything is written. */
nninit_status nninit_plan_fill_box_(void *dst, nninit_dtype dtype, const nninit_plan *pl, nninit_rng rng,
                                    const nninit_box_ *box);
/* Copies a box out of the whole tensor `full` (elements of esz bytes). */
void nninit_box_copy_(void *dst, const void *full, size_t esz, const nninit_box_ *box);

/* ---- draw.c: a plan's random draw ------------------------------------------ */
/* The kernel parameters of a plan's random draw (uniform, normal,
 * trunc_normal, sparse's normal draw), checked against the dtype.
 * NNINIT_E_PARAM for the other kinds. */
nninit_status nninit_plan_params_(nnk_params *p, nninit_dtype dtype, const nninit_plan *pl);
/* A plan's plain draw over elements [offset, offset + n) of the tensor:
 * constant, uniform, normal, trunc_normal, and sparse's normal draw (before
 * its zeros). NNINIT_E_PARAM for the structured kinds. The one place that
 * maps a plan to a fill: boxes (slice.c) and element ranges share it. */
nninit_status nninit_plan_fill_(void *dst, nninit_dtype dtype, size_t n, const nninit_plan *pl, nninit_rng rng,
                                uint64_t offset);
/* ---- apply.c: the dispatch by plan kind, for boxes and element ranges ------ */
/* How a writer that cuts tensors into element ranges must treat a plan:
 * by ranges (fills, eye, dirac), or whole, at once (sparse), or whole on
 * OpenBLAS's threads (orthogonal: run before the OpenMP fills, so its
 * threads find the cores free). */
typedef enum { NNINIT_WRITE_RANGE_, NNINIT_WRITE_WHOLE_, NNINIT_WRITE_WHOLE_BLAS_ } nninit_plan_writer_;
nninit_plan_writer_ nninit_plan_writer_of_(const nninit_plan *pl);
/* Elements [offset, offset + n) of a NNINIT_WRITE_RANGE_ plan's tensor (shape,
 * ndim; s the scheme the plan came from) into dst[0 .. n): the same bits as
 * that part of nninit_scheme_apply's whole tensor. */
nninit_status nninit_plan_range_(void *dst, nninit_dtype dtype, const nninit_plan *pl, const nninit_scheme *s,
                                 const int64_t *shape, int ndim, nninit_rng rng, size_t offset, size_t n);
/* The fill's own checks of the plan's parameters against the dtype (range,
 * probability mass) on one element of scratch: nothing of the caller's is
 * written. NNINIT_OK for the kinds whose plan was checked whole. */
nninit_status nninit_plan_probe_(const nninit_plan *pl, nninit_dtype dtype, nninit_rng rng);

/* ---- structured.c ------------------------------------------------------------
 * Each writes a non-empty box of the tensor (the whole tensor included). */
/* Zeros, then the ones of the diagonal that fall inside the box. */
nninit_status nninit_eye_fill_(void *dst, nninit_dtype dtype, const nninit_box_ *box);
/* Zeros, then the ones of the identity convolution that fall inside the box. */
nninit_status nninit_dirac_fill_(void *dst, nninit_dtype dtype, const nninit_layout *layout, const nninit_box_ *box);
/* Elements [offset, offset + n) of the row-major eye or dirac tensor into
 * dst[0 .. n): the same bits as that part of the whole tensor (the streaming
 * writer's units, which are element ranges rather than boxes). */
nninit_status nninit_eye_range_(void *dst, nninit_dtype dtype, const nninit_plan *pl, size_t offset, size_t n);
nninit_status nninit_dirac_range_(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim,
                                  const nninit_layout *layout, size_t offset, size_t n);
/* The normal draw over the box, then, for each column of the box, the whole
 * column's zero selection (Floyd, pl->zeros draws), applied to the rows of
 * the box. */
nninit_status nninit_sparse_fill_(void *dst, nninit_dtype dtype, const nninit_plan *pl, nninit_rng rng,
                                  const nninit_box_ *box);
/* The counter-space stream of sparse's zero selection. */
uint64_t nninit_sparse_stream_(uint64_t stream);

/* ---- orthogonal.c -------------------------------------------------------------
 * The orthogonal scheme on the row-major rows x cols view of dst
 * (docs/CONTRACT.md, "Orthogonal"): gain * Q, Q the product of Householder
 * reflections built from Gaussian vectors of the stream (rng, offsets laid
 * out there). rows, cols >= 1, rows * cols fits size_t. On failure
 * (NNINIT_E_NOMEM, NNINIT_E_OVERFLOW for sizes CBLAS's int cannot index) dst
 * is untouched. */
nninit_status nninit_orthogonal_fill_(void *dst, nninit_dtype dtype, int64_t rows, int64_t cols, double gain,
                                      nninit_rng rng);

#endif
