/* libFuzzer target: nninit_st_open_memory on arbitrary bytes. A handle that
 * opens must be consistent: every tensor's bytes are read (ASan checks they
 * lie inside the input), names are found again, metadata looked up. The
 * input is copied to an exact-size heap buffer so any read past it is caught. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "nninit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *copy = malloc(size ? size : 1);
    if (!copy) return 0;
    memcpy(copy, data, size);
    nninit_st_file *f = NULL;
    char msg[256];
    nninit_status st = nninit_st_open_memory(copy, size, &f, msg, sizeof msg);
    if (st != NNINIT_OK) {
        if (f || (st != NNINIT_E_FORMAT && st != NNINIT_E_NOMEM) || strlen(msg) == 0) abort();
        free(copy);
        return 0;
    }
    volatile unsigned sum = 0;
    size_t n = nninit_st_count(f);
    for (size_t i = 0; i < n; i++) {
        nninit_tensor t;
        st = nninit_st_tensor(f, i, &t);
        if (st != NNINIT_OK && st != NNINIT_E_DTYPE) abort();
        const unsigned char *p = t.data;
        if (t.nbytes && (p < copy || p + t.nbytes > copy + size)) abort();
        for (size_t k = 0; k < t.nbytes; k++) sum += p[k];
        if (t.ndim < 0 || t.ndim > NNINIT_MAX_DIMS || !t.name[0]) abort();
        if (nninit_st_find(f, t.name) != (long)i) abort();
        (void)nninit_st_metadata(f, t.name);
    }
    (void)nninit_st_metadata(f, "format");
    nninit_st_close(f);
    free(copy);
    return 0;
}
