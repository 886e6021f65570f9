/* A checkpoint that provides none of the spec's tensors: almost always names
 * that differ by a prefix ("transformer.h.0..." against "model.h.0..."), and
 * loading nothing would silently initialize every tensor. This is refused
 * unless the caller allows it, with a message naming a few tensors of each
 * side and, when one exists, the rename that would match the most. */
#include <stdlib.h>
#include <string.h>
#include "model.h"

/* Spec tensors whose names seed rename candidates, and names shown per side. */
enum { SEEDS = 4, SHOWN = 3 };

typedef struct {
    const char *old_p, *new_p;   /* checkpoint prefix, spec prefix (into names that outlive the search) */
    size_t old_len, new_len;
    size_t hits;                 /* spec tensors it provides */
} rename_guess;

/* Checkpoint tensor j's name (also for a dtype nninit cannot read), or NULL. */
static const char *ckpt_name(const nninit_st_file *ckpt, size_t j)
{
    nninit_tensor ct;
    memset(&ct, 0, sizeof ct);
    nninit_st_tensor(ckpt, j, &ct);
    return ct.name;
}

/* Length of the longest common suffix of a and b that starts a dotted
 * component in both (at the start of the name or after a '.'). */
static size_t dotted_suffix(const char *a, size_t la, const char *b, size_t lb)
{
    size_t k = 0;
    while (k < la && k < lb && a[la - 1 - k] == b[lb - 1 - k]) k++;
    while (k > 0 && !((k == la || a[la - 1 - k] == '.') && (k == lb || b[lb - 1 - k] == '.'))) k--;
    return k;
}

/* How many spec tensors the checkpoint has under the rename g (as
 * nninit_ckpt_lookup applies it). */
static size_t count_hits(const nninit_sched_ *s, size_t n, const nninit_st_file *ckpt, const rename_guess *g)
{
    size_t hits = 0;
    char buf[1024];
    for (size_t i = 0; i < n; i++) {
        const char *name = nninit_sched_tensor_(s, i)->name;
        size_t len = strlen(name);
        if (len < g->new_len || memcmp(name, g->new_p, g->new_len) != 0) continue;
        if (g->old_len + (len - g->new_len) >= sizeof buf) continue;
        memcpy(buf, g->old_p, g->old_len);
        memcpy(buf + g->old_len, name + g->new_len, len - g->new_len + 1);
        hits += nninit_st_find(ckpt, buf) >= 0;
    }
    return hits;
}

/* The rename that provides the most spec tensors: for each of the first
 * spec tensors, the checkpoint tensor sharing its longest dotted suffix gives
 * the prefixes to swap. hits 0: none found. */
static rename_guess guess_rename(const nninit_sched_ *s, size_t n, const nninit_st_file *ckpt)
{
    rename_guess best = { NULL, NULL, 0, 0, 0 };
    size_t m = nninit_st_count(ckpt);
    for (size_t i = 0; i < n && i < SEEDS; i++) {
        const char *sn = nninit_sched_tensor_(s, i)->name;
        size_t ls = strlen(sn), best_k = 0;
        const char *match = NULL;
        for (size_t j = 0; j < m; j++) {
            const char *cn = ckpt_name(ckpt, j);
            if (!cn) continue;
            size_t k = dotted_suffix(sn, ls, cn, strlen(cn));
            if (k > best_k) { best_k = k; match = cn; }
        }
        if (!match) continue;
        rename_guess g = { match, sn, strlen(match) - best_k, ls - best_k, 0 };
        g.hits = count_hits(s, n, ckpt, &g);
        if (g.hits > best.hits) best = g;
    }
    return best;
}

/* "a", "b", "c", ... (N in all): names[0..shown) of total, as JSON strings
 * (control characters escaped). */
static void list_names(nninit_text_ *t, const char *const *names, size_t shown, size_t total)
{
    for (size_t i = 0; i < shown; i++) {
        if (i) nninit_text_str_(t, ", ");
        nninit_text_json_str_(t, names[i]);
    }
    if (total > shown) nninit_text_fmt_(t, ", ... (%zu in all)", total);
}

nninit_status nninit_ckpt_check_match_(const nninit_sched_ *s, size_t n, const nninit_st_file *ckpt,
                                       const nninit_load_options *load, const long *index, char *msg, size_t msg_size)
{
    if (n == 0 || (load && load->allow_no_match)) return NNINIT_OK;
    for (size_t i = 0; i < n; i++)
        if (index[i] >= 0) return NNINIT_OK;
    size_t m = nninit_st_count(ckpt);
    const char *spec_names[SHOWN], *ckpt_names[SHOWN];
    size_t ns = 0, nc = 0;
    for (size_t i = 0; i < n && ns < SHOWN; i++) spec_names[ns++] = nninit_sched_tensor_(s, i)->name;
    for (size_t j = 0; j < m && nc < SHOWN; j++)
        if (ckpt_name(ckpt, j)) ckpt_names[nc++] = ckpt_name(ckpt, j);
    nninit_text_ t = { 0 };
    nninit_text_fmt_(&t, "the checkpoint provides none of the spec's %zu tensors", n);
    rename_guess g = guess_rename(s, n, ckpt);
    if (g.hits) {
        nninit_text_str_(&t, " (the rename ");
        char *r = (char *)malloc(g.old_len + g.new_len + 2);
        if (r) {
            memcpy(r, g.old_p, g.old_len);
            r[g.old_len] = '=';
            memcpy(r + g.old_len + 1, g.new_p, g.new_len);
            r[g.old_len + 1 + g.new_len] = '\0';
            nninit_text_json_str_(&t, r);
            free(r);
        }
        nninit_text_fmt_(&t, " would provide %zu)", g.hits);
    }
    nninit_text_str_(&t, "; checkpoint tensors ");
    if (m) list_names(&t, ckpt_names, nc, m);
    else nninit_text_str_(&t, "(none: it is empty)");
    nninit_text_str_(&t, "; spec tensors ");
    list_names(&t, spec_names, ns, n);
    char *text = nninit_text_take_(&t);
    nninit_status st = nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "%s", text ? text : "the checkpoint provides none "
                                    "of the spec's tensors");
    free(text);
    return st;
}
