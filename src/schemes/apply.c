/* Applying a scheme to a tensor or to a slice of it: the plan's fill, or its
 * structured writer, and the one-function-per-scheme forms of the public API. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "schemes.h"

/* ---- element ranges: the writers that cut tensors into index ranges (the
 * model scheduler, the streaming writer's units) ---------------------------- */
nninit_plan_writer_ nninit_plan_writer_of_(const nninit_plan *pl)
{
    switch (pl->kind) {
    case NNINIT_PLAN_ORTHOGONAL: return NNINIT_WRITE_WHOLE_BLAS_;
    case NNINIT_PLAN_SPARSE: return NNINIT_WRITE_WHOLE_;     /* its zeros run down whole columns */
    default: return NNINIT_WRITE_RANGE_;
    }
}

nninit_status nninit_plan_range_(void *dst, nninit_dtype dtype, const nninit_plan *pl, const nninit_scheme *s,
                                 const int64_t *shape, int ndim, nninit_rng rng, size_t offset, size_t n)
{
    switch (pl->kind) {
    case NNINIT_PLAN_EYE: return nninit_eye_range_(dst, dtype, pl, offset, n);
    case NNINIT_PLAN_DIRAC: return nninit_dirac_range_(dst, dtype, shape, ndim, &s->layout, offset, n);
    default: return nninit_plan_fill_(dst, dtype, n, pl, rng, offset);
    }
}

nninit_status nninit_plan_probe_(const nninit_plan *pl, nninit_dtype dtype, nninit_rng rng)
{
    double scratch[1];
    switch (pl->kind) {
    case NNINIT_PLAN_ORTHOGONAL: case NNINIT_PLAN_EYE: case NNINIT_PLAN_DIRAC: return NNINIT_OK;
    default: return nninit_plan_fill_(scratch, dtype, 1, pl, rng, 0);
    }
}

/* Orthogonal has no local definition: a part of the matrix is a part of the
 * whole factorization, computed into a temporary tensor (docs/CONTRACT.md,
 * "Slices"). */
static nninit_status orthogonal_box(void *dst, nninit_dtype dtype, const nninit_plan *pl, nninit_rng rng,
                                    const nninit_box_ *box)
{
    if (box->whole) return nninit_orthogonal_fill_(dst, dtype, pl->rows, pl->cols, pl->gain, rng);
    const size_t esz = nninit_dtype_size(dtype), count = (size_t)pl->rows * (size_t)pl->cols;
    RETURN_ERROR_IF(count > SIZE_MAX / esz, NNINIT_E_OVERFLOW);
    void *full = malloc(count * esz);
    RETURN_ERROR_IF(!full, NNINIT_E_NOMEM);
    nninit_status st = nninit_orthogonal_fill_(full, dtype, pl->rows, pl->cols, pl->gain, rng);
    if (st == NNINIT_OK) nninit_box_copy_(dst, full, esz, box);
    free(full);
    return st;
}

/* Writes a non-empty box of the tensor: the one dispatch of
 * nninit_scheme_apply and nninit_scheme_apply_slice. what names the box in a
 * message ("shape [8, 4]", "slice ... of shape ..."). */
static nninit_status apply_box(void *dst, nninit_dtype dtype, const nninit_scheme *s, const nninit_plan *pl,
                               nninit_rng rng, const nninit_box_ *box, const char *what, char *msg, size_t msg_size)
{
    nninit_status st;
    switch (pl->kind) {
    case NNINIT_PLAN_CONSTANT: case NNINIT_PLAN_UNIFORM: case NNINIT_PLAN_NORMAL: case NNINIT_PLAN_TRUNC_NORMAL:
        st = nninit_plan_fill_box_(dst, dtype, pl, rng, box);
        break;
    case NNINIT_PLAN_ORTHOGONAL: st = orthogonal_box(dst, dtype, pl, rng, box); break;
    case NNINIT_PLAN_EYE: st = nninit_eye_fill_(dst, dtype, box); break;
    case NNINIT_PLAN_DIRAC: st = nninit_dirac_fill_(dst, dtype, &s->layout, box); break;
    case NNINIT_PLAN_SPARSE: st = nninit_sparse_fill_(dst, dtype, pl, rng, box); break;
    default: st = NNINIT_E_PARAM; break;
    }
    if (st != NNINIT_OK)
        return nninit_fail_(st, msg, msg_size, "%s on %s as %s: %s", nninit_scheme_name(s->kind), what,
                            nninit_dtype_name(dtype),
                            st == NNINIT_E_PARAM ? "a parameter is out of range for this dtype"
                                                 : nninit_status_str(st));
    nninit_msg_clear_(msg, msg_size);
    return NNINIT_OK;
}

