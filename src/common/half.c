/* The storage formats. The conversions are taken from the scalar kernel's
 * vocabulary (kernels/scalar/vec_scalar.h), the specification every SIMD
 * path's stores match bit for bit: written once, so a value stored by a fill,
 * by a structured scheme (eye, dirac, orthogonal) or by a checkpoint
 * conversion rounds the same way. This file and src/engine/params.c are the
 * only ones above kernels/ that include a kernel header. */
#include <float.h>
#include <string.h>
#include "common.h"
#include "scalar/vec_scalar.h"

uint16_t nninit_half_from_f32_(nninit_dtype dtype, float f)
{
    if (dtype == NNINIT_F16) return vh_from_f_f16(f);   /* keeps NaN a NaN itself */
    uint32_t u;
    memcpy(&u, &f, 4);
    /* bf16: rounding a NaN's payload could carry it into infinity; keep it a quiet NaN */
    if ((u & 0x7FFFFFFFu) > 0x7F800000u) return (uint16_t)((u >> 16) | 0x40u);
    return vh_from_f_bf16(f);
}

float nninit_f32_from_half_(nninit_dtype dtype, uint16_t h)
{
    return dtype == NNINIT_F16 ? vf_from_vh_f16(h) : vf_from_vh_bf16(h);
}

double nninit_dtype_max_(nninit_dtype dtype)
{
    switch (dtype) {
    case NNINIT_F64: return DBL_MAX;
    case NNINIT_F32: return FLT_MAX;
    case NNINIT_BF16: return 0x1.FEp127;   /* 0x7F7F */
    case NNINIT_F16: return 65504.0;
    }
    return 0.0;
}

double nninit_load_elem_(const void *data, nninit_dtype dtype, size_t i)
{
    const unsigned char *s = (const unsigned char *)data;
    switch (dtype) {
    case NNINIT_F64: { double d; memcpy(&d, s + i * 8, 8); return d; }
    case NNINIT_F32: { float f; memcpy(&f, s + i * 4, 4); return f; }
    case NNINIT_BF16: case NNINIT_F16: { uint16_t h; memcpy(&h, s + i * 2, 2); return nninit_f32_from_half_(dtype, h); }
    }
    return 0.0;
}

void nninit_store_elem_(void *dst, nninit_dtype dtype, size_t index, double value)
{
    unsigned char *d = (unsigned char *)dst;
    if (dtype == NNINIT_F64) { memcpy(d + index * 8, &value, 8); return; }
    float f = (float)value;
    if (dtype == NNINIT_F32) { memcpy(d + index * 4, &f, 4); return; }
    uint16_t h = nninit_half_from_f32_(dtype, f);
    memcpy(d + index * 2, &h, 2);
}
