/* NumPy .npy reader: format 1.0, 2.0 and 3.0 (numpy/lib/format.py).
 *
 * The header is a Python dict literal such as
 *   {'descr': '<f4', 'fortran_order': False, 'shape': (256, 3, 32, 32), }
 * with the three keys in any order. The reader parses exactly that grammar
 * (strings in single or double quotes, True/False, a tuple of integers),
 * checks that the data holds shape x item size bytes, nothing more or less,
 * and hands out the data row-major and in the host's byte order: big-endian
 * files are swapped and Fortran-ordered ones transposed on load. Every
 * array dtype whose descr is a plain type string opens; the four nninit
 * holds as floats ('<f4', '<f8', '<f2') are the ones nninit_npy_tensor gives
 * out ('<u2' stays an integer array: nninit writes bf16 that way, but a
 * uint16 file is not necessarily bf16). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "io.h"

/* Headers longer than this are refused: real ones are under 200 bytes, and
 * the limit bounds what a hostile length field can make us allocate. */
#define NPY_HEADER_LIMIT ((size_t)1 << 20)

struct nninit_npy_file {
    char *name;                      /* the path, or "" */
    char descr[16];                  /* as in the file, e.g. "<f4" */
    int dtype;                       /* nninit_dtype, or -1 */
    size_t itemsize;
    int ndim;
    int64_t shape[NNINIT_MAX_DIMS];
    size_t count;
    unsigned char *owned;            /* the bytes read, or the converted data */
    unsigned char *converted;        /* data in C order and host byte order, when it had to be rewritten */
    const unsigned char *data;
    size_t nbytes;
};

void nninit_npy_close(nninit_npy_file *f)
{
    if (!f) return;
    free(f->name);
    free(f->owned);
    free(f->converted);
    free(f);
}

/* ---- the header dict ----------------------------------------------------------- */
typedef struct {
    const char *s;
    size_t n, pos;
} hp;

