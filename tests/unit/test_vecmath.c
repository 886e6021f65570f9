/* Accuracy of kernels/vecmath.h, scalar instantiation (the specification).
 * Every function is swept densely against a long double libm reference
 * computed here, and the measured maximum error is asserted against the
 * bound documented in docs/TRANSFORMS.md. Each test prints what it measured.
 *
 *   gcc -std=c11 -O2 -ffp-contract=off -Ikernels -Iinclude tests/unit/test_vecmath.c \
 *       -lcheck -lsubunit -lm -lpthread -lrt -o test_vecmath && ./test_vecmath */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "scalar/vec_scalar.h"
#include "vecmath.h"

/* Documented bounds: the measured maxima (printed by each test) rounded up a little. */
#define BOUND_LOG_F_ULP      0.9     /* ulp of the correctly rounded binary32 log */
#define BOUND_SINCOS_F_ABS   8.5e-8  /* vs the exact grid angle 2*pi*(x >> 7)/2^25 */
#define BOUND_SINCOS_F_RAW   2.3e-7  /* vs 2*pi*x/2^32 (includes the dropped 7 bits) */
#define BOUND_PYTH_F         1.9e-7  /* |s^2 + c^2 - 1| */
#define BOUND_NDTRI_F_REL    2.5e-7  /* 2.28e-7 on this sweep, 2.45e-7 on every 13th binary32 */
#define BOUND_LOG_D_ULP      0.9
#define BOUND_SINCOS_D_ABS   1.6e-16 /* vs the exact grid angle 2*pi*(x >> 10)/2^54 */
#define BOUND_NDTRI_D_REL    9.0e-16
#define BOUND_PYTH_D         3.6e-16

static const long double PI_L = 3.141592653589793238462643383279502884L;

