/* Parameter validation and the kernels' parameter blocks. Everything a fill
 * needs that is not per element is computed here once, in binary64, with
 * deterministic code (no libm transcendental), so every platform hands its
 * kernels the same bits. */
#include <float.h>
#include <math.h>
#include <string.h>
#include "engine.h"
/* The inverse normal CDF the kernels use (vecmath.h, over the scalar vocabulary):
 * the truncation constants are computed with the very function that consumes them. */
#include "scalar/vec_scalar.h"
#include "vecmath.h"

static int finite_in(double x, nninit_dtype dtype) { return isfinite(x) && fabs(x) <= nninit_dtype_max_(dtype); }

static void init_common(nnk_params *p, int dist, nninit_dtype dtype)
{
    memset(p, 0, sizeof *p);
    p->dist = dist;
    p->dtype = (int)dtype;
}

/* 16-bit formats: round a binary32 to the format, back to binary32, and the
 * encoding just below a given one (sign-magnitude). */
static uint16_t to16(nninit_dtype dtype, float x) { return nninit_half_from_f32_(dtype, x); }
static float from16(nninit_dtype dtype, uint16_t h) { return nninit_f32_from_half_(dtype, h); }
static uint16_t below16(uint16_t h)
{
    if (h == 0x0000u || h == 0x8000u) return 0x8001u;   /* below zero: the smallest negative subnormal */
    return (h & 0x8000u) ? (uint16_t)(h + 1u) : (uint16_t)(h - 1u);
}

nninit_status nninit_params_uniform_(nnk_params *p, nninit_dtype dtype, double low, double high)
{
    RETURN_ERROR_IF(!finite_in(low, dtype) || !finite_in(high, dtype) || !(low < high), NNINIT_E_PARAM);
    init_common(p, NNK_UNIFORM, dtype);
    if (dtype == NNINIT_F64) {
        double scale = high - low;
        RETURN_ERROR_IF(!isfinite(scale), NNINIT_E_PARAM);
        p->d.a = low; p->d.b = scale; p->d.hi = nextafter(high, -INFINITY);
        return NNINIT_OK;
    }
    float lo = (float)low, hi = (float)high;
    RETURN_ERROR_IF(!(lo < hi), NNINIT_E_PARAM);            /* no binary32 value in [low, high) */
    float scale = (float)((double)hi - (double)lo);
    RETURN_ERROR_IF(!isfinite(scale), NNINIT_E_PARAM);
    p->f.a = lo; p->f.b = scale; p->f.hi = nextafterf(hi, -INFINITY);
    if (dtype != NNINIT_F32) {
        uint16_t h = to16(dtype, hi);
        while (!(from16(dtype, h) < hi)) h = below16(h);
        RETURN_ERROR_IF(from16(dtype, h) < from16(dtype, to16(dtype, lo)), NNINIT_E_PARAM); /* no format value in range */
        p->f.hi16 = h;
    }
    return NNINIT_OK;
}

/* Box-Muller reaches 6.7 standard deviations in binary32 (u >= 2^-32) and
 * 8.5 in binary64 (u >= 2^-52): the range check uses those radii. */
nninit_status nninit_params_normal_(nnk_params *p, nninit_dtype dtype, double mean, double std)
{
    RETURN_ERROR_IF(!isfinite(mean) || !isfinite(std) || std < 0, NNINIT_E_PARAM);
    double reach = fabs(mean) + std * (dtype == NNINIT_F64 ? 8.6 : 6.7);
    RETURN_ERROR_IF(!finite_in(reach, dtype), NNINIT_E_PARAM);
    init_common(p, NNK_NORMAL, dtype);
    if (dtype == NNINIT_F64) { p->d.a = mean; p->d.b = std; }
    else { p->f.a = (float)mean; p->f.b = (float)std; }
    return NNINIT_OK;
}

/* Standardized bounds are clamped to +-TAIL_CLAMP: beyond it the normal holds
 * less than 1e-280 of its mass, and Phi stays a normal binary64. */
#define TAIL_CLAMP 35.0

/* Largest positive binary64 p with ndtri(p, p - 1/2) <= x, for x <= 0: Phi(x)
 * as the kernels' own inverse sees it. Bisection on the bit patterns of
 * positive doubles, which are ordered like the values; about 62 steps. So
 * Phi and the kernels' inverse agree at the bounds, and the result is the
 * same on every platform (no libm). */
