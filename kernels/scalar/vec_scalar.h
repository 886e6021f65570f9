/* Scalar instantiation of the vector-op vocabulary used by kernels/vecmath.h
 * and kernels/kernel_body.h. One lane. This file is the reference definition
 * of every op: each ISA header (avx2/vec_avx2.h, ...) must implement the same
 * operation with the same IEEE result, lane by lane.
 *
 * Types:  VF  binary32 lanes          VU  uint32 lanes      VMF mask for VF/VU
 *         VD  binary64 lanes          VQ  uint64 lanes      VMD mask for VD/VQ
 *         VH  uint16 lanes (as many as VF has)
 * VF and VU have NNV_LF lanes; VD and VQ have NNV_LD lanes. */
#ifndef NNINIT_VEC_SCALAR_H
#define NNINIT_VEC_SCALAR_H

#include <stdint.h>
#include <string.h>

#define NNV_ISA_NAME "scalar"
#define NNV_LF 1
#define NNV_LD 1
/* Philox words in 64-bit lanes for the f32 family too (kernel_body.h):
 * worth it where a 32x32->64 multiply is the cheap form (x86). */
#define NNV_PHILOX_LANES64 0

typedef float VF;
typedef uint32_t VU;
typedef int VMF;
typedef double VD;
typedef uint64_t VQ;
typedef int VMD;
typedef uint16_t VH;

#define NNV_INLINE static inline __attribute__((always_inline))

/* ---- fused multiply-add in binary32 ------------------------------------
 * Where the CPU has an FMA instruction in the baseline (aarch64; x86 built
 * with -mfma) the compiler emits it. Otherwise (baseline x86-64) it is done
 * exactly in software: the product of two binary32 is exact in binary64, the
 * sum is rounded to odd in binary64 (53 >= 24 + 2 bits), and rounding that
 * to binary32 gives the correctly rounded a*b+c (Boldo & Melquiond, 2008). */
NNV_INLINE float nnk_fmaf(float a, float b, float c)
{
#if defined(__FP_FAST_FMAF)
    return __builtin_fmaf(a, b, c);
#else
    double p = (double)a * (double)b;
    double s = p + (double)c;
    if (s - s != 0.0) return (float)s;  /* inf or NaN: the error term below would be inf - inf */
    double bv = s - p;
    double err = (p - (s - bv)) + ((double)c - bv); /* TwoSum: s + err == p + c exactly */
    if (err != 0.0) {
        uint64_t bits;
        memcpy(&bits, &s, sizeof bits);
        if ((bits & 1u) == 0) { /* s even: step one ulp towards the exact sum */
            if ((err > 0.0) == (s > 0.0)) bits++; else bits--;
            memcpy(&s, &bits, sizeof bits);
        }
    }
    return (float)s;
#endif
}

/* ---- VF / VU / VMF ---------------------------------------------------- */
NNV_INLINE VF vf_set(float x) { return x; }
NNV_INLINE VF vf_add(VF a, VF b) { return a + b; }
NNV_INLINE VF vf_sub(VF a, VF b) { return a - b; }
NNV_INLINE VF vf_mul(VF a, VF b) { return a * b; }
NNV_INLINE VF vf_div(VF a, VF b) { return a / b; }
NNV_INLINE VF vf_fma(VF a, VF b, VF c) { return nnk_fmaf(a, b, c); }   /* a*b+c, one rounding */
NNV_INLINE VF vf_sqrt(VF a) { return __builtin_sqrtf(a); }             /* IEEE, correctly rounded */
/* min/max: operands are never NaN here. On equal operands (+0 and -0
 * included) the SECOND operand is returned: every ISA must do the same. */
NNV_INLINE VF vf_min(VF a, VF b) { return a < b ? a : b; }
NNV_INLINE VF vf_max(VF a, VF b) { return a > b ? a : b; }
NNV_INLINE VMF vf_lt(VF a, VF b) { return a < b; }
NNV_INLINE VMF vf_le(VF a, VF b) { return a <= b; }
NNV_INLINE VMF vf_gt(VF a, VF b) { return a > b; }
NNV_INLINE VMF vf_ge(VF a, VF b) { return a >= b; }
NNV_INLINE VF vf_sel(VMF m, VF a, VF b) { return m ? a : b; }          /* m ? a : b per lane */
NNV_INLINE VMF vmf_and(VMF a, VMF b) { return a & b; }
NNV_INLINE VMF vmf_or(VMF a, VMF b) { return a | b; }
NNV_INLINE VMF vmf_not(VMF a) { return !a; }
NNV_INLINE int vmf_any(VMF a) { return a != 0; }
NNV_INLINE int vmf_all(VMF a) { return a != 0; }

