/* "Did you mean": the candidate a mistyped word was most likely meant to be.
 *
 * The measure is the optimal string alignment distance (Damerau-Levenshtein
 * restricted to adjacent transpositions that are not edited again): the
 * fewest insertions, deletions, substitutions and swaps of two neighbours
 * turning one word into the other, so "kaiming_unifrom" and "rleu" are one
 * edit away from what was meant. ASCII letters compare case-insensitively.
 * The threshold is rustc's (find_best_match_for_name): at most
 * max(3, length) / 3 edits, i.e. one edit per three characters; and, as git
 * and cargo do, a suggestion is made only when exactly one candidate is the
 * closest. */
#include <string.h>
#include "common.h"

/* Longer words are not names anyone types by hand; bounded stack rows. */
#define SUGGEST_MAX_LEN 64

static unsigned char fold(unsigned char c) { return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c; }

static size_t min3(size_t a, size_t b, size_t c)
{
    size_t m = a < b ? a : b;
    return m < c ? m : c;
}

size_t nninit_edit_distance_(const char *a, size_t la, const char *b, size_t lb)
{
    /* three rows of the dynamic-programming table: i-2, i-1, i */
    size_t rows[3][SUGGEST_MAX_LEN + 1];
    if (la > SUGGEST_MAX_LEN || lb > SUGGEST_MAX_LEN) return (size_t)-1;
    size_t *pp = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= lb; j++) prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        const unsigned char ca = fold((unsigned char)a[i - 1]);
        for (size_t j = 1; j <= lb; j++) {
            const unsigned char cb = fold((unsigned char)b[j - 1]);
            size_t d = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb));
            if (i > 1 && j > 1 && ca == fold((unsigned char)b[j - 2]) && fold((unsigned char)a[i - 2]) == cb &&
                pp[j - 2] + 1 < d)
                d = pp[j - 2] + 1;
            cur[j] = d;
        }
        size_t *t = pp;
        pp = prev;
        prev = cur;
        cur = t;
    }
    return prev[lb];
}

const char *nninit_suggest_n_(const char *word, size_t len, const char *const *candidates, size_t n)
{
    if (!word || !candidates || len == 0 || len > SUGGEST_MAX_LEN) return NULL;
    const size_t limit = (len > 3 ? len : 3) / 3;
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    int ties = 0;
    for (size_t k = 0; k < n; k++) {
        const char *c = candidates[k];
        if (!c) continue;
        const size_t d = nninit_edit_distance_(word, len, c, strlen(c));
        if (d < best_d) {
            best = c;
            best_d = d;
            ties = 0;
        } else if (d == best_d && strcmp(c, best) != 0) {
            ties = 1;   /* the same name listed twice is one candidate */
        }
    }
    /* d < len: a word sharing no character with the candidate suggests nothing */
    if (!best || ties || best_d > limit || best_d >= len) return NULL;
    return best;
}

const char *nninit_suggest(const char *word, const char *const *candidates, size_t n_candidates)
{
    return word ? nninit_suggest_n_(word, strlen(word), candidates, n_candidates) : NULL;
}
