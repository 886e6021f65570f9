/* Every ISA path equals scalar bit for bit over parameters that reach every
 * branch of the transforms: the truncated normal's central polynomial, its
 * tails (|z| > 2.94, both tail polynomials, mixed within one vector), upper
 * and lower halves, narrow and far intervals, signed zeros of the mean;
 * normal and uniform with unusual scales. test_contract covers lengths,
 * offsets and alignment with one parameter set per distribution; this covers
 * the parameters with a few lengths. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include "testutil.h"

enum { D_UNIFORM, D_NORMAL, D_TRUNC };

typedef struct { int dist; double a, b, lo, hi; } pcase;

static const pcase cases[] = {
    { D_UNIFORM, 0.0, 1.0, 0, 0 },
    { D_UNIFORM, -0.0, 1e-30, 0, 0 },
    { D_UNIFORM, -3.0, -2.999, 0, 0 },
    { D_UNIFORM, -1e30, 1e30, 0, 0 },
    { D_NORMAL, 0.0, 1.0, 0, 0 },
    { D_NORMAL, -0.0, 1.0, 0, 0 },
    { D_NORMAL, 1e3, 1e-3, 0, 0 },
    { D_NORMAL, -2.5, 1e-30, 0, 0 },
    { D_TRUNC, 0.0, 1.0, -2.0, 2.0 },          /* central branch only */
    { D_TRUNC, -0.0, 1.0, -2.0, 2.0 },
    { D_TRUNC, 0.0, 1.0, -3.0, 3.0 },          /* some vectors with a tail lane */
    { D_TRUNC, 0.0, 0.02, -2.0, 2.0 },         /* bounds at 100 std: clamped, the whole normal */
    { D_TRUNC, 0.1, 1.0, -1.9, 2.3 },
    { D_TRUNC, 0.0, 1.0, 3.0, 3.5 },           /* wholly in the upper tail */
    { D_TRUNC, 0.0, 1.0, -6.0, -4.5 },         /* lower tail, both tail pieces */
    { D_TRUNC, 0.0, 1.0, 5.5, 9.0 },           /* far tail (s >= 5) */
    { D_TRUNC, 0.0, 1.0, -2.95, -2.9 },        /* straddles the central/tail split */
    { D_TRUNC, 0.0, 1.0, 0.3, 0.31 },          /* narrow, upper half */
    { D_TRUNC, 0.0, 1.0, -0.05, 0.05 },        /* narrow around the mean */
    { D_TRUNC, 0.0, 1.0, -1e-6, 1e-6 },
    { D_TRUNC, 1.0, 2.0, -3.0, 2.0 },
    { D_TRUNC, 0.0, 1e6, -1.0, 1.0 },          /* nearly uniform */
    { D_TRUNC, -0.0, 1.0, -0.0, 0.0 + 1e-3 },
};

static nninit_status fill(const pcase *c, nninit_dtype dt, void *dst, size_t n, uint64_t off)
{
    const nninit_rng rng = { 0x9E3779B97F4A7C15ull, 0x0123456789ABCDEFull };
    switch (c->dist) {
    case D_UNIFORM: return nninit_uniform(dst, dt, n, c->a, c->b, rng, off);
    case D_NORMAL: return nninit_normal(dst, dt, n, c->a, c->b, rng, off);
    default: return nninit_trunc_normal(dst, dt, n, c->a, c->b, c->lo, c->hi, rng, off);
    }
}

START_TEST(test_isa_params)
{
    static const nninit_dtype dts[] = { NNINIT_F32, NNINIT_F64, NNINIT_BF16, NNINIT_F16 };
    static const size_t lens[] = { 1, 63, 64 * 97 + 29 };
    static const uint64_t offs[] = { 0, 5, (1ull << 40) + 3 };
    const size_t cap = 64 * 97 + 29;
    unsigned char *ref = malloc(cap * 8), *got = malloc(cap * 8);
    int compared = 0;
    for (int i = 1; i < NT_N_ISAS; i++) {
        if (!nninit_isa_supported(nt_all_isas[i])) continue;
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
            for (size_t t = 0; t < sizeof dts / sizeof dts[0]; t++)
                for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
                    const size_t n = lens[l], bytes = n * nninit_dtype_size(dts[t]);
                    memset(ref, 0x5A, cap * 8); memset(got, 0x5A, cap * 8);
                    ck_assert_int_eq(nninit_set_isa("scalar"), NNINIT_OK);
                    nninit_status s0 = fill(&cases[c], dts[t], ref, n, offs[l]);
                    ck_assert_int_eq(nninit_set_isa(nt_all_isas[i]), NNINIT_OK);
                    nninit_status s1 = fill(&cases[c], dts[t], got, n, offs[l]);
                    ck_assert_int_eq(s0, s1);
                    ck_assert_msg(memcmp(ref, got, cap * 8) == 0,
                                  "%s differs from scalar: case %zu (dist %d, %g, %g, [%g, %g]) %s n=%zu (%zu bytes)",
                                  nt_all_isas[i], c, cases[c].dist, cases[c].a, cases[c].b, cases[c].lo, cases[c].hi,
                                  nninit_dtype_name(dts[t]), n, bytes);
                    compared += s0 == NNINIT_OK;
                }
    }
    nninit_set_isa(NULL);
    ck_assert_msg(compared > 0 || !nninit_isa_supported("avx2"), "no SIMD path was compared");
    free(ref); free(got);
}
END_TEST

/* The parameter sets above do reach the tails: a 16-lane vector of the
 * [-3, 3] case holds a value beyond 2.94 in some but not all of its lanes. */
START_TEST(test_tail_cases_reach_tails)
{
    enum { N = 64 * 64 };
    float *v = malloc(N * sizeof *v);
    ck_assert_int_eq(fill(&cases[10], NNINIT_F32, v, N, 0), NNINIT_OK);
    int mixed = 0;
    for (int g = 0; g < N; g += 16) {
        int tail = 0;
        for (int k = 0; k < 16; k++) tail += fabsf(v[g + k]) > 2.94f;
        mixed += tail > 0 && tail < 16;
    }
    ck_assert_int_gt(mixed, 0);
    ck_assert_int_eq(fill(&cases[15], NNINIT_F32, v, N, 0), NNINIT_OK);
    for (int k = 0; k < N; k++) ck_assert(v[k] >= 5.5f && v[k] <= 9.0f);
    free(v);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("isa_params");
    TCase *tc = nt_tcase("isa_params");
    tcase_add_test(tc, test_tail_cases_reach_tails);
    tcase_add_test(tc, test_isa_params);
    suite_add_tcase(s, tc);
    return s;
}

NNINIT_TEST_MAIN
