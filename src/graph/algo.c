/* Data-dependent algorithms named by spec strings: "lsuv(tol=0.05)",
 * "batch_stats(mean=0, std=1)". The grammar is the init spec's
 * (docs/SCHEMES.md), numbers in the "C" locale, sqrt(x) allowed:
 *
 *   spec   := ws name ws [ '(' ws [ param { ws ',' ws param } ] ws ')' ] ws
 *   param  := name ws '=' ws value
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "graph.h"

enum { A_TOL, A_MAX_ITER, A_TARGET_VAR, A_MEAN, A_STD, N_PARAMS };
static const char *const k_params[N_PARAMS] = { "tol", "max_iter", "target_var", "mean", "std" };
static const struct {
    const char *name;
    nninit_data_init_kind kind;
    unsigned params;   /* bits of the enum above */
    const char *text;
} k_algos[] = {
    { "lsuv", NNINIT_DATA_LSUV, 1u << A_TOL | 1u << A_MAX_ITER | 1u << A_TARGET_VAR, "tol, max_iter, target_var" },
    { "batch_stats", NNINIT_DATA_BATCH_STATS, 1u << A_MEAN | 1u << A_STD, "mean, std" },
};
#define N_ALGOS (sizeof k_algos / sizeof k_algos[0])

/* max_iter above this is refused: LSUV converges in a handful of steps, and
 * the bound keeps a report's iteration count an int. */
#define MAX_ITER_LIMIT 1000000

nninit_data_init nninit_data_init_default(nninit_data_init_kind kind)
{
    nninit_data_init a;
    memset(&a, 0, sizeof a);
    a.kind = kind == NNINIT_DATA_BATCH_STATS ? kind : NNINIT_DATA_LSUV;
    a.tol = 0.1;
    a.max_iter = 10;
    a.target_var = 1;
    a.mean = 0;
    a.std = 1;
    return a;
}

nninit_status nninit_data_init_check_(const nninit_data_init *a, char *why, size_t why_size)
{
    if (a->kind == NNINIT_DATA_LSUV) {
        if (!(a->tol >= 0) || !isfinite(a->tol))
            return nninit_fail_(NNINIT_E_PARAM, why, why_size, "tol out of range: %.17g (a finite number >= 0)", a->tol);
        if (a->max_iter < 0 || a->max_iter > MAX_ITER_LIMIT)
            return nninit_fail_(NNINIT_E_PARAM, why, why_size, "max_iter out of range: %d (0..%d)", a->max_iter,
                                MAX_ITER_LIMIT);
        if (!(a->target_var > 0) || !isfinite(a->target_var))
            return nninit_fail_(NNINIT_E_PARAM, why, why_size, "target_var out of range: %.17g (a finite number > 0)",
                                a->target_var);
        return NNINIT_OK;
    }
    if (a->kind == NNINIT_DATA_BATCH_STATS) {
        if (!isfinite(a->mean))
            return nninit_fail_(NNINIT_E_PARAM, why, why_size, "mean out of range: %.17g (a finite number)", a->mean);
        if (!(a->std > 0) || !isfinite(a->std))
            return nninit_fail_(NNINIT_E_PARAM, why, why_size, "std out of range: %.17g (a finite number > 0)", a->std);
        return NNINIT_OK;
    }
    return nninit_fail_(NNINIT_E_PARAM, why, why_size, "unknown algorithm kind %d", (int)a->kind);
}

/* ---- the parser (the tokenizer is common/scan.c) ---------------------------------- */
typedef nninit_scan_ parser;

