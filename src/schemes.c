/* Initializer schemes: defaults, validation, the plan for a shape, and the
 * fills that carry it out (docs/SCHEMES.md is the reference table). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

/* Keras/JAX: the std of N(0, 1) cut at +-2 is 0.8796...; dividing by it makes
 * the truncated draw's variance exactly scale / n. */
#define TRUNC2_STD 0.87962566103423978

const nninit_scheme_info_ nninit_schemes_[NNINIT_SCHEME_COUNT_] = {
    [NNINIT_SCHEME_ZEROS] = { "zeros", 0, 0 },
    [NNINIT_SCHEME_ONES] = { "ones", 0, 0 },
    [NNINIT_SCHEME_CONSTANT] = { "constant", NNP_VALUE, NNP_VALUE },
    [NNINIT_SCHEME_UNIFORM] = { "uniform", NNP_LOW | NNP_HIGH, 0 },
    [NNINIT_SCHEME_NORMAL] = { "normal", NNP_MEAN | NNP_STD, 0 },
    [NNINIT_SCHEME_TRUNC_NORMAL] = { "trunc_normal", NNP_MEAN | NNP_STD | NNP_LOW | NNP_HIGH, 0 },
    [NNINIT_SCHEME_TRUNC_NORMAL_SIGMA] = { "trunc_normal_sigma", NNP_MEAN | NNP_STD | NNP_LOWER | NNP_UPPER, 0 },
    [NNINIT_SCHEME_XAVIER_UNIFORM] = { "xavier_uniform", NNP_GAIN | NNP_FANS, 0 },
    [NNINIT_SCHEME_XAVIER_NORMAL] = { "xavier_normal", NNP_GAIN | NNP_FANS, 0 },
    [NNINIT_SCHEME_KAIMING_UNIFORM] = { "kaiming_uniform", NNP_A | NNP_MODE | NNP_NONLINEARITY | NNP_FANS, 0 },
    [NNINIT_SCHEME_KAIMING_NORMAL] = { "kaiming_normal", NNP_A | NNP_MODE | NNP_NONLINEARITY | NNP_FANS, 0 },
    [NNINIT_SCHEME_LECUN_UNIFORM] = { "lecun_uniform", NNP_FANS, 0 },
    [NNINIT_SCHEME_LECUN_NORMAL] = { "lecun_normal", NNP_FANS, 0 },
    [NNINIT_SCHEME_VARIANCE_SCALING] = { "variance_scaling", NNP_SCALE | NNP_MODE | NNP_DISTRIBUTION | NNP_FANS, 0 },
    [NNINIT_SCHEME_ORTHOGONAL] = { "orthogonal", NNP_GAIN | NNP_LAYOUT, 0 },
    [NNINIT_SCHEME_EYE] = { "eye", 0, 0 },
    [NNINIT_SCHEME_DIRAC] = { "dirac", NNP_FANS, 0 },
    [NNINIT_SCHEME_SPARSE] = { "sparse", NNP_SPARSITY | NNP_STD, NNP_SPARSITY },
    [NNINIT_SCHEME_PYTORCH_DEFAULT] = { "pytorch_default", NNP_FANS, 0 },
    [NNINIT_SCHEME_PYTORCH_DEFAULT_BIAS] = { "pytorch_default_bias", NNP_FAN_IN, NNP_FAN_IN },
};

const char *nninit_scheme_name(nninit_scheme_kind kind)
{
    return (unsigned)kind < NNINIT_SCHEME_COUNT_ ? nninit_schemes_[kind].name : NULL;
}

