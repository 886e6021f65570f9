/* A plan's random draw: the kernel parameters and the fill of an element
 * range. Below slice.c (boxes) and apply.c (the dispatch by kind). */
#include "schemes.h"

nninit_status nninit_plan_params_(nnk_params *p, nninit_dtype dtype, const nninit_plan *pl)
{
    switch (pl->kind) {
    case NNINIT_PLAN_UNIFORM: return nninit_params_uniform_(p, dtype, pl->low, pl->high);
    case NNINIT_PLAN_NORMAL: return nninit_params_normal_(p, dtype, pl->mean, pl->std);
    case NNINIT_PLAN_SPARSE: return nninit_params_normal_(p, dtype, 0.0, pl->std);
    case NNINIT_PLAN_TRUNC_NORMAL: return nninit_params_trunc_(p, dtype, pl->mean, pl->std, pl->low, pl->high);
    default: return NNINIT_E_PARAM;
    }
}

nninit_status nninit_plan_fill_(void *dst, nninit_dtype dtype, size_t n, const nninit_plan *pl, nninit_rng rng,
                                uint64_t offset)
{
    nnk_params p;
    if (pl->kind == NNINIT_PLAN_CONSTANT) return nninit_constant(dst, dtype, n, pl->mean);
    RETURN_ERROR_IF(nninit_dtype_size(dtype) == 0, NNINIT_E_DTYPE);
    FORWARD_IF_ERROR(nninit_plan_params_(&p, dtype, pl));
    return nninit_run_fill_(dst, dtype, n, &p, rng, offset);
}