nninit_status nninit_scheme_apply(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim,
                                  const nninit_scheme *s, nninit_rng rng, char *msg, size_t msg_size)
{
    nninit_plan pl;
    nninit_box_ box;
    char what[220], shp[200];
    FORWARD_IF_ERROR(nninit_scheme_plan(s, shape, ndim, &pl, msg, msg_size));
    const char *name = nninit_scheme_name(s->kind);
    RETURN_ERROR_IF(nninit_dtype_size(dtype) == 0,
                    nninit_fail_(NNINIT_E_DTYPE, msg, msg_size, "%s: unknown dtype %d", name, (int)dtype));
    nninit_box_whole_(&box, shape, ndim);
    RETURN_ERROR_IF(box.n > 0 && !dst, nninit_fail_(NNINIT_E_NULL, msg, msg_size, "%s: NULL destination", name));
    RETURN_ERROR_IF(box.n > SIZE_MAX / nninit_dtype_size(dtype),
                    nninit_fail_(NNINIT_E_OVERFLOW, msg, msg_size, "%s: tensor too large", name));
    if (box.n == 0) { nninit_msg_clear_(msg, msg_size); return NNINIT_OK; }
    nninit_shape_str_(shp, sizeof shp, shape, ndim);
    snprintf(what, sizeof what, "shape %s", shp);
    return apply_box(dst, dtype, s, &pl, rng, &box, what, msg, msg_size);
}

/* "[0:4, 2:7]": a box in Python's slice notation, for messages. */
static void slice_str(char *buf, size_t cap, const int64_t *start, const int64_t *count, int ndim)
{
    size_t len = 0;
    buf[0] = '\0';
    len += nninit_format_c_(buf + len, len < cap ? cap - len : 0, "[");
    for (int d = 0; d < ndim && len < cap; d++)
        len += nninit_format_c_(buf + len, cap - len, "%s%lld:%lld", d ? ", " : "", (long long)start[d],
                                (long long)(start[d] + count[d]));
    if (len < cap) nninit_format_c_(buf + len, cap - len, "]");
}

nninit_status nninit_scheme_apply_slice(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim,
                                        const int64_t *start, const int64_t *count, const nninit_scheme *s,
                                        nninit_rng rng, char *msg, size_t msg_size)
{
    nninit_plan pl;
    nninit_box_ box;
    char what[420], shp[200], slc[200];
    int bad;
    FORWARD_IF_ERROR(nninit_scheme_plan(s, shape, ndim, &pl, msg, msg_size));
    const char *name = nninit_scheme_name(s->kind);
    RETURN_ERROR_IF(nninit_dtype_size(dtype) == 0,
                    nninit_fail_(NNINIT_E_DTYPE, msg, msg_size, "%s: unknown dtype %d", name, (int)dtype));
    nninit_shape_str_(shp, sizeof shp, shape, ndim);
    nninit_status st = nninit_box_make_(&box, shape, ndim, start, count, &bad);
    if (st == NNINIT_E_NULL)
        return nninit_fail_(st, msg, msg_size, "%s on shape %s: NULL slice start or count", name, shp);
    if (st != NNINIT_OK) {
        long long b0 = (long long)start[bad], c0 = (long long)count[bad], size = (long long)shape[bad];
        const char *why = b0 < 0 ? "negative start" : c0 < 0 ? "negative count"
                        : b0 > size ? "start past the end" : "start + count past the end";
        return nninit_fail_(st, msg, msg_size,
                            "%s on shape %s: slice out of bounds in dimension %d (size %lld): start %lld, count %lld"
                            " (%s)", name, shp, bad, size, b0, c0, why);
    }
    RETURN_ERROR_IF(box.n > 0 && !dst, nninit_fail_(NNINIT_E_NULL, msg, msg_size, "%s: NULL destination", name));
    RETURN_ERROR_IF(box.n > SIZE_MAX / nninit_dtype_size(dtype),
                    nninit_fail_(NNINIT_E_OVERFLOW, msg, msg_size, "%s: slice too large", name));
    if (box.n == 0) { nninit_msg_clear_(msg, msg_size); return NNINIT_OK; }
    slice_str(slc, sizeof slc, box.start, box.count, ndim);
    snprintf(what, sizeof what, "slice %s of shape %s", slc, shp);
    return apply_box(dst, dtype, s, &pl, rng, &box, what, msg, msg_size);
}

