/* Philox4x32 against the published known-answer vectors (Random123, SC11),
 * read from tests/data/philox4x32_kat.txt (the vectors as Random123 publishes them). */
#include <stdio.h>
#include "testutil.h"

#ifndef NT_DATA_DIR
#define NT_DATA_DIR "tests/data"
#endif

START_TEST(test_kat_file)
{
    FILE *f = fopen(NT_DATA_DIR "/philox4x32_kat.txt", "r");
    ck_assert_msg(f != NULL, "cannot open " NT_DATA_DIR "/philox4x32_kat.txt (run from the repo top)");
    char line[512];
    int n7 = 0, n10 = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n') continue;
        char name[32];
        unsigned rounds;
        uint32_t v[10];
        int got = sscanf(line, "%31s %u %x %x %x %x %x %x %x %x %x %x", name, &rounds, &v[0], &v[1], &v[2],
                         &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]);
        ck_assert_msg(got == 12, "malformed KAT line: %s", line);
        ck_assert_str_eq(name, "philox4x32");
        const uint32_t ctr[4] = { v[0], v[1], v[2], v[3] }, key[2] = { v[4], v[5] };
        uint32_t out[4];
        ck_assert_int_eq(nninit_philox4x32_r(rounds, ctr, key, out), NNINIT_OK);
        for (int i = 0; i < 4; i++)
            ck_assert_msg(out[i] == v[6 + i], "%u rounds, word %d: got %08x, published %08x", rounds, i,
                          out[i], v[6 + i]);
        if (rounds == 10) {
            uint32_t o10[4];
            nninit_philox4x32_10(ctr, key, o10);
            ck_assert(memcmp(o10, out, sizeof o10) == 0);
            n10++;
        } else if (rounds == 7) {
            n7++;
        }
    }
    fclose(f);
    ck_assert_int_eq(n10, 3);
    ck_assert_int_eq(n7, 3);
}
END_TEST

/* key = {seed low word, seed high word}: key {a4093822, 299f31d0} is seed
 * 0x299f31d0a4093822. Element 0 of an f32 fill with stream 0 is word 0 of
 * counter 0 under that key. */
START_TEST(test_seed_is_key)
{
    const uint32_t ctr[4] = { 0, 0, 0, 0 }, key[2] = { 0xa4093822u, 0x299f31d0u };
    uint32_t out[4];
    nninit_philox4x32_10(ctr, key, out);
    nninit_rng rng = { 0x299f31d0a4093822ull, 0 };
    float v[1];
    ck_assert_int_eq(nninit_uniform(v, NNINIT_F32, 1, 0.0, 1.0, rng, 0), NNINIT_OK);
    ck_assert_msg(v[0] == (float)(out[0] >> 8) * 0x1p-24f, "element 0 is not word 0 of counter 0");
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("philox");
    TCase *tc = nt_tcase("kat");
    tcase_add_test(tc, test_kat_file);
    tcase_add_test(tc, test_seed_is_key);
    suite_add_tcase(s, tc);
    return s;
}

NNINIT_TEST_MAIN
