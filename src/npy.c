/* NumPy .npy writer: placeholder until it lands. */
#include "internal.h"

nninit_status nninit_npy_save(const char *path, const void *data, nninit_dtype dtype, const int64_t *shape, int ndim)
{
    (void)path; (void)data; (void)dtype; (void)shape; (void)ndim;
    return NNINIT_E_IO;
}