static double phi_lower(double x)
{
    if (x < -TAIL_CLAMP) x = -TAIL_CLAMP;
    double plo = 0x1p-996, phalf = 0.5;              /* ndtri(plo) < -35 <= x <= 0 = ndtri(0.5) */
    uint64_t lo, hi;
    memcpy(&lo, &plo, 8); memcpy(&hi, &phalf, 8);
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        double pm;
        memcpy(&pm, &mid, 8);
        if (nnv_ndtri_d(pm) <= x) lo = mid; else hi = mid;
    }
    double r;
    memcpy(&r, &lo, 8);
    return r;
}

static double phi(double x) { return x > 0 ? 1.0 - phi_lower(-x) : phi_lower(x); }

/* Phi(x) - 1/2 to full relative precision, also for |x| far below the
 * spacing of doubles near 1/2. Inside the inverse's central branch
 * (|q| <= 0.425) the bisection runs on q itself; beyond it Phi(x) - 1/2 has
 * no cancellation to fear. Odd in x, like the inverse. */
static double phi_central(double x)
{
    if (x < 0) return -phi_central(-x);
    if (x == 0) return 0.0;
    if (nnv_ndtri_pq_d(0.925, 0.425) <= x) return 0.5 - phi_lower(-x);
    uint64_t lo = 0, hi;                              /* ndtri(q = 0) = 0 < x < ndtri(q = 0.425) */
    double qhi = 0.425;
    memcpy(&hi, &qhi, 8);
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        double q;
        memcpy(&q, &mid, 8);
        if (nnv_ndtri_pq_d(0.5 + q, q) <= x) lo = mid; else hi = mid;
    }
    double r;
    memcpy(&r, &lo, 8);
    return r;
}

nninit_status nninit_params_trunc_(nnk_params *p, nninit_dtype dtype, double mean, double std,
                                   double low, double high)
{
    RETURN_ERROR_IF(!isfinite(mean) || !isfinite(std) || std < 0, NNINIT_E_PARAM);
    RETURN_ERROR_IF(!finite_in(low, dtype) || !finite_in(high, dtype) || !(low < high), NNINIT_E_PARAM);
    RETURN_ERROR_IF(!finite_in(mean, dtype), NNINIT_E_PARAM);
    double pa, qb, ca, cb, w;
    if (std == 0) {                                   /* the distribution is the point mean */
        RETURN_ERROR_IF(mean < low || mean > high, NNINIT_E_MASS);
        pa = 0.0; qb = 0.0; ca = -0.5; cb = -0.5; w = 1.0;
    } else {
        double alpha = (low - mean) / std, beta = (high - mean) / std;
        alpha = fmax(-TAIL_CLAMP, fmin(TAIL_CLAMP, alpha));
        beta = fmax(-TAIL_CLAMP, fmin(TAIL_CLAMP, beta));
        pa = phi(alpha);
        qb = phi(-beta);
        ca = phi_central(alpha);
        cb = -phi_central(beta);
        /* The mass, from whichever form is exact to relative precision:
         * central differences when an end is near the mean (they never
         * cancel across it), tail differences deep in one tail. */
        if (beta <= -1.0) w = phi(beta) - pa;
        else if (alpha >= 1.0) w = phi(-alpha) - qb;
        else w = phi_central(beta) - ca;
        RETURN_ERROR_IF(!(w >= NNINIT_TRUNC_MIN_MASS), NNINIT_E_MASS);
    }
    init_common(p, NNK_TRUNC, dtype);
    if (dtype == NNINIT_F64) {
        p->d = (nnk_dparams){ .a = mean, .b = std, .lo = low, .hi = high, .pa = pa, .qb = qb,
                              .ca = ca, .cb = cb, .w = w };
    } else {
        float lo = (float)low, hi = (float)high;
        RETURN_ERROR_IF(!isfinite((float)std), NNINIT_E_PARAM);
        p->f = (nnk_fparams){ .a = (float)mean, .b = (float)std, .lo = lo, .hi = hi,
                              .pa = (float)pa, .qb = (float)qb, .ca = (float)ca, .cb = (float)cb,
                              .w = (float)w };
    }
    return NNINIT_OK;
}