nninit_scheme nninit_scheme_default(nninit_scheme_kind kind)
{
    nninit_scheme s;
    memset(&s, 0, sizeof s);
    s.kind = (unsigned)kind < NNINIT_SCHEME_COUNT_ ? kind : NNINIT_SCHEME_ZEROS;
    s.std = 1.0;
    s.low = 0.0; s.high = 1.0;
    s.gain = 1.0;
    s.scale = 1.0;
    s.mode = NNINIT_FAN_IN;
    s.nonlinearity = NNINIT_NL_LEAKY_RELU;
    s.distribution = NNINIT_DIST_TRUNCATED_NORMAL;
    s.layout.kind = NNINIT_LAYOUT_OIHW;
    s.layout.groups = 1;
    switch (s.kind) {
    case NNINIT_SCHEME_TRUNC_NORMAL: case NNINIT_SCHEME_TRUNC_NORMAL_SIGMA:
        s.low = -2.0; s.high = 2.0; break;
    case NNINIT_SCHEME_SPARSE:
        s.std = 0.01;          /* PyTorch's default */
        s.sparsity = NAN;      /* required */
        break;
    case NNINIT_SCHEME_CONSTANT:
        s.value = NAN; break;  /* required */
    default: break;
    }
    return s;
}

nninit_status nninit_fail_(nninit_status status, char *msg, size_t msg_size, const char *fmt, ...)
{
    if (msg && msg_size > 0) {
        va_list ap;
        va_start(ap, fmt);
        nninit_vformat_c_(msg, msg_size, fmt, ap);
        va_end(ap);
    }
    return status;
}

static void msg_ok(char *msg, size_t msg_size) { if (msg && msg_size > 0) msg[0] = '\0'; }

/* ---- validation --------------------------------------------------------- */
nninit_status nninit_scheme_check_(const nninit_scheme *s, unsigned *bad, char *why, size_t why_size)
{
    *bad = 0;
    RETURN_ERROR_IF((unsigned)s->kind >= NNINIT_SCHEME_COUNT_,
                    nninit_fail_(NNINIT_E_PARAM, why, why_size, "unknown scheme kind %d", (int)s->kind));
    const unsigned p = nninit_schemes_[s->kind].params;
#define BAD(bit, ...) do { *bad = (bit); return nninit_fail_(NNINIT_E_PARAM, why, why_size, __VA_ARGS__); } while (0)
    if ((p & NNP_VALUE) && !isfinite(s->value)) BAD(NNP_VALUE, "value out of range: must be finite");
    if ((p & NNP_MEAN) && !isfinite(s->mean)) BAD(NNP_MEAN, "mean out of range: must be finite");
    if ((p & NNP_STD) && !(isfinite(s->std) && s->std >= 0))
        BAD(NNP_STD, "std out of range: must be finite and >= 0 (got %g)", s->std);
    if ((p & (NNP_LOW | NNP_LOWER)) && !isfinite(s->low)) BAD(p & (NNP_LOW | NNP_LOWER), "bound out of range: must be finite");
    if ((p & (NNP_HIGH | NNP_UPPER)) && !isfinite(s->high)) BAD(p & (NNP_HIGH | NNP_UPPER), "bound out of range: must be finite");
    if ((p & NNP_LOW) && !(s->low < s->high))
        BAD(NNP_HIGH, "high out of range: low (%g) must be < high (%g)", s->low, s->high);
    if ((p & NNP_LOWER) && !(s->low < s->high))
        BAD(NNP_UPPER, "upper out of range: lower (%g) must be < upper (%g)", s->low, s->high);
    if ((p & (NNP_LOW | NNP_LOWER)) && s->kind != NNINIT_SCHEME_UNIFORM && !(s->std > 0))
        BAD(NNP_STD, "std out of range: a truncated normal needs std > 0");
    if ((p & NNP_GAIN) && !(isfinite(s->gain) && s->gain > 0))
        BAD(NNP_GAIN, "gain out of range: must be finite and > 0 (got %g)", s->gain);
    if ((p & NNP_A) && !isfinite(s->a)) BAD(NNP_A, "a out of range: must be finite");
    if ((p & NNP_A) && s->a != 0 && s->nonlinearity != NNINIT_NL_LEAKY_RELU)
        BAD(NNP_A, "a out of range: a (the negative slope) is used only with nonlinearity=leaky_relu");
    if ((p & NNP_NONLINEARITY) && !nninit_nonlinearity_name_(s->nonlinearity))
        BAD(NNP_NONLINEARITY, "nonlinearity out of range: unknown value %d", (int)s->nonlinearity);
    if ((p & NNP_MODE) && !(s->mode == NNINIT_FAN_IN || s->mode == NNINIT_FAN_OUT ||
                            (s->mode == NNINIT_FAN_AVG && s->kind == NNINIT_SCHEME_VARIANCE_SCALING)))
        BAD(NNP_MODE, "mode out of range: %s", s->kind == NNINIT_SCHEME_VARIANCE_SCALING
                                                   ? "must be fan_in, fan_out or fan_avg" : "must be fan_in or fan_out");
    if ((p & NNP_SCALE) && !(isfinite(s->scale) && s->scale > 0))
        BAD(NNP_SCALE, "scale out of range: must be finite and > 0 (got %g)", s->scale);
    if ((p & NNP_DISTRIBUTION) && (unsigned)s->distribution > NNINIT_DIST_UNIFORM)
        BAD(NNP_DISTRIBUTION, "distribution out of range: unknown value %d", (int)s->distribution);
    if ((p & NNP_SPARSITY) && !(s->sparsity >= 0 && s->sparsity <= 1))
        BAD(NNP_SPARSITY, "sparsity out of range: must be in [0, 1] (got %g)", s->sparsity);
    if ((p & NNP_FAN_IN) && s->fan_in < 1)
        BAD(NNP_FAN_IN, "fan_in out of range: must be >= 1 (got %lld)", (long long)s->fan_in);
    if ((p & NNP_LAYOUT) && (unsigned)s->layout.kind > NNINIT_LAYOUT_AXES)
        BAD(NNP_LAYOUT, "layout out of range: unknown value %d", (int)s->layout.kind);
    if ((p & NNP_GROUPS) && s->layout.groups < 0)
        BAD(NNP_GROUPS, "groups out of range: must be >= 1 (got %lld)", (long long)s->layout.groups);
    if (!(p & NNP_GROUPS) && s->layout.groups > 1)
        BAD(NNP_GROUPS, "groups out of range: %s does not use groups", nninit_schemes_[s->kind].name);
#undef BAD
    msg_ok(why, why_size);
    return NNINIT_OK;
}

