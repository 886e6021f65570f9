/* The reproducibility contract (docs/CONTRACT.md), bit for bit:
 * every ISA path equals scalar; slices equal the whole; bf16/f16 are the f32
 * values rounded to nearest even; the documented element-to-counter mapping
 * holds; long fills match the golden digests recorded from the scalar path. */
#include <inttypes.h>
#include <stdio.h>
#include "testutil.h"
#include "contract_cases.h"

#ifndef NT_DATA_DIR
#define NT_DATA_DIR "tests/data"
#endif

static const nninit_dtype all_dtypes[4] = { NNINIT_F32, NNINIT_F64, NNINIT_BF16, NNINIT_F16 };

/* Fills for ISA isa (NULL: keep the current path). */
static void fill_on(const char *isa, int d, nninit_dtype dt, void *dst, size_t n, uint64_t off)
{
    if (isa) ck_assert_int_eq(nninit_set_isa(isa), NNINIT_OK);
    ck_assert_int_eq(nt_fill_case(d, dt, dst, n, off), NNINIT_OK);
}

/* Every supported ISA against scalar: every length 0..300, several offsets
 * (chunk-aligned or not), destinations misaligned within a cache line, and
 * guard bytes around the destination that must stay untouched. */
START_TEST(test_isa_short_lengths)
{
    enum { GUARD = 64, CAP = (300 * 8 + 2 * GUARD + 64 + 63) / 64 * 64 };  /* aligned_alloc needs a multiple of 64 */
    unsigned char *ref = aligned_alloc(64, CAP), *got = aligned_alloc(64, CAP);
    const uint64_t offsets[] = { 0, 1, 15, 16, 31, 63, 64, 65, 1000003, (1ull << 62) + 7 };
    int tested_isas = 0;
    for (int i = 1; i < NT_N_ISAS; i++) {
        if (!nninit_isa_supported(nt_all_isas[i])) continue;
        tested_isas++;
        for (int d = 0; d < 3; d++)
            for (int t = 0; t < 4; t++) {
                nninit_dtype dt = all_dtypes[t];
                size_t es = nninit_dtype_size(dt);
                for (size_t n = 0; n <= 300; n++)
                    for (size_t o = 0; o < sizeof offsets / sizeof offsets[0]; o++) {
                        size_t mis = (n + o) % 8 * es % 64;          /* element-aligned, cache-line misaligned */
                        memset(ref, 0xA5, CAP); memset(got, 0xA5, CAP);
                        fill_on("scalar", d, dt, ref + GUARD + mis, n, offsets[o]);
                        fill_on(nt_all_isas[i], d, dt, got + GUARD + mis, n, offsets[o]);
                        ck_assert_msg(memcmp(ref, got, CAP) == 0, "%s differs from scalar: %s %s n=%zu offset=%" PRIu64,
                                      nt_all_isas[i], nt_dist_names[d], nninit_dtype_name(dt), n, offsets[o]);
                    }
            }
    }
    nninit_set_isa(NULL);
    ck_assert_msg(tested_isas > 0 || !nninit_isa_supported("avx2"), "no SIMD path was compared");
    free(ref); free(got);
}
END_TEST

/* Large fills, including one beyond the last-level cache (non-temporal
 * stores) and odd sizes and offsets, every ISA against scalar. */
START_TEST(test_isa_large)
{
    const size_t sizes[] = { 100003, (size_t)48 << 20 >> 2 };   /* 48 MiB of f32: past a 32 MiB LLC */
    size_t cap = sizes[1] * 8 + 64;
    unsigned char *ref = malloc(cap), *got = malloc(cap);
    for (int i = 1; i < NT_N_ISAS; i++) {
        if (!nninit_isa_supported(nt_all_isas[i])) continue;
        for (int d = 0; d < 3; d++)
            for (int t = 0; t < 4; t++)
                for (int s = 0; s < 2; s++) {
                    nninit_dtype dt = all_dtypes[t];
                    size_t n = s ? sizes[1] * 4 / nninit_dtype_size(dt) : sizes[0];
                    uint64_t off = s ? 0 : 12345;
                    fill_on("scalar", d, dt, ref, n, off);
                    fill_on(nt_all_isas[i], d, dt, got, n, off);
                    ck_assert_msg(memcmp(ref, got, n * nninit_dtype_size(dt)) == 0, "%s differs: %s %s n=%zu",
                                  nt_all_isas[i], nt_dist_names[d], nninit_dtype_name(dt), n);
                }
    }
    nninit_set_isa(NULL);
    free(ref); free(got);
}
END_TEST

/* Filling [offset, offset + n) equals that slice of the whole fill, for
 * shards cut at arbitrary (deterministically pseudo-random) points. */
