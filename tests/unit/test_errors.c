/* Error handling and the small facts of the API: every bad input gets its
 * documented status and leaves the destination untouched (include/nninit.h,
 * "Conventions"); status strings, dtype facts, versions, stream ids, the
 * bits of nninit_constant.
 *
 * The destination lives at the end of a page followed by an inaccessible one,
 * and the whole page is filled with a sentinel pattern before each call: a
 * failed call must leave every byte as it was, a successful one must change
 * only its n elements, and a write past the end faults at once. */
#include <float.h>
#include <limits.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
#include "testutil.h"

/* ---- the guarded buffer --------------------------------------------------- */
static unsigned char *g_page;   /* one read-write page, then a PROT_NONE page */
static size_t g_pagesz;
#define DST_BYTES ((size_t)1024) /* room for 128 f64 / 512 16-bit elements */
#define DST (g_page + g_pagesz - DST_BYTES)

static void guard_setup(void) { nt_guard_map(&g_page, &g_pagesz); }
static void guard_teardown(void) { nt_guard_unmap(&g_page, g_pagesz); }

static unsigned char sentinel_byte(size_t i) { return (unsigned char)(0xA5u ^ (i * 37u)); }
static void prime(void)
{
    ck_assert_msg(g_page != NULL, "could not map the guarded buffer");
    for (size_t i = 0; i < g_pagesz; i++) g_page[i] = sentinel_byte(i);
}
/* Index of the first byte of the page outside [from, to) that differs from
 * the sentinel, or -1. */
static long first_change_outside(size_t from, size_t to)
{
    for (size_t i = 0; i < g_pagesz; i++)
        if ((i < from || i >= to) && g_page[i] != sentinel_byte(i)) return (long)i;
    return -1;
}

/* ---- calls described as data, so loops can cover every (fn, dtype, param) */
enum { F_UNIFORM, F_NORMAL, F_TRUNC, F_CONSTANT, N_FN };
static const char *const fn_name[N_FN] = { "uniform", "normal", "trunc_normal", "constant" };
static const int fn_nparams[N_FN] = { 2, 2, 4, 1 };
static const char *const param_name[N_FN][4] = {
    { "low", "high" }, { "mean", "std" }, { "mean", "std", "low", "high" }, { "value" } };
static const nninit_dtype all_dtypes[4] = { NNINIT_F32, NNINIT_F64, NNINIT_BF16, NNINIT_F16 };

typedef struct {
    int fn;
    nninit_dtype dt;
    size_t n;
    double p[4];
    uint64_t off;
} callspec;

static callspec base_call(int fn, nninit_dtype dt)
{
    static const double base[N_FN][4] = { { -1, 1 }, { 0, 1 }, { 0, 1, -2, 2 }, { 0.5 } };
    callspec c = { fn, dt, 16, { 0 }, 3 };
    memcpy(c.p, base[fn], sizeof c.p);
    return c;
}

static nninit_status run_call(const callspec *c, void *dst)
{
    nninit_rng rng = { 42, 7 };
    switch (c->fn) {
    case F_UNIFORM: return nninit_uniform(dst, c->dt, c->n, c->p[0], c->p[1], rng, c->off);
    case F_NORMAL: return nninit_normal(dst, c->dt, c->n, c->p[0], c->p[1], rng, c->off);
    case F_TRUNC: return nninit_trunc_normal(dst, c->dt, c->n, c->p[0], c->p[1], c->p[2], c->p[3], rng, c->off);
    default: return nninit_constant(dst, c->dt, c->n, c->p[0]);
    }
}

static const char *describe(const callspec *c, const char *dst_desc)
{
    static char buf[320];
    const char *dn = nninit_dtype_name(c->dt);
    char dtb[24];
    if (!dn) { snprintf(dtb, sizeof dtb, "dtype %d", (int)c->dt); dn = dtb; }
    int len = snprintf(buf, sizeof buf, "%s(%s, %s, n=%zu", fn_name[c->fn], dst_desc, dn, c->n);
    for (int i = 0; i < fn_nparams[c->fn] && len < (int)sizeof buf; i++)
        len += snprintf(buf + len, sizeof buf - (size_t)len, ", %s=%.17g", param_name[c->fn][i], c->p[i]);
    if (c->fn != F_CONSTANT && len < (int)sizeof buf)
        snprintf(buf + len, sizeof buf - (size_t)len, ", offset=%llu)", (unsigned long long)c->off);
    else if (len < (int)sizeof buf)
        snprintf(buf + len, sizeof buf - (size_t)len, ")");
    return buf;
}

static void expect_fail(const callspec *c, nninit_status want)
{
    prime();
    nninit_status st = run_call(c, DST);
    ck_assert_msg(st == want, "%s returned %d (%s), expected %d (%s)", describe(c, "dst"), (int)st,
                  nninit_status_str(st), (int)want, nninit_status_str(want));
    long ch = first_change_outside(0, 0);
    ck_assert_msg(ch < 0, "%s failed with %s but changed the buffer (byte %ld before the end of the page)",
                  describe(c, "dst"), nninit_status_str(st), ch < 0 ? 0 : (long)g_pagesz - ch);
}