/* ---- plans ------------------------------------------------------------ */
static double phi_pdf(double x) { return exp(-0.5 * x * x) * 0.39894228040143267794; }
static double phi_cdf(double x) { return 0.5 * erfc(-x * 0.70710678118654752440); }

/* Mean and std of N(mean, std^2) conditioned on [low, high]. */
static void trunc_moments(double mean, double std, double low, double high, double *m, double *sd)
{
    double a = (low - mean) / std, b = (high - mean) / std, sign = 1;
    if (a > 0) { double t = a; a = -b; b = -t; sign = -1; }  /* keep the mass in the accurate lower tail */
    double z = phi_cdf(b) - phi_cdf(a);
    double pa = phi_pdf(a), pb = phi_pdf(b);
    double r = (pa - pb) / z;
    double aa = isinf(a) ? 0 : a * pa, bb = isinf(b) ? 0 : b * pb;
    double var = 1 + (aa - bb) / z - r * r;
    *m = mean + sign * std * r;
    *sd = std * sqrt(var > 0 ? var : 0);
}

static void set_draw(nninit_plan *pl, nninit_plan_kind kind, double mean, double std, double low, double high)
{
    pl->kind = kind; pl->mean = mean; pl->std = std; pl->low = low; pl->high = high;
    switch (kind) {
    case NNINIT_PLAN_CONSTANT: pl->expected_mean = mean; pl->expected_std = 0; break;
    case NNINIT_PLAN_UNIFORM:
        pl->expected_mean = 0.5 * low + 0.5 * high;
        pl->expected_std = (high - low) / sqrt(12.0);
        break;
    case NNINIT_PLAN_NORMAL: pl->expected_mean = mean; pl->expected_std = std; break;
    case NNINIT_PLAN_TRUNC_NORMAL:
        trunc_moments(mean, std, low, high, &pl->expected_mean, &pl->expected_std);
        break;
    default: break;
    }
}

/* Fraction p of ones (or non-zeros) among the elements: mean and RMS about it. */
static void set_fraction(nninit_plan *pl, double ones, double count)
{
    double p = count > 0 ? ones / count : 0;
    pl->expected_mean = p;
    pl->expected_std = sqrt(p * (1 - p));
}

