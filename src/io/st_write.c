/* safetensors writer (the format: safetensors.c): what is checked and the
 * header; layout.c places the files, save.c and the streaming writer write them.
 *
 * The header is padded with spaces so the byte buffer starts at a multiple
 * of 64 (8 + N = 0 mod 64), and tensors are laid out by decreasing element
 * size, so that in a mapped file every tensor sits at a multiple of its
 * element size. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "io.h"

#define ST_DATA_ALIGN 64
#define ST_META_KEY "__metadata__"

/* sorting names with their index: duplicates become neighbours */
typedef struct {
    const char *name;
    size_t idx;
} name_idx;

static int cmp_name(const void *a, const void *b)
{
    const name_idx *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c) return c;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* layout order: larger elements first; among equals, the caller's order */
typedef struct {
    size_t elem, idx;
} size_idx;

static int cmp_size(const void *a, const void *b)
{
    const size_idx *x = a, *y = b;
    if (x->elem != y->elem) return x->elem > y->elem ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Checks one tensor for the writer. */
static nninit_status check_out_tensor(const nninit_tensor *t, size_t i, char *msg, size_t msg_size)
{
    if (!t->name) RETURN_FAIL(NNINIT_E_NULL, "safetensors: tensor %zu has a NULL name", i);
    if (!t->name[0]) RETURN_FAIL(NNINIT_E_PARAM, "safetensors: tensor %zu has an empty name", i);
    if (!nninit_utf8_ok_(t->name)) RETURN_FAIL(NNINIT_E_PARAM, "safetensors: tensor %zu: name is not valid UTF-8", i);
    if (strcmp(t->name, ST_META_KEY) == 0)
        RETURN_FAIL(NNINIT_E_PARAM, "safetensors: tensor %zu: the name \"" ST_META_KEY "\" is reserved", i);
    if (!nninit_st_dtype_name_(t->dtype))
        RETURN_FAIL(NNINIT_E_PARAM, "safetensors: tensor \"%s\": unknown dtype %d", t->name, (int)t->dtype);
    if (t->ndim < 0 || t->ndim > NNINIT_MAX_DIMS)
        RETURN_FAIL(NNINIT_E_PARAM, "safetensors: tensor \"%s\": ndim %d outside 0..%d", t->name, t->ndim,
             NNINIT_MAX_DIMS);
    size_t count;
    if (nninit_shape_count_(t->shape, t->ndim, &count) != NNINIT_OK)
        RETURN_FAIL(NNINIT_E_PARAM, "safetensors: tensor \"%s\": bad shape (negative size or too many elements)",
             t->name);
    for (int d = 0; d < t->ndim; d++)
        if (t->shape[d] > NNINIT_JSON_INT_MAX_)   /* JSON numbers are doubles: exact up to 2^53 */
            RETURN_FAIL(NNINIT_E_PARAM, "safetensors: tensor \"%s\": size %" PRId64 " of axis %d is above 2^53, which "
                 "JSON readers cannot represent exactly", t->name, t->shape[d], d);
    size_t elem = nninit_dtype_size(t->dtype);
    if (count > SIZE_MAX / elem || count * elem != t->nbytes)
        RETURN_FAIL(NNINIT_E_PARAM, "safetensors: tensor \"%s\": nbytes %zu, but its shape and dtype need %zu x %zu",
             t->name, t->nbytes, count, elem);
    return NNINIT_OK;
}

nninit_status nninit_st_check_(const nninit_tensor *tensors, size_t n, const char *const *metadata, char *msg,
                               size_t msg_size)
{
    if (n && !tensors) RETURN_FAIL(NNINIT_E_NULL, "safetensors: NULL tensor array");
    for (size_t i = 0; i < n; i++) FORWARD_IF_ERROR(check_out_tensor(&tensors[i], i, msg, msg_size));
    size_t n_meta = 0;
    if (metadata) {
        while (metadata[2 * n_meta]) {
            const char *k = metadata[2 * n_meta], *v = metadata[2 * n_meta + 1];
            if (!v) RETURN_FAIL(NNINIT_E_NULL, "safetensors: metadata key \"%s\" has a NULL value", nninit_utf8_ok_(k) ? k : "?");
            if (!nninit_utf8_ok_(k)) RETURN_FAIL(NNINIT_E_PARAM, "safetensors: metadata key %zu is not valid UTF-8", n_meta);
            if (!nninit_utf8_ok_(v)) RETURN_FAIL(NNINIT_E_PARAM, "safetensors: metadata value of \"%s\" is not valid UTF-8", k);
            for (size_t j = 0; j < n_meta; j++)
                if (strcmp(metadata[2 * j], k) == 0) RETURN_FAIL(NNINIT_E_PARAM, "safetensors: duplicate metadata key \"%s\"", k);
            n_meta++;
        }
    }
    if (n == 0) return NNINIT_OK;
    name_idx *names = malloc(n * sizeof *names);
    if (!names) RETURN_FAIL(NNINIT_E_NOMEM, "safetensors: out of memory");
    for (size_t i = 0; i < n; i++) names[i] = (name_idx){ tensors[i].name, i };
    qsort(names, n, sizeof *names, cmp_name);
    nninit_status st = NNINIT_OK;
    for (size_t i = 1; i < n && st == NNINIT_OK; i++)
        if (strcmp(names[i - 1].name, names[i].name) == 0)
            st = nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "safetensors: duplicate tensor name \"%s\" (tensors %zu and %zu)",
                              names[i].name, names[i - 1].idx, names[i].idx);
    free(names);
    return st;
}

