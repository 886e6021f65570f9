/* NumPy .npy writer (format 1.0, 2.0 when the header needs it).
 *
 * The format (numpy/lib/format.py, "NEP 1"): the magic "\x93NUMPY", a major
 * and minor version byte, the header length as a little-endian uint16 (1.0)
 * or uint32 (2.0), then the header: a Python dict literal padded with spaces
 * and ended by '\n' so that magic + version + length + header is a multiple
 * of 64 bytes (the data then starts aligned for memory mapping). The data
 * follows, row-major, in the byte order the descr names: always
 * little-endian here ('<'), byte-swapped on a big-endian host.
 *
 * Here: the checks and the header. The bytes go out as every output's do:
 * layout.c plans the file, save.c (nninit_npy_save) writes it through the
 * sink (temporary file + fsync + rename; devices, FIFOs and "-" directly). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "io.h"

/* Largest header we build: the dict with NNINIT_MAX_DIMS 19-digit sizes is
 * under 256 bytes, padded to at most 64 more. Format 2.0 (header over 65535
 * bytes) is therefore never needed at today's NNINIT_MAX_DIMS; the branch is
 * kept so that raising the limit cannot produce a wrong file. */
#define NPY_ALIGN 64
#define NPY_HEADER_MAX 1024
_Static_assert(NNINIT_NPY_HEADER_MAX_ >= NPY_HEADER_MAX + NPY_ALIGN, "room for the padded header");

static const char *npy_descr(nninit_dtype dtype)
{
    switch (dtype) {
    case NNINIT_F32: return "<f4";
    case NNINIT_F64: return "<f8";
    case NNINIT_F16: return "<f2";
    case NNINIT_BF16: return "<u2";  /* NumPy has no bfloat16: the raw bits */
    }
    return NULL;
}

/* A tensor name as a file name: every byte outside [A-Za-z0-9._-], and a
 * leading '.', percent-encoded, so names with '/', spaces or UTF-8 map one to
 * one onto file names, none is "." or "..", and URL-unquoting reverses it. */
int nninit_npy_file_name_(const char *name, char *buf, size_t size)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t j = 0;
    for (size_t i = 0; name[i]; i++) {
        unsigned char c = (unsigned char)name[i];
        int keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                   c == '-' || (c == '.' && i > 0);
        if (j + 4 >= size) return 0;
        if (keep) buf[j++] = (char)c;
        else { buf[j++] = '%'; buf[j++] = hex[c >> 4]; buf[j++] = hex[c & 15]; }
    }
    if (j + 5 > size) return 0;
    memcpy(buf + j, ".npy", 5);
    return 1;
}

/* Builds magic + version + length + padded header into buf; returns its
 * length (a multiple of NPY_ALIGN), or 0 if it would not fit. */
size_t nninit_npy_header_(unsigned char *buf, size_t cap, nninit_dtype dtype, const int64_t *shape, int ndim)
{
    const char *descr = npy_descr(dtype);
    if (!descr) return 0;
    char dict[NPY_HEADER_MAX];
    int len = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
    for (int d = 0; d < ndim && len > 0 && (size_t)len < sizeof dict; d++)
        len += snprintf(dict + len, sizeof dict - (size_t)len, d == 0 ? "%" PRId64 : ", %" PRId64, shape[d]);
    /* a 1-tuple needs its trailing comma: (n,) */
    if (len > 0 && (size_t)len < sizeof dict)
        len += snprintf(dict + len, sizeof dict - (size_t)len, "%s), }", ndim == 1 ? "," : "");
    if (len <= 0 || (size_t)len >= sizeof dict) return 0;

    /* prefix: 6 magic + 2 version + 2 (1.0) or 4 (2.0) length bytes; the
     * dict, spaces and '\n' fill up to the next multiple of NPY_ALIGN */
    size_t dict_len = (size_t)len;
    size_t prefix = 10;
    size_t total = (prefix + dict_len + 1 + NPY_ALIGN - 1) / NPY_ALIGN * NPY_ALIGN;
    if (total - prefix > 65535) {
        prefix = 12;
        total = (prefix + dict_len + 1 + NPY_ALIGN - 1) / NPY_ALIGN * NPY_ALIGN;
    }
    if (total > cap) return 0;
    size_t hlen = total - prefix;

    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = prefix == 10 ? 1 : 2;
    buf[7] = 0;
    for (size_t b = 0; b < prefix - 8; b++) buf[8 + b] = (unsigned char)(hlen >> (8 * b));
    memcpy(buf + prefix, dict, dict_len);
    memset(buf + prefix + dict_len, ' ', total - prefix - dict_len - 1);
    buf[total - 1] = '\n';
    return total;
}

nninit_status nninit_npy_check_(const void *data, nninit_dtype dtype, const int64_t *shape, int ndim, size_t *bytes,
                                char *msg, size_t msg_size)
{
    size_t count;
    RETURN_ERROR_IF(!npy_descr(dtype), nninit_fail_(NNINIT_E_DTYPE, msg, msg_size, "npy: unknown dtype %d", (int)dtype));
    nninit_status st = nninit_shape_count_(shape, ndim, &count);
    RETURN_ERROR_IF(st != NNINIT_OK, nninit_fail_(st, msg, msg_size, "npy: bad shape (ndim %d, negative size, or "
                                                  "too many elements)", ndim));
    size_t elem = nninit_dtype_size(dtype);
    RETURN_ERROR_IF(count > SIZE_MAX / elem, nninit_fail_(NNINIT_E_OVERFLOW, msg, msg_size, "npy: tensor too large"));
    RETURN_ERROR_IF(count > 0 && !data, nninit_fail_(NNINIT_E_NULL, msg, msg_size, "npy: NULL data"));
    *bytes = count * elem;
    return NNINIT_OK;
}