nninit_status nninit_scheme_plan(const nninit_scheme *s, const int64_t *shape, int ndim, nninit_plan *plan,
                                 char *msg, size_t msg_size)
{
    char why[160], shp[200];
    unsigned bad;
    size_t count;
    nninit_plan pl;
    nninit_status st;

    RETURN_ERROR_IF(!s || !plan, nninit_fail_(NNINIT_E_NULL, msg, msg_size, "NULL scheme or plan"));
    if ((st = nninit_scheme_check_(s, &bad, why, sizeof why)) != NNINIT_OK)
        return nninit_fail_(st, msg, msg_size, "%s: %s", nninit_scheme_name(s->kind) ? nninit_scheme_name(s->kind)
                                                                                  : "scheme", why);
    const char *name = nninit_scheme_name(s->kind);
    if ((st = nninit_shape_count_(shape, ndim, &count)) != NNINIT_OK) {
        if (st == NNINIT_E_NULL) return nninit_fail_(st, msg, msg_size, "%s: NULL shape with ndim %d", name, ndim);
        if (ndim < 0 || ndim > NNINIT_MAX_DIMS)
            return nninit_fail_(st, msg, msg_size, "%s: bad shape: ndim %d outside 0..%d", name, ndim, NNINIT_MAX_DIMS);
        nninit_shape_str_(shp, sizeof shp, shape, ndim);
        return nninit_fail_(st, msg, msg_size, "%s: bad shape %s: negative size or too many elements", name, shp);
    }
    nninit_shape_str_(shp, sizeof shp, shape, ndim);
#define SHAPE_FAIL(...) do { snprintf(why, sizeof why, __VA_ARGS__); \
        return nninit_fail_(NNINIT_E_SHAPE, msg, msg_size, "%s on shape %s: %s", name, shp, why); } while (0)

    memset(&pl, 0, sizeof pl);
    pl.gain = 1;
    const unsigned params = nninit_schemes_[s->kind].params;
    if (params & NNP_GROUPS) {
        /* Fans (also checks layout axes and groups against the shape). */
        st = nninit_fans(shape, ndim, s->layout, &pl.fan_in, &pl.fan_out);
        if (st == NNINIT_E_SHAPE) {
            nninit_axes_ ax;
            if (ndim >= 2 && nninit_channel_axes_(&s->layout, ndim, &ax) == NNINIT_OK)
                SHAPE_FAIL("groups=%lld does not divide the %lld channels of axis %d", (long long)ax.groups,
                           (long long)shape[ax.total], ax.total);
            if (s->layout.kind == NNINIT_LAYOUT_AXES && s->layout.groups > 1)
                SHAPE_FAIL("explicit in_axis/out_axis take no groups");
            SHAPE_FAIL("in_axis=%d and out_axis=%d must be two different axes of a %d-D tensor",
                       s->layout.in_axis, s->layout.out_axis, ndim);
        }
        if (st != NNINIT_OK) return nninit_fail_(st, msg, msg_size, "%s: bad layout", name);
    }
    const double fin = (double)pl.fan_in, fout = (double)pl.fan_out;
    const double fan = s->mode == NNINIT_FAN_OUT ? fout : s->mode == NNINIT_FAN_AVG ? 0.5 * (fin + fout) : fin;

    switch (s->kind) {
    case NNINIT_SCHEME_ZEROS: set_draw(&pl, NNINIT_PLAN_CONSTANT, 0, 0, 0, 0); break;
    case NNINIT_SCHEME_ONES: set_draw(&pl, NNINIT_PLAN_CONSTANT, 1, 0, 0, 0); break;
    case NNINIT_SCHEME_CONSTANT: set_draw(&pl, NNINIT_PLAN_CONSTANT, s->value, 0, 0, 0); break;
    case NNINIT_SCHEME_UNIFORM: set_draw(&pl, NNINIT_PLAN_UNIFORM, 0, 0, s->low, s->high); break;
    case NNINIT_SCHEME_NORMAL: set_draw(&pl, NNINIT_PLAN_NORMAL, s->mean, s->std, 0, 0); break;
    case NNINIT_SCHEME_TRUNC_NORMAL:
        set_draw(&pl, NNINIT_PLAN_TRUNC_NORMAL, s->mean, s->std, s->low, s->high);
        break;
    case NNINIT_SCHEME_TRUNC_NORMAL_SIGMA:
        set_draw(&pl, NNINIT_PLAN_TRUNC_NORMAL, s->mean, s->std, s->mean + s->low * s->std,
                 s->mean + s->high * s->std);
        break;
    case NNINIT_SCHEME_XAVIER_UNIFORM: {
        double b = s->gain * sqrt(6.0 / (fin + fout));
        pl.gain = s->gain;
        set_draw(&pl, NNINIT_PLAN_UNIFORM, 0, 0, -b, b);
        break;
    }
    case NNINIT_SCHEME_XAVIER_NORMAL:
        pl.gain = s->gain;
        set_draw(&pl, NNINIT_PLAN_NORMAL, 0, s->gain * sqrt(2.0 / (fin + fout)), 0, 0);
        break;
    case NNINIT_SCHEME_KAIMING_UNIFORM: case NNINIT_SCHEME_KAIMING_NORMAL: {
        pl.gain = nninit_gain_of_(s->nonlinearity, s->a);
        double sd = pl.gain / sqrt(fan);
        if (s->kind == NNINIT_SCHEME_KAIMING_NORMAL) set_draw(&pl, NNINIT_PLAN_NORMAL, 0, sd, 0, 0);
        else set_draw(&pl, NNINIT_PLAN_UNIFORM, 0, 0, -sqrt(3.0) * sd, sqrt(3.0) * sd);
        break;
    }
    case NNINIT_SCHEME_LECUN_UNIFORM: {
        double b = sqrt(3.0 / fin);
        set_draw(&pl, NNINIT_PLAN_UNIFORM, 0, 0, -b, b);
        break;
    }
    case NNINIT_SCHEME_LECUN_NORMAL: set_draw(&pl, NNINIT_PLAN_NORMAL, 0, 1.0 / sqrt(fin), 0, 0); break;
    case NNINIT_SCHEME_VARIANCE_SCALING: {
        double var = s->scale / (fan > 1 ? fan : 1);   /* Keras: scale / max(1, n) */
        if (s->distribution == NNINIT_DIST_UNIFORM) {
            double b = sqrt(3.0 * var);
            set_draw(&pl, NNINIT_PLAN_UNIFORM, 0, 0, -b, b);
        } else if (s->distribution == NNINIT_DIST_NORMAL) {
            set_draw(&pl, NNINIT_PLAN_NORMAL, 0, sqrt(var), 0, 0);
        } else {
            double sd = sqrt(var) / TRUNC2_STD;
            set_draw(&pl, NNINIT_PLAN_TRUNC_NORMAL, 0, sd, -2 * sd, 2 * sd);
        }
        break;
    }
    case NNINIT_SCHEME_PYTORCH_DEFAULT: {
        /* kaiming_uniform(a = sqrt(5)): gain sqrt(1/3), bound gain * sqrt(3 / fan_in) = 1 / sqrt(fan_in). */
        double b = 1.0 / sqrt(fin);
        pl.gain = sqrt(1.0 / 3.0);
        set_draw(&pl, NNINIT_PLAN_UNIFORM, 0, 0, -b, b);
        break;
    }
    case NNINIT_SCHEME_PYTORCH_DEFAULT_BIAS: {
        double b = 1.0 / sqrt((double)s->fan_in);
        pl.fan_in = s->fan_in;
        set_draw(&pl, NNINIT_PLAN_UNIFORM, 0, 0, -b, b);
        break;
    }
    case NNINIT_SCHEME_ORTHOGONAL: {
        if (ndim < 2) SHAPE_FAIL("needs at least 2 dimensions");
        nninit_layout_kind lk = s->layout.kind;
        int out_axis = 0;
        if (lk == NNINIT_LAYOUT_AXES) {
            nninit_axes_ ax;
            if (nninit_channel_axes_(&s->layout, ndim, &ax) != NNINIT_OK)
                SHAPE_FAIL("in_axis=%d and out_axis=%d must be two different axes of a %d-D tensor",
                           s->layout.in_axis, s->layout.out_axis, ndim);
            out_axis = s->layout.out_axis < 0 ? s->layout.out_axis + ndim : s->layout.out_axis;
            if (out_axis != 0 && out_axis != ndim - 1)
                SHAPE_FAIL("flattens around the out axis, which must be the first or the last (out_axis=%d)",
                           s->layout.out_axis);
        } else if (lk == NNINIT_LAYOUT_HWIO || lk == NNINIT_LAYOUT_HWOI) {
            out_axis = ndim - 1;
        }
        /* PyTorch: rows = shape[0], the rest flattened; Keras: cols = shape[-1]. */
        if (out_axis == 0) { pl.rows = shape[0]; pl.cols = shape[0] ? (int64_t)(count / (size_t)shape[0]) : 0; }
        else { pl.cols = shape[ndim - 1]; pl.rows = shape[ndim - 1] ? (int64_t)(count / (size_t)shape[ndim - 1]) : 0; }
        if (count == 0) { pl.rows = pl.cols = 0; }
        pl.kind = NNINIT_PLAN_ORTHOGONAL;
        pl.std = pl.gain = s->gain;
        pl.expected_mean = 0;
        pl.expected_std = count ? s->gain / sqrt((double)(pl.rows > pl.cols ? pl.rows : pl.cols)) : 0;
        break;
    }
    case NNINIT_SCHEME_EYE:
        if (ndim != 2) SHAPE_FAIL("needs a 2-D shape (got %d-D)", ndim);
        pl.kind = NNINIT_PLAN_EYE;
        pl.rows = shape[0]; pl.cols = shape[1];
        set_fraction(&pl, (double)(pl.rows < pl.cols ? pl.rows : pl.cols), (double)count);
        break;
    case NNINIT_SCHEME_DIRAC: {
        if (ndim < 3 || ndim > 5) SHAPE_FAIL("needs a 3-D, 4-D or 5-D shape (got %d-D)", ndim);
        nninit_axes_ ax;
        FORWARD_IF_ERROR(nninit_channel_axes_(&s->layout, ndim, &ax));   /* checked by nninit_fans above */
        int per = ax.total == ax.in ? ax.out : ax.in;
        int64_t tg = shape[ax.total] / ax.groups, pg = shape[per];
        pl.kind = NNINIT_PLAN_DIRAC;
        set_fraction(&pl, (double)ax.groups * (double)(tg < pg ? tg : pg), (double)count);
        break;
    }
    case NNINIT_SCHEME_SPARSE:
        if (ndim != 2) SHAPE_FAIL("needs a 2-D shape (got %d-D)", ndim);
        if (shape[0] > UINT32_MAX || shape[1] > UINT32_MAX) SHAPE_FAIL("rows and columns must be below 2^32");
        pl.kind = NNINIT_PLAN_SPARSE;
        pl.rows = shape[0]; pl.cols = shape[1];
        pl.std = s->std;
        pl.zeros = (int64_t)ceil(s->sparsity * (double)pl.rows);
        if (pl.zeros > pl.rows) pl.zeros = pl.rows;
        set_fraction(&pl, (double)(pl.rows - pl.zeros), (double)pl.rows);
        pl.expected_std = s->std * sqrt(pl.expected_mean);   /* mean 0: RMS of N(0, std^2) on that fraction */
        pl.expected_mean = 0;
        break;
    default:
        return nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "unknown scheme kind %d", (int)s->kind);
    }
