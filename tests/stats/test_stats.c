/* Statistical tests: every distribution in every dtype, through the public
 * API only, on 10^7 samples per case drawn with fixed seeds (so each run is
 * deterministic: a failure is reproducible, never a coin flip).
 *
 * For each case we check
 *  - mean, variance, skewness and excess kurtosis against the EXACT values of
 *    the distribution the contract promises, each within NSE standard errors;
 *  - the one-sample Kolmogorov-Smirnov statistic against the exact CDF;
 *  - the support (every value inside the documented range, none NaN/inf).
 *
 * "The distribution the contract promises" (include/nninit.h): parameters
 * are first rounded to the computation type (binary32 for f32/bf16/f16,
 * binary64 for f64); bf16/f16 values are the binary32 values rounded to
 * nearest even, uniform ones never reaching high. For f32 and f64 the output
 * is modelled as continuous (the discreteness of binary32 is ~2^-24 relative,
 * far below any statistic here). For bf16 and f16 it is genuinely discrete,
 * so the reference is the exact distribution of the ROUNDED variable: every
 * representable value v gets the probability of its rounding interval,
 * P(v) = F(ub(v)) - F(lb(v)) with ub/lb the midpoints to the neighbouring
 * representable values. Moments, their standard errors and the KS reference
 * CDF all come from that probability table.
 *
 * Standard errors: the delta method on the joint asymptotic covariance of
 * the sample central moments (Kendall & Stuart, 10.5 and 10.23):
 *   n Cov(m_r, m_s) -> mu_{r+s} - mu_r mu_s + r s mu_2 mu_{r-1} mu_{s-1}
 *                      - r mu_{r-1} mu_{s+1} - s mu_{s-1} mu_{r+1},
 * with exact central moments mu_2..mu_8 of the case's distribution. This is
 * the exact asymptotic variance for ANY distribution with finite 8th moment;
 * for the normal it reduces to 6/n (skewness) and 24/n (kurtosis), which
 * test_reference_model verifies. The normal-theory values are never used for
 * non-normal cases (uniform: Var(g2) is far smaller than 24/n).
 */
#include <float.h>
#include <stdio.h>
#include "testutil.h"

#define NS ((size_t)10000000) /* samples per case */
#define NSE 5.0               /* tolerance, in standard errors */
/* Kolmogorov distribution: P(sqrt(n) D > 1.9495) = 0.001. For a discrete
 * reference CDF the test is conservative, so the same bound stays valid. */
#define KS_CRIT 1.95

/* ---- buffers, allocated once (10^7 binary64 each) ---------------------- */
static void *g_buf;      /* the fill, then its sort keys */
static void *g_tmp;      /* radix-sort scratch */
static uint32_t *g_hist; /* 16-bit formats: count per encoding */

static void stats_setup(void)
{
    g_buf = malloc(NS * 8);
    g_tmp = malloc(NS * 8);
    g_hist = malloc(65536 * sizeof *g_hist);
}
static void stats_teardown(void)
{
    free(g_buf);
    free(g_tmp);
    free(g_hist);
    g_buf = g_tmp = NULL;
    g_hist = NULL;
}

/* ---- the standard normal, from libm ------------------------------------ */
#define SQRT1_2 0.70710678118654752440
#define INV_SQRT_2PI 0.39894228040143267794
static double n_phi(double z) { return INV_SQRT_2PI * exp(-0.5 * z * z); }
static double n_Phi(double z) { return 0.5 * erfc(-z * SQRT1_2); } /* lower tail, exact to relative precision for z < 0 */
static double n_Q(double z) { return 0.5 * erfc(z * SQRT1_2); }    /* upper tail, exact for z > 0 */

/* ---- distributions ------------------------------------------------------ */
enum { D_UNIFORM, D_NORMAL, D_TRUNC };

typedef struct {
    int dist;
    double loc, scale;  /* uniform: low and width; normal, trunc: mean and std */
    double alpha, beta; /* trunc: standardized bounds */
    double mass;        /* trunc: Phi(beta) - Phi(alpha) */
} model;

/* Phi(b) - Phi(a) for a <= 0 <= b, from erf, which keeps relative precision
 * near 0 (so a narrow interval around the mean does not cancel to 0). */
static double n_central(double a, double b) { return 0.5 * (erf(b * SQRT1_2) - erf(a * SQRT1_2)); }

/* Every difference of normal CDFs below is taken where both terms are small
 * (a tail, or erf near 0), so the result keeps relative precision. */
static double trunc_mass(double alpha, double beta)
{
    if (alpha >= 0) return n_Q(alpha) - n_Q(beta);
    if (beta <= 0) return n_Phi(beta) - n_Phi(alpha);
    return n_central(alpha, beta);
}

