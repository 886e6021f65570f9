/* libFuzzer target: the init spec parser (with its arithmetic, over a few
 * variables) and formatter. Any input that parses must format to a string
 * that parses back, without variables, to the identical struct
 * (nninit_scheme_format writes resolved numbers); formatting that again must
 * give the same string. Doubles are compared by their bits, so NaN
 * required-parameter markers compare equal and -0 differs from 0. The same
 * input is also evaluated as a bare expression, which must agree with
 * itself and leave *out alone on failure. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#define NNINIT_UNSTABLE_API   /* docs/API.md */
#include "nninit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* doubles by their bits (NaN == NaN, 0 != -0) */
static int same_d(double x, double y) { return memcmp(&x, &y, sizeof x) == 0; }

/* field by field: padding bytes are not part of the value */
static int same_scheme(const nninit_scheme *a, const nninit_scheme *b)
{
    return a->kind == b->kind && same_d(a->value, b->value) && same_d(a->mean, b->mean) &&
           same_d(a->std, b->std) && same_d(a->low, b->low) && same_d(a->high, b->high) &&
           same_d(a->gain, b->gain) && same_d(a->a, b->a) && a->nonlinearity == b->nonlinearity &&
           a->mode == b->mode && same_d(a->scale, b->scale) && a->distribution == b->distribution &&
           same_d(a->sparsity, b->sparsity) && a->fan_in == b->fan_in && a->layout.kind == b->layout.kind &&
           a->layout.in_axis == b->layout.in_axis && a->layout.out_axis == b->layout.out_axis &&
           a->layout.groups == b->layout.groups;
}

/* What a Hugging Face front end passes (names in the fuzzer's dictionary). */
static const nninit_var k_vars[] = {
    { "l", 3 }, { "n_layers", 12 }, { "hidden", 768 }, { "heads", 12 }, { "initializer_range", 0.02 }, { "z", 0 },
};
#define N_VARS (sizeof k_vars / sizeof k_vars[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096) return 0;
    char *s = malloc(size + 1);
    if (!s) return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    nninit_scheme a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    char msg[256];
    double x = 0.25, y = 0.5;
    nninit_status ex = nninit_expr_eval(s, k_vars, N_VARS, &x, msg, sizeof msg);
    if (ex != NNINIT_OK ? !same_d(x, 0.25) : !isfinite(x)) abort();
    if (nninit_expr_eval(s, k_vars, N_VARS, &y, NULL, 0) != ex || (ex == NNINIT_OK && !same_d(x, y))) abort();
    nninit_status st = nninit_scheme_parse_vars(s, k_vars, N_VARS, &a, msg, sizeof msg);
    free(s);
    if (st != NNINIT_OK) return 0;
    char buf[1024], buf2[1024];
    size_t len = nninit_scheme_format(&a, buf, sizeof buf);
    if (len == 0 || len >= sizeof buf) abort();
    if (nninit_scheme_parse(buf, &b, msg, sizeof msg) != NNINIT_OK) abort();
    if (!same_scheme(&a, &b)) abort();
    size_t len2 = nninit_scheme_format(&b, buf2, sizeof buf2);
    if (len2 != len || strcmp(buf, buf2) != 0) abort();
    return 0;
}
