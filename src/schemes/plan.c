/* The plan of a scheme for one shape: the draw it performs and the
 * statistics of the elements it writes, without writing anything. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "schemes.h"

/* Keras/JAX: the std of N(0, 1) cut at +-2 is 0.8796...; dividing by it makes
 * the truncated draw's variance exactly scale / n. */
#define TRUNC2_STD 0.87962566103423978

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
    nninit_msg_clear_(msg, msg_size);
    return NNINIT_OK;
}