/* A valid call: NNINIT_OK, and nothing outside its n elements changes. */
static void expect_ok(const callspec *c)
{
    size_t esz = nninit_dtype_size(c->dt);
    ck_assert(esz > 0 && c->n * esz <= DST_BYTES);
    prime();
    nninit_status st = run_call(c, DST);
    ck_assert_msg(st == NNINIT_OK, "%s returned %d (%s), expected OK", describe(c, "dst"), (int)st,
                  nninit_status_str(st));
    size_t from = g_pagesz - DST_BYTES;
    long ch = first_change_outside(from, from + c->n * esz);
    ck_assert_msg(ch < 0, "%s wrote outside its %zu elements (byte %ld of the page)", describe(c, "dst"), c->n, ch);
}

/* The i-th element of DST as a double. */
static double dst_value(nninit_dtype dt, size_t i)
{
    const unsigned char *d = DST;
    switch (dt) {
    case NNINIT_F32: { float f; memcpy(&f, d + 4 * i, 4); return f; }
    case NNINIT_F64: { double x; memcpy(&x, d + 8 * i, 8); return x; }
    case NNINIT_BF16: { uint16_t h; memcpy(&h, d + 2 * i, 2); return nt_bf16_to_f32(h); }
    default: { uint16_t h; memcpy(&h, d + 2 * i, 2); return nt_f16_to_f32(h); }
    }
}

/* ---- tests ----------------------------------------------------------------- */
START_TEST(test_valid_calls_write_only_their_elements)
{
    for (int fn = 0; fn < N_FN; fn++)
        for (int d = 0; d < 4; d++) {
            callspec c = base_call(fn, all_dtypes[d]);
            expect_ok(&c);
            c.n = 0;      /* n == 0: OK and nothing written */
            expect_ok(&c);
            c.n = 1;
            expect_ok(&c);
        }
}
END_TEST

START_TEST(test_null_dst)
{
    for (int fn = 0; fn < N_FN; fn++)
        for (int d = 0; d < 4; d++) {
            callspec c = base_call(fn, all_dtypes[d]);
            nninit_status st = run_call(&c, NULL);
            ck_assert_msg(st == NNINIT_E_NULL, "%s returned %d (%s), expected E_NULL", describe(&c, "NULL"), (int)st,
                          nninit_status_str(st));
            c.n = 0;
            st = run_call(&c, NULL);
            ck_assert_msg(st == NNINIT_OK, "%s returned %d (%s), expected OK", describe(&c, "NULL"), (int)st,
                          nninit_status_str(st));
        }
}
END_TEST

START_TEST(test_nonfinite_parameters)
{
    const double bad[3] = { NAN, INFINITY, -INFINITY };
    for (int fn = 0; fn < N_FN; fn++)
        for (int d = 0; d < 4; d++)
            for (int k = 0; k < fn_nparams[fn]; k++)
                for (int b = 0; b < 3; b++) {
                    callspec c = base_call(fn, all_dtypes[d]);
                    c.p[k] = bad[b];
                    expect_fail(&c, NNINIT_E_PARAM);
                }
}
END_TEST

START_TEST(test_bad_std_and_bounds)
{
    for (int d = 0; d < 4; d++) {
        nninit_dtype dt = all_dtypes[d];
        callspec c;
        /* std < 0, including the smallest negative */
        const double negstd[3] = { -1.0, -1e-300, -DBL_TRUE_MIN };
        for (int k = 0; k < 3; k++) {
            c = base_call(F_NORMAL, dt); c.p[1] = negstd[k]; expect_fail(&c, NNINIT_E_PARAM);
            c = base_call(F_TRUNC, dt); c.p[1] = negstd[k]; expect_fail(&c, NNINIT_E_PARAM);
        }
        /* low >= high: equal and reversed */
        c = base_call(F_UNIFORM, dt); c.p[0] = 1; c.p[1] = 1; expect_fail(&c, NNINIT_E_PARAM);
        c = base_call(F_UNIFORM, dt); c.p[0] = 1; c.p[1] = -1; expect_fail(&c, NNINIT_E_PARAM);
        c = base_call(F_TRUNC, dt); c.p[2] = 0.5; c.p[3] = 0.5; expect_fail(&c, NNINIT_E_PARAM);
        c = base_call(F_TRUNC, dt); c.p[2] = 2; c.p[3] = -2; expect_fail(&c, NNINIT_E_PARAM);
    }
    /* low < high in binary64 but equal once rounded to binary32, the
     * computation type of f32/bf16/f16 (nninit.h: parameters are rounded
     * first): no value can satisfy low <= x < high. */
    for (int d = 0; d < 4; d++) {
        callspec c = base_call(F_UNIFORM, all_dtypes[d]);
        c.p[0] = 1.0; c.p[1] = 1.0 + 1e-12;
        if (all_dtypes[d] == NNINIT_F64) expect_ok(&c); else expect_fail(&c, NNINIT_E_PARAM);
    }
    /* bf16: round(low) = 1.0078125 but the largest bf16 below high is 1.0, so
     * [round(low), high) holds no bf16 value */
    callspec e = base_call(F_UNIFORM, NNINIT_BF16);
    e.p[0] = 1.005; e.p[1] = 1.0078;
    expect_fail(&e, NNINIT_E_PARAM);
}
END_TEST

