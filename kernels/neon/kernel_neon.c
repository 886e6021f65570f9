/* AArch64 NEON kernel: the scalar specification, four lanes at a time. */
#include "neon/vec_neon.h"
#include "vecmath.h"
#define NNK_TABLE_NAME nnk_table_neon
#include "kernel_body.h"
