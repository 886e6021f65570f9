/* AVX2 + FMA kernel: the scalar specification, eight lanes at a time. */
#include "avx2/vec_avx2.h"
#include "vecmath.h"
#define NNK_TABLE_NAME nnk_table_avx2
#include "kernel_body.h"
