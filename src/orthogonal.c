/* Orthogonal scheme: placeholder until the LAPACK implementation lands. */
#include "internal.h"

nninit_status nninit_orthogonal_fill_(void *dst, nninit_dtype dtype, int64_t rows, int64_t cols, double gain,
                                      nninit_rng rng)
{
    (void)dst; (void)dtype; (void)rows; (void)cols; (void)gain; (void)rng;
    return NNINIT_E_LAPACK;
}