NNV_INLINE VU vu_set(uint32_t x) { return x; }
NNV_INLINE VU vu_add(VU a, VU b) { return a + b; }
NNV_INLINE VU vu_sub(VU a, VU b) { return a - b; }
NNV_INLINE VU vu_and(VU a, VU b) { return a & b; }
NNV_INLINE VU vu_or(VU a, VU b) { return a | b; }
NNV_INLINE VU vu_xor(VU a, VU b) { return a ^ b; }
NNV_INLINE VU vu_not(VU a) { return ~a; }
#define vu_srl(a, n) ((VU)((a) >> (n)))                                    /* logical, n constant */
#define vu_sll(a, n) ((VU)((a) << (n)))
NNV_INLINE VMF vu_eq(VU a, VU b) { return a == b; }
NNV_INLINE VU vu_sel(VMF m, VU a, VU b) { return m ? a : b; }
/* hi:lo = a * m, full 64-bit product of unsigned 32-bit lanes. */
NNV_INLINE void vu_mulhilo(VU a, uint32_t m, VU *hi, VU *lo)
{
    uint64_t p = (uint64_t)a * m;
    *hi = (uint32_t)(p >> 32);
    *lo = (uint32_t)p;
}
NNV_INLINE VU vu_lane_index(void) { return 0; }                        /* {0, 1, ..., LF-1} */
NNV_INLINE VF vf_from_bits(VU a) { VF f; memcpy(&f, &a, 4); return f; }
NNV_INLINE VU vu_bits(VF a) { VU u; memcpy(&u, &a, 4); return u; }
/* Lanes read as signed int32, converted to binary32 rounding to nearest even. */
NNV_INLINE VF vf_cvt_i32(VU a) { return (float)(int32_t)a; }

/* ---- VD / VQ / VMD ---------------------------------------------------
 * binary64 math uses separate multiply and add (no FMA): a baseline x86-64
 * has no FMA instruction, and an exact software binary64 FMA would make the
 * scalar specification far slower than it needs to be. */
NNV_INLINE VD vd_set(double x) { return x; }
NNV_INLINE VD vd_add(VD a, VD b) { return a + b; }
NNV_INLINE VD vd_sub(VD a, VD b) { return a - b; }
NNV_INLINE VD vd_mul(VD a, VD b) { return a * b; }
NNV_INLINE VD vd_div(VD a, VD b) { return a / b; }
NNV_INLINE VD vd_mla(VD a, VD b, VD c) { return a * b + c; }            /* two roundings, never fused */
NNV_INLINE VD vd_sqrt(VD a) { return __builtin_sqrt(a); }
NNV_INLINE VD vd_min(VD a, VD b) { return a < b ? a : b; }
NNV_INLINE VD vd_max(VD a, VD b) { return a > b ? a : b; }
NNV_INLINE VMD vd_lt(VD a, VD b) { return a < b; }
NNV_INLINE VMD vd_le(VD a, VD b) { return a <= b; }
NNV_INLINE VMD vd_gt(VD a, VD b) { return a > b; }
NNV_INLINE VMD vd_ge(VD a, VD b) { return a >= b; }
NNV_INLINE VD vd_sel(VMD m, VD a, VD b) { return m ? a : b; }
NNV_INLINE VMD vmd_and(VMD a, VMD b) { return a & b; }
NNV_INLINE VMD vmd_or(VMD a, VMD b) { return a | b; }
NNV_INLINE VMD vmd_not(VMD a) { return !a; }
NNV_INLINE int vmd_any(VMD a) { return a != 0; }
NNV_INLINE int vmd_all(VMD a) { return a != 0; }

NNV_INLINE VQ vq_set(uint64_t x) { return x; }
NNV_INLINE VQ vq_add(VQ a, VQ b) { return a + b; }
NNV_INLINE VQ vq_sub(VQ a, VQ b) { return a - b; }
NNV_INLINE VQ vq_and(VQ a, VQ b) { return a & b; }
NNV_INLINE VQ vq_or(VQ a, VQ b) { return a | b; }
NNV_INLINE VQ vq_xor(VQ a, VQ b) { return a ^ b; }
NNV_INLINE VQ vq_not(VQ a) { return ~a; }
#define vq_srl(a, n) ((VQ)((a) >> (n)))
#define vq_sll(a, n) ((VQ)((a) << (n)))
NNV_INLINE VMD vq_eq(VQ a, VQ b) { return a == b; }
NNV_INLINE VQ vq_sel(VMD m, VQ a, VQ b) { return m ? a : b; }
/* Full 64-bit product of the low 32 bits of a and the constant m. */
NNV_INLINE VQ vq_mul32(VQ a, uint32_t m) { return (uint64_t)(uint32_t)a * m; }
NNV_INLINE VQ vq_lane_index(void) { return 0; }
/* The low 32 bits of every lane of q[0], q[1], ..., q[NNV_LF / NNV_LD - 1],
 * in that order, as the NNV_LF lanes of one VU (here NNV_LF / NNV_LD = 1). */