static void ws(hp *p) { while (p->pos < p->n && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t')) p->pos++; }
static int eat(hp *p, char c)
{
    ws(p);
    if (p->pos < p->n && p->s[p->pos] == c) { p->pos++; return 1; }
    return 0;
}

/* A quoted string (no escapes: none of the keys or descrs need them). */
static int str(hp *p, char *out, size_t cap)
{
    ws(p);
    if (p->pos >= p->n || (p->s[p->pos] != '\'' && p->s[p->pos] != '"')) return 0;
    char q = p->s[p->pos++];
    size_t k = 0;
    while (p->pos < p->n && p->s[p->pos] != q) {
        if (p->s[p->pos] == '\\' || k + 1 >= cap) return 0;
        out[k++] = p->s[p->pos++];
    }
    if (p->pos >= p->n) return 0;
    p->pos++;
    out[k] = '\0';
    return 1;
}

static int word(hp *p, const char *w)
{
    ws(p);
    size_t l = strlen(w);
    if (p->n - p->pos < l || memcmp(p->s + p->pos, w, l) != 0) return 0;
    p->pos += l;
    return 1;
}

/* (a, b, c) with an optional trailing comma; () is a scalar. */
static int shape_tuple(hp *p, int64_t *shape, int *ndim)
{
    if (!eat(p, '(')) return 0;
    int d = 0;
    for (;;) {
        if (eat(p, ')')) break;
        ws(p);
        if (p->pos >= p->n || p->s[p->pos] < '0' || p->s[p->pos] > '9' || d == NNINIT_MAX_DIMS) return 0;
        int64_t v = 0;
        while (p->pos < p->n && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
            if (v > (INT64_MAX - 9) / 10) return 0;
            v = v * 10 + (p->s[p->pos++] - '0');
        }
        if (p->pos < p->n && p->s[p->pos] == 'L') p->pos++;   /* Python 2 longs */
        shape[d++] = v;
        if (eat(p, ')')) break;
        if (!eat(p, ',')) return 0;
    }
    *ndim = d;
    return 1;
}

static nninit_status parse_header(const char *h, size_t n, nninit_npy_file *f, int *fortran, char *msg,
                                  size_t msg_size)
{
    hp p = { h, n, 0 };
    int have[3] = { 0, 0, 0 };
    if (!eat(&p, '{')) RETURN_FAIL(NNINIT_E_FORMAT, "npy: the header is not a dict");
    for (;;) {
        char key[32];
        if (eat(&p, '}')) break;
        if (!str(&p, key, sizeof key) || !eat(&p, ':'))
            RETURN_FAIL(NNINIT_E_FORMAT, "npy: malformed header at byte %zu", p.pos);
        int k = strcmp(key, "descr") == 0 ? 0 : strcmp(key, "fortran_order") == 0 ? 1 : strcmp(key, "shape") == 0 ? 2 : -1;
        if (k < 0) RETURN_FAIL(NNINIT_E_FORMAT, "npy: unknown header key '%.31s'", key);
        if (have[k]) RETURN_FAIL(NNINIT_E_FORMAT, "npy: header key '%s' appears twice", key);
        have[k] = 1;
        if (k == 0 && !str(&p, f->descr, sizeof f->descr))
            RETURN_FAIL(NNINIT_E_FORMAT, "npy: 'descr' is not a plain type string (structured arrays are not supported)");
        if (k == 1) {
            if (word(&p, "True")) *fortran = 1;
            else if (word(&p, "False")) *fortran = 0;
            else RETURN_FAIL(NNINIT_E_FORMAT, "npy: 'fortran_order' is not True or False");
        }
        if (k == 2 && !shape_tuple(&p, f->shape, &f->ndim))
            RETURN_FAIL(NNINIT_E_FORMAT, "npy: 'shape' is not a tuple of at most %d sizes", NNINIT_MAX_DIMS);
        if (eat(&p, '}')) break;
        if (!eat(&p, ',')) RETURN_FAIL(NNINIT_E_FORMAT, "npy: malformed header at byte %zu", p.pos);
    }
    while (p.pos < p.n && (h[p.pos] == ' ' || h[p.pos] == '\t' || h[p.pos] == '\n' || h[p.pos] == '\r' ||
                           h[p.pos] == '\0'))
        p.pos++;
    if (p.pos != p.n) RETURN_FAIL(NNINIT_E_FORMAT, "npy: text after the header dict");
    static const char *const keys[3] = { "descr", "fortran_order", "shape" };
    for (int k = 0; k < 3; k++)
        if (!have[k]) RETURN_FAIL(NNINIT_E_FORMAT, "npy: header key '%s' missing", keys[k]);
    return NNINIT_OK;
}

/* descr: byte order ('<' '>' '|' '='), kind, item size. */
static nninit_status parse_descr(nninit_npy_file *f, int *swap, char *msg, size_t msg_size)
{
    const char *d = f->descr;
    char order = d[0], kind = d[1];
    char *end;
    if (!order || !kind || !strchr("<>|=", order) || !strchr("biufcmMSUV", kind) || d[2] < '1' || d[2] > '9')
        RETURN_FAIL(NNINIT_E_FORMAT, "npy: unknown dtype '%s'", d);
    errno = 0;
    unsigned long size = strtoul(d + 2, &end, 10);
    if (*end || errno || size == 0 || size > 4096 || (kind == 'U' && size > 1024)) RETURN_FAIL(NNINIT_E_FORMAT, "npy: unknown dtype '%s'", d);
    f->itemsize = kind == 'U' ? size * 4 : size;   /* 'U': UCS-4 characters */
    /* '=' is the writer's native order; files written by NumPy always say '<' or '>'. */
    *swap = order == '>' && size > 1;
    f->dtype = -1;
    if (kind == 'f' && size == 4) f->dtype = NNINIT_F32;
    if (kind == 'f' && size == 8) f->dtype = NNINIT_F64;
    if (kind == 'f' && size == 2) f->dtype = NNINIT_F16;
    if (*swap && kind != 'f' && kind != 'i' && kind != 'u' && kind != 'c' && kind != 'b')
        *swap = 0;   /* byte strings and the like have no order to swap; they are not handed out as tensors */
    return NNINIT_OK;
}

/* Row-major, host-order copy of Fortran-ordered and/or big-endian data. */
static unsigned char *convert(const unsigned char *src, const nninit_npy_file *f, int fortran, int swap)
{
    unsigned char *dst = malloc(f->nbytes ? f->nbytes : 1);
    if (!dst) return NULL;
    const size_t es = f->itemsize;
    int64_t idx[NNINIT_MAX_DIMS] = { 0 };
    int64_t fstride[NNINIT_MAX_DIMS];
    int64_t s = 1;
    for (int d = 0; d < f->ndim; d++) { fstride[d] = s; s *= f->shape[d]; }
    for (size_t i = 0; i < f->count; i++) {
        size_t from = i;
        if (fortran) {
            from = 0;
            for (int d = 0; d < f->ndim; d++) from += (size_t)(idx[d] * fstride[d]);
            for (int d = f->ndim - 1; d >= 0; d--) {   /* next C-order index */
                if (++idx[d] < f->shape[d]) break;
                idx[d] = 0;
            }
        }
        const unsigned char *a = src + from * es;
        unsigned char *b = dst + i * es;
        if (swap) for (size_t k = 0; k < es; k++) b[k] = a[es - 1 - k];
        else memcpy(b, a, es);
    }
    return dst;
}

/* Parses the image b[0..size) into f; f->data points into b unless the data had to be converted. */
static nninit_status parse_image(const unsigned char *b, size_t size, nninit_npy_file *f, char *msg, size_t msg_size)
{
    if (size < 10 || memcmp(b, "\x93NUMPY", 6) != 0) RETURN_FAIL(NNINIT_E_FORMAT, "npy: not a .npy file (no \\x93NUMPY magic)");
    unsigned major = b[6];
    if (major < 1 || major > 3) RETURN_FAIL(NNINIT_E_FORMAT, "npy: format version %u.%u is not supported (1.0 to 3.0)",
                                     major, (unsigned)b[7]);
    size_t pre = major == 1 ? 10 : 12;
    if (size < pre) RETURN_FAIL(NNINIT_E_FORMAT, "npy: truncated header");
    size_t hlen = major == 1 ? (size_t)b[8] | (size_t)b[9] << 8
                             : (size_t)b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 | (size_t)b[11] << 24;
    if (hlen > NPY_HEADER_LIMIT) RETURN_FAIL(NNINIT_E_FORMAT, "npy: header length %zu is implausible", hlen);
    if (hlen > size - pre) RETURN_FAIL(NNINIT_E_FORMAT, "npy: the header runs past the end of the file");
    int fortran = 0, swap = 0;
    FORWARD_IF_ERROR(parse_header((const char *)b + pre, hlen, f, &fortran, msg, msg_size));
    FORWARD_IF_ERROR(parse_descr(f, &swap, msg, msg_size));
    if (nninit_shape_count_(f->shape, f->ndim, &f->count) != NNINIT_OK || f->count > SIZE_MAX / f->itemsize)
        RETURN_FAIL(NNINIT_E_FORMAT, "npy: the shape has too many elements");
    f->nbytes = f->count * f->itemsize;
    size_t have = size - pre - hlen;
    if (have != f->nbytes) {
        char shp[256];
        nninit_shape_str_(shp, sizeof shp, f->shape, f->ndim);
        RETURN_FAIL(NNINIT_E_FORMAT, "npy: the data holds %zu bytes; shape %s of '%s' needs %zu", have, shp, f->descr,
             f->nbytes);
    }
    const unsigned char *data = b + pre + hlen;
    if (fortran && f->ndim < 2) fortran = 0;   /* the same bytes either way */
    if (fortran || swap || ((uintptr_t)data % (f->itemsize <= 8 ? f->itemsize : 8)) != 0) {
        f->converted = convert(data, f, fortran, swap);
        if (!f->converted) RETURN_FAIL(NNINIT_E_NOMEM, "npy: out of memory");
        f->data = f->converted;
    } else {
        f->data = data;
    }
    return NNINIT_OK;
}

static nninit_status finish(nninit_npy_file *f, const char *name, nninit_status st, nninit_npy_file **out)
{
    if (st == NNINIT_OK && !(f->name = malloc(strlen(name) + 1))) st = NNINIT_E_NOMEM;
    if (st != NNINIT_OK) { nninit_npy_close(f); return st; }
    memcpy(f->name, name, strlen(name) + 1);
    if (f->converted) { free(f->owned); f->owned = NULL; }
    *out = f;
    return NNINIT_OK;
}

nninit_status nninit_npy_open_memory(const void *bytes, size_t size, nninit_npy_file **out, char *msg,
                                     size_t msg_size)
{
    nninit_msg_clear_(msg, msg_size);
    if (!out) RETURN_FAIL(NNINIT_E_NULL, "npy: NULL output handle");
    *out = NULL;
    if (!bytes && size) RETURN_FAIL(NNINIT_E_NULL, "npy: NULL bytes");
    nninit_npy_file *f = calloc(1, sizeof *f);
    if (!f) RETURN_FAIL(NNINIT_E_NOMEM, "npy: out of memory");
    /* A copy, so the handle does not depend on the caller's bytes. */
    f->owned = malloc(size ? size : 1);
    if (!f->owned) { nninit_npy_close(f); RETURN_FAIL(NNINIT_E_NOMEM, "npy: out of memory"); }
    if (size) memcpy(f->owned, bytes, size);
    nninit_status st = parse_image(f->owned, size, f, msg, msg_size);
    return finish(f, "", st, out);
}

nninit_status nninit_npy_open(const char *path, nninit_npy_file **out, char *msg, size_t msg_size)
{
    nninit_msg_clear_(msg, msg_size);
    if (!out) RETURN_FAIL(NNINIT_E_NULL, "npy: NULL output handle");
    *out = NULL;
    if (!path) RETURN_FAIL(NNINIT_E_NULL, "npy: NULL path");
    /* "-" is standard input (a pipe is fine there: the caller asked for it);
     * a named input must be a regular file, checked without blocking */
    const char *why;
    char *text;
    size_t len;
    int opened;
    if (nninit_read_input_(path, 1, 0, &text, &len, &opened, &why) != 0) {
        int e = errno;
        if (e == ENOMEM) RETURN_FAIL(NNINIT_E_NOMEM, "out of memory reading \"%.200s\"", path);
        nninit_fail_(NNINIT_E_IO, msg, msg_size, "cannot %s \"%.200s\": %s", opened ? "read" : "open", path, why);
        errno = e;
        return NNINIT_E_IO;
    }
    unsigned char *buf = (unsigned char *)text;
    nninit_npy_file *f = calloc(1, sizeof *f);
    if (!f) { free(buf); RETURN_FAIL(NNINIT_E_NOMEM, "npy: out of memory"); }
    f->owned = buf;
    char reason[512];
    nninit_status st = parse_image(buf, len, f, reason, sizeof reason);
    if (st != NNINIT_OK) nninit_fail_(st, msg, msg_size, "%.200s: %s", path, reason);
    return finish(f, path, st, out);
}

const char *nninit_npy_descr(const nninit_npy_file *f) { return f ? f->descr : NULL; }

nninit_status nninit_npy_tensor(const nninit_npy_file *f, nninit_tensor *out)
{
    RETURN_ERROR_IF(!f || !out, NNINIT_E_NULL);
    memset(out, 0, sizeof *out);
    out->name = f->name;
    out->dtype = (nninit_dtype)f->dtype;
    out->ndim = f->ndim;
    memcpy(out->shape, f->shape, sizeof out->shape);
    out->data = f->data;
    out->nbytes = f->nbytes;
    return f->dtype < 0 ? NNINIT_E_DTYPE : NNINIT_OK;
}
