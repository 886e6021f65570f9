/* libFuzzer target: nninit_npy_open_memory on arbitrary bytes. A file that
 * opens is read whole through its tensor (every byte of the data touched). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "nninit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nninit_npy_file *f = NULL;
    char msg[256];
    nninit_status st = nninit_npy_open_memory(data, size, &f, msg, sizeof msg);
    if (st != NNINIT_OK) {
        if (f || !msg[0]) abort();
        return 0;
    }
    nninit_tensor t;
    st = nninit_npy_tensor(f, &t);
    if (st != NNINIT_OK && st != NNINIT_E_DTYPE) abort();
    if (!nninit_npy_descr(f) || t.ndim < 0 || t.ndim > NNINIT_MAX_DIMS) abort();
    unsigned sum = 0;
    for (size_t i = 0; i < t.nbytes; i++) sum += ((const unsigned char *)t.data)[i];
    if (sum == 0xFFFFFFFFu) abort();   /* keeps the loop */
    nninit_npy_close(f);
    return 0;
}