/* P(X <= x) */
static double model_cdf(const model *m, double x)
{
    if (m->dist == D_UNIFORM) {
        double t = (x - m->loc) / m->scale;
        return t <= 0 ? 0.0 : t >= 1 ? 1.0 : t;
    }
    double z = (x - m->loc) / m->scale;
    if (m->dist == D_NORMAL) return n_Phi(z);
    if (z <= m->alpha) return 0.0;
    if (z >= m->beta) return 1.0;
    if (m->alpha >= 0) return (n_Q(m->alpha) - n_Q(z)) / m->mass;
    if (m->beta <= 0) return (n_Phi(z) - n_Phi(m->alpha)) / m->mass;
    /* straddling the mean: Phi in the lower tail, erf near the middle */
    return z < -1 ? (n_Phi(z) - n_Phi(m->alpha)) / m->mass : n_central(m->alpha, z) / m->mass;
}

/* P(X > x), computed directly (not 1 - cdf) so upper tails stay exact. */
static double model_sf(const model *m, double x)
{
    if (m->dist == D_UNIFORM) {
        double t = (m->loc + m->scale - x) / m->scale;
        return t <= 0 ? 0.0 : t >= 1 ? 1.0 : t;
    }
    double z = (x - m->loc) / m->scale;
    if (m->dist == D_NORMAL) return n_Q(z);
    if (z <= m->alpha) return 1.0;
    if (z >= m->beta) return 0.0;
    if (m->beta <= 0) return (n_Phi(m->beta) - n_Phi(z)) / m->mass;
    if (m->alpha >= 0) return (n_Q(z) - n_Q(m->beta)) / m->mass;
    return z > 1 ? (n_Q(z) - n_Q(m->beta)) / m->mass : n_central(z, m->beta) / m->mass;
}

/* Mean and central moments mu[0..8] (mu[0] = 1, mu[1] = 0). */
typedef struct {
    double mean;
    double mu[9];
} moments;

/* Gauss-Legendre nodes on [-1, 1] (Newton on the Legendre recurrence). */
#define GL_N 20
static double gl_x[GL_N], gl_w[GL_N];
static void gl_init(void)
{
    static int done;
    if (done) return;
    const double pi = 3.14159265358979323846;
    for (int i = 0; i < GL_N; i++) {
        double z = cos(pi * (i + 0.75) / (GL_N + 0.5)), dp = 1.0;
        for (int it = 0; it < 100; it++) {
            double p0 = 1.0, p1 = z;
            for (int j = 2; j <= GL_N; j++) {
                double p2 = ((2.0 * j - 1.0) * z * p1 - (j - 1.0) * p0) / j;
                p0 = p1;
                p1 = p2;
            }
            dp = GL_N * (z * p1 - p0) / (z * z - 1.0);
            double dz = p1 / dp;
            z -= dz;
            if (fabs(dz) < 1e-16) break;
        }
        gl_x[i] = z;
        gl_w[i] = 2.0 / ((1.0 - z * z) * dp * dp);
    }
    done = 1;
}

/* out[k] = integral over [lo, hi] of (z - c)^k phi(z) dz, k = 0..8, by
 * composite 20-point Gauss-Legendre on pieces of width <= 1/8: the integrand
 * is entire, so this is exact to rounding. */
static void phi_integrals(double lo, double hi, double c, double out[9])
{
    gl_init();
    int pieces = (int)ceil((hi - lo) / 0.125);
    if (pieces < 16) pieces = 16;
    double h = (hi - lo) / pieces;
    for (int k = 0; k < 9; k++) out[k] = 0;
    for (int p = 0; p < pieces; p++) {
        double mid = lo + (p + 0.5) * h;
        for (int j = 0; j < GL_N; j++) {
            double z = mid + 0.5 * h * gl_x[j];
            double t = 0.5 * h * gl_w[j] * n_phi(z), d = z - c;
            for (int k = 0; k < 9; k++) { out[k] += t; t *= d; }
        }
    }
}

/* Exact moments of a continuous model. The truncated normal's closed forms
 * (mean = (phi(a) - phi(b)) / Z, var = 1 + (a phi(a) - b phi(b)) / Z - mean^2,
 * and the recursion for higher ones) cancel catastrophically for tight or
 * far-tail intervals, so its central moments are integrated directly about
 * the mean; test_reference_model checks them against the closed forms where
 * those are well conditioned. */
static moments model_moments(const model *m)
{
    moments r;
    memset(&r, 0, sizeof r);
    r.mu[0] = 1.0;
    if (m->dist == D_UNIFORM) {
        double half = m->scale / 2;
        r.mean = m->loc + half;
        for (int k = 2; k <= 8; k += 2) r.mu[k] = pow(half, k) / (k + 1);
    } else if (m->dist == D_NORMAL) {
        double dfact = 1.0; /* (k-1)!! */
        r.mean = m->loc;
        for (int k = 2; k <= 8; k += 2) {
            dfact *= k - 1;
            r.mu[k] = dfact * pow(m->scale, k);
        }
    } else {
        double lo = fmax(m->alpha, -40.0), hi = fmin(m->beta, 40.0), in[9];
        phi_integrals(lo, hi, 0.0, in);
        double zmean = in[1] / in[0];
        phi_integrals(lo, hi, zmean, in);
        r.mean = m->loc + m->scale * zmean;
        for (int k = 2; k <= 8; k++) r.mu[k] = in[k] / in[0] * pow(m->scale, k);
    }
    return r;
}

