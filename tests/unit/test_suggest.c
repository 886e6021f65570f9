/* nninit_suggest: "did you mean". Expected answers are worked out by hand
 * from the definition in include/nninit.h (optimal string alignment
 * distance, at most max(3, length) / 3 edits and fewer than the word's
 * length, one closest candidate): each case says which edits it counts. */
#include <string.h>
#include "testutil.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

START_TEST(test_suggest_typos)
{
    static const char *const commands[] = { "init", "probe", "fill", "schemes", "help", "version" };
    /* fill: one insertion (limit 3/3 = 1); init: 3 edits */
    ck_assert_str_eq(nninit_suggest("fil", commands, N_OF(commands)), "fill");
    ck_assert_str_eq(nninit_suggest("shcemes", commands, N_OF(commands)), "schemes");   /* one swap */
    ck_assert_ptr_null(nninit_suggest("xyzzy", commands, N_OF(commands)));
    static const char *const opts[] = { "seed", "shape", "dtype", "init", "name", "output" };
    ck_assert_str_eq(nninit_suggest("sed", opts, N_OF(opts)), "seed");
    /* a swap of neighbours is one edit: "rleu" is 2 Levenshtein edits from
     * relu (over the limit of 4/3 = 1) but one transposition */
    static const char *const nl[] = { "linear", "sigmoid", "tanh", "relu", "leaky_relu", "selu" };
    ck_assert_str_eq(nninit_suggest("rleu", nl, N_OF(nl)), "relu");
    /* letters compare case-insensitively: RELU is 0 from relu, 1 from selu */
    ck_assert_str_eq(nninit_suggest("RELU", nl, N_OF(nl)), "relu");
    ck_assert_str_eq(nninit_suggest("relu", nl, N_OF(nl)), "relu");
    static const char *const schemes[] = { "kaiming_uniform", "kaiming_normal", "xavier_uniform" };
    ck_assert_str_eq(nninit_suggest("kaiming_unifrom", schemes, N_OF(schemes)), "kaiming_uniform");
}
END_TEST

START_TEST(test_suggest_limits)
{
    /* limit max(3, 6) / 3 = 2: two substitutions pass, three do not */
    static const char *const two[] = { "abcdxy" }, *const three[] = { "abcxyz" };
    ck_assert_str_eq(nninit_suggest("abcdef", two, 1), "abcdxy");
    ck_assert_ptr_null(nninit_suggest("abcdef", three, 1));
    /* OSA, not unrestricted Damerau-Levenshtein: "ca" -> "abc" is 3 edits in
     * OSA (a swapped pair is not edited again), 2 in Damerau-Levenshtein; the
     * limit for 8 letters is 2 */
    static const char *const osa[] = { "xxxxxxabc" };
    ck_assert_ptr_null(nninit_suggest("xxxxxxca", osa, 1));
    /* at least one character must survive: "x" is 1 edit from "y" but shares nothing */
    static const char *const y[] = { "y" }, *const ba[] = { "ba" };
    ck_assert_ptr_null(nninit_suggest("x", y, 1));
    ck_assert_str_eq(nninit_suggest("ab", ba, 1), "ba");
}
END_TEST

START_TEST(test_suggest_ambiguous_and_bad_input)
{
    /* conv4d is one substitution from each of three: no suggestion */
    static const char *const conv[] = { "conv1d", "conv2d", "conv3d", "linear" };
    ck_assert_ptr_null(nninit_suggest("conv4d", conv, N_OF(conv)));
    /* the same name twice is one candidate; NULL entries are skipped */
    static const char *const dup[] = { "fill", NULL, "fill" };
    ck_assert_str_eq(nninit_suggest("fil", dup, N_OF(dup)), "fill");
    /* the answer is one of the caller's pointers */
    static const char *const one[] = { "seed" };
    ck_assert_ptr_eq(nninit_suggest("sed", one, 1), one[0]);
    ck_assert_ptr_null(nninit_suggest(NULL, one, 1));
    ck_assert_ptr_null(nninit_suggest("", one, 1));
    ck_assert_ptr_null(nninit_suggest("sed", NULL, 1));
    ck_assert_ptr_null(nninit_suggest("sed", one, 0));
    /* over 64 bytes: never matched (a word, or a candidate) */
    char long_word[70], long_cand[70];
    memset(long_word, 'a', 65);
    long_word[65] = '\0';
    memcpy(long_cand, long_word, 66);
    long_cand[64] = 'b';
    const char *cands[] = { long_cand };
    ck_assert_ptr_null(nninit_suggest(long_word, cands, 1));
    long_word[64] = '\0';   /* 64 bytes: matched against a 64-byte candidate one edit away */
    long_cand[64] = '\0';
    long_cand[0] = 'b';
    ck_assert_ptr_eq(nninit_suggest(long_word, cands, 1), long_cand);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("suggest");
    TCase *tc = nt_tcase("suggest");
    tcase_add_test(tc, test_suggest_typos);
    tcase_add_test(tc, test_suggest_limits);
    tcase_add_test(tc, test_suggest_ambiguous_and_bad_input);
    suite_add_tcase(s, tc);
    return s;
}

NNINIT_TEST_MAIN
