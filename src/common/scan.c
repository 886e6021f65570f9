/* The scanner shared by the call-syntax parsers: init specs ("normal(std=0.02)",
 * src/schemes/spec.c) and data-dependent algorithms ("lsuv(tol=0.05)",
 * src/graph/algo.c). One tokenizer, so both read identifiers, numbers and
 * white space the same way and both report errors as `WHAT "TEXT": column N: REASON`. */
#include <ctype.h>
#include <stdarg.h>
#include <string.h>
#include "common.h"

nninit_status nninit_scan_fail_(const nninit_scan_ *p, nninit_status st, size_t at, const char *fmt, ...)
{
    if (p->msg && p->msg_size > 0) {
        char why[256];
        va_list ap;
        va_start(ap, fmt);
        nninit_vformat_c_(why, sizeof why, fmt, ap);
        va_end(ap);
        size_t len = strlen(p->s);
        nninit_format_c_(p->msg, p->msg_size, "%s \"%.*s%s\": column %zu: %s", p->what, len > 120 ? 117 : (int)len,
                         p->s, len > 120 ? "..." : "", at + 1, why);
    }
    return st;
}

void nninit_scan_ws_(nninit_scan_ *p)
{
    while (p->s[p->pos] && isspace((unsigned char)p->s[p->pos])) p->pos++;
}

int nninit_ident0_(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
int nninit_ident_char_(char c) { return nninit_ident0_(c) || (c >= '0' && c <= '9'); }

size_t nninit_scan_ident_(const nninit_scan_ *p)
{
    size_t n = 0;
    if (!nninit_ident0_(p->s[p->pos])) return 0;
    while (nninit_ident_char_(p->s[p->pos + n])) n++;
    return n;
}

size_t nninit_number_len_(const char *s, int integer_only)
{
    size_t i = 0, digits = 0;
    if (s[i] == '+' || s[i] == '-') i++;
    while (s[i] >= '0' && s[i] <= '9') { i++; digits++; }
    if (integer_only) return digits ? i : 0;
    if (s[i] == '.') { i++; while (s[i] >= '0' && s[i] <= '9') { i++; digits++; } }
    if (!digits) return 0;
    if (s[i] == 'e' || s[i] == 'E') {
        size_t j = i + 1, ed = 0;
        if (s[j] == '+' || s[j] == '-') j++;
        while (s[j] >= '0' && s[j] <= '9') { j++; ed++; }
        if (ed) i = j;
    }
    return i;
}

int nninit_scan_extent_(const nninit_scan_ *p, size_t at)
{
    size_t n = 0;
    while (p->s[at + n] && p->s[at + n] != ',' && p->s[at + n] != ')' && !isspace((unsigned char)p->s[at + n])) n++;
    return n > 40 ? 40 : (int)n;
}

int nninit_word_is_(const char *w, size_t len, const char *name)
{
    return strlen(name) == len && memcmp(w, name, len) == 0;
}