nninit_status nninit_st_header_(const nninit_tensor *tensors, const size_t *sel, size_t k, const char *const *metadata,
                                nninit_text_ *h, uint64_t *off, size_t *order, char *msg, size_t msg_size)
{
    memset(h, 0, sizeof *h);
    size_idx *sizes = k ? malloc(k * sizeof *sizes) : NULL;
    if (k && !sizes) RETURN_FAIL(NNINIT_E_NOMEM, "safetensors: out of memory");
    for (size_t j = 0; j < k; j++) sizes[j] = (size_idx){ nninit_dtype_size(tensors[sel[j]].dtype), j };
    if (k) qsort(sizes, k, sizeof *sizes, cmp_size);
    /* offsets in layout order; the header lists tensors in the caller's order */
    uint64_t pos = 0;
    for (size_t q = 0; q < k; q++) {
        order[q] = sizes[q].idx;
        off[sizes[q].idx] = pos;
        pos += tensors[sel[sizes[q].idx]].nbytes;
    }
    free(sizes);

    nninit_text_add_(h, "\0\0\0\0\0\0\0\0", 8);
    nninit_text_str_(h, "{");
    int first = 1;
    if (metadata && metadata[0]) {
        nninit_text_str_(h, "\"" ST_META_KEY "\":{");
        for (size_t j = 0; metadata[2 * j]; j++) {
            if (j) nninit_text_str_(h, ",");
            nninit_text_json_str_(h, metadata[2 * j]);
            nninit_text_str_(h, ":");
            nninit_text_json_str_(h, metadata[2 * j + 1]);
        }
        nninit_text_str_(h, "}");
        first = 0;
    }
    for (size_t j = 0; j < k; j++) {
        const nninit_tensor *t = &tensors[sel[j]];
        if (!first) nninit_text_str_(h, ",");
        first = 0;
        nninit_text_json_str_(h, t->name);
        nninit_text_str_(h, ":{\"dtype\":\"");
        nninit_text_str_(h, nninit_st_dtype_name_(t->dtype));
        nninit_text_str_(h, "\",\"shape\":[");
        for (int d = 0; d < t->ndim; d++) nninit_text_fmt_(h, d ? ",%" PRIu64 : "%" PRIu64, (uint64_t)t->shape[d]);
        nninit_text_fmt_(h, "],\"data_offsets\":[%" PRIu64, off[j]);
        nninit_text_fmt_(h, ",%" PRIu64 "]}", off[j] + t->nbytes);
    }
    nninit_text_str_(h, "}");
    while (!h->failed && h->len % ST_DATA_ALIGN) nninit_text_add_(h, " ", 1);
    if (h->failed) {
        nninit_text_free_(h);
        RETURN_FAIL(NNINIT_E_NOMEM, "safetensors: out of memory");
    }
    uint64_t hlen = h->len - 8;
    for (int b = 0; b < 8; b++) h->buf[b] = (char)(unsigned char)(hlen >> (8 * b));
    return NNINIT_OK;
}

