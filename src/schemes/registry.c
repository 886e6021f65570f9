/* The scheme registry: every scheme's name, the parameters it takes and
 * requires, its defaults, and the range checks of its values (docs/SCHEMES.md
 * is the reference table). */
#include <math.h>
#include <string.h>
#include "schemes.h"

const nninit_scheme_info_ nninit_schemes_[NNINIT_SCHEME_COUNT_] = {
    [NNINIT_SCHEME_ZEROS] = { "zeros", 0, 0 },
    [NNINIT_SCHEME_ONES] = { "ones", 0, 0 },
    [NNINIT_SCHEME_CONSTANT] = { "constant", NNP_VALUE, NNP_VALUE },
    [NNINIT_SCHEME_UNIFORM] = { "uniform", NNP_LOW | NNP_HIGH, 0 },
    [NNINIT_SCHEME_NORMAL] = { "normal", NNP_MEAN | NNP_STD, 0 },
    [NNINIT_SCHEME_TRUNC_NORMAL] = { "trunc_normal", NNP_MEAN | NNP_STD | NNP_LOW | NNP_HIGH, 0 },
    [NNINIT_SCHEME_TRUNC_NORMAL_SIGMA] = { "trunc_normal_sigma", NNP_MEAN | NNP_STD | NNP_LOWER | NNP_UPPER, 0 },
    [NNINIT_SCHEME_XAVIER_UNIFORM] = { "xavier_uniform", NNP_GAIN | NNP_FANS, 0 },
    [NNINIT_SCHEME_XAVIER_NORMAL] = { "xavier_normal", NNP_GAIN | NNP_FANS, 0 },
    [NNINIT_SCHEME_KAIMING_UNIFORM] = { "kaiming_uniform", NNP_A | NNP_MODE | NNP_NONLINEARITY | NNP_FANS, 0 },
    [NNINIT_SCHEME_KAIMING_NORMAL] = { "kaiming_normal", NNP_A | NNP_MODE | NNP_NONLINEARITY | NNP_FANS, 0 },
    [NNINIT_SCHEME_LECUN_UNIFORM] = { "lecun_uniform", NNP_FANS, 0 },
    [NNINIT_SCHEME_LECUN_NORMAL] = { "lecun_normal", NNP_FANS, 0 },
    [NNINIT_SCHEME_VARIANCE_SCALING] = { "variance_scaling", NNP_SCALE | NNP_MODE | NNP_DISTRIBUTION | NNP_FANS, 0 },
    [NNINIT_SCHEME_ORTHOGONAL] = { "orthogonal", NNP_GAIN | NNP_LAYOUT, 0 },
    [NNINIT_SCHEME_EYE] = { "eye", 0, 0 },
    [NNINIT_SCHEME_DIRAC] = { "dirac", NNP_FANS, 0 },
    [NNINIT_SCHEME_SPARSE] = { "sparse", NNP_SPARSITY | NNP_STD, NNP_SPARSITY },
    [NNINIT_SCHEME_PYTORCH_DEFAULT] = { "pytorch_default", NNP_FANS, 0 },
    [NNINIT_SCHEME_PYTORCH_DEFAULT_BIAS] = { "pytorch_default_bias", NNP_FAN_IN, NNP_FAN_IN },
};

int nninit_scheme_count(void) { return NNINIT_SCHEME_COUNT_; }

const char *nninit_scheme_name(nninit_scheme_kind kind)
{
    return (unsigned)kind < NNINIT_SCHEME_COUNT_ ? nninit_schemes_[kind].name : NULL;
}

nninit_scheme nninit_scheme_default(nninit_scheme_kind kind)
{
    nninit_scheme s;
    memset(&s, 0, sizeof s);
    s.kind = (unsigned)kind < NNINIT_SCHEME_COUNT_ ? kind : NNINIT_SCHEME_ZEROS;
    s.std = 1.0;
    s.low = 0.0; s.high = 1.0;
    s.gain = 1.0;
    s.scale = 1.0;
    s.mode = NNINIT_FAN_IN;
    s.nonlinearity = NNINIT_NL_LEAKY_RELU;
    s.distribution = NNINIT_DIST_TRUNCATED_NORMAL;
    s.layout.kind = NNINIT_LAYOUT_OIHW;
    s.layout.groups = 1;
    switch (s.kind) {
    case NNINIT_SCHEME_TRUNC_NORMAL: case NNINIT_SCHEME_TRUNC_NORMAL_SIGMA:
        s.low = -2.0; s.high = 2.0; break;
    case NNINIT_SCHEME_SPARSE:
        s.std = 0.01;          /* PyTorch's default */
        s.sparsity = NAN;      /* required */
        break;
    case NNINIT_SCHEME_CONSTANT:
        s.value = NAN; break;  /* required */
    default: break;
    }
    return s;
}