/* ---- the bf16 / f16 value tables ---------------------------------------
 * Distinct finite values in ascending order (-0 and +0 are one value), with
 * the CDF and survival function of the rounded output at each. */
#define MAXV 65536
typedef struct {
    int bf16, m, maxmag;
    double v[MAXV], cdf[MAXV], sf[MAXV];
} vtable;
static vtable g_tab;

static double dec16(uint16_t code, int bf16) { return bf16 ? nt_bf16_to_f32(code) : nt_f16_to_f32(code); }

/* Index in the table of an encoding, -1 for inf/NaN. */
static int code_index(uint16_t code, int maxmag)
{
    int mag = code & 0x7FFF;
    if (mag > maxmag) return -1;
    return (code & 0x8000) ? maxmag - mag : maxmag + mag;
}

static void table_values(vtable *t, int bf16)
{
    t->bf16 = bf16;
    t->maxmag = bf16 ? 0x7F7F : 0x7BFF;
    t->m = 2 * t->maxmag + 1;
    for (int i = 0; i < t->m; i++) {
        int mag = i - t->maxmag;
        t->v[i] = mag < 0 ? -dec16((uint16_t)-mag, bf16) : dec16((uint16_t)mag, bf16);
    }
}

/* Rounding boundary above v[i]: the midpoint to the next value (for the
 * largest finite value, the boundary of rounding to infinity). Exact in
 * binary64. */
static double table_ub(const vtable *t, int i)
{
    return i < t->m - 1 ? 0.5 * (t->v[i] + t->v[i + 1]) : t->v[i] + 0.5 * (t->v[i] - t->v[i - 1]);
}

/* cap: uniform's documented exception, the largest format value below high:
 * any value that would round to >= high is stored as cap. */
static void table_fill(vtable *t, const model *md, double cap)
{
    for (int i = 0; i < t->m; i++) {
        double ub = table_ub(t, i);
        t->cdf[i] = model_cdf(md, ub);
        t->sf[i] = model_sf(md, ub);
        if (t->v[i] >= cap) { t->cdf[i] = 1.0; t->sf[i] = 0.0; }
    }
}

/* P(out == v[i]), each from the tail where it is exact. */
static double table_p(const vtable *t, int i)
{
    double cprev = i ? t->cdf[i - 1] : 0.0, sprev = i ? t->sf[i - 1] : 1.0;
    return sprev < 0.5 ? sprev - t->sf[i] : t->cdf[i] - cprev;
}

/* Moments of a distribution on the table's values with probabilities w[i]/wsum. */
static moments weighted_moments(const vtable *t, const double *w, double wsum)
{
    moments r;
    memset(&r, 0, sizeof r);
    double s = 0;
    for (int i = 0; i < t->m; i++) if (w[i] != 0) s += w[i] * t->v[i];
    r.mean = s / wsum;
    r.mu[0] = 1.0;
    for (int i = 0; i < t->m; i++) {
        if (w[i] == 0) continue;
        double d = t->v[i] - r.mean, p = w[i] / wsum, q = p * d;
        for (int k = 1; k <= 8; k++) { r.mu[k] += q; q *= d; }
    }
    r.mu[1] = 0;
    return r;
}

static double g_w[MAXV];

static moments table_moments(const vtable *t, double *psum)
{
    double s = 0;
    for (int i = 0; i < t->m; i++) { g_w[i] = table_p(t, i); s += g_w[i]; }
    *psum = s;
    return weighted_moments(t, g_w, 1.0);
}

/* ---- the cases --------------------------------------------------------- */
typedef struct {
    const char *name;
    int dist;
    double p0, p1;    /* uniform: low, high; normal/trunc: mean, std */
    double lo, hi;    /* trunc bounds */
    int bounds_far;   /* trunc: bounds so far out that no value may equal them */
} scase;

static const scase cases[] = {
    { "uniform(-1,1)", D_UNIFORM, -1.0, 1.0, 0, 0, 0 },
    { "uniform(0,1)", D_UNIFORM, 0.0, 1.0, 0, 0, 0 },
    { "uniform(-0.3,2.5)", D_UNIFORM, -0.3, 2.5, 0, 0, 0 },
    { "normal(0,1)", D_NORMAL, 0.0, 1.0, 0, 0, 0 },
    { "normal(0.5,0.02)", D_NORMAL, 0.5, 0.02, 0, 0, 0 },
    { "trunc_normal(0,1,-2,2)", D_TRUNC, 0.0, 1.0, -2.0, 2.0, 0 },
    { "trunc_normal(0,0.02,-2,2)", D_TRUNC, 0.0, 0.02, -2.0, 2.0, 1 },
    { "trunc_normal(0,1,0.3,0.31)", D_TRUNC, 0.0, 1.0, 0.3, 0.31, 0 },
    { "trunc_normal(0,1,-0.05,0.05)", D_TRUNC, 0.0, 1.0, -0.05, 0.05, 0 },
    { "trunc_normal(0,1,3,3.5)", D_TRUNC, 0.0, 1.0, 3.0, 3.5, 0 },
    { "trunc_normal(0,1,-6,-4.5)", D_TRUNC, 0.0, 1.0, -6.0, -4.5, 0 },
    { "trunc_normal(1,2,-3,2)", D_TRUNC, 1.0, 2.0, -3.0, 2.0, 0 },
    /* std large against the interval: nearly uniform on [-1, 1] */
    { "trunc_normal(0,1000,-1,1)", D_TRUNC, 0.0, 1000.0, -1.0, 1.0, 0 },
    /* far narrower than the spacing of binary32 near Phi = 1/2: the central
     * variable q = p - 1/2 must carry the resolution (an early version gave
     * 27 distinct values here, and only the bounds at 1e18) */
    { "trunc_normal(0,1e6,-1,1)", D_TRUNC, 0.0, 1e6, -1.0, 1.0, 0 },
    { "trunc_normal(0,1e18,-1,1)", D_TRUNC, 0.0, 1e18, -1.0, 1.0, 0 },
};
#define N_CASES ((int)(sizeof cases / sizeof cases[0]))
static const nninit_dtype dtypes[4] = { NNINIT_F32, NNINIT_F64, NNINIT_BF16, NNINIT_F16 };