nninit_status nninit_init_msg(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim, const char *spec,
                              nninit_rng rng, char *msg, size_t msg_size)
{
    nninit_scheme s;
    FORWARD_IF_ERROR(nninit_scheme_parse(spec, &s, msg, msg_size));
    return nninit_scheme_apply(dst, dtype, shape, ndim, &s, rng, msg, msg_size);
}

nninit_status nninit_init_slice(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim, const int64_t *start,
                                const int64_t *count, const char *spec, nninit_rng rng, char *msg, size_t msg_size)
{
    nninit_scheme s;
    FORWARD_IF_ERROR(nninit_scheme_parse(spec, &s, msg, msg_size));
    return nninit_scheme_apply_slice(dst, dtype, shape, ndim, start, count, &s, rng, msg, msg_size);
}

nninit_status nninit_init(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim, const char *spec,
                          nninit_rng rng)
{
    return nninit_init_msg(dst, dtype, shape, ndim, spec, rng, NULL, 0);
}

/* ---- one function per scheme ------------------------------------------------ */
nninit_status nninit_zeros(void *dst, nninit_dtype dtype, size_t n) { return nninit_constant(dst, dtype, n, 0.0); }
nninit_status nninit_ones(void *dst, nninit_dtype dtype, size_t n) { return nninit_constant(dst, dtype, n, 1.0); }

nninit_status nninit_trunc_normal_sigma(void *dst, nninit_dtype dtype, size_t n, double mean, double std,
                                        double lower, double upper, nninit_rng rng, uint64_t offset)
{
    RETURN_ERROR_IF(!isfinite(lower) || !isfinite(upper) || !isfinite(mean) || !isfinite(std), NNINIT_E_PARAM);
    return nninit_trunc_normal(dst, dtype, n, mean, std, mean + lower * std, mean + upper * std, rng, offset);
}

static nninit_status apply_tensor(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim, nninit_scheme s,
                                  nninit_rng rng)
{
    return nninit_scheme_apply(dst, dtype, shape, ndim, &s, rng, NULL, 0);
}

static nninit_scheme with_layout(nninit_scheme_kind kind, nninit_layout layout)
{
    nninit_scheme s = nninit_scheme_default(kind);
    s.layout = layout;
    return s;
}

nninit_status nninit_xavier_uniform(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim,
                                    nninit_layout layout, double gain, nninit_rng rng)
{
    nninit_scheme s = with_layout(NNINIT_SCHEME_XAVIER_UNIFORM, layout);
    s.gain = gain;
    return apply_tensor(dst, dtype, shape, ndim, s, rng);
}

nninit_status nninit_xavier_normal(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim,
                                   nninit_layout layout, double gain, nninit_rng rng)
{
    nninit_scheme s = with_layout(NNINIT_SCHEME_XAVIER_NORMAL, layout);
    s.gain = gain;
    return apply_tensor(dst, dtype, shape, ndim, s, rng);
}

