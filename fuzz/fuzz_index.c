/* libFuzzer target: nninit_st_open on a sharded checkpoint's index. The input
 * is written as model.safetensors.index.json into a directory that also holds
 * two valid shards (a.safetensors: "x", "y"; b.safetensors: "z"), a FIFO
 * (fifo.safetensors) and a subdirectory (sub.safetensors), so the weight_map
 * can name good files, missing ones, paths outside the directory, a FIFO that
 * must be refused without blocking, and a directory. A handle that opens must
 * be consistent: every tensor readable and found again by name. */
#define _GNU_SOURCE   /* mkdtemp */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "nninit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char g_dir[64], g_index[128];

/* The directory goes when the fuzzer exits (the shards, the FIFO, the subdirectory, the index). */
static void cleanup(void)
{
    static const char *const names[] = { "a.safetensors", "b.safetensors", "fifo.safetensors",
                                         "model.safetensors.index.json" };
    char path[160];
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        snprintf(path, sizeof path, "%s/%s", g_dir, names[k]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/sub.safetensors", g_dir);
    rmdir(path);
    rmdir(g_dir);
}

static void setup(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/nninit-fuzz-index-XXXXXX");
    if (!mkdtemp(g_dir)) abort();
    float v[4] = { 1, 2, 3, 4 };
    nninit_tensor a[2] = { { .name = "x", .dtype = NNINIT_F32, .ndim = 1, .shape = { 2 }, .data = v, .nbytes = 8 },
                           { .name = "y", .dtype = NNINIT_F32, .ndim = 1, .shape = { 2 }, .data = v + 2, .nbytes = 8 } };
    nninit_tensor b = { .name = "z", .dtype = NNINIT_F32, .ndim = 0, .data = v, .nbytes = 4 };
    char path[160], msg[256];
    snprintf(path, sizeof path, "%s/a.safetensors", g_dir);
    if (nninit_st_save(path, a, 2, NULL, NULL, msg, sizeof msg) != NNINIT_OK) abort();
    snprintf(path, sizeof path, "%s/b.safetensors", g_dir);
    if (nninit_st_save(path, &b, 1, NULL, NULL, msg, sizeof msg) != NNINIT_OK) abort();
    snprintf(path, sizeof path, "%s/fifo.safetensors", g_dir);
    if (mkfifo(path, 0600) != 0 && errno != EEXIST) abort();
    snprintf(path, sizeof path, "%s/sub.safetensors", g_dir);
    if (mkdir(path, 0700) != 0 && errno != EEXIST) abort();
    snprintf(g_index, sizeof g_index, "%s/model.safetensors.index.json", g_dir);
    atexit(cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_dir[0]) setup();
    FILE *fp = fopen(g_index, "wb");
    if (!fp) abort();
    if (size && fwrite(data, 1, size, fp) != size) abort();
    fclose(fp);
    nninit_st_file *f = NULL;
    char msg[512];
    nninit_status st = nninit_st_open(g_index, &f, msg, sizeof msg);
    if (st != NNINIT_OK) {
        if (f || strlen(msg) == 0) abort();
        if (st != NNINIT_E_FORMAT && st != NNINIT_E_IO && st != NNINIT_E_NOMEM) abort();
        return 0;
    }
    size_t n = nninit_st_count(f);
    volatile unsigned sum = 0;
    for (size_t i = 0; i < n; i++) {
        nninit_tensor t;
        st = nninit_st_tensor(f, i, &t);
        if (st != NNINIT_OK && st != NNINIT_E_DTYPE) abort();
        const unsigned char *p = t.data;
        for (size_t k = 0; k < t.nbytes; k++) sum += p[k];
        if (nninit_st_find(f, t.name) != (long)i) abort();
    }
    (void)sum;
    nninit_st_close(f);
    return 0;
}