/* Mass of [a, b] under N(0, 1) (a, b >= 0): Q(a) - Q(b) with Q the upper tail.
 * Q(9) = 1.13e-19, Q(9.26) = 1.02e-20, Q(9.5) = 1.05e-21, Q(12) = 1.8e-33, and
 * Q(40) underflows: so [9, 10] holds 1.13e-19 >= NNINIT_TRUNC_MIN_MASS (valid),
 * while [9.5, 10], [12, 13], [40, 41] and [-50, -49] hold less. */
static double upper_mass(double a, double b) { return 0.5 * erfc(a / sqrt(2.0)) - 0.5 * erfc(b / sqrt(2.0)); }

START_TEST(test_trunc_mass)
{
    struct { double mean, std, lo, hi; } none[] = {
        { 0, 1, 40, 41 }, { 0, 1, -50, -49 }, { 0, 1, 12, 13 }, { 0, 1, 9.5, 10 }, { 0, 1, -10, -9.5 },
        { 5, 0.5, 9.75, 10 },       /* the same 9.5-sigma interval, scaled */
        { 0, 1e-3, 1, 2 },          /* 1000 sigma out */
    };
    /* the reference agrees about which side of 1e-20 each case is on */
    ck_assert_msg(upper_mass(9, 10) > 1e-19 && upper_mass(9.5, 10) < 1e-20 && upper_mass(12, 13) < 1e-20,
                  "reference masses: [9,10] %g, [9.5,10] %g, [12,13] %g", upper_mass(9, 10), upper_mass(9.5, 10),
                  upper_mass(12, 13));
    for (int d = 0; d < 4; d++)
        for (size_t k = 0; k < sizeof none / sizeof none[0]; k++) {
            callspec c = { F_TRUNC, all_dtypes[d], 16, { none[k].mean, none[k].std, none[k].lo, none[k].hi }, 0 };
            expect_fail(&c, NNINIT_E_MASS);
        }
    /* just above the threshold: valid, and every value inside the bounds */
    for (int d = 0; d < 4; d++) {
        const double iv[2][2] = { { 9, 10 }, { -10, -9 } };
        for (int k = 0; k < 2; k++) {
            callspec c = { F_TRUNC, all_dtypes[d], 64, { 0, 1, iv[k][0], iv[k][1] }, 5 };
            expect_ok(&c);
            for (size_t i = 0; i < c.n; i++) {
                double v = dst_value(c.dt, i);
                ck_assert_msg(v >= iv[k][0] && v <= iv[k][1], "%s: element %zu = %.9g outside the bounds",
                              describe(&c, "dst"), i, v);
            }
        }
    }
}
END_TEST

/* A narrow interval around the mean holds little mass too: N(0, 1) on
 * [-1e-21, 1e-21] holds 2e-21 * phi(0) = 8.0e-22, and N(0, 1e30) on [-1, 1]
 * holds 8.0e-31, both below NNINIT_TRUNC_MIN_MASS; N(0, 1) on [-1e-19, 1e-19]
 * holds 8.0e-20, above it. (Phi(+-x) is 0.5 to within 2^-54 here, so the
 * mass cannot be taken as a difference of the two CDF values.) */
START_TEST(test_trunc_mass_narrow_central)
{
    const double phi0 = 0.3989422804014327;
    ck_assert(2e-21 * phi0 < NNINIT_TRUNC_MIN_MASS && 2.0 / 1e30 * phi0 < NNINIT_TRUNC_MIN_MASS &&
              2e-19 * phi0 > NNINIT_TRUNC_MIN_MASS);
    for (int d = 0; d < 4; d++) {
        callspec c = { F_TRUNC, all_dtypes[d], 16, { 0, 1, -1e-21, 1e-21 }, 0 };
        expect_fail(&c, NNINIT_E_MASS);
        c = (callspec){ F_TRUNC, all_dtypes[d], 16, { 0, 1e30, -1, 1 }, 0 };
        expect_fail(&c, NNINIT_E_MASS);
        c = (callspec){ F_TRUNC, all_dtypes[d], 16, { 0, 1, -1e-19, 1e-19 }, 0 };
        expect_ok(&c);
    }
}
END_TEST