START_TEST(test_slices)
{
    const size_t N = 200000;
    unsigned char *whole = malloc(N * 8), *parts = malloc(N * 8);
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (int d = 0; d < 3; d++)
        for (int t = 0; t < 4; t++) {
            nninit_dtype dt = all_dtypes[t];
            size_t es = nninit_dtype_size(dt);
            ck_assert_int_eq(nt_fill_case(d, dt, whole, N, 777), NNINIT_OK);
            memset(parts, 0, N * es);
            size_t at = 0;
            while (at < N) {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                size_t len = (size_t)(x % 70000) + 1;
                if (len > N - at) len = N - at;
                ck_assert_int_eq(nt_fill_case(d, dt, parts + at * es, len, 777 + at), NNINIT_OK);
                at += len;
            }
            ck_assert_msg(memcmp(whole, parts, N * es) == 0, "sliced fill differs: %s %s", nt_dist_names[d],
                          nninit_dtype_name(dt));
        }
    free(whole); free(parts);
}
END_TEST

/* bf16 and f16 values are the f32 values rounded to nearest even (checked
 * with the independent rounding of testutil.h); the one exception: a uniform
 * value that would round to high or above is the largest value below high. */
START_TEST(test_half_rounding)
{
    const size_t N = 300000;
    float *f = malloc(N * 4);
    uint16_t *h = malloc(N * 2);
    for (int d = 0; d < 3; d++)
        for (int bf = 0; bf < 2; bf++) {
            nninit_dtype dt = bf ? NNINIT_BF16 : NNINIT_F16;
            ck_assert_int_eq(nt_fill_case(d, NNINIT_F32, f, N, 99), NNINIT_OK);
            ck_assert_int_eq(nt_fill_case(d, dt, h, N, 99), NNINIT_OK);
            size_t exceptions = 0;
            for (size_t i = 0; i < N; i++) {
                uint16_t want = nt_round16(f[i], bf);
                if (d == 0 && (bf ? nt_bf16_to_f32(want) : nt_f16_to_f32(want)) >= 1.25f) {
                    /* largest value below high = 1.25: one step below 1.25's encoding */
                    want = (uint16_t)(nt_round16(1.25f, bf) - 1);
                    exceptions++;
                }
                ck_assert_msg(h[i] == want, "%s %s element %zu: f32 %a -> %04x, expected %04x", nt_dist_names[d],
                              bf ? "bf16" : "f16", i, (double)f[i], h[i], want);
            }
            if (d == 0) ck_assert_msg(exceptions > 0, "the high-bound exception was never exercised");
        }
    free(f); free(h);
}
END_TEST

/* Single-value rounding of the 16-bit formats at their hard points. */
START_TEST(test_half_rounding_edges)
{
    const float xs[] = { 1.0f, 1.00390625f, 1.005859375f, 0x1.0p-14f, 0x1.ff8p-15f, 0x1p-24f, 0x1p-25f, 0x1.8p-25f,
                         65504.0f, 65519.0f, -3.0e-6f, 3.3895e38f, 0x1.fep127f, 1e-40f };
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++)
        for (int bf = 0; bf < 2; bf++) {
            if (!bf && fabsf(xs[i]) > 65504.0f) continue;
            uint16_t h;
            ck_assert_int_eq(nninit_constant(&h, bf ? NNINIT_BF16 : NNINIT_F16, 1, xs[i]), NNINIT_OK);
            ck_assert_msg(h == nt_round16(xs[i], bf), "%s(%a) = %04x, expected %04x", bf ? "bf16" : "f16",
                          (double)xs[i], h, nt_round16(xs[i], bf));
        }
}
END_TEST

/* docs/CONTRACT.md's mapping, derived independently of the kernels from the
 * public generator: uniform f32 element e is word (e/16)%4 of counter
 * (e/64)*16 + e%16; uniform f64 uses words 2j, 2j+1 of counter (e/32)*16 + e%16
 * with j = (e/16)%2. */
