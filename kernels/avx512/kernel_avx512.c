/* AVX-512 kernel: the scalar specification, sixteen lanes at a time. */
#include "avx512/vec_avx512.h"
#include "vecmath.h"
#define NNK_TABLE_NAME nnk_table_avx512
#include "kernel_body.h"
