/* Checkpoint values to a tensor's dtype: exact widening, or one rounding to
 * nearest even from the exact source value. */
#include <math.h>
#include <string.h>
#include "model.h"

/* binary64 -> binary32 rounded to odd: a later rounding to a 16-bit format
 * (at most 11 significant bits, 24 >= 11 + 2) then equals one direct rounding
 * of the binary64 value (Boldo & Melquiond, "Emulation of FMA and correctly
 * rounded sums: proved algorithms using rounding to odd", 2008). */
static float f32_odd_from_f64(double d)
{
    float f = (float)d;
    if (d != d || (double)f == d) return f;
    uint32_t u;
    memcpy(&u, &f, 4);
    if (fabs((double)f) > fabs(d)) u -= 1;   /* rounded away from zero (or to inf): step back */
    u |= 1;
    memcpy(&f, &u, 4);
    return f;
}

void nninit_convert_(void *dst, nninit_dtype dd, const void *src, nninit_dtype sd, size_t n)
{
    unsigned char *d = (unsigned char *)dst;
    if (dd == sd) { memcpy(d, src, n * nninit_dtype_size(dd)); return; }
    for (size_t i = 0; i < n; i++) {
        /* A 32-bit-or-narrower source is exact in binary32 (bits kept, NaN
         * payloads too); an f64 one is rounded once, or to odd before a
         * second rounding to 16 bits. */
        float f;
        double v;
        if (sd == NNINIT_F64) {
            memcpy(&v, (const unsigned char *)src + i * 8, 8);
            f = dd == NNINIT_F32 ? (float)v : f32_odd_from_f64(v);
        } else {
            if (sd == NNINIT_F32) memcpy(&f, (const unsigned char *)src + i * 4, 4);
            else {
                uint16_t h;
                memcpy(&h, (const unsigned char *)src + i * 2, 2);
                f = nninit_f32_from_half_(sd, h);
            }
            v = f;
        }
        switch (dd) {
        case NNINIT_F64: memcpy(d + i * 8, &v, 8); break;
        case NNINIT_F32: memcpy(d + i * 4, &f, 4); break;
        case NNINIT_BF16: case NNINIT_F16: {
            uint16_t h = nninit_half_from_f32_(dd, f);
            memcpy(d + i * 2, &h, 2);
            break;
        }
        }
    }
}