START_TEST(test_trunc_std_zero)
{
    for (int d = 0; d < 4; d++) {
        nninit_dtype dt = all_dtypes[d];
        /* mean outside [low, high]: the point mass lies outside */
        callspec c = { F_TRUNC, dt, 16, { 3, 0, -1, 1 }, 0 };
        expect_fail(&c, NNINIT_E_MASS);
        c.p[0] = -1.5;
        expect_fail(&c, NNINIT_E_MASS);
        /* inside, or on a bound: every value is the mean (exact in every dtype) */
        const double means[3] = { 0.25, -1.0, 1.0 };
        for (int k = 0; k < 3; k++) {
            callspec o = { F_TRUNC, dt, 40, { means[k], 0, -1, 1 }, 11 };
            expect_ok(&o);
            for (size_t i = 0; i < o.n; i++)
                ck_assert_msg(dst_value(dt, i) == means[k], "%s: element %zu = %.9g", describe(&o, "dst"), i,
                              dst_value(dt, i));
        }
        /* normal with std == 0 gives mean too */
        callspec n0 = { F_NORMAL, dt, 40, { 0.375, 0 }, 1 };
        expect_ok(&n0);
        for (size_t i = 0; i < n0.n; i++)
            ck_assert_msg(dst_value(dt, i) == 0.375, "%s: element %zu = %.9g", describe(&n0, "dst"), i,
                          dst_value(dt, i));
    }
}
END_TEST

START_TEST(test_unknown_dtype)
{
    const nninit_dtype bad[3] = { (nninit_dtype)7, (nninit_dtype)-1, (nninit_dtype)4 };
    for (int b = 0; b < 3; b++) {
        ck_assert_msg(nninit_dtype_size(bad[b]) == 0, "dtype %d: size %zu", (int)bad[b], nninit_dtype_size(bad[b]));
        ck_assert_msg(nninit_dtype_name(bad[b]) == NULL, "dtype %d: name %s", (int)bad[b], nninit_dtype_name(bad[b]));
        for (int fn = 0; fn < N_FN; fn++) {
            callspec c = base_call(fn, bad[b]);
            expect_fail(&c, NNINIT_E_DTYPE);
        }
    }
}
END_TEST

START_TEST(test_size_overflow)
{
    /* n * element size beyond SIZE_MAX: rejected before any memory is touched
     * (a write would run into the guard page) */
    struct { nninit_dtype dt; size_t n; } big[] = {
        { NNINIT_F32, SIZE_MAX / 2 }, { NNINIT_F32, SIZE_MAX / 4 + 1 }, { NNINIT_F32, SIZE_MAX },
        { NNINIT_F64, SIZE_MAX / 8 + 1 }, { NNINIT_BF16, SIZE_MAX / 2 + 1 }, { NNINIT_F16, SIZE_MAX },
    };
    for (size_t k = 0; k < sizeof big / sizeof big[0]; k++)
        for (int fn = 0; fn < N_FN; fn++) {
            callspec c = base_call(fn, big[k].dt);
            c.n = big[k].n;
            expect_fail(&c, NNINIT_E_OVERFLOW);
        }
    /* offset + n beyond 2^64 - 1 */
    for (int fn = 0; fn < F_CONSTANT; fn++)
        for (int d = 0; d < 4; d++) {
            callspec c = base_call(fn, all_dtypes[d]);
            c.n = 8;
            c.off = UINT64_MAX; expect_fail(&c, NNINIT_E_OVERFLOW);
            c.off = UINT64_MAX - 7; expect_fail(&c, NNINIT_E_OVERFLOW);   /* offset + n == 2^64 */
            c.off = (uint64_t)1 << 63; c.n = 1; expect_ok(&c);
            c.off = UINT64_MAX - 8; c.n = 8; expect_ok(&c);               /* last index 2^64 - 2 */
        }
}
END_TEST

START_TEST(test_outside_dtype_range)
{
    callspec c;
    c = (callspec){ F_UNIFORM, NNINIT_F16, 16, { 0, 70000 }, 0 }; expect_fail(&c, NNINIT_E_PARAM);
    c = (callspec){ F_UNIFORM, NNINIT_F16, 16, { -70000, 0 }, 0 }; expect_fail(&c, NNINIT_E_PARAM);
    c = (callspec){ F_NORMAL, NNINIT_F16, 16, { 0, 20000 }, 0 }; expect_fail(&c, NNINIT_E_PARAM);
    c = (callspec){ F_NORMAL, NNINIT_F16, 16, { 70000, 0 }, 0 }; expect_fail(&c, NNINIT_E_PARAM);
    c = (callspec){ F_TRUNC, NNINIT_F16, 16, { 0, 1, -70000, 70000 }, 0 }; expect_fail(&c, NNINIT_E_PARAM);
    c = (callspec){ F_CONSTANT, NNINIT_F32, 16, { 1e39 }, 0 }; expect_fail(&c, NNINIT_E_PARAM);
    c = (callspec){ F_CONSTANT, NNINIT_F32, 16, { -1e39 }, 0 }; expect_fail(&c, NNINIT_E_PARAM);
    c = (callspec){ F_CONSTANT, NNINIT_BF16, 16, { 1e39 }, 0 }; expect_fail(&c, NNINIT_E_PARAM);
    /* 3.4e38 is a binary32 but rounds past bf16's largest finite (0x7F7F) */
    c = (callspec){ F_CONSTANT, NNINIT_BF16, 16, { 3.4e38 }, 0 }; expect_fail(&c, NNINIT_E_PARAM);
    c = (callspec){ F_CONSTANT, NNINIT_F16, 16, { 70000 }, 0 }; expect_fail(&c, NNINIT_E_PARAM);
    /* 65520 is the binary16 rounding boundary to infinity */
    c = (callspec){ F_CONSTANT, NNINIT_F16, 16, { 65520 }, 0 }; expect_fail(&c, NNINIT_E_PARAM);
    c = (callspec){ F_UNIFORM, NNINIT_F32, 16, { -1e39, 0 }, 0 }; expect_fail(&c, NNINIT_E_PARAM);
    c = (callspec){ F_NORMAL, NNINIT_F32, 16, { 0, 1e39 }, 0 }; expect_fail(&c, NNINIT_E_PARAM);
    /* the same magnitudes are fine where the dtype holds them */
    c = (callspec){ F_UNIFORM, NNINIT_F32, 16, { 0, 70000 }, 0 }; expect_ok(&c);
    c = (callspec){ F_NORMAL, NNINIT_BF16, 16, { 0, 20000 }, 0 }; expect_ok(&c);
    c = (callspec){ F_CONSTANT, NNINIT_F64, 16, { 1e39 }, 0 }; expect_ok(&c);
    c = (callspec){ F_CONSTANT, NNINIT_F16, 16, { 65519 }, 0 }; expect_ok(&c);
}
END_TEST

