/* Tensors in memory to disk: the public savers (nninit_st_save,
 * nninit_st_save_sharded in st_sharded.c, nninit_npy_save,
 * nninit_npy_save_dir) check their
 * input with the formats' checks (st_write.c, npy.c, npy_dir.c), plan the
 * output with layout.c and write it from the caller's memory through the
 * streaming writer's sink: one writer per format, whoever fills the bytes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "io.h"

/* Writes n bytes of elem-byte elements at offset, little-endian in the file
 * whatever the host (reversed per element through a bounded buffer on a
 * big-endian one: the caller's data stays const). */
static int put_le(nninit_sink_ *s, size_t f, uint64_t offset, const unsigned char *p, size_t n, size_t elem)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    unsigned char buf[1 << 16];
    while (n > 0) {
        size_t k = n < sizeof buf ? n : sizeof buf;   /* a multiple of elem: 64 KiB and n are */
        for (size_t i = 0; i < k; i += elem)
            for (size_t b = 0; b < elem; b++) buf[i + b] = p[i + elem - 1 - b];
        if (nninit_sink_write_(s, f, offset, buf, k) != 0) return -1;
        p += k;
        offset += k;
        n -= k;
    }
    return 0;
#else
    (void)elem;
    return nninit_sink_write_(s, f, offset, p, n);
#endif
}

/* Writes the output L plans for tensors (their data in memory, checked) to
 * path through the sink, whole or not at all; frees L. errno kept on
 * NNINIT_E_IO. */
static nninit_status write_layout(nninit_layout_ *L, const char *path, const nninit_tensor *tensors,
                                  const nninit_write_options *opt, char *msg, size_t msg_size)
{
    nninit_sink_ *s = NULL;
    nninit_status st = NNINIT_OK;
    if (nninit_canceled_(opt))
        st = nninit_fail_(NNINIT_E_CANCELED, msg, msg_size, "%s: writing '%.300s' canceled (nothing was written)",
                          L->what, path);
    else
        st = nninit_sink_begin_(&s, L, path, opt, msg, msg_size);
    for (size_t q = 0; st == NNINIT_OK && q < L->n; q++) {   /* output order: in order for a direct output */
        const size_t t = L->order[q];
        const nninit_tensor *x = &tensors[t];
        if (x->nbytes && put_le(s, L->file_of[t], L->offset[t], x->data, x->nbytes, nninit_dtype_size(x->dtype)) != 0) {
            char where[512];
            int e = errno;
            nninit_sink_name_(s, L->file_of[t], where, sizeof where);
            st = e == ECANCELED ? nninit_fail_(NNINIT_E_CANCELED, msg, msg_size, "%s: writing %s canceled (nothing "
                                               "was written)", L->what, where)
                                : nninit_fail_(NNINIT_E_IO, msg, msg_size, "cannot write %s: %s", where, strerror(e));
            errno = e;
        }
    }
    if (st == NNINIT_OK) st = nninit_sink_commit_(s, msg, msg_size);   /* flushes, fsyncs, renames */
    nninit_sink_free_(s);   /* keeps errno */
    int saved = errno;
    nninit_layout_free_(L);
    errno = saved;
    if (st == NNINIT_OK) nninit_msg_clear_(msg, msg_size);
    return st;
}

nninit_status nninit_st_write_(const char *what, const char *path, const nninit_tensor *tensors, size_t n,
                               const char *const *metadata, uint64_t max_shard_bytes, const nninit_write_options *opt,
                               char *msg, size_t msg_size)
{
    nninit_msg_clear_(msg, msg_size);
    if (!path) RETURN_FAIL(NNINIT_E_NULL, "%s: NULL path", what);
    FORWARD_IF_ERROR(nninit_st_check_(tensors, n, metadata, msg, msg_size));
    for (size_t i = 0; i < n; i++)
        if (tensors[i].nbytes && !tensors[i].data)
            RETURN_FAIL(NNINIT_E_NULL, "safetensors: tensor \"%s\": NULL data", tensors[i].name);
    nninit_layout_ L;
    FORWARD_IF_ERROR(nninit_layout_plan_(&L, tensors, n, metadata, NNINIT_FORMAT_SAFETENSORS, max_shard_bytes, msg,
                                         msg_size));
    return write_layout(&L, path, tensors, opt, msg, msg_size);
}

nninit_status nninit_st_save(const char *path, const nninit_tensor *tensors, size_t n, const char *const *metadata,
                             const nninit_write_options *opt, char *msg, size_t msg_size)
{
    return nninit_st_write_("safetensors", path, tensors, n, metadata, 0, opt, msg, msg_size);
}

nninit_status nninit_npy_save(const char *path, const void *data, nninit_dtype dtype, const int64_t *shape, int ndim,
                              const nninit_write_options *opt, char *msg, size_t msg_size)
{
    RETURN_ERROR_IF(!path, nninit_fail_(NNINIT_E_NULL, msg, msg_size, "npy: NULL path"));
    nninit_tensor t = { .name = "", .dtype = dtype, .ndim = ndim, .data = data };
    FORWARD_IF_ERROR(nninit_npy_check_(data, dtype, shape, ndim, &t.nbytes, msg, msg_size));
    if (ndim > 0) memcpy(t.shape, shape, (size_t)ndim * sizeof *shape);   /* checked: 1..NNINIT_MAX_DIMS sizes */
    nninit_layout_ L;
    FORWARD_IF_ERROR(nninit_layout_npy_file_(&L, &t, msg, msg_size));
    return write_layout(&L, path, &t, opt, msg, msg_size);
}

nninit_status nninit_npy_save_dir(const char *path, const nninit_tensor *tensors, size_t n,
                                  const char *const *metadata, const nninit_write_options *opt, char *msg,
                                  size_t msg_size)
{
    nninit_msg_clear_(msg, msg_size);
    RETURN_ERROR_IF(!path, nninit_fail_(NNINIT_E_NULL, msg, msg_size, "npy directory: NULL path"));
    RETURN_ERROR_IF(n && !tensors, nninit_fail_(NNINIT_E_NULL, msg, msg_size, "npy directory: NULL tensor array"));
    RETURN_ERROR_IF(!path[0] || strcmp(path, "-") == 0,
                    nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "npy directory: '%s' is not a directory path", path));
    FORWARD_IF_ERROR(nninit_npy_dir_check_(tensors, n, metadata, msg, msg_size));
    /* each file as nninit_npy_save writes it: its bytes follow the shape
     * (the tensors' nbytes are not looked at) */
    nninit_tensor *t = malloc((n ? n : 1) * sizeof *t);
    RETURN_ERROR_IF(!t, nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory"));
    nninit_status st = NNINIT_OK;
    for (size_t i = 0; i < n && st == NNINIT_OK; i++) {
        char why[512];
        t[i] = tensors[i];
        st = nninit_npy_check_(t[i].data, t[i].dtype, t[i].shape, t[i].ndim, &t[i].nbytes, why, sizeof why);
        if (st != NNINIT_OK) nninit_fail_(st, msg, msg_size, "tensor '%.200s': %s", t[i].name, why);
    }
    nninit_layout_ L;
    if (st == NNINIT_OK) st = nninit_layout_plan_(&L, t, n, metadata, NNINIT_FORMAT_NPY_DIR, 0, msg, msg_size);
    if (st == NNINIT_OK) st = write_layout(&L, path, t, opt, msg, msg_size);
    int saved = errno;
    free(t);
    errno = saved;
    return st;
}