/* Parameter rounded to the computation type. */
static double ctype(nninit_dtype dt, double x) { return dt == NNINIT_F64 ? x : (double)(float)x; }

static model case_model(const scase *c, nninit_dtype dt)
{
    model m;
    memset(&m, 0, sizeof m);
    m.dist = c->dist;
    if (c->dist == D_UNIFORM) {
        m.loc = ctype(dt, c->p0);
        m.scale = ctype(dt, c->p1) - m.loc;
    } else {
        m.loc = ctype(dt, c->p0);
        m.scale = ctype(dt, c->p1);
    }
    if (c->dist == D_TRUNC) {
        /* The library inverts the truncated CDF with the bounds standardized
         * from the binary64 parameters, then scales by the rounded mean/std:
         * the two differ by ~1e-8 relative, invisible at n = 10^7. */
        m.alpha = (c->lo - c->p0) / c->p1;
        m.beta = (c->hi - c->p0) / c->p1;
        m.mass = trunc_mass(m.alpha, m.beta);
    }
    return m;
}

static nninit_status case_fill(const scase *c, nninit_dtype dt, void *dst, size_t n, nninit_rng rng, uint64_t off)
{
    switch (c->dist) {
    case D_UNIFORM: return nninit_uniform(dst, dt, n, c->p0, c->p1, rng, off);
    case D_NORMAL: return nninit_normal(dst, dt, n, c->p0, c->p1, rng, off);
    default: return nninit_trunc_normal(dst, dt, n, c->p0, c->p1, c->lo, c->hi, rng, off);
    }
}

/* ---- comparisons ------------------------------------------------------- */
/* Asymptotic n Cov(m_r, m_s) of sample central moments (see the top). */
static double ncov(const double *mu, int r, int s)
{
    return mu[r + s] - mu[r] * mu[s] + r * s * mu[2] * mu[r - 1] * mu[s - 1] - r * mu[r - 1] * mu[s + 1] -
           s * mu[s - 1] * mu[r + 1];
}

/* Asymptotic n Var of the sample skewness and excess kurtosis. */
static void shape_nvar(const double *mu, double *v_skew, double *v_kurt)
{
    double a = -1.5 * mu[3] * pow(mu[2], -2.5), b = pow(mu[2], -1.5);
    *v_skew = a * a * ncov(mu, 2, 2) + 2 * a * b * ncov(mu, 2, 3) + b * b * ncov(mu, 3, 3);
    double c = -2.0 * mu[4] * pow(mu[2], -3.0), d = pow(mu[2], -2.0);
    *v_kurt = c * c * ncov(mu, 2, 2) + 2 * c * d * ncov(mu, 2, 4) + d * d * ncov(mu, 4, 4);
}