#undef SHAPE_FAIL
    if (count == 0) pl.expected_mean = pl.expected_std = 0;
    *plan = pl;
    msg_ok(msg, msg_size);
    return NNINIT_OK;
}

/* ---- structured fills ---------------------------------------------------- */
/* Ones at the centre tap of channel pairs (g * per_group_total + d, d). */
static void dirac_ones(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim, const nninit_layout *layout)
{
    nninit_axes_ ax;
    size_t stride[NNINIT_MAX_DIMS], centre = 0;
    if (nninit_channel_axes_(layout, ndim, &ax) != NNINIT_OK) return;   /* checked by the plan */
    stride[ndim - 1] = 1;
    for (int i = ndim - 2; i >= 0; i--) stride[i] = stride[i + 1] * (size_t)shape[i + 1];
    int per = ax.total == ax.in ? ax.out : ax.in;
    for (int i = 0; i < ndim; i++)
        if (i != ax.in && i != ax.out) centre += (size_t)(shape[i] / 2) * stride[i];
    int64_t tg = shape[ax.total] / ax.groups, pg = shape[per], m = tg < pg ? tg : pg;
    for (int64_t g = 0; g < ax.groups; g++)
        for (int64_t d = 0; d < m; d++)
            nninit_store_(dst, dtype, centre + (size_t)(g * tg + d) * stride[ax.total] + (size_t)d * stride[per], 1.0);
}