START_TEST(test_set_isa_errors)
{
    const char *before = nninit_isa();
    ck_assert_msg(before != NULL, "nninit_isa() returned NULL");
    char saved[32];
    snprintf(saved, sizeof saved, "%s", before);
    const char *bogus[] = { "bogus", "", "AVX2", "scalar ", "avx", "sse2", "neon2" };
    for (size_t k = 0; k < sizeof bogus / sizeof bogus[0]; k++) {
        nninit_status st = nninit_set_isa(bogus[k]);
        ck_assert_msg(st == NNINIT_E_ISA, "nninit_set_isa(\"%s\") returned %d (%s)", bogus[k], (int)st,
                      nninit_status_str(st));
        ck_assert_msg(nninit_isa_supported(bogus[k]) == 0, "nninit_isa_supported(\"%s\") != 0", bogus[k]);
        ck_assert_msg(strcmp(nninit_isa(), saved) == 0, "after nninit_set_isa(\"%s\"): path %s, was %s", bogus[k],
                      nninit_isa(), saved);
    }
    /* known names this CPU (or build) lacks: "neon" on x86, x86 names on aarch64 */
    int lacking = 0;
    for (int k = 0; k < NT_N_ISAS; k++) {
        if (nninit_isa_supported(nt_all_isas[k])) continue;
        lacking++;
        nninit_status st = nninit_set_isa(nt_all_isas[k]);
        ck_assert_msg(st == NNINIT_E_ISA, "nninit_set_isa(\"%s\") on a CPU without it returned %d (%s)",
                      nt_all_isas[k], (int)st, nninit_status_str(st));
        ck_assert_msg(strcmp(nninit_isa(), saved) == 0, "after nninit_set_isa(\"%s\"): path %s, was %s",
                      nt_all_isas[k], nninit_isa(), saved);
    }
    ck_assert_msg(lacking >= 1, "every one of scalar/avx2/avx512/neon claims support: x86 and arm at once?");
    ck_assert_msg(nninit_isa_supported("scalar") == 1, "scalar must always be supported");
    ck_assert_msg(nninit_isa_supported(NULL) == 0, "nninit_isa_supported(NULL) != 0");
    /* and the library still fills after the rejected requests */
    callspec c = base_call(F_NORMAL, NNINIT_F32);
    expect_ok(&c);
    /* NULL returns to the automatic choice */
    ck_assert_int_eq(nninit_set_isa(NULL), NNINIT_OK);
    ck_assert_msg(strcmp(nninit_isa(), saved) == 0, "nninit_set_isa(NULL): path %s, was %s", nninit_isa(), saved);
}
END_TEST

START_TEST(test_philox_rounds)
{
    const uint32_t ctr[4] = { 1, 2, 3, 4 }, key[2] = { 0xdeadbeef, 0x12345678 };
    const unsigned bad[4] = { 0, 17, 100, UINT_MAX };
    for (int k = 0; k < 4; k++) {
        uint32_t out[4] = { 0xA5A5A5A5u, 0x5A5A5A5Au, 0x01234567u, 0x89ABCDEFu };
        nninit_status st = nninit_philox4x32_r(bad[k], ctr, key, out);
        ck_assert_msg(st == NNINIT_E_PARAM, "nninit_philox4x32_r(%u rounds) returned %d (%s)", bad[k], (int)st,
                      nninit_status_str(st));
        ck_assert_msg(out[0] == 0xA5A5A5A5u && out[1] == 0x5A5A5A5Au && out[2] == 0x01234567u && out[3] == 0x89ABCDEFu,
                      "nninit_philox4x32_r(%u rounds) failed but wrote out", bad[k]);
    }
    uint32_t ref[4], out[4], prev[4] = { 0 };
    nninit_philox4x32_10(ctr, key, ref);
    for (unsigned r = 1; r <= 16; r++) {
        nninit_status st = nninit_philox4x32_r(r, ctr, key, out);
        ck_assert_msg(st == NNINIT_OK, "%u rounds: returned %d", r, (int)st);
        ck_assert_msg(memcmp(out, prev, sizeof out) != 0, "%u rounds gives the same block as %u", r, r - 1);
        if (r == 10) ck_assert_msg(memcmp(out, ref, sizeof out) == 0, "10 rounds differs from nninit_philox4x32_10");
        memcpy(prev, out, sizeof out);
    }
    ck_assert_int_eq(nninit_philox4x32_r(10, NULL, key, out), NNINIT_E_NULL);
    ck_assert_int_eq(nninit_philox4x32_r(10, ctr, NULL, out), NNINIT_E_NULL);
    ck_assert_int_eq(nninit_philox4x32_r(10, ctr, key, NULL), NNINIT_E_NULL);
}
END_TEST