/* Sample vs exact: mean, variance, skewness, excess kurtosis. */
static void check_moments(const char *what, const moments *ex, const moments *sm, size_t n)
{
    const double *mu = ex->mu;
    double dn = (double)n, vs, vk;
    shape_nvar(mu, &vs, &vk);
    double se_mean = sqrt(mu[2] / dn), se_var = sqrt(ncov(mu, 2, 2) / dn);
    double se_skew = sqrt(vs / dn), se_kurt = sqrt(vk / dn);
    double ex_skew = mu[3] / pow(mu[2], 1.5), ex_kurt = mu[4] / (mu[2] * mu[2]) - 3.0;
    double s_skew = sm->mu[3] / pow(sm->mu[2], 1.5), s_kurt = sm->mu[4] / (sm->mu[2] * sm->mu[2]) - 3.0;

#ifdef NT_STATS_VERBOSE /* -DNT_STATS_VERBOSE: print every statistic in SE units */
    printf("%-44s mean %+6.2f  var %+6.2f  skew %+6.2f  kurt %+6.2f SE\n", what, (sm->mean - ex->mean) / se_mean,
           (sm->mu[2] - mu[2]) / se_var, (s_skew - ex_skew) / se_skew, (s_kurt - ex_kurt) / se_kurt);
#endif
    ck_assert_msg(se_mean > 0 && se_var > 0 && se_skew > 0 && se_kurt > 0,
                  "%s: degenerate reference (SE mean %g var %g skew %g kurt %g)", what, se_mean, se_var,
                  se_skew, se_kurt);
    ck_assert_msg(fabs(sm->mean - ex->mean) <= NSE * se_mean,
                  "%s: mean %.10g, exact %.10g: off by %.2f SE (SE %.3g)", what, sm->mean, ex->mean,
                  (sm->mean - ex->mean) / se_mean, se_mean);
    ck_assert_msg(fabs(sm->mu[2] - mu[2]) <= NSE * se_var,
                  "%s: variance %.10g, exact %.10g: off by %.2f SE (SE %.3g)", what, sm->mu[2], mu[2],
                  (sm->mu[2] - mu[2]) / se_var, se_var);
    ck_assert_msg(fabs(s_skew - ex_skew) <= NSE * se_skew,
                  "%s: skewness %.6g, exact %.6g: off by %.2f SE (SE %.3g)", what, s_skew, ex_skew,
                  (s_skew - ex_skew) / se_skew, se_skew);
    ck_assert_msg(fabs(s_kurt - ex_kurt) <= NSE * se_kurt,
                  "%s: excess kurtosis %.6g, exact %.6g: off by %.2f SE (SE %.3g)", what, s_kurt, ex_kurt,
                  (s_kurt - ex_kurt) / se_kurt, se_kurt);
}

/* An observed count vs its exact binomial expectation. */
static void check_count(const char *what, size_t count, double p, size_t n)
{
    double e = p * (double)n, se = sqrt((double)n * p * (1 - p));
#ifdef NT_STATS_VERBOSE
    printf("%-44s %zu vs %.1f: %+.2f SE\n", what, count, e, ((double)count - e) / se);
#endif
    ck_assert_msg(fabs((double)count - e) <= NSE * se, "%s: %zu observed, %.1f expected: off by %.2f SE (SE %.2f)",
                  what, count, e, ((double)count - e) / se, se);
}

/* ---- sample moments of a binary32 / binary64 buffer --------------------
 * Two passes (mean, then central sums), each summed in blocks of 4096 so
 * rounding stays ~1e-13 relative, far below the standard errors. */
static double elem(const void *buf, int f64, size_t i)
{
    return f64 ? ((const double *)buf)[i] : (double)((const float *)buf)[i];
}

static moments buffer_moments(const void *buf, int f64, size_t n)
{
    moments r;
    memset(&r, 0, sizeof r);
    double total = 0;
    for (size_t b = 0; b < n; b += 4096) {
        size_t e = b + 4096 < n ? b + 4096 : n;
        double s = 0;
        for (size_t i = b; i < e; i++) s += elem(buf, f64, i);
        total += s;
    }
    r.mean = total / (double)n;
    double t[5] = { 0 };
    for (size_t b = 0; b < n; b += 4096) {
        size_t e = b + 4096 < n ? b + 4096 : n;
        double s1 = 0, s2 = 0, s3 = 0, s4 = 0;
        for (size_t i = b; i < e; i++) {
            double d = elem(buf, f64, i) - r.mean, d2 = d * d;
            s1 += d; s2 += d2; s3 += d2 * d; s4 += d2 * d2;
        }
        t[1] += s1; t[2] += s2; t[3] += s3; t[4] += s4;
    }
    /* first-pass mean error correction (Chan, Golub, LeVeque): tiny */
    double c = t[1] / (double)n;
    r.mean += c;
    r.mu[0] = 1;
    r.mu[2] = t[2] / (double)n - c * c;
    r.mu[3] = t[3] / (double)n - 3 * c * r.mu[2] - c * c * c;
    r.mu[4] = t[4] / (double)n - 4 * c * t[3] / (double)n + 6 * c * c * t[2] / (double)n - 3 * c * c * c * c;
    return r;
}

/* ---- sorting for KS: LSD radix on order-preserving integer keys -------- */
static uint64_t key_of(const void *buf, int f64, size_t i)
{
    if (f64) {
        uint64_t u;
        memcpy(&u, (const double *)buf + i, 8);
        return (u >> 63) ? ~u : u | (1ull << 63);
    }
    uint32_t u;
    memcpy(&u, (const float *)buf + i, 4);
    return (u >> 31) ? (uint32_t)~u : u | (1u << 31);
}