NNV_INLINE VU vu_from_q(const VQ *q) { return (uint32_t)q[0]; }
NNV_INLINE VD vd_from_bits(VQ a) { VD d; memcpy(&d, &a, 8); return d; }
NNV_INLINE VQ vq_bits(VD a) { VQ q; memcpy(&q, &a, 8); return q; }
/* Lanes read as signed int64 in [-2^53, 2^53], converted exactly. */
NNV_INLINE VD vd_cvt_i64(VQ a) { return (double)(int64_t)a; }

/* ---- 16-bit storage formats ------------------------------------------ */
/* binary32 -> bfloat16, round to nearest even (inputs are finite). */
NNV_INLINE VH vh_from_f_bf16(VF a)
{
    uint32_t u = vu_bits(a);
    return (uint16_t)((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
}
NNV_INLINE VF vf_from_vh_bf16(VH h) { return vf_from_bits((uint32_t)h << 16); }
/* binary32 -> binary16, round to nearest even, subnormals kept, overflow to
 * infinity (the parameter checks keep values inside the binary16 range). */
NNV_INLINE VH vh_from_f_f16(VF a)
{
    uint32_t u = vu_bits(a);
    uint32_t sign = (u >> 16) & 0x8000u;
    uint32_t au = u & 0x7FFFFFFFu;
    if (au >= 0x477FF000u)              /* rounds to >= 65536: infinity (or NaN kept as NaN) */
        return (uint16_t)(sign | (au > 0x7F800000u ? 0x7E00u : 0x7C00u));
    if (au < 0x38800000u) {             /* below 2^-14: binary16 subnormal or zero */
        if (au < 0x33000000u) return (uint16_t)sign;   /* below 2^-25: rounds to zero (2^-25 is a tie to 0) */
        uint32_t e = au >> 23;          /* 102..112 */
        uint32_t m = (au & 0x7FFFFFu) | 0x800000u;
        uint32_t shift = 126u - e;      /* 14..24: value = m * 2^(e-150); unit 2^-24 */
        uint32_t q = m >> shift, rem = m & ((1u << shift) - 1u), half = 1u << (shift - 1u);
        if (rem > half || (rem == half && (q & 1u))) q++;
        return (uint16_t)(sign | q);
    }
    uint32_t r = au + 0xFFFu + ((au >> 13) & 1u) - 0x38000000u; /* rebias 127 -> 15 and round */
    return (uint16_t)(sign | (r >> 13));
}
NNV_INLINE VF vf_from_vh_f16(VH h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t e = (h >> 10) & 0x1Fu, m = h & 0x3FFu;
    if (e == 0) {                        /* zero or subnormal: m * 2^-24 is exact in binary32 */
        float f = (float)m * 0x1p-24f;
        return vf_from_bits(vu_bits(f) | sign);
    }
    if (e == 31) return vf_from_bits(sign | 0x7F800000u | (m << 13));
    return vf_from_bits(sign | ((e + 112u) << 23) | (m << 13));
}
NNV_INLINE VH vh_set(uint16_t x) { return x; }
NNV_INLINE VH vh_sel(VMF m, VH a, VH b) { return m ? a : b; }

/* ---- loads and stores (unaligned; the stream forms need vector alignment) */
NNV_INLINE void vf_store(float *p, VF a) { *p = a; }
NNV_INLINE void vf_stream(float *p, VF a) { *p = a; }
NNV_INLINE void vd_store(double *p, VD a) { *p = a; }
NNV_INLINE void vd_stream(double *p, VD a) { *p = a; }
NNV_INLINE void vh_store(uint16_t *p, VH a) { *p = a; }
NNV_INLINE void vh_stream(uint16_t *p, VH a) { *p = a; }
NNV_INLINE void nnv_stream_fence(void) {}
/* Byte alignment the stream forms need. */
#define NNV_STREAM_ALIGN 1

#endif