/* Sparse: which rows of each column are zero. Floyd's algorithm draws a
 * uniformly random k-subset of [0, rows) with exactly k draws; draw j of
 * column c is Philox at counter (j, c, selection stream), CONTRACT.md. */
typedef struct {
    unsigned char *dst;
    size_t esz;
    uint64_t rows, cols, zeros, block;
    uint32_t key[2], sel[2];
    uint64_t *bitmaps;     /* one bitmap of `rows` bits per block of columns */
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
    uint64_t c1 = (b + 1) * j->block < j->cols ? (b + 1) * j->block : j->cols;
    for (uint64_t c = b * j->block; c < c1; c++) {
        memset(bits, 0, j->words * sizeof *bits);
        for (uint64_t r = j->rows - j->zeros; r < j->rows; r++) {
            uint32_t ctr[4] = { (uint32_t)r, (uint32_t)c, j->sel[0], j->sel[1] }, out[4];
            nninit_philox4x32_10(ctr, j->key, out);
            uint64_t u = (uint64_t)out[0] | (uint64_t)out[1] << 32;
            /* t uniform on [0, r]: the high word of u * (r + 1) (bias below 2^-32) */
            uint64_t t = mulhi64(u, r + 1);
            if (bits[t >> 6] >> (t & 63) & 1) t = r;
            bits[t >> 6] |= (uint64_t)1 << (t & 63);
            memset(j->dst + (t * j->cols + c) * j->esz, 0, j->esz);
        }
    }
}