static double value_of_key(uint64_t k, int f64)
{
    if (f64) {
        uint64_t u = (k >> 63) ? k ^ (1ull << 63) : ~k;
        double d;
        memcpy(&d, &u, 8);
        return d;
    }
    uint32_t k32 = (uint32_t)k, u = (k32 >> 31) ? k32 ^ (1u << 31) : ~k32;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* Sorts keys (which live in a) using b as scratch; returns where they end. */
static uint64_t *radix_sort(uint64_t *a, uint64_t *b, size_t n, int bits)
{
    enum { RB = 11, RN = 1 << RB };
    static size_t cnt[6][RN];
    int passes = (bits + RB - 1) / RB;
    memset(cnt, 0, sizeof cnt);
    for (size_t i = 0; i < n; i++)
        for (int p = 0; p < passes; p++) cnt[p][(a[i] >> (p * RB)) & (RN - 1)]++;
    for (int p = 0; p < passes; p++) {
        int shift = p * RB;
        if (cnt[p][(a[0] >> shift) & (RN - 1)] == n) continue; /* one bucket: nothing to do */
        size_t pos = 0;
        for (int d = 0; d < RN; d++) { size_t c = cnt[p][d]; cnt[p][d] = pos; pos += c; }
        for (size_t i = 0; i < n; i++) b[cnt[p][(a[i] >> shift) & (RN - 1)]++] = a[i];
        uint64_t *t = a; a = b; b = t;
    }
    return a;
}

/* sqrt(n) * sup |F_n - F| of a binary32/binary64 sample (in g_buf). Ties are
 * handled by the usual formula: at a tied run the extremes of i/n - F and
 * F - (i-1)/n are taken at its last and first element. */
static double ks_continuous(const model *m, int f64, size_t n)
{
    uint64_t *keys = (uint64_t *)g_tmp;
    for (size_t i = 0; i < n; i++) keys[i] = key_of(g_buf, f64, i);
    uint64_t *s = radix_sort(keys, (uint64_t *)g_buf, n, f64 ? 64 : 32);
    double d = 0, dn = (double)n;
    for (size_t i = 0; i < n; i++) {
        double f = model_cdf(m, value_of_key(s[i], f64));
        double hi = (double)(i + 1) / dn - f, lo = f - (double)i / dn;
        if (hi > d) d = hi;
        if (lo > d) d = lo;
    }
    return sqrt(dn) * d;
}

/* Same for a 16-bit sample given as a histogram over the table. Both CDFs
 * are step functions jumping only at representable values, so the supremum
 * is attained at an observed value v or just below it: compare
 * F_n(v) = #(x <= v)/n with F(ub(v)), and F_n(v-) = #(x < v)/n with
 * F(lb(v)) (the exact CDF of the rounded variable, see the top). Values never
 * observed lie between two observed ones where F_n is flat, and are covered by
 * the checks at those two. */
static double ks_discrete(const vtable *t, const double *count, size_t n)
{
    double cum = 0, d = 0, dn = (double)n;
    for (int i = 0; i < t->m; i++) {
        if (count[i] == 0) continue;
        double before = cum / dn, gprev = i ? t->cdf[i - 1] : 0.0;
        cum += count[i];
        double after = cum / dn;
        if (fabs(before - gprev) > d) d = fabs(before - gprev);
        if (fabs(after - t->cdf[i]) > d) d = fabs(after - t->cdf[i]);
    }
    return sqrt(dn) * d;
}

/* ---- one case ------------------------------------------------------------ */
static double g_count[MAXV];

static void run_case(const scase *c, nninit_dtype dt, uint64_t seed, uint64_t offset)
{
    char what[160];
    snprintf(what, sizeof what, "%s %s (seed %#llx)", c->name, nninit_dtype_name(dt), (unsigned long long)seed);
    ck_assert_msg(g_buf && g_tmp && g_hist, "out of memory for the sample buffers");

    nninit_rng rng = { .seed = seed, .stream = nninit_stream_id(c->name) };
    nninit_status st = case_fill(c, dt, g_buf, NS, rng, offset);
    ck_assert_msg(st == NNINIT_OK, "%s: fill returned %d (%s)", what, (int)st, nninit_status_str(st));

    model md = case_model(c, dt);
    const int is16 = dt == NNINIT_BF16 || dt == NNINIT_F16;
    const int normal01 = c->dist == D_NORMAL && c->p0 == 0.0 && c->p1 == 1.0;

    /* Support: [low, high) for uniform (bf16/f16: [round(low), high)),
     * [low, high] for trunc (bf16/f16: the rounded bounds), everywhere finite. */
    double lo_ok = -INFINITY, hi_ok = INFINITY;
    int hi_open = 0;
    if (c->dist == D_UNIFORM) {
        lo_ok = ctype(dt, c->p0); hi_ok = ctype(dt, c->p1); hi_open = 1;
    } else if (c->dist == D_TRUNC) {
        lo_ok = ctype(dt, c->lo); hi_ok = ctype(dt, c->hi);
    }
    if (is16) {
        int bf = dt == NNINIT_BF16;
        if (c->dist != D_NORMAL) lo_ok = dec16(nt_round16((float)lo_ok, bf), bf);
        if (c->dist == D_TRUNC) hi_ok = dec16(nt_round16((float)hi_ok, bf), bf);
    }

    size_t bad = 0, out_lo = 0, out_hi = 0, at_bound = 0, beyond3 = 0, beyond4 = 0;
    double first_bad = 0, first_out = 0;
    moments sm, ex;
    double ks;

    if (!is16) {
        const int f64 = dt == NNINIT_F64;
        for (size_t i = 0; i < NS; i++) {
            double x = elem(g_buf, f64, i);
            if (!isfinite(x)) { if (!bad++) first_bad = x; continue; }
            if (x < lo_ok) { if (!out_lo++) first_out = x; }
            if (hi_open ? x >= hi_ok : x > hi_ok) { if (!out_hi++) first_out = x; }
            if (c->dist == D_TRUNC && (x == lo_ok || x == hi_ok)) at_bound++;
            if (fabs(x) > 3.0) beyond3++;
            if (fabs(x) > 4.0) beyond4++;
        }
        ck_assert_msg(bad == 0, "%s: %zu values are NaN/inf (first %g)", what, bad, first_bad);
        sm = buffer_moments(g_buf, f64, NS);
        ex = model_moments(&md);
        if (normal01) {
            check_count("normal(0,1) values with |z| > 3", beyond3, 2 * n_Q(3.0), NS);
            check_count("normal(0,1) values with |z| > 4", beyond4, 2 * n_Q(4.0), NS);
        }
    } else {
        const int bf = dt == NNINIT_BF16;
        vtable *t = &g_tab;
        table_values(t, bf);
        double cap = INFINITY;
        if (c->dist == D_UNIFORM) { /* largest value of the format below high (binary32) */
            cap = -INFINITY;
            for (int i = 0; i < t->m; i++) if (t->v[i] < hi_ok) cap = t->v[i];
        }
        table_fill(t, &md, cap);

        memset(g_hist, 0, 65536 * sizeof *g_hist);
        const uint16_t *h = (const uint16_t *)g_buf;
        for (size_t i = 0; i < NS; i++) g_hist[h[i]]++;
        for (int i = 0; i < t->m; i++) g_count[i] = 0;
        for (uint32_t code = 0; code < 65536; code++) {
            if (!g_hist[code]) continue;
            int idx = code_index((uint16_t)code, t->maxmag);
            if (idx < 0) { bad += g_hist[code]; first_bad = code; continue; }
            g_count[idx] += g_hist[code];
            double x = t->v[idx];
            if (x < lo_ok) { out_lo += g_hist[code]; first_out = x; }
            if (hi_open ? x >= hi_ok : x > hi_ok) { out_hi += g_hist[code]; first_out = x; }
            if (c->dist == D_TRUNC && (x == lo_ok || x == hi_ok)) at_bound += g_hist[code];
            if (fabs(x) > 3.0) beyond3 += g_hist[code];
            if (fabs(x) > 4.0) beyond4 += g_hist[code];
        }
        ck_assert_msg(bad == 0, "%s: %zu values are NaN/inf (encoding %#x)", what, bad, (unsigned)first_bad);
        double psum;
        ex = table_moments(t, &psum);
        ck_assert_msg(fabs(psum - 1.0) < 1e-9, "%s: reference probabilities sum to %.15g", what, psum);
        sm = weighted_moments(t, g_count, (double)NS);
        if (normal01) { /* 3 and 4 are representable: |v| > 3 iff |x| > ub(3) */
            double p3 = t->sf[code_index(nt_round16(3.0f, bf), t->maxmag)] * 2;
            double p4 = t->sf[code_index(nt_round16(4.0f, bf), t->maxmag)] * 2;
            check_count("normal(0,1) values with |z| > 3", beyond3, p3, NS);
            check_count("normal(0,1) values with |z| > 4", beyond4, p4, NS);
        }
    }
    ck_assert_msg(out_lo == 0 && out_hi == 0, "%s: %zu values below %.9g, %zu %s %.9g (e.g. %.9g)", what, out_lo,
                  lo_ok, out_hi, hi_open ? "at or above" : "above", hi_ok, first_out);
    if (c->bounds_far)
        ck_assert_msg(at_bound == 0, "%s: %zu values equal a bound (%.9g or %.9g): mass piles up at the bounds",
                      what, at_bound, lo_ok, hi_ok);

    check_moments(what, &ex, &sm, NS);

    ks = is16 ? ks_discrete(&g_tab, g_count, NS) : ks_continuous(&md, dt == NNINIT_F64, NS);
#ifdef NT_STATS_VERBOSE
    printf("%-44s KS sqrt(n) D = %.4f\n", what, ks);
#endif
    ck_assert_msg(ks < KS_CRIT, "%s: Kolmogorov-Smirnov sqrt(n) D = %.4f >= %.2f (alpha = 0.001)", what, ks,
                  KS_CRIT);
}

/* _i = case * 4 + dtype index: one test per (case, dtype), so a failure names both. */
START_TEST(test_distribution)
{
    const scase *c = &cases[_i / 4];
    nninit_dtype dt = dtypes[_i % 4];
    /* fixed, distinct per test; a few odd offsets show the position in the
     * sequence does not matter */
    uint64_t seed = 0x243F6A8885A308D3ull + 0x9E3779B97F4A7C15ull * (uint64_t)_i;
    uint64_t offset = (_i % 3 == 0) ? 0 : (uint64_t)_i * 1000003u;
    run_case(c, dt, seed, offset);
}
END_TEST

/* The reference machinery itself, against independent closed forms, so a bug
 * there cannot hide (or fake) a library bug. */
START_TEST(test_reference_model)
{
    /* delta method on N(0,1) moments gives the normal-theory 6 and 24 */
    double mu[9] = { 1, 0, 1, 0, 3, 0, 15, 0, 105 }, vs, vk;
    shape_nvar(mu, &vs, &vk);
    ck_assert_msg(fabs(vs - 6) < 1e-12 && fabs(vk - 24) < 1e-12, "normal: n Var(skew) %.15g, n Var(kurt) %.15g", vs,
                  vk);

    /* quadrature over +-40 sigma reproduces the normal's moments */
    model wide = { D_TRUNC, 0.0, 1.0, -100.0, 100.0, 1.0 };
    moments w = model_moments(&wide);
    ck_assert_msg(fabs(w.mean) < 1e-14 && fabs(w.mu[2] - 1) < 1e-13 && fabs(w.mu[4] - 3) < 1e-12 &&
                      fabs(w.mu[6] - 15) < 1e-11 && fabs(w.mu[8] - 105) < 1e-10 && fabs(w.mu[3]) < 1e-13,
                  "quadrature: mean %g mu2 %.15g mu3 %g mu4 %.15g mu6 %.15g mu8 %.15g", w.mean, w.mu[2], w.mu[3],
                  w.mu[4], w.mu[6], w.mu[8]);

    /* truncated normal: closed-form mean and variance where well conditioned */
    const double ab[3][2] = { { -2, 2 }, { 3, 3.5 }, { -1.5, 0.5 } };
    for (int k = 0; k < 3; k++) {
        double a = ab[k][0], b = ab[k][1], z = trunc_mass(a, b), in[9];
        model m = { D_TRUNC, 0.0, 1.0, a, b, z };
        moments r = model_moments(&m);
        double mean = (n_phi(a) - n_phi(b)) / z;
        double var = 1 + (a * n_phi(a) - b * n_phi(b)) / z - mean * mean;
        phi_integrals(a, b, 0.0, in);
        ck_assert_msg(fabs(in[0] - z) < 1e-14 * z, "[%g,%g]: mass by quadrature %.17g, by erfc %.17g", a, b, in[0], z);
        ck_assert_msg(fabs(r.mean - mean) < 1e-12 && fabs(r.mu[2] - var) < 1e-11 * var,
                      "[%g,%g]: mean %.17g vs %.17g, var %.17g vs %.17g", a, b, r.mean, mean, r.mu[2], var);
    }
    /* the 16-bit tables: probabilities sum to 1, and a fine format reproduces
     * the continuous moments to within rounding noise (h^2/12) */
    model n01 = { D_NORMAL, 0.0, 1.0, 0, 0, 0 };
    table_values(&g_tab, 0);
    ck_assert_msg(g_tab.m == 63487 && g_tab.v[g_tab.maxmag] == 0.0 && g_tab.v[g_tab.m - 1] == 65504.0 &&
                      g_tab.v[0] == -65504.0, "f16 table: %d values, [%g, %g]", g_tab.m, g_tab.v[0],
                  g_tab.v[g_tab.m - 1]);
    for (int i = 1; i < g_tab.m; i++) ck_assert_msg(g_tab.v[i - 1] < g_tab.v[i], "f16 table not ascending at %d", i);
    table_fill(&g_tab, &n01, INFINITY);
    double psum;
    moments f = table_moments(&g_tab, &psum);
    ck_assert_msg(fabs(psum - 1) < 1e-12, "f16 N(0,1): probabilities sum to %.17g", psum);
    ck_assert_msg(fabs(f.mean) < 1e-12 && fabs(f.mu[2] - 1) < 1e-5 && fabs(f.mu[4] - 3) < 1e-4,
                  "f16 N(0,1): mean %g var %.9g mu4 %.9g", f.mean, f.mu[2], f.mu[4]);
    /* uniform on [0, 1) in bf16 with the cap: 1 - 2^-8 keeps its own rounding
     * interval (width 2^-8) and gains [1 - 2^-9, 1), which would round to 1.0 */
    table_values(&g_tab, 1);
    model u01 = { D_UNIFORM, 0.0, 1.0, 0, 0, 0 };
    table_fill(&g_tab, &u01, 1.0 - 0x1p-8);
    int i1 = code_index(0x3F7F, g_tab.maxmag); /* 1 - 2^-8 */
    ck_assert_msg(g_tab.v[i1] == 1.0 - 0x1p-8, "bf16 table: 0x3F7F decodes to %.17g", g_tab.v[i1]);
    ck_assert_msg(fabs(table_p(&g_tab, i1) - (0x1p-8 + 0x1p-9)) < 1e-15 && table_p(&g_tab, i1 + 1) == 0,
                  "bf16 uniform cap: P(1-2^-8) = %.17g, P(1) = %.17g", table_p(&g_tab, i1), table_p(&g_tab, i1 + 1));
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("stats");
    TCase *ref = nt_tcase("reference");
    tcase_add_test(ref, test_reference_model);
    suite_add_tcase(s, ref);
    TCase *tc = nt_tcase("distributions");
    tcase_add_unchecked_fixture(tc, stats_setup, stats_teardown);
    tcase_add_loop_test(tc, test_distribution, 0, N_CASES * 4);
    suite_add_tcase(s, tc);
    return s;
}

NNINIT_TEST_MAIN
