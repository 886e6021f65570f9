/* Growable text, JSON string literals, UTF-8 validation: what the safetensors
 * writer, the model metadata and the npy-directory metadata build headers
 * with. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"

void nninit_text_add_(nninit_text_ *t, const char *s, size_t n)
{
    if (t->failed) return;
    if (n >= t->cap - t->len || t->cap == 0) {           /* keep room for the final NUL */
        size_t cap = t->cap ? t->cap : 256;
        while (n >= cap - t->len) {
            if (cap > SIZE_MAX / 2) { t->failed = 1; return; }
            cap *= 2;
        }
        char *p = realloc(t->buf, cap);
        if (!p) { t->failed = 1; return; }
        t->buf = p;
        t->cap = cap;
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len] = '\0';
}

void nninit_text_str_(nninit_text_ *t, const char *s) { nninit_text_add_(t, s, strlen(s)); }

void nninit_text_fmt_(nninit_text_ *t, const char *fmt, ...)
{
    char small[128];
    va_list ap;
    va_start(ap, fmt);
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap2);   /* length only: the text is redone in the C locale */
    va_end(ap2);
    if (n < 0) { t->failed = 1; va_end(ap); return; }
    char *buf = (size_t)n < sizeof small ? small : malloc((size_t)n + 1);
    if (!buf) { t->failed = 1; va_end(ap); return; }
    nninit_vformat_c_(buf, (size_t)n + 1, fmt, ap);
    va_end(ap);
    nninit_text_add_(t, buf, strlen(buf));
    if (buf != small) free(buf);
}

void nninit_text_json_str_(nninit_text_ *t, const char *s)
{
    nninit_text_add_(t, "\"", 1);
    const char *run = s;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        nninit_text_add_(t, run, (size_t)(p - run));
        char esc[8];
        switch (c) {
        case '"': nninit_text_add_(t, "\\\"", 2); break;
        case '\\': nninit_text_add_(t, "\\\\", 2); break;
        case '\n': nninit_text_add_(t, "\\n", 2); break;
        case '\t': nninit_text_add_(t, "\\t", 2); break;
        case '\r': nninit_text_add_(t, "\\r", 2); break;
        default:
            snprintf(esc, sizeof esc, "\\u%04x", c);
            nninit_text_add_(t, esc, 6);
        }
        run = p + 1;
    }
    nninit_text_str_(t, run);
    nninit_text_add_(t, "\"", 1);
}

char *nninit_text_take_(nninit_text_ *t)
{
    if (!t->failed && !t->buf) nninit_text_add_(t, "", 0);
    char *s = t->failed ? NULL : t->buf;
    if (!s) free(t->buf);
    t->buf = NULL;
    t->len = t->cap = 0;
    return s;
}

void nninit_text_free_(nninit_text_ *t)
{
    free(t->buf);
    t->buf = NULL;
    t->len = t->cap = 0;
}

size_t nninit_utf8_check_(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        if (c < 0x80) { i++; continue; }
        size_t n;
        unsigned lo = 0x80, hi = 0xBF;  /* range of the second byte */
        if (c >= 0xC2 && c <= 0xDF) n = 1;
        else if (c == 0xE0) { n = 2; lo = 0xA0; }
        else if (c == 0xED) { n = 2; hi = 0x9F; }           /* U+D800..DFFF are surrogates */
        else if (c >= 0xE1 && c <= 0xEF) n = 2;
        else if (c == 0xF0) { n = 3; lo = 0x90; }
        else if (c >= 0xF1 && c <= 0xF3) n = 3;
        else if (c == 0xF4) { n = 3; hi = 0x8F; }           /* nothing above U+10FFFF */
        else return i;                                      /* 80..C1 (continuation, overlong), F5..FF */
        if (len - i <= n) return i;
        if (s[i + 1] < lo || s[i + 1] > hi) return i;
        for (size_t k = 2; k <= n; k++)
            if (s[i + k] < 0x80 || s[i + k] > 0xBF) return i;
        i += n + 1;
    }
    return len;
}

int nninit_utf8_ok_(const char *s)
{
    size_t n = strlen(s);
    return nninit_utf8_check_((const unsigned char *)s, n) == n;
}