/* ---- validation --------------------------------------------------------- */
nninit_status nninit_scheme_check_(const nninit_scheme *s, unsigned *bad, char *why, size_t why_size)
{
    *bad = 0;
    RETURN_ERROR_IF((unsigned)s->kind >= NNINIT_SCHEME_COUNT_,
                    nninit_fail_(NNINIT_E_PARAM, why, why_size, "unknown scheme kind %d", (int)s->kind));
    const unsigned p = nninit_schemes_[s->kind].params;
#define BAD_PARAM(bit, ...) do { *bad = (bit); return nninit_fail_(NNINIT_E_PARAM, why, why_size, __VA_ARGS__); } while (0)
    if ((p & NNP_VALUE) && !isfinite(s->value)) BAD_PARAM(NNP_VALUE, "value out of range: must be finite");
    if ((p & NNP_MEAN) && !isfinite(s->mean)) BAD_PARAM(NNP_MEAN, "mean out of range: must be finite");
    if ((p & NNP_STD) && !(isfinite(s->std) && s->std >= 0))
        BAD_PARAM(NNP_STD, "std out of range: must be finite and >= 0 (got %g)", s->std);
    if ((p & (NNP_LOW | NNP_LOWER)) && !isfinite(s->low)) BAD_PARAM(p & (NNP_LOW | NNP_LOWER), "bound out of range: must be finite");
    if ((p & (NNP_HIGH | NNP_UPPER)) && !isfinite(s->high)) BAD_PARAM(p & (NNP_HIGH | NNP_UPPER), "bound out of range: must be finite");
    if ((p & NNP_LOW) && !(s->low < s->high))
        BAD_PARAM(NNP_HIGH, "high out of range: low (%g) must be < high (%g)", s->low, s->high);
    if ((p & NNP_LOWER) && !(s->low < s->high))
        BAD_PARAM(NNP_UPPER, "upper out of range: lower (%g) must be < upper (%g)", s->low, s->high);
    if ((p & (NNP_LOW | NNP_LOWER)) && s->kind != NNINIT_SCHEME_UNIFORM && !(s->std > 0))
        BAD_PARAM(NNP_STD, "std out of range: a truncated normal needs std > 0");
    if ((p & NNP_GAIN) && !(isfinite(s->gain) && s->gain > 0))
        BAD_PARAM(NNP_GAIN, "gain out of range: must be finite and > 0 (got %g)", s->gain);
    if ((p & NNP_A) && !isfinite(s->a)) BAD_PARAM(NNP_A, "a out of range: must be finite");
    if ((p & NNP_A) && s->a != 0 && s->nonlinearity != NNINIT_NL_LEAKY_RELU)
        BAD_PARAM(NNP_A, "a out of range: a (the negative slope) is used only with nonlinearity=leaky_relu");
    if ((p & NNP_NONLINEARITY) && !nninit_nonlinearity_name_(s->nonlinearity))
        BAD_PARAM(NNP_NONLINEARITY, "nonlinearity out of range: unknown value %d", (int)s->nonlinearity);
    if ((p & NNP_MODE) && !(s->mode == NNINIT_FAN_IN || s->mode == NNINIT_FAN_OUT ||
                            (s->mode == NNINIT_FAN_AVG && s->kind == NNINIT_SCHEME_VARIANCE_SCALING)))
        BAD_PARAM(NNP_MODE, "mode out of range: %s", s->kind == NNINIT_SCHEME_VARIANCE_SCALING
                                                   ? "must be fan_in, fan_out or fan_avg" : "must be fan_in or fan_out");
    if ((p & NNP_SCALE) && !(isfinite(s->scale) && s->scale > 0))
        BAD_PARAM(NNP_SCALE, "scale out of range: must be finite and > 0 (got %g)", s->scale);
    if ((p & NNP_DISTRIBUTION) && (unsigned)s->distribution > NNINIT_DIST_UNIFORM)
        BAD_PARAM(NNP_DISTRIBUTION, "distribution out of range: unknown value %d", (int)s->distribution);
    if ((p & NNP_SPARSITY) && !(s->sparsity >= 0 && s->sparsity <= 1))
        BAD_PARAM(NNP_SPARSITY, "sparsity out of range: must be in [0, 1] (got %g)", s->sparsity);
    if ((p & NNP_FAN_IN) && s->fan_in < 1)
        BAD_PARAM(NNP_FAN_IN, "fan_in out of range: must be >= 1 (got %lld)", (long long)s->fan_in);
    if ((p & NNP_LAYOUT) && (unsigned)s->layout.kind > NNINIT_LAYOUT_AXES)
        BAD_PARAM(NNP_LAYOUT, "layout out of range: unknown value %d", (int)s->layout.kind);
    if ((p & NNP_GROUPS) && s->layout.groups < 0)
        BAD_PARAM(NNP_GROUPS, "groups out of range: must be >= 1 (got %lld)", (long long)s->layout.groups);
    if (!(p & NNP_GROUPS) && s->layout.groups > 1)
        BAD_PARAM(NNP_GROUPS, "groups out of range: %s does not use groups", nninit_schemes_[s->kind].name);
#undef BAD_PARAM
    nninit_msg_clear_(why, why_size);
    return NNINIT_OK;
}
