/* Writes the files tests/interop/st_read.py checks (tests/interop/st_check.sh): DIR/out.safetensors
 * from nninit_st_save, and DIR/t<i>.npy with tensor i alone, from
 * nninit_npy_save. The tensor names and metadata are listed again, by hand, in
 * st_read.py; the values are library fills of every dtype. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "nninit.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    static const struct { const char *name; nninit_dtype dt; int ndim; int64_t shape[8]; } spec[] = {
        { "layer.0.weight", NNINIT_F32, 2, { 16, 8 } },
        { "layer.0.bias", NNINIT_F16, 1, { 16 } },
        { "emb\"quoted\\", NNINIT_BF16, 2, { 5, 3 } },
        { "caf\xc3\xa9/\xe6\x97\xa5\xe6\x9c\xac", NNINIT_F64, 3, { 2, 3, 4 } },
        { "scalar", NNINIT_F32, 0, { 0 } },
        { "empty", NNINIT_F64, 2, { 0, 4 } },
        { "ctl\n\t\x01", NNINIT_F16, 8, { 2, 1, 2, 1, 2, 1, 1, 3 } },
        { "odd", NNINIT_BF16, 1, { 7 } },
    };
    enum { N = sizeof spec / sizeof spec[0] };
    nninit_tensor t[N];
    void *buf[N];
    for (int i = 0; i < N; i++) {
        size_t count = 1;
        for (int d = 0; d < spec[i].ndim; d++) count *= (size_t)spec[i].shape[d];
        size_t bytes = count * nninit_dtype_size(spec[i].dt);
        buf[i] = malloc(bytes ? bytes : 1);
        nninit_rng rng = { 2024, nninit_stream_id(spec[i].name) };
        if (!buf[i] || nninit_normal(buf[i], spec[i].dt, count, 0.0, 1.0, rng, 0) != NNINIT_OK) return 1;
        memset(&t[i], 0, sizeof t[i]);
        t[i].name = spec[i].name;
        t[i].dtype = spec[i].dt;
        t[i].ndim = spec[i].ndim;
        memcpy(t[i].shape, spec[i].shape, sizeof spec[i].shape);
        t[i].data = buf[i];
        t[i].nbytes = bytes;
        char path[4096];
        snprintf(path, sizeof path, "%s/t%d.npy", argv[1], i);
        if (nninit_npy_save(path, buf[i], spec[i].dt, spec[i].shape, spec[i].ndim, NULL, NULL, 0) != NNINIT_OK) {
            perror(path);
            return 1;
        }
    }
    const char *meta[] = { "format", "pt", "quote\"d", "line\nbreak", "\xc3\xa9", "\xe2\x82\xac", NULL };
    char path[4096], msg[256];
    snprintf(path, sizeof path, "%s/out.safetensors", argv[1]);
    if (nninit_st_save(path, t, N, meta, NULL, msg, sizeof msg) != NNINIT_OK) {
        fprintf(stderr, "st_write: %s\n", msg);
        return 1;
    }
    for (int i = 0; i < N; i++) free(buf[i]);
    return 0;
}
