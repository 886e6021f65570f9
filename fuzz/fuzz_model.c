/* libFuzzer target: nninit_model_parse on arbitrary bytes (not NUL-
 * terminated: the input is copied to an exact-size buffer). A model that
 * parses is walked: every tensor's info, the canonical JSON, which must
 * itself parse back to the same number of tensors and to the same JSON. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "nninit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size ? size : 1);
    if (!copy) return 0;
    memcpy(copy, data, size);
    nninit_model *m = NULL;
    char msg[256];
    nninit_status st = nninit_model_parse(copy, size, &m, msg, sizeof msg);
    free(copy);
    if (st != NNINIT_OK) {
        if (m) abort();
        return 0;
    }
    size_t n = nninit_model_count(m);
    for (size_t i = 0; i < n; i++) {
        nninit_model_tensor t;
        if (nninit_model_tensor_info(m, i, &t) != NNINIT_OK) abort();
        if (!t.name || !t.init || t.ndim < 0 || t.ndim > NNINIT_MAX_DIMS) abort();
    }
    (void)nninit_model_bytes(m);
    const char *json = nninit_model_json(m);
    if (json) {
        nninit_model *again = NULL;
        if (nninit_model_parse(json, strlen(json), &again, msg, sizeof msg) != NNINIT_OK) abort();
        if (nninit_model_count(again) != n) abort();
        /* canonical: a fixed point (vars and captures resolved into numbers) */
        const char *json2 = nninit_model_json(again);
        if (!json2 || strcmp(json, json2) != 0) abort();
        nninit_model_free(again);
    }
    nninit_model_free(m);
    return 0;
}