static nninit_status parse_value(parser *p, const char *pname, double *out)
{
    size_t at = p->pos;
    int root = 0;
    if (strncmp(p->s + p->pos, "sqrt", 4) == 0 && !nninit_ident_char_(p->s[p->pos + 4])) {
        p->pos += 4;
        nninit_scan_ws_(p);
        if (p->s[p->pos] != '(') return nninit_scan_fail_(p, NNINIT_E_SPEC, p->pos, "syntax error: expected '(' after sqrt");
        p->pos++;
        nninit_scan_ws_(p);
        root = 1;
    }
    size_t start = p->pos, len = nninit_number_len_(p->s + p->pos, 0);
    if (len == 0 || nninit_ident_char_(p->s[p->pos + len]) || p->s[p->pos + len] == '.' || len >= 64)
        return nninit_scan_fail_(p, NNINIT_E_SPEC, start, "bad number '%.*s' for %s", nninit_scan_extent_(p, start), p->s + start, pname);
    char buf[64];
    memcpy(buf, p->s + start, len);
    buf[len] = '\0';
    double v = nninit_strtod_c_(buf, NULL);
    p->pos += len;
    if (root) {
        nninit_scan_ws_(p);
        if (p->s[p->pos] != ')') return nninit_scan_fail_(p, NNINIT_E_SPEC, p->pos, "syntax error: expected ')' to close sqrt(");
        p->pos++;
        if (v < 0) return nninit_scan_fail_(p, NNINIT_E_PARAM, at, "%s out of range: sqrt of a negative number", pname);
        v = sqrt(v);
    }
    if (!isfinite(v)) return nninit_scan_fail_(p, NNINIT_E_PARAM, at, "%s out of range: %s is not a finite number", pname, buf);
    *out = v;
    return NNINIT_OK;
}

/* "; did you mean 'NAME'?" for the unknown algorithm or parameter w[0..len)
 * (among the algorithm's own, params: its bits; an algorithm when algo < 0),
 * or "" (nninit_suggest). */
static const char *algo_hint(char *buf, size_t cap, const char *w, size_t len, int algo)
{
    const char *names[N_ALGOS > N_PARAMS ? N_ALGOS : N_PARAMS];
    size_t n = 0;
    for (size_t i = 0; algo < 0 && i < N_ALGOS; i++) names[n++] = k_algos[i].name;
    for (size_t i = 0; algo >= 0 && i < N_PARAMS; i++)
        names[n++] = k_algos[algo].params & (1u << i) ? k_params[i] : NULL;
    const char *d = nninit_suggest_n_(w, len, names, n);
    if (!d) return "";
    nninit_format_c_(buf, cap, "; did you mean '%s'?", d);
    return buf;
}