uint64_t nninit_sparse_stream_(uint64_t stream)
{
    /* A fixed bijection of the tensor's stream ("sparse" in ASCII, then the
     * SplitMix64 finalizer), so the selection never reuses the fill's counters. */
    uint64_t h = stream ^ 0x7370617273650000ull;
    h ^= h >> 30; h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27; h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return h;
}

nninit_status nninit_plan_fill_(void *dst, nninit_dtype dtype, size_t n, const nninit_plan *pl, nninit_rng rng,
                                uint64_t offset)
{
    switch (pl->kind) {
    case NNINIT_PLAN_CONSTANT: return nninit_constant(dst, dtype, n, pl->mean);
    case NNINIT_PLAN_UNIFORM: return nninit_uniform(dst, dtype, n, pl->low, pl->high, rng, offset);
    case NNINIT_PLAN_NORMAL: return nninit_normal(dst, dtype, n, pl->mean, pl->std, rng, offset);
    case NNINIT_PLAN_SPARSE: return nninit_normal(dst, dtype, n, 0.0, pl->std, rng, offset);
    case NNINIT_PLAN_TRUNC_NORMAL:
        return nninit_trunc_normal(dst, dtype, n, pl->mean, pl->std, pl->low, pl->high, rng, offset);
    default: return NNINIT_E_PARAM;
    }
}