START_TEST(test_mapping)
{
    const nninit_rng rng = { 0x0123456789ABCDEFull, 0xFEDCBA9876543210ull };
    const uint32_t key[2] = { 0x89ABCDEFu, 0x01234567u };
    const uint64_t off = (1ull << 40) + 5;
    enum { N = 5000 };
    float *f = malloc(N * 4);
    double *g = malloc(N * 8);
    ck_assert_int_eq(nninit_uniform(f, NNINIT_F32, N, -0.75, 1.25, rng, off), NNINIT_OK);
    ck_assert_int_eq(nninit_uniform(g, NNINIT_F64, N, -0.75, 1.25, rng, off), NNINIT_OK);
    const float lo = -0.75f, scale = 2.0f;
    for (uint64_t i = 0; i < N; i++) {
        uint64_t e = off + i, c = (e / 64) * 16 + e % 16;
        uint32_t ctr[4] = { (uint32_t)c, (uint32_t)(c >> 32), 0x76543210u, 0xFEDCBA98u }, w[4];
        nninit_philox4x32_10(ctr, key, w);
        float want = fmaf((float)(w[(e / 16) % 4] >> 8) * 0x1p-24f, scale, lo);   /* exact: 24-bit k * 2 - 0.75 */
        ck_assert_msg(f[i] == want, "f32 element %" PRIu64 ": %a vs %a", e, (double)f[i], (double)want);

        uint64_t cd = (e / 32) * 16 + e % 16, j = (e / 16) % 2;
        uint32_t ctrd[4] = { (uint32_t)cd, (uint32_t)(cd >> 32), 0x76543210u, 0xFEDCBA98u }, wd[4];
        nninit_philox4x32_10(ctrd, key, wd);
        uint64_t u = (uint64_t)wd[2 * j] | (uint64_t)wd[2 * j + 1] << 32;
        double wantd = (double)(u >> 12) * 0x1p-52 * 2.0 - 0.75;
        ck_assert_msg(g[i] == wantd, "f64 element %" PRIu64 ": %a vs %a", e, g[i], wantd);
    }
    free(f); free(g);
}
END_TEST

/* Long fills against digests recorded from the scalar path: every path this
 * machine runs (and aarch64/NEON under qemu) must reproduce them. */
START_TEST(test_golden)
{
    FILE *fp = fopen(NT_DATA_DIR "/golden.txt", "r");
    ck_assert_msg(fp != NULL, "cannot open " NT_DATA_DIR "/golden.txt");
    void *buf = malloc(NT_GOLDEN_N * 8);
    char line[256];
    int cases = 0;
    while (fgets(line, sizeof line, fp)) {
        if (line[0] == '#') continue;
        char dist[32], dtn[8];
        size_t n;
        unsigned long long off, want;
        ck_assert_int_eq(sscanf(line, "%31s %7s %zu %llu %llx", dist, dtn, &n, &off, &want), 5);
        int d = -1, t = -1;
        for (int k = 0; k < 3; k++) if (!strcmp(dist, nt_dist_names[k])) d = k;
        for (int k = 0; k < 4; k++) if (!strcmp(dtn, nninit_dtype_name(all_dtypes[k]))) t = k;
        ck_assert_msg(d >= 0 && t >= 0 && n == NT_GOLDEN_N, "bad golden line: %s", line);
        for (int i = 0; i < NT_N_ISAS; i++) {
            if (!nninit_isa_supported(nt_all_isas[i])) continue;
            fill_on(nt_all_isas[i], d, all_dtypes[t], buf, n, off);
            uint64_t got = nt_fnv1a(buf, n * nninit_dtype_size(all_dtypes[t]));
            ck_assert_msg(got == want, "%s %s %s: digest %016llx, golden %016llx", nt_all_isas[i], dist, dtn,
                          (unsigned long long)got, want);
        }
        cases++;
    }
    nninit_set_isa(NULL);
    fclose(fp);
    free(buf);
    ck_assert_int_eq(cases, 12);
}
END_TEST

/* NNINIT_ISA selects the path at resolution; names of paths the CPU lacks
 * clamp down, names of another architecture are ignored. */
START_TEST(test_isa_env)
{
    setenv("NNINIT_ISA", "scalar", 1);
    ck_assert_int_eq(nninit_set_isa("auto"), NNINIT_OK);
    ck_assert_str_eq(nninit_isa(), "scalar");
    setenv("NNINIT_ISA", "avx512", 1);
    nninit_set_isa(NULL);
    if (nninit_isa_supported("avx512")) ck_assert_str_eq(nninit_isa(), "avx512");
    else if (nninit_isa_supported("avx2")) ck_assert_str_eq(nninit_isa(), "avx2");
    setenv("NNINIT_ISA", "bogus", 1);
    nninit_set_isa(NULL);
    const char *auto_isa = nninit_isa();
    unsetenv("NNINIT_ISA");
    nninit_set_isa(NULL);
    ck_assert_str_eq(auto_isa, nninit_isa());
    for (int i = 0; i < NT_N_ISAS; i++)
        if (nninit_isa_supported(nt_all_isas[i])) {
            ck_assert_int_eq(nninit_set_isa(nt_all_isas[i]), NNINIT_OK);
            ck_assert_str_eq(nninit_isa(), nt_all_isas[i]);
        }
    nninit_set_isa(NULL);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("contract");
    TCase *tc = nt_tcase("contract");
    tcase_add_test(tc, test_mapping);
    tcase_add_test(tc, test_half_rounding_edges);
    tcase_add_test(tc, test_half_rounding);
    tcase_add_test(tc, test_slices);
    tcase_add_test(tc, test_isa_env);
    tcase_add_test(tc, test_isa_short_lengths);
    tcase_add_test(tc, test_isa_large);
    tcase_add_test(tc, test_golden);
    suite_add_tcase(s, tc);
    return s;
}

NNINIT_TEST_MAIN