nninit_status nninit_data_init_parse(const char *spec, nninit_data_init *out, char *msg, size_t msg_size)
{
    nninit_msg_clear_(msg, msg_size);
    RETURN_ERROR_IF(!spec || !out, nninit_fail_(NNINIT_E_NULL, msg, msg_size, "NULL spec or output"));
    parser p = { spec, 0, msg, msg_size, "data init" };
    nninit_scan_ws_(&p);
    size_t at = p.pos, len = nninit_scan_ident_(&p);
    if (len == 0)
        return nninit_scan_fail_(&p, NNINIT_E_SPEC, at, spec[at] ? "syntax error: expected an algorithm name"
                    : "empty (expected lsuv or batch_stats)");
    size_t k = 0;
    while (k < N_ALGOS && !nninit_word_is_(spec + at, len, k_algos[k].name)) k++;
    if (k == N_ALGOS) {
        char hint[64];
        return nninit_scan_fail_(&p, NNINIT_E_SPEC, at, "unknown algorithm '%.*s'%s (expected lsuv or batch_stats)",
                    len > 40 ? 40 : (int)len, spec + at, algo_hint(hint, sizeof hint, spec + at, len, -1));
    }
    p.pos += len;
    nninit_data_init a = nninit_data_init_default(k_algos[k].kind);
    unsigned seen = 0;
    nninit_scan_ws_(&p);
    if (spec[p.pos] == '(') {
        p.pos++;
        nninit_scan_ws_(&p);
        if (spec[p.pos] == ')') {
            p.pos++;
        } else {
            for (;;) {
                nninit_scan_ws_(&p);
                size_t pat = p.pos, plen = nninit_scan_ident_(&p);
                if (plen == 0) return nninit_scan_fail_(&p, NNINIT_E_SPEC, pat, "syntax error: expected a parameter name");
                int id = 0;
                while (id < N_PARAMS && !nninit_word_is_(spec + pat, plen, k_params[id])) id++;
                char hint[64];
                if (id == N_PARAMS || !(k_algos[k].params & (1u << id)))
                    return nninit_scan_fail_(&p, NNINIT_E_SPEC, pat, "unknown parameter '%.*s' for %s%s (it takes %s)",
                                plen > 40 ? 40 : (int)plen, spec + pat, k_algos[k].name,
                                algo_hint(hint, sizeof hint, spec + pat, plen, (int)k), k_algos[k].text);
                if (seen & (1u << id)) return nninit_scan_fail_(&p, NNINIT_E_SPEC, pat, "%s given twice", k_params[id]);
                seen |= 1u << id;
                p.pos += plen;
                nninit_scan_ws_(&p);
                if (spec[p.pos] != '=')
                    return nninit_scan_fail_(&p, NNINIT_E_SPEC, p.pos, "syntax error: expected '=' after %s", k_params[id]);
                p.pos++;
                nninit_scan_ws_(&p);
                size_t vat = p.pos;
                double v = 0;
                FORWARD_IF_ERROR(parse_value(&p, k_params[id], &v));
                switch (id) {
                case A_TOL: a.tol = v; break;
                case A_MAX_ITER:
                    if (v != floor(v) || v < 0 || v > MAX_ITER_LIMIT)
                        return nninit_scan_fail_(&p, NNINIT_E_PARAM, vat, "max_iter out of range: %.17g (an integer in 0..%d)", v,
                                    MAX_ITER_LIMIT);
                    a.max_iter = (int)v;
                    break;
                case A_TARGET_VAR: a.target_var = v; break;
                case A_MEAN: a.mean = v; break;
                default: a.std = v; break;
                }
                char why[200];
                nninit_status st = nninit_data_init_check_(&a, why, sizeof why);
                if (st != NNINIT_OK) return nninit_scan_fail_(&p, st, vat, "%s", why);
                nninit_scan_ws_(&p);
                if (spec[p.pos] == ',') { p.pos++; continue; }
                if (spec[p.pos] == ')') { p.pos++; break; }
                return nninit_scan_fail_(&p, NNINIT_E_SPEC, p.pos, spec[p.pos] ? "syntax error: expected ',' or ')'"
                            : "syntax error: missing ')'");
            }
        }
    }
    nninit_scan_ws_(&p);
    if (spec[p.pos]) return nninit_scan_fail_(&p, NNINIT_E_SPEC, p.pos, "syntax error: unexpected text after the algorithm");
    *out = a;
    return NNINIT_OK;
}

/* ---- the formatter ---------------------------------------------------------------------- */
/* Shortest %.Ng that reads back as the same double. */
static void fmt_double(char *buf, size_t cap, double v)
{
    for (int prec = 15; prec <= 17; prec++) {
        nninit_format_c_(buf, cap, "%.*g", prec, v);
        if (nninit_strtod_c_(buf, NULL) == v) return;
    }
}

size_t nninit_data_init_format(const nninit_data_init *a, char *buf, size_t buf_size)
{
    if (!a || nninit_data_init_check_(a, NULL, 0) != NNINIT_OK) {
        if (buf && buf_size) buf[0] = '\0';
        return 0;
    }
    char x[40], y[40], z[40];
    if (!buf) buf_size = 0;
    if (a->kind == NNINIT_DATA_LSUV) {
        fmt_double(x, sizeof x, a->tol);
        fmt_double(z, sizeof z, a->target_var);
        return nninit_format_c_(buf, buf_size, "lsuv(tol=%s, max_iter=%d, target_var=%s)", x, a->max_iter, z);
    }
    fmt_double(x, sizeof x, a->mean);
    fmt_double(y, sizeof y, a->std);
    return nninit_format_c_(buf, buf_size, "batch_stats(mean=%s, std=%s)", x, y);
}