static nninit_status apply_sparse(void *dst, nninit_dtype dtype, const nninit_plan *pl, nninit_rng rng)
{
    sparse_job j;
    j.dst = (unsigned char *)dst;
    j.esz = nninit_dtype_size(dtype);
    j.rows = (uint64_t)pl->rows; j.cols = (uint64_t)pl->cols; j.zeros = (uint64_t)pl->zeros;
    j.key[0] = (uint32_t)rng.seed; j.key[1] = (uint32_t)(rng.seed >> 32);
    uint64_t sel = nninit_sparse_stream_(rng.stream);
    j.sel[0] = (uint32_t)sel; j.sel[1] = (uint32_t)(sel >> 32);
    j.words = (size_t)((j.rows + 63) / 64);
    j.block = 64;
    size_t nblocks = (size_t)((j.cols + j.block - 1) / j.block);
    j.bitmaps = NULL;
    if (j.zeros > 0) {
        RETURN_ERROR_IF(nblocks > SIZE_MAX / 8 / j.words, NNINIT_E_OVERFLOW);
        j.bitmaps = (uint64_t *)malloc(nblocks * j.words * sizeof(uint64_t));
        RETURN_ERROR_IF(!j.bitmaps, NNINIT_E_NOMEM);
    }
    nninit_status st = nninit_plan_fill_(dst, dtype, (size_t)(j.rows * j.cols), pl, rng, 0);
    if (st == NNINIT_OK && j.zeros > 0) nninit_parallel_for_(nblocks, 2, sparse_block, &j);
    free(j.bitmaps);
    return st;
}

nninit_status nninit_scheme_apply(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim,
                                  const nninit_scheme *s, nninit_rng rng, char *msg, size_t msg_size)
{
    nninit_plan pl;
    size_t count;
    FORWARD_IF_ERROR(nninit_scheme_plan(s, shape, ndim, &pl, msg, msg_size));
    const char *name = nninit_scheme_name(s->kind);
    RETURN_ERROR_IF(nninit_dtype_size(dtype) == 0,
                    nninit_fail_(NNINIT_E_DTYPE, msg, msg_size, "%s: unknown dtype %d", name, (int)dtype));
    FORWARD_IF_ERROR(nninit_shape_count_(shape, ndim, &count));
    RETURN_ERROR_IF(count > 0 && !dst, nninit_fail_(NNINIT_E_NULL, msg, msg_size, "%s: NULL destination", name));
    RETURN_ERROR_IF(count > SIZE_MAX / nninit_dtype_size(dtype),
                    nninit_fail_(NNINIT_E_OVERFLOW, msg, msg_size, "%s: tensor too large", name));
    if (count == 0) return NNINIT_OK;

    nninit_status st;
    switch (pl.kind) {
    case NNINIT_PLAN_CONSTANT: case NNINIT_PLAN_UNIFORM: case NNINIT_PLAN_NORMAL: case NNINIT_PLAN_TRUNC_NORMAL:
        st = nninit_plan_fill_(dst, dtype, count, &pl, rng, 0);
        break;
    case NNINIT_PLAN_ORTHOGONAL: st = nninit_orthogonal_fill_(dst, dtype, pl.rows, pl.cols, pl.gain, rng); break;
    case NNINIT_PLAN_EYE:
        st = nninit_constant(dst, dtype, count, 0.0);
        for (int64_t i = 0; st == NNINIT_OK && i < pl.rows && i < pl.cols; i++)
            nninit_store_(dst, dtype, (size_t)(i * pl.cols + i), 1.0);
        break;
    case NNINIT_PLAN_DIRAC:
        st = nninit_constant(dst, dtype, count, 0.0);
        if (st == NNINIT_OK) dirac_ones(dst, dtype, shape, ndim, &s->layout);
        break;
    case NNINIT_PLAN_SPARSE: st = apply_sparse(dst, dtype, &pl, rng); break;
    default: st = NNINIT_E_PARAM; break;
    }
    if (st != NNINIT_OK) {
        char shp[200];
        nninit_shape_str_(shp, sizeof shp, shape, ndim);
        return nninit_fail_(st, msg, msg_size, "%s on shape %s as %s: %s", name, shp, nninit_dtype_name(dtype),
                            st == NNINIT_E_PARAM ? "a parameter is out of range for this dtype"
                                                 : nninit_status_str(st));
    }
    msg_ok(msg, msg_size);
    return NNINIT_OK;
}

nninit_status nninit_init_msg(void *dst, nninit_dtype dtype, const int64_t *shape, int ndim, const char *spec,
                              nninit_rng rng, char *msg, size_t msg_size)
{
    nninit_scheme s;
    FORWARD_IF_ERROR(nninit_scheme_parse(spec, &s, msg, msg_size));
    return nninit_scheme_apply(dst, dtype, shape, ndim, &s, rng, msg, msg_size);
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