/* A fixed-seed generator for the random parts of the sweeps (SplitMix64). */
static uint64_t rng_state = 0x243F6A8885A308D3ull;
static uint64_t rng64(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static float f_of_bits(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static uint32_t bits_of_f(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

static long double ulp_of(long double r, int mant_bits)
{
    int e;
    frexpl(fabsl(r), &e); /* |r| = m 2^e, m in [1/2, 1) */
    return ldexpl(1.0L, e - mant_bits);
}

/* ---- reference inverse normal CDF (long double Newton) ----------------- */
/* Solves Phi(x) = p for p <= 1/2 written as p = 1/2 + q. Near 1/2 the
 * equation is erf(x/sqrt2)/2 = q so that x keeps full relative precision;
 * in the tail erfc(-x/sqrt2)/2 = p keeps p's relative precision. */
static long double ref_ndtri_lower(long double p, long double x0)
{
    const long double rs2 = 0.707106781186547524400844362104849039L;
    const long double rs2pi = 0.398942280401432677939946059934381868L;
    long double q = p - 0.5L, x = x0;
    for (int i = 0; i < 50; i++) {
        long double g = fabsl(q) < 0.25L ? 0.5L * erfl(x * rs2) - q : 0.5L * erfcl(-x * rs2) - p;
        long double step = g / (rs2pi * expl(-0.5L * x * x));
        x -= step;
        if (fabsl(step) <= 1e-17L * fabsl(x)) break; /* quadratic: the next step is < 1e-30 */
    }
    return x;
}

/* p in (0, 1), exact as a long double; 1 - p is exact for binary32/64 p >= 1/2. */
static long double ref_ndtri(long double p, long double x0)
{
    if (p == 0.5L) return 0.0L;
    if (p < 0.5L) return ref_ndtri_lower(p, x0);
    return -ref_ndtri_lower(1.0L - p, -x0);
}

/* ======================= binary32 ====================================== */

static double log_f_err = 0.0;
static float log_f_worst = 0.0f;
static void log_f_check(float x)
{
    float y = nnv_log_f(vf_set(x));
    long double r = logl((long double)x);
    double e;
    if (r == 0.0L) e = y == 0.0f ? 0.0 : 1e9;
    else e = (double)(fabsl((long double)y - r) / ulp_of(r, 24));
    if (e > log_f_err) { log_f_err = e; log_f_worst = x; }
}

START_TEST(log_f_accuracy)
{
    /* every binary32 in [1/2, 1] (near 1 and both sides of sqrt(1/2)) */
    for (uint32_t u = bits_of_f(0.5f); u <= bits_of_f(1.0f); u++) log_f_check(f_of_bits(u));
    /* every 101st binary32 in [2^-126, 1/2) */
    for (uint32_t u = bits_of_f(0x1p-126f); u < bits_of_f(0.5f); u += 101) log_f_check(f_of_bits(u));
    /* the Box-Muller inputs (k + 1/2) 2^-31, dense at the small end */
    for (uint32_t k = 0; k < (1u << 20); k++) {
        log_f_check(((float)k + 0.5f) * 0x1p-31f);
        log_f_check(((float)(rng64() >> 33) + 0.5f) * 0x1p-31f);
    }
    printf("nnv_log_f: max error %.4f ulp (at x = %a)\n", log_f_err, (double)log_f_worst);
    ck_assert_msg(log_f_err <= BOUND_LOG_F_ULP, "log_f error %.4f ulp at %a", log_f_err,
                  (double)log_f_worst);
}
END_TEST

START_TEST(box_muller_radius_f)
{
    /* the smallest input nnv_open01_f produces is 2^-32 */
    float rad = vf_sqrt(vf_mul(nnv_log_f(vf_set(0x1p-32f)), vf_set(-2.0f)));
    printf("binary32 Box-Muller radius at u = 2^-32: %.6f\n", (double)rad);
    ck_assert_msg(rad >= 5.5f, "radius %g", (double)rad);
    ck_assert_msg(fabs(rad - sqrt(64.0 * log(2.0))) < 1e-5, "radius %g", (double)rad);
}
END_TEST

START_TEST(sincos_f_accuracy)
{
    /* Every one of the 2^25 angles: x = j << 7 (the low 7 bits are dropped). */
    double es = 0.0, ec = 0.0, ep = 0.0;
    uint32_t ws = 0, wc = 0, same = 1;
    for (uint32_t j = 0; j < (1u << 25); j++) {
        uint32_t x = j << 7;
        float s, c;
        nnv_sincos_turn_f(vu_set(x), &s, &c);
        double t = (double)j * 0x1p-25;           /* turns, exact */
        if (t >= 0.5) t -= 1.0;                    /* exact, [-1/2, 1/2) */
        long double a = 2.0L * PI_L * (long double)t;
        double ds = (double)fabsl((long double)s - sinl(a));
        double dc = (double)fabsl((long double)c - cosl(a));
        double dp = fabs((double)s * s + (double)c * c - 1.0);
        if (ds > es) { es = ds; ws = x; }
        if (dc > ec) { ec = dc; wc = x; }
        if (dp > ep) ep = dp;
        if ((j & 63) == 0) { /* the same value for every word of the class */
            float s2, c2;
            nnv_sincos_turn_f(vu_set(x | (uint32_t)(rng64() & 0x7Fu)), &s2, &c2);
            same &= bits_of_f(s2) == bits_of_f(s) && bits_of_f(c2) == bits_of_f(c);
        }
    }
    ck_assert(same);
    /* exact values at the quadrant boundaries */
    for (uint32_t q = 0; q < 4; q++) {
        float s, c;
        nnv_sincos_turn_f(vu_set(q << 30), &s, &c);
        const float es4[4] = { 0.0f, 1.0f, 0.0f, -1.0f }, ec4[4] = { 1.0f, 0.0f, -1.0f, 0.0f };
        ck_assert_msg(s == es4[q] && c == ec4[q], "quadrant %u: %a %a", q, (double)s, (double)c);
    }
    /* against the unquantized angle, random words */
    double er = 0.0;
    for (int i = 0; i < 2000000; i++) {
        uint32_t x = (uint32_t)rng64();
        float s, c;
        nnv_sincos_turn_f(vu_set(x), &s, &c);
        long double t = (long double)x * 0x1p-32L;
        if (t >= 0.5L) t -= 1.0L;
        long double a = 2.0L * PI_L * t;
        double d = (double)fmaxl(fabsl((long double)s - sinl(a)), fabsl((long double)c - cosl(a)));
        if (d > er) er = d;
    }
    printf("nnv_sincos_turn_f: max abs error sin %.3g (x = 0x%08x), cos %.3g (x = 0x%08x); "
           "vs unquantized angle %.3g; |s^2+c^2-1| %.3g\n", es, ws, ec, wc, er, ep);
    ck_assert_msg(es <= BOUND_SINCOS_F_ABS && ec <= BOUND_SINCOS_F_ABS, "sin %g cos %g", es, ec);
    ck_assert_msg(er <= BOUND_SINCOS_F_RAW, "raw %g", er);
    ck_assert_msg(ep <= BOUND_PYTH_F, "pythagoras %g", ep);
}
END_TEST

static double ndtri_f_err = 0.0;
static float ndtri_f_worst = 0.0f;
static void ndtri_f_check(float p)
{
    float z = nnv_ndtri_f(vf_set(p));
    if (!isfinite(z)) ndtri_f_err = INFINITY, ndtri_f_worst = p;
    long double r = ref_ndtri((long double)p, (long double)nnv_ndtri_d(vd_set((double)p)));
    double e = r == 0.0L ? (z == 0.0f ? 0.0 : 1e9) : (double)(fabsl(((long double)z - r) / r));
    if (e > ndtri_f_err) { ndtri_f_err = e; ndtri_f_worst = p; }
}

START_TEST(ndtri_f_accuracy)
{
    /* every binary32 in [0.45, 0.55] (p near 1/2) */
    for (uint32_t u = bits_of_f(0.45f); u <= bits_of_f(0.55f); u++) ndtri_f_check(f_of_bits(u));
    /* every 211th binary32 in [1e-38, 1): subnormals, both tails, both splits */
    for (uint32_t u = bits_of_f(1e-38f); u < bits_of_f(1.0f); u += 211) ndtri_f_check(f_of_bits(u));
    /* the ends and the split points: |q| = 1/4 (p = 0.25, 0.75), v = log2(4p(1-p)) = -7.25
     * (p = 0.0016451), s = sqrt(-v) = 5 (p = 7.45e-9), y/4 = p - p^2 = 2^-126 (p ~ 2^-126),
     * and for comparison the old AS 241 splits (0.075, 0.925, e^-25) */
    const float pts[] = { 1e-38f, 0x1p-126f, 0x1.fffffcp-127f, 0x1p-149f, 1.0f - 0x1p-24f, 0.075f,
                          0.925f, 0.5f, 0.5f - 0x1p-25f, 0.5f + 0x1p-24f, 1.3887943e-11f, 3.059e-7f,
                          0.25f, 0.75f, 0.0016451f, 0.9983549f, 7.4505806e-9f, 0x1.000002p-126f };
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
        float p = pts[i];
        for (int d = -64; d <= 64; d++) {
            float v = f_of_bits(bits_of_f(p) + (uint32_t)d);
            if (v > 0.0f && v < 1.0f) ndtri_f_check(v);
        }
    }
    printf("nnv_ndtri_f: max relative error %.3g (at p = %a)\n", ndtri_f_err, (double)ndtri_f_worst);
    ck_assert_msg(ndtri_f_err <= BOUND_NDTRI_F_REL, "ndtri_f error %g at %a", ndtri_f_err,
                  (double)ndtri_f_worst);
}
END_TEST

START_TEST(ndtri_f_monotone)
{
    /* Log-spaced from 1e-38 to 1/2 (steps of 4.3e-4 relative), then linear to
     * 1 - 2^-24 (steps of 2.5e-6): non-decreasing and finite. Between
     * neighbouring binary32 p the result may jitter by an ulp or two (it is
     * rounded), so the steps are far above that, and the splits of
     * nnv_ndtri_pq_f (p = 0.25, 0.0016451, 7.45e-9) lie inside the sweep. */
    float prev = -INFINITY;
    int bad = 0;
    float badp = 0.0f;
    double lp = log(1e-38), step = (log(0.5) - lp) / 200000.0;
    for (int i = 0; i <= 400000; i++) {
        float p = i <= 200000 ? (float)exp(lp + step * i)
                              : 0.5f + (float)(i - 200000) * (0.5f - 0x1p-24f) / 200000.0f;
        float z = nnv_ndtri_f(vf_set(p));
        if (!(isfinite(z) && z >= prev) && !bad) { bad = 1; badp = p; }
        prev = z;
    }
    ck_assert_msg(!bad, "not monotone or not finite at p = %a", (double)badp);
}
END_TEST

/* ======================= binary64 ====================================== */

static double log_d_err = 0.0, log_d_worst = 0.0;
static void log_d_check(double x)
{
    double y = nnv_log_d(vd_set(x));
    long double r = logl((long double)x);
    double e;
    if (r == 0.0L) e = y == 0.0 ? 0.0 : 1e9;
    else e = (double)(fabsl((long double)y - r) / ulp_of(r, 53));
    if (e > log_d_err) { log_d_err = e; log_d_worst = x; }
}

START_TEST(log_d_accuracy)
{
    /* log-uniform in [2^-64, 1]: random exponent and mantissa */
    for (int i = 0; i < 8000000; i++) {
        uint64_t u = rng64();
        log_d_check(ldexp(1.0 + (double)(u >> 12) * 0x1p-52, -(int)(u % 64) - 1));
    }
    /* near 1 and around sqrt(1/2), where the reduction switches */
    for (int i = 1; i < 1000000; i++) {
        log_d_check(1.0 - i * 0x1p-53);
        log_d_check(1.0 - (double)(rng64() >> 11) * 0x1p-60);
        log_d_check(nextafter(0.70710678118654752, 0.0) + (i - 500000) * 0x1p-53);
        log_d_check(0.70710678118654752 * (1.0 + (double)(rng64() >> 11) * 0x1p-60));
    }
    /* the Box-Muller inputs k 2^-52 for small k, and the smallest normals */
    for (int i = 1; i < 1000000; i++) log_d_check(i * 0x1p-52);
    for (int i = 0; i < 1000; i++) log_d_check(DBL_MIN * (1.0 + i * 0x1p-10));
    printf("nnv_log_d: max error %.4f ulp (at x = %a)\n", log_d_err, log_d_worst);
    ck_assert_msg(log_d_err <= BOUND_LOG_D_ULP, "log_d error %.4f ulp at %a", log_d_err, log_d_worst);
}
END_TEST

START_TEST(box_muller_radius_d)
{
    double rad = vd_sqrt(vd_mul(nnv_log_d(vd_set(0x1p-52)), vd_set(-2.0)));
    printf("binary64 Box-Muller radius at u = 2^-52: %.6f\n", rad);
    ck_assert_msg(rad >= 5.5, "radius %g", rad);
    ck_assert_msg(fabs(rad - sqrt(104.0 * log(2.0))) < 1e-12, "radius %g", rad);
}
END_TEST

static double sc_d_es = 0.0, sc_d_ec = 0.0, sc_d_ep = 0.0;
static uint64_t sc_d_ws = 0, sc_d_wc = 0;
static void sincos_d_check(uint64_t x)
{
    double s, c;
    nnv_sincos_turn_d(vq_set(x), &s, &c);
    long double t = (long double)(x >> 10) * 0x1p-54L; /* exact: 54 bits */
    if (t >= 0.5L) t -= 1.0L;
    long double a = 2.0L * PI_L * t;
    double ds = (double)fabsl((long double)s - sinl(a));
    double dc = (double)fabsl((long double)c - cosl(a));
    double dp = (double)fabsl((long double)s * s + (long double)c * c - 1.0L);
    if (ds > sc_d_es) { sc_d_es = ds; sc_d_ws = x; }
    if (dc > sc_d_ec) { sc_d_ec = dc; sc_d_wc = x; }
    if (dp > sc_d_ep) sc_d_ep = dp;
}

START_TEST(sincos_d_accuracy)
{
    for (int i = 0; i < 8000000; i++) sincos_d_check(rng64());
    /* around every eighth of a turn (quadrant switches and f = +-1/2) */
    for (uint64_t k = 0; k < 8; k++)
        for (int d = -20000; d <= 20000; d++) {
            sincos_d_check((k << 61) + ((uint64_t)(int64_t)d << 10));
            sincos_d_check((k << 61) + (uint64_t)(int64_t)d * (rng64() >> 24));
        }
    for (uint64_t q = 0; q < 4; q++) {
        double s, c;
        nnv_sincos_turn_d(vq_set(q << 62), &s, &c);
        const double es4[4] = { 0.0, 1.0, 0.0, -1.0 }, ec4[4] = { 1.0, 0.0, -1.0, 0.0 };
        ck_assert_msg(s == es4[q] && c == ec4[q], "quadrant %u: %a %a", (unsigned)q, s, c);
    }
    printf("nnv_sincos_turn_d: max abs error sin %.3g (x = 0x%016llx), cos %.3g (x = 0x%016llx); "
           "|s^2+c^2-1| %.3g\n", sc_d_es, (unsigned long long)sc_d_ws, sc_d_ec,
           (unsigned long long)sc_d_wc, sc_d_ep);
    ck_assert_msg(sc_d_es <= BOUND_SINCOS_D_ABS && sc_d_ec <= BOUND_SINCOS_D_ABS, "sin %g cos %g",
                  sc_d_es, sc_d_ec);
    ck_assert_msg(sc_d_ep <= BOUND_PYTH_D, "pythagoras %g", sc_d_ep);
}
END_TEST

static double ndtri_d_err = 0.0, ndtri_d_worst = 0.0;
static void ndtri_d_check(double p)
{
    double z = nnv_ndtri_d(vd_set(p));
    if (!isfinite(z)) ndtri_d_err = INFINITY, ndtri_d_worst = p;
    long double r = ref_ndtri((long double)p, (long double)z);
    double e = r == 0.0L ? (z == 0.0 ? 0.0 : 1e9) : (double)(fabsl(((long double)z - r) / r));
    if (e > ndtri_d_err) { ndtri_d_err = e; ndtri_d_worst = p; }
}

START_TEST(ndtri_d_accuracy)
{
    /* log-uniform in [1e-300, 1/2] and mirrored */
    double lo = log(1e-300), hi = log(0.5);
    for (int i = 0; i < 2000000; i++) {
        double p = exp(lo + (hi - lo) * (double)(rng64() >> 11) * 0x1p-53);
        ndtri_d_check(p);
        if (1.0 - p < 1.0) ndtri_d_check(1.0 - p);
    }
    /* uniform in (0, 1), and dense around 1/2 */
    for (int i = 0; i < 1000000; i++) {
        ndtri_d_check(((double)(rng64() >> 12) + 0.5) * 0x1p-52);
        ndtri_d_check(0.5 + ((double)(rng64() >> 11) * 0x1p-53 - 0.5) * 0x1p-20);
        ndtri_d_check(0.5 + (i - 500000) * 0x1p-53);
    }
    /* the ends and the split points, with neighbours */
    const double pts[] = { 1e-300, DBL_MIN, 0.075, 0.925, 1.0 - 0x1p-53, 1.3887943864964021e-11, 0.5 };
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
        double p = pts[i];
        for (int d = 0; d < 1000; d++) p = nextafter(p, 0.0);
        for (int d = 0; d <= 2000 && p < 1.0; d++) { ndtri_d_check(p); p = nextafter(p, 1.0); }
    }
    ck_assert(isfinite(nnv_ndtri_d(vd_set(0x1p-1074))));
    printf("nnv_ndtri_d: max relative error %.3g (at p = %a)\n", ndtri_d_err, ndtri_d_worst);
    ck_assert_msg(ndtri_d_err <= BOUND_NDTRI_D_REL, "ndtri_d error %g at %a", ndtri_d_err,
                  ndtri_d_worst);
}
END_TEST

static Suite *vecmath_suite(void)
{
    Suite *s = suite_create("vecmath");
    TCase *tf = tcase_create("binary32"), *td = tcase_create("binary64");
    tcase_set_timeout(tf, 1200);
    tcase_set_timeout(td, 1200);
    tcase_add_test(tf, log_f_accuracy);
    tcase_add_test(tf, box_muller_radius_f);
    tcase_add_test(tf, sincos_f_accuracy);
    tcase_add_test(tf, ndtri_f_accuracy);
    tcase_add_test(tf, ndtri_f_monotone);
    tcase_add_test(td, log_d_accuracy);
    tcase_add_test(td, box_muller_radius_d);
    tcase_add_test(td, sincos_d_accuracy);
    tcase_add_test(td, ndtri_d_accuracy);
    suite_add_tcase(s, tf);
    suite_add_tcase(s, td);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(vecmath_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