static nninit_status kaiming(nninit_scheme_kind kind, void *dst, nninit_dtype dtype, const int64_t *shape,
                             int ndim, nninit_layout layout, double a, nninit_fan_mode mode,
                             const char *nonlinearity, nninit_rng rng)
{
    nninit_scheme s = with_layout(kind, layout);
    RETURN_ERROR_IF(!nonlinearity, NNINIT_E_NULL);
    RETURN_ERROR_IF(!nninit_nonlinearity_lookup_(nonlinearity, strlen(nonlinearity), &s.nonlinearity),
                    NNINIT_E_SPEC);
    s.a = a;
    s.mode = mode;
    return apply_tensor(dst, dtype, shape, ndim, s, rng);
}

nninit_status nninit_kaiming_uniform(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim,
                                     nninit_layout layout, double a, nninit_fan_mode mode,
                                     const char *nonlinearity, nninit_rng rng)
{
    return kaiming(NNINIT_SCHEME_KAIMING_UNIFORM, dst, dtype, shape, ndim, layout, a, mode, nonlinearity, rng);
}

nninit_status nninit_kaiming_normal(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim,
                                    nninit_layout layout, double a, nninit_fan_mode mode,
                                    const char *nonlinearity, nninit_rng rng)
{
    return kaiming(NNINIT_SCHEME_KAIMING_NORMAL, dst, dtype, shape, ndim, layout, a, mode, nonlinearity, rng);
}

nninit_status nninit_lecun_uniform(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim,
                                   nninit_layout layout, nninit_rng rng)
{
    return apply_tensor(dst, dtype, shape, ndim, with_layout(NNINIT_SCHEME_LECUN_UNIFORM, layout), rng);
}

nninit_status nninit_lecun_normal(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim,
                                  nninit_layout layout, nninit_rng rng)
{
    return apply_tensor(dst, dtype, shape, ndim, with_layout(NNINIT_SCHEME_LECUN_NORMAL, layout), rng);
}

nninit_status nninit_variance_scaling(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim,
                                      nninit_layout layout, double scale, nninit_fan_mode mode,
                                      nninit_distribution distribution, nninit_rng rng)
{
    nninit_scheme s = with_layout(NNINIT_SCHEME_VARIANCE_SCALING, layout);
    s.scale = scale;
    s.mode = mode;
    s.distribution = distribution;
    return apply_tensor(dst, dtype, shape, ndim, s, rng);
}

nninit_status nninit_orthogonal(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim,
                                nninit_layout layout, double gain, nninit_rng rng)
{
    nninit_scheme s = with_layout(NNINIT_SCHEME_ORTHOGONAL, layout);
    s.gain = gain;
    return apply_tensor(dst, dtype, shape, ndim, s, rng);
}

nninit_status nninit_eye(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim)
{
    nninit_rng none = { 0, 0 };
    return apply_tensor(dst, dtype, shape, ndim, nninit_scheme_default(NNINIT_SCHEME_EYE), none);
}

nninit_status nninit_dirac(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim, nninit_layout layout)
{
    nninit_rng none = { 0, 0 };
    return apply_tensor(dst, dtype, shape, ndim, with_layout(NNINIT_SCHEME_DIRAC, layout), none);
}

nninit_status nninit_sparse(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim, double sparsity,
                            double std, nninit_rng rng)
{
    nninit_scheme s = nninit_scheme_default(NNINIT_SCHEME_SPARSE);
    s.sparsity = sparsity;
    s.std = std;
    return apply_tensor(dst, dtype, shape, ndim, s, rng);
}

nninit_status nninit_pytorch_default(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim,
                                     nninit_layout layout, nninit_rng rng)
{
    return apply_tensor(dst, dtype, shape, ndim, with_layout(NNINIT_SCHEME_PYTORCH_DEFAULT, layout), rng);
}

nninit_status nninit_pytorch_default_bias(void *dst, nninit_dtype dtype, size_t n, int64_t fan_in,
                                          nninit_rng rng, uint64_t offset)
{
    RETURN_ERROR_IF(fan_in < 1, NNINIT_E_PARAM);
    double b = 1.0 / sqrt((double)fan_in);
    return nninit_uniform(dst, dtype, n, -b, b, rng, offset);
}
