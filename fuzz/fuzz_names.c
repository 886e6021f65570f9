/* libFuzzer target: tensor names. The input bytes become the name of a
 * tensor in a spec (as a JSON string: bytes below 0x20, '"' and '\' as \u00XX
 * escapes, everything else raw, so invalid UTF-8 and \u0000 reach the parser).
 * A spec that parses must be writable ("a model that parsed can be
 * initialized", docs/MODELS.md): written as safetensors into memory-backed
 * /dev/shm (or /tmp), read back, the name found again byte for byte. A NUL
 * or "__metadata__" must be refused by the parser, never by the writer. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "nninit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096) return 0;
    char *json = malloc(6 * size + 256);
    if (!json) return 0;
    size_t o = (size_t)sprintf(json, "{\"seed\": 1, \"dtype\": \"f32\", \"tensors\": [{\"name\": \"");
    int has_nul = 0;
    for (size_t i = 0; i < size; i++) {
        unsigned char c = data[i];
        has_nul |= c == 0;
        if (c < 0x20 || c == '"' || c == '\\') o += (size_t)sprintf(json + o, "\\u%04x", c);
        else json[o++] = (char)c;
    }
    o += (size_t)sprintf(json + o, "\", \"shape\": [2], \"init\": \"zeros\"}]}");
    nninit_model *m = NULL;
    char msg[512];
    nninit_status st = nninit_model_parse(json, o, &m, msg, sizeof msg);
    free(json);
    if (st != NNINIT_OK) {
        if (m || strlen(msg) == 0) abort();
        return 0;
    }
    if (has_nul || (size == 12 && memcmp(data, "__metadata__", 12) == 0)) abort();   /* must have been refused */
    nninit_model_tensor t;
    if (nninit_model_tensor_info(m, 0, &t) != NNINIT_OK || strlen(t.name) != size || memcmp(t.name, data, size) != 0)
        abort();
    static char path[64];
    if (!path[0]) snprintf(path, sizeof path, "%s/nninit-fuzz-names-%d.safetensors",
                           access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp", (int)getpid());
    if (nninit_model_write(m, path, NNINIT_FORMAT_SAFETENSORS, NULL, msg, sizeof msg) != NNINIT_OK) abort();
    nninit_st_file *f = NULL;
    if (nninit_st_open(path, &f, msg, sizeof msg) != NNINIT_OK) abort();
    if (nninit_st_count(f) != 1 || nninit_st_find(f, t.name) != 0) abort();
    nninit_st_close(f);
    unlink(path);
    nninit_model_free(m);
    return 0;
}