START_TEST(test_status_strings)
{
    const char *s[8];
    for (int k = 0; k < 8; k++) {
        s[k] = nninit_status_str((nninit_status)k);
        ck_assert_msg(s[k] != NULL && s[k][0] != '\0', "nninit_status_str(%d) is NULL or empty", k);
    }
    const char *unknown[3] = { nninit_status_str((nninit_status)8), nninit_status_str((nninit_status)-1),
                               nninit_status_str((nninit_status)1000) };
    for (int u = 0; u < 3; u++) {
        ck_assert_msg(unknown[u] != NULL && unknown[u][0] != '\0', "unknown status %d: NULL or empty string", u);
        for (int k = 0; k < 8; k++)
            ck_assert_msg(strcmp(unknown[u], s[k]) != 0, "an unknown status reads like status %d: \"%s\"", k, s[k]);
    }
    for (int a = 0; a < 8; a++)
        for (int b = a + 1; b < 8; b++)
            ck_assert_msg(strcmp(s[a], s[b]) != 0, "statuses %d and %d share the string \"%s\"", a, b, s[a]);
    /* the values are pinned (nninit.h: never renumbered) */
    ck_assert(NNINIT_OK == 0 && NNINIT_E_NULL == 1 && NNINIT_E_DTYPE == 2 && NNINIT_E_PARAM == 3 &&
              NNINIT_E_MASS == 4 && NNINIT_E_OVERFLOW == 5 && NNINIT_E_ISA == 6 && NNINIT_E_NOMEM == 7);
}
END_TEST

START_TEST(test_dtype_facts)
{
    const size_t size[4] = { 4, 8, 2, 2 };
    const char *name[4] = { "f32", "f64", "bf16", "f16" };
    for (int d = 0; d < 4; d++) {
        ck_assert_msg(nninit_dtype_size(all_dtypes[d]) == size[d], "%s: size %zu", name[d],
                      nninit_dtype_size(all_dtypes[d]));
        const char *n = nninit_dtype_name(all_dtypes[d]);
        ck_assert_msg(n && strcmp(n, name[d]) == 0, "dtype %d: name %s, expected %s", d, n ? n : "(null)", name[d]);
    }
    ck_assert(NNINIT_F32 == 0 && NNINIT_F64 == 1 && NNINIT_BF16 == 2 && NNINIT_F16 == 3);

    /* Names read: the short ones and the long ones PyTorch and Hugging Face
     * configs write ("torch_dtype": "bfloat16"); nothing else. */
    static const struct { const char *name; nninit_dtype dt; } known[] = {
        { "f32", NNINIT_F32 }, { "f64", NNINIT_F64 }, { "bf16", NNINIT_BF16 }, { "f16", NNINIT_F16 },
        { "float32", NNINIT_F32 }, { "float64", NNINIT_F64 }, { "bfloat16", NNINIT_BF16 }, { "float16", NNINIT_F16 },
    };
    for (size_t k = 0; k < sizeof known / sizeof known[0]; k++) {
        nninit_dtype got = (nninit_dtype)99;
        nninit_status st = nninit_dtype_from_name(known[k].name, &got);
        ck_assert_msg(st == NNINIT_OK && got == known[k].dt, "dtype_from_name(%s): %s, %d", known[k].name,
                      nninit_status_str(st), (int)got);
    }
    static const char *const unknown[] = { "", "F32", "Float32", "fp32", "float", "double", "half", "bfloat",
                                           "float32 ", " f32", "torch.float32", "float8", "int8", "bf16\n" };
    for (size_t k = 0; k < sizeof unknown / sizeof unknown[0]; k++) {
        nninit_dtype got = (nninit_dtype)99;
        nninit_status st = nninit_dtype_from_name(unknown[k], &got);
        ck_assert_msg(st == NNINIT_E_DTYPE && got == (nninit_dtype)99, "dtype_from_name(\"%s\"): %s", unknown[k],
                      nninit_status_str(st));
    }
    nninit_dtype got;
    ck_assert_int_eq(nninit_dtype_from_name(NULL, &got), NNINIT_E_NULL);
    ck_assert_int_eq(nninit_dtype_from_name("f32", NULL), NNINIT_E_NULL);
}
END_TEST

