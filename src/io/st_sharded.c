/* Tensors already in memory as a sharded safetensors checkpoint
 * (nninit_st_save_sharded): the plan layout.c makes for the streaming writer,
 * written through the same sink, so the files equal what nninit init
 * --max-shard-size writes for the same tensors. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "io.h"

/* Writes n bytes of elem-byte elements at offset, little-endian in the file. */
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

nninit_status nninit_shard_dir_name_check_(const char *path, char *msg, size_t msg_size)
{
    static const char ext[] = ".safetensors";
    const size_t e = sizeof ext - 1;
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/') len--;
    if (len < e || strncasecmp(path + len - e, ext, e) != 0) return NNINIT_OK;
    const size_t stem = len - e;
    /* "x.safetensors" -> "x"; ".safetensors" or "d/.safetensors" -> "model" in its directory */
    const int bare = stem == 0 || path[stem - 1] == '/';
    return nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "'%s': a sharded checkpoint is a directory (holding "
                        "model-00001-of-0000N.safetensors ... and " NNINIT_SHARD_INDEX_ "), and a name ending in "
                        ".safetensors says a single file; name the directory '%.*s%s' instead", path, (int)stem, path,
                        bare ? "model" : "");
}

nninit_status nninit_st_save_sharded(const char *path, const nninit_tensor *tensors, size_t n,
                                     const char *const *metadata, uint64_t max_shard_bytes,
                                     const nninit_write_options *opt, char *msg, size_t msg_size)
{
    nninit_msg_clear_(msg, msg_size);
    RETURN_ERROR_IF(!path, nninit_fail_(NNINIT_E_NULL, msg, msg_size, "sharded safetensors: NULL path"));
    RETURN_ERROR_IF(max_shard_bytes == 0,
                    nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "sharded safetensors: the shard size must be > 0"));
    FORWARD_IF_ERROR(nninit_shard_dir_name_check_(path, msg, msg_size));
    nninit_layout_ L;
    FORWARD_IF_ERROR(nninit_layout_plan_(&L, tensors, n, metadata, NNINIT_FORMAT_SAFETENSORS, max_shard_bytes, msg,
                                         msg_size));
    nninit_sink_ *s = NULL;
    nninit_status st = nninit_sink_begin_(&s, &L, path, opt, msg, msg_size);
    for (size_t q = 0; st == NNINIT_OK && q < L.n; q++) {
        const size_t t = L.order[q];
        const nninit_tensor *x = &tensors[t];
        if (x->nbytes && put_le(s, L.file_of[t], L.offset[t], x->data, x->nbytes, nninit_dtype_size(x->dtype)) != 0) {
            char where[512];
            int e = errno;
            nninit_sink_name_(s, L.file_of[t], where, sizeof where);
            st = e == ECANCELED ? nninit_fail_(NNINIT_E_CANCELED, msg, msg_size, "writing %s canceled (nothing was "
                                               "written)", where)
                                : nninit_fail_(NNINIT_E_IO, msg, msg_size, "cannot write %s: %s", where, strerror(e));
            errno = e;
        }
    }
    if (st == NNINIT_OK && nninit_sink_sync_(s) != 0) {
        int e = errno;
        st = nninit_fail_(NNINIT_E_IO, msg, msg_size, "cannot write '%.300s': %s", path, strerror(e));
        errno = e;
    }
    if (st == NNINIT_OK) st = nninit_sink_commit_(s, msg, msg_size);
    nninit_sink_free_(s);
    nninit_layout_free_(&L);
    return st;
}
