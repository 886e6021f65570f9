/* The one reader of integers in JSON documents (model specs, graphs,
 * safetensors headers, Hugging Face configs): cJSON keeps every number as a
 * double, which holds integers exactly up to 2^53. */
#include <math.h>
#include <cjson/cJSON.h>
#include "common.h"

int nninit_json_int_(const struct cJSON *v, int64_t lo, int64_t hi, int64_t *out)
{
    if (!cJSON_IsNumber(v)) return 0;
    const double d = v->valuedouble;
    if (hi > NNINIT_JSON_INT_MAX_) hi = NNINIT_JSON_INT_MAX_;
    if (!(d >= (double)lo && d <= (double)hi) || d != floor(d)) return 0;
    *out = (int64_t)d;
    return 1;
}