START_TEST(test_versions)
{
    ck_assert_msg(nninit_version_number() == NNINIT_VERSION_NUMBER, "library %u, header %d", nninit_version_number(),
                  NNINIT_VERSION_NUMBER);
    ck_assert_int_eq(NNINIT_VERSION_NUMBER,
                     NNINIT_VERSION_MAJOR * 10000 + NNINIT_VERSION_MINOR * 100 + NNINIT_VERSION_PATCH);
    char want[48];
    snprintf(want, sizeof want, "%d.%d.%d", NNINIT_VERSION_MAJOR, NNINIT_VERSION_MINOR, NNINIT_VERSION_PATCH);
    const char *v = nninit_version_string();
    ck_assert_msg(v && strcmp(v, want) == 0, "nninit_version_string() = %s, expected %s", v ? v : "(null)", want);
    ck_assert_str_eq(NNINIT_VERSION_STRING, want);
}
END_TEST

/* Expected bits derived independently at test-writing time with Python's
 * struct module (IEEE binary32 'f', binary16 'e', both round to nearest
 * even) and integer nearest-even rounding of the binary32 bits for bfloat16,
 * always from the value first rounded to binary32, as nninit.h specifies
 * ("parameters are rounded to the computation type first"). That is double
 * rounding, visible in the last rows: the direct binary64 -> 16-bit rounding
 * would give 0x3C01 and 0x3F81. */
START_TEST(test_constant_bits)
{
    static const struct { double v; uint32_t f32; uint16_t bf16, f16; } t[] = {
        { 0.1, 0x3DCCCCCDu, 0x3DCD, 0x2E66 },
        { -2.5, 0xC0200000u, 0xC020, 0xC100 },
        { 1.0 / 3.0, 0x3EAAAAABu, 0x3EAB, 0x3555 },
        { 1.0, 0x3F800000u, 0x3F80, 0x3C00 },
        { 0.0, 0x00000000u, 0x0000, 0x0000 },
        { -0.0, 0x80000000u, 0x8000, 0x8000 },
        { 65504.0, 0x477FE000u, 0x4780, 0x7BFF },
        { -65504.0, 0xC77FE000u, 0xC780, 0xFBFF },
        { 65519.0, 0x477FEF00u, 0x4780, 0x7BFF },
        { 1e-8, 0x322BCC77u, 0x322C, 0x0000 },         /* below half the f16 subnormal step */
        { 0x1p-24, 0x33800000u, 0x3380, 0x0001 },      /* smallest f16 subnormal */
        { 0x1p-25, 0x33000000u, 0x3300, 0x0000 },      /* f16 tie, to even (0) */
        { 0x3p-25, 0x33C00000u, 0x33C0, 0x0002 },      /* f16 tie, to even (2) */
        { 6e-5, 0x387BA882u, 0x387C, 0x03EF },         /* f16 subnormal */
        { 1e-5, 0x3727C5ACu, 0x3728, 0x00A8 },
        { 0x1.01p0, 0x3F808000u, 0x3F80, 0x3C04 },     /* bf16 tie, to even */
        { 0x1.03p0, 0x3F818000u, 0x3F82, 0x3C0C },     /* bf16 tie, to even (up) */
        { 0x1.002p0, 0x3F801000u, 0x3F80, 0x3C00 },    /* f16 tie, to even */
        { 0x1.006p0, 0x3F803000u, 0x3F80, 0x3C02 },    /* f16 tie, to even (up) */
        { 1e-40, 0x000116C2u, 0x0001, 0x0000 },        /* binary32 subnormal */
        { 0x1p-126, 0x00800000u, 0x0080, 0x0000 },
        { 3.39e38, 0x7F7F0906u, 0x7F7F, 0 },          /* f16: out of range, skipped */
        { 0x1.000001p0 + 0x1p-50, 0x3F800001u, 0x3F80, 0x3C00 },  /* just above a binary32 tie */
        { 0x1.002p0 + 0x1p-40, 0x3F801000u, 0x3F80, 0x3C00 },    /* double rounding: direct would be 0x3C01 */
        { 0x1.01p0 + 0x1p-30, 0x3F808000u, 0x3F80, 0x3C04 },     /* double rounding: direct would be 0x3F81 */
    };
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++) {
        callspec c = { F_CONSTANT, NNINIT_F32, 37, { t[k].v }, 0 };
        expect_ok(&c);
        for (size_t i = 0; i < c.n; i++) {
            uint32_t u;
            memcpy(&u, DST + 4 * i, 4);
            ck_assert_msg(u == t[k].f32, "f32 constant(%a): element %zu is %#010x, expected %#010x", t[k].v, i, u,
                          t[k].f32);
        }
        c.dt = NNINIT_F64;
        expect_ok(&c);
        for (size_t i = 0; i < c.n; i++)
            ck_assert_msg(memcmp(DST + 8 * i, &t[k].v, 8) == 0, "f64 constant(%a): element %zu differs", t[k].v, i);
        c.dt = NNINIT_BF16;
        expect_ok(&c);
        for (size_t i = 0; i < c.n; i++) {
            uint16_t h;
            memcpy(&h, DST + 2 * i, 2);
            ck_assert_msg(h == t[k].bf16, "bf16 constant(%a): element %zu is %#06x, expected %#06x", t[k].v, i, h,
                          t[k].bf16);
        }
        if (fabs(t[k].v) > 65519.0) continue;
        c.dt = NNINIT_F16;
        expect_ok(&c);
        for (size_t i = 0; i < c.n; i++) {
            uint16_t h;
            memcpy(&h, DST + 2 * i, 2);
            ck_assert_msg(h == t[k].f16, "f16 constant(%a): element %zu is %#06x, expected %#06x", t[k].v, i, h,
                          t[k].f16);
        }
    }
}
END_TEST

