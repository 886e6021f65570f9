/* libFuzzer target: nninit_hf_spec on arbitrary bytes (copied to an exact-
 * size buffer, no NUL), under every recipe in turn (the first byte picks
 * it). A config that is accepted must give a spec that parses, whose
 * canonical JSON parses back to the same number of tensors; a refused one
 * leaves the result pointer untouched. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#define NNINIT_UNSTABLE_API   /* docs/API.md */
#include "nninit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const recipes[] = { "hf", "megatron", "torchtitan", "olmo", "neox", "mup(base_hidden=8)" };
    if (size == 0) return 0;
    nninit_hf_options o;
    nninit_hf_options_default(&o);
    o.recipe = recipes[data[0] % 6];
    char *copy = malloc(size - 1 ? size - 1 : 1);
    if (!copy) return 0;
    memcpy(copy, data + 1, size - 1);
    char *spec = (char *)copy, msg[512];
    nninit_status st = nninit_hf_spec(copy, size - 1, &o, &spec, msg, sizeof msg);
    if (st != NNINIT_OK) {
        if (spec != copy) abort();
        free(copy);
        return 0;
    }
    free(copy);
    nninit_model *m = NULL;
    if (nninit_model_parse(spec, strlen(spec), &m, msg, sizeof msg) != NNINIT_OK) abort();
    size_t n = nninit_model_count(m);
    const char *json = nninit_model_json(m);
    nninit_model *again = NULL;
    if (!json || nninit_model_parse(json, strlen(json), &again, msg, sizeof msg) != NNINIT_OK) abort();
    if (nninit_model_count(again) != n) abort();
    nninit_model_free(again);
    nninit_model_free(m);
    nninit_hf_free(spec);
    return 0;
}
