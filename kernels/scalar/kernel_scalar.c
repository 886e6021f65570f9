/* The scalar kernel: the specification every SIMD path must match bit for bit. */
#include "scalar/vec_scalar.h"
#include "vecmath.h"
#define NNK_TABLE_NAME nnk_table_scalar
#include "kernel_body.h"