/* nninit.h: FNV-1a over the bytes, then the SplitMix64 finalizer. */
static uint64_t ref_stream_id(const char *s)
{
    uint64_t h = nt_fnv1a(s, strlen(s));
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
    return h ^ (h >> 31);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

START_TEST(test_stream_id)
{
    ck_assert_msg(nninit_stream_id(NULL) == nninit_stream_id(""), "NULL and \"\" hash differently");
    ck_assert_msg(nninit_stream_id("") == ref_stream_id(""), "\"\": %#llx, reference %#llx",
                  (unsigned long long)nninit_stream_id(""), (unsigned long long)ref_stream_id(""));
    const char *fixed[] = { "a", "b", "weight", "layer0.weight", "layer1.weight", "encoder.layers.11.self_attn.q_proj.bias" };
    for (size_t k = 0; k < sizeof fixed / sizeof fixed[0]; k++) {
        ck_assert_msg(nninit_stream_id(fixed[k]) == nninit_stream_id(fixed[k]), "\"%s\" not deterministic", fixed[k]);
        ck_assert_msg(nninit_stream_id(fixed[k]) == ref_stream_id(fixed[k]), "\"%s\": %#llx, reference %#llx",
                      fixed[k], (unsigned long long)nninit_stream_id(fixed[k]),
                      (unsigned long long)ref_stream_id(fixed[k]));
    }
    /* a few hundred typical short names, plus all 1- and 2-letter ones: no
     * two share a stream */
    enum { N_NAMES = 600 + 26 + 26 * 26 };
    static uint64_t ids[N_NAMES];
    size_t m = 0;
    char name[64];
    for (int i = 0; i < 100; i++) {
        const char *kinds[6] = { "layer%d.weight", "layer%d.bias", "blocks.%d.attn.qkv.weight", "blocks.%d.mlp.fc1.weight",
                                 "h.%d.ln_1.weight", "w%d" };
        for (int k = 0; k < 6; k++) {
            snprintf(name, sizeof name, kinds[k], i);
            ids[m++] = nninit_stream_id(name);
        }
    }
    for (int a = 0; a < 26; a++) {
        name[0] = (char)('a' + a); name[1] = '\0';
        ids[m++] = nninit_stream_id(name);
        for (int b = 0; b < 26; b++) {
            name[1] = (char)('a' + b); name[2] = '\0';
            ids[m++] = nninit_stream_id(name);
        }
    }
    ck_assert_uint_eq(m, N_NAMES);
    qsort(ids, m, sizeof ids[0], cmp_u64);
    for (size_t i = 1; i < m; i++)
        ck_assert_msg(ids[i] != ids[i - 1], "two of the %zu generated names share stream id %#llx", m,
                      (unsigned long long)ids[i]);
    for (size_t i = 0; i < m; i++)
        ck_assert_msg(ids[i] != nninit_stream_id(""), "a generated name hashes like the empty string");
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("errors");
    TCase *tc = nt_tcase("errors");
    tcase_add_unchecked_fixture(tc, guard_setup, guard_teardown);
    tcase_add_test(tc, test_valid_calls_write_only_their_elements);
    tcase_add_test(tc, test_null_dst);
    tcase_add_test(tc, test_nonfinite_parameters);
    tcase_add_test(tc, test_bad_std_and_bounds);
    tcase_add_test(tc, test_trunc_mass);
    tcase_add_test(tc, test_trunc_mass_narrow_central);
    tcase_add_test(tc, test_trunc_std_zero);
    tcase_add_test(tc, test_unknown_dtype);
    tcase_add_test(tc, test_size_overflow);
    tcase_add_test(tc, test_outside_dtype_range);
    tcase_add_test(tc, test_set_isa_errors);
    tcase_add_test(tc, test_philox_rounds);
    tcase_add_test(tc, test_status_strings);
    tcase_add_test(tc, test_dtype_facts);
    tcase_add_test(tc, test_versions);
    tcase_add_test(tc, test_constant_bits);
    tcase_add_test(tc, test_stream_id);
    suite_add_tcase(s, tc);
    return s;
}

NNINIT_TEST_MAIN
