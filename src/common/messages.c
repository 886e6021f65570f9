/* Versions, status strings, and the messages that explain a failure. Every
 * number in a message or a spec is written and read in the "C" locale, so a
 * spec means the same thing and a message reads the same under any locale. */
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include "common.h"

unsigned nninit_version_number(void) { return NNINIT_VERSION_NUMBER; }
const char *nninit_version_string(void) { return NNINIT_VERSION_STRING; }

const char *nninit_status_str(nninit_status status)
{
    switch (status) {
    case NNINIT_OK: return "ok";
    case NNINIT_E_NULL: return "NULL pointer where data is required";
    case NNINIT_E_DTYPE: return "unknown dtype";
    case NNINIT_E_PARAM: return "invalid parameter (NaN/inf, std < 0, low >= high, or outside the dtype's range)";
    case NNINIT_E_MASS: return "truncation bounds hold almost no probability mass";
    case NNINIT_E_OVERFLOW: return "size overflow (n * element size, or offset + n)";
    case NNINIT_E_ISA: return "instruction-set path unknown or not supported on this CPU";
    case NNINIT_E_NOMEM: return "out of memory";
    case NNINIT_E_SPEC: return "bad init spec (syntax, unknown scheme, parameter or value)";
    case NNINIT_E_SHAPE: return "bad shape, a shape the scheme cannot take, or a slice outside the tensor";
    case NNINIT_E_LAPACK: return "LAPACK reported a failure";
    case NNINIT_E_IO: return "file I/O failed";
    case NNINIT_E_FORMAT: return "malformed file or model spec";
    case NNINIT_E_CANCELED: return "canceled by the caller";
    case NNINIT_E_EXISTS: return "the output exists and replacing it was not allowed";
    case NNINIT_E_DATA: return "unusable data batch (empty, non-finite, too few samples, or an overflowing forward pass)";
    case NNINIT_E_CALLBACK: return "a caller's callback reported a failure";
    }
    return "unknown status";
}

/* ---- the C locale ------------------------------------------------------------ */
static locale_t g_c_locale;
static pthread_once_t g_c_locale_once = PTHREAD_ONCE_INIT;
static void make_c_locale(void) { g_c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0); }
static locale_t c_locale(void)
{
    pthread_once(&g_c_locale_once, make_c_locale);
    return g_c_locale;
}

void nninit_vformat_c_(char *buf, size_t size, const char *fmt, va_list ap)
{
    locale_t loc = c_locale(), old = (locale_t)0;
    if (loc) old = uselocale(loc);
    vsnprintf(buf, size, fmt, ap);
    if (loc) uselocale(old);
}

size_t nninit_format_c_(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    char one;
    va_start(ap, fmt);
    /* vsnprintf's return value is the length it needs, also when size is 0. */
    locale_t loc = c_locale(), old = (locale_t)0;
    if (loc) old = uselocale(loc);
    int n = vsnprintf(size ? buf : &one, size ? size : 1, fmt, ap);
    if (loc) uselocale(old);
    va_end(ap);
    return n > 0 ? (size_t)n : 0;
}

double nninit_strtod_c_(const char *s, char **end)
{
    locale_t loc = c_locale();
    return loc ? strtod_l(s, end, loc) : strtod(s, end);
}

/* ---- failures ------------------------------------------------------------------ */
nninit_status nninit_fail_(nninit_status status, char *msg, size_t msg_size, const char *fmt, ...)
{
    if (msg && msg_size > 0) {
        va_list ap;
        va_start(ap, fmt);
        nninit_vformat_c_(msg, msg_size, fmt, ap);
        va_end(ap);
    }
    return status;
}

void nninit_msg_clear_(char *msg, size_t msg_size)
{
    if (msg && msg_size > 0) msg[0] = '\0';
}
