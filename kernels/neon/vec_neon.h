/* AArch64 Advanced SIMD (NEON) instantiation of the vector-op vocabulary.
 * Every op gives, lane by lane, the result of its scalar definition in
 * scalar/vec_scalar.h. Masks are all-ones / all-zeros integer lanes.
 * Rounding is FPCR's, which Linux leaves at nearest-even with no flushing. */
#ifndef NNINIT_VEC_NEON_H
#define NNINIT_VEC_NEON_H

#if !defined(__aarch64__) || !defined(__ARM_NEON)
#error "kernels/neon needs AArch64 with Advanced SIMD"
#endif
#include <arm_neon.h>
#include <stdint.h>

#define NNV_ISA_NAME "neon"
#define NNV_LF 4
#define NNV_LD 2
/* UMULL/UMULL2 + UZP1/UZP2 give hi and lo of four lanes in four ops: the
 * 32-bit lane form of Philox is the cheaper one here. */
#define NNV_PHILOX_LANES64 0

typedef float32x4_t VF;
typedef uint32x4_t VU;
typedef uint32x4_t VMF;
typedef float64x2_t VD;
typedef uint64x2_t VQ;
typedef uint64x2_t VMD;
typedef uint16x4_t VH;

#define NNV_INLINE static inline __attribute__((always_inline))

NNV_INLINE VF vf_set(float x) { return vdupq_n_f32(x); }
NNV_INLINE VF vf_add(VF a, VF b) { return vaddq_f32(a, b); }
NNV_INLINE VF vf_sub(VF a, VF b) { return vsubq_f32(a, b); }
NNV_INLINE VF vf_mul(VF a, VF b) { return vmulq_f32(a, b); }
NNV_INLINE VF vf_div(VF a, VF b) { return vdivq_f32(a, b); }
NNV_INLINE VF vf_fma(VF a, VF b, VF c) { return vfmaq_f32(c, a, b); }   /* FMLA: one rounding */
NNV_INLINE VF vf_sqrt(VF a) { return vsqrtq_f32(a); }
/* Not FMIN/FMAX: they order -0 below +0, where (a < b ? a : b) returns b. */
NNV_INLINE VF vf_min(VF a, VF b) { return vbslq_f32(vcltq_f32(a, b), a, b); }
NNV_INLINE VF vf_max(VF a, VF b) { return vbslq_f32(vcgtq_f32(a, b), a, b); }
NNV_INLINE VMF vf_lt(VF a, VF b) { return vcltq_f32(a, b); }
NNV_INLINE VMF vf_le(VF a, VF b) { return vcleq_f32(a, b); }
NNV_INLINE VMF vf_gt(VF a, VF b) { return vcgtq_f32(a, b); }
NNV_INLINE VMF vf_ge(VF a, VF b) { return vcgeq_f32(a, b); }
NNV_INLINE VF vf_sel(VMF m, VF a, VF b) { return vbslq_f32(m, a, b); }
NNV_INLINE VMF vmf_and(VMF a, VMF b) { return vandq_u32(a, b); }
NNV_INLINE VMF vmf_or(VMF a, VMF b) { return vorrq_u32(a, b); }
NNV_INLINE VMF vmf_not(VMF a) { return vmvnq_u32(a); }
NNV_INLINE int vmf_any(VMF a) { return vmaxvq_u32(a) != 0; }
NNV_INLINE int vmf_all(VMF a) { return vminvq_u32(a) != 0; }

NNV_INLINE VU vu_set(uint32_t x) { return vdupq_n_u32(x); }
NNV_INLINE VU vu_add(VU a, VU b) { return vaddq_u32(a, b); }
NNV_INLINE VU vu_sub(VU a, VU b) { return vsubq_u32(a, b); }
NNV_INLINE VU vu_and(VU a, VU b) { return vandq_u32(a, b); }
NNV_INLINE VU vu_or(VU a, VU b) { return vorrq_u32(a, b); }
NNV_INLINE VU vu_xor(VU a, VU b) { return veorq_u32(a, b); }
NNV_INLINE VU vu_not(VU a) { return vmvnq_u32(a); }
#define vu_srl(a, n) vshrq_n_u32((a), (n))                                  /* n in 1..31 */
#define vu_sll(a, n) vshlq_n_u32((a), (n))                                  /* n in 0..31 */
NNV_INLINE VMF vu_eq(VU a, VU b) { return vceqq_u32(a, b); }
NNV_INLINE VU vu_sel(VMF m, VU a, VU b) { return vbslq_u32(m, a, b); }
/* UMULL on each half gives {lo0, hi0, lo1, hi1} and {lo2, hi2, lo3, hi3}
 * as 32-bit words; UZP1/UZP2 collect the even (lo) and odd (hi) words in
 * lane order. */
NNV_INLINE void vu_mulhilo(VU a, uint32_t m, VU *hi, VU *lo)
{
    uint32x4_t p01 = vreinterpretq_u32_u64(vmull_u32(vget_low_u32(a), vdup_n_u32(m)));
    uint32x4_t p23 = vreinterpretq_u32_u64(vmull_high_u32(a, vdupq_n_u32(m)));
    *lo = vuzp1q_u32(p01, p23);
    *hi = vuzp2q_u32(p01, p23);
}
NNV_INLINE VU vu_lane_index(void)
{
    static const uint32_t idx[4] = { 0, 1, 2, 3 };
    return vld1q_u32(idx);
}
NNV_INLINE VF vf_from_bits(VU a) { return vreinterpretq_f32_u32(a); }
NNV_INLINE VU vu_bits(VF a) { return vreinterpretq_u32_f32(a); }
NNV_INLINE VF vf_cvt_i32(VU a) { return vcvtq_f32_s32(vreinterpretq_s32_u32(a)); }   /* SCVTF: FPCR rounding */

/* arm_neon.h writes vmulq_f64/vaddq_f64 as plain C operators, so only
 * -ffp-contract=off keeps vd_mla from becoming an FMLA. */
NNV_INLINE VD vd_set(double x) { return vdupq_n_f64(x); }
NNV_INLINE VD vd_add(VD a, VD b) { return vaddq_f64(a, b); }
NNV_INLINE VD vd_sub(VD a, VD b) { return vsubq_f64(a, b); }
NNV_INLINE VD vd_mul(VD a, VD b) { return vmulq_f64(a, b); }
NNV_INLINE VD vd_div(VD a, VD b) { return vdivq_f64(a, b); }
NNV_INLINE VD vd_mla(VD a, VD b, VD c) { return vaddq_f64(vmulq_f64(a, b), c); }   /* two roundings */
NNV_INLINE VD vd_sqrt(VD a) { return vsqrtq_f64(a); }
NNV_INLINE VD vd_min(VD a, VD b) { return vbslq_f64(vcltq_f64(a, b), a, b); }
NNV_INLINE VD vd_max(VD a, VD b) { return vbslq_f64(vcgtq_f64(a, b), a, b); }
NNV_INLINE VMD vd_lt(VD a, VD b) { return vcltq_f64(a, b); }
NNV_INLINE VMD vd_le(VD a, VD b) { return vcleq_f64(a, b); }
NNV_INLINE VMD vd_gt(VD a, VD b) { return vcgtq_f64(a, b); }
NNV_INLINE VMD vd_ge(VD a, VD b) { return vcgeq_f64(a, b); }
NNV_INLINE VD vd_sel(VMD m, VD a, VD b) { return vbslq_f64(m, a, b); }
NNV_INLINE VMD vmd_and(VMD a, VMD b) { return vandq_u64(a, b); }
NNV_INLINE VMD vmd_or(VMD a, VMD b) { return vorrq_u64(a, b); }
NNV_INLINE VMD vmd_not(VMD a) { return vreinterpretq_u64_u32(vmvnq_u32(vreinterpretq_u32_u64(a))); }
/* Mask lanes are all-ones or all-zeros, so 32-bit reductions suffice. */
NNV_INLINE int vmd_any(VMD a) { return vmaxvq_u32(vreinterpretq_u32_u64(a)) != 0; }
NNV_INLINE int vmd_all(VMD a) { return vminvq_u32(vreinterpretq_u32_u64(a)) != 0; }

NNV_INLINE VQ vq_set(uint64_t x) { return vdupq_n_u64(x); }
NNV_INLINE VQ vq_add(VQ a, VQ b) { return vaddq_u64(a, b); }
NNV_INLINE VQ vq_sub(VQ a, VQ b) { return vsubq_u64(a, b); }
NNV_INLINE VQ vq_and(VQ a, VQ b) { return vandq_u64(a, b); }
NNV_INLINE VQ vq_or(VQ a, VQ b) { return vorrq_u64(a, b); }
NNV_INLINE VQ vq_xor(VQ a, VQ b) { return veorq_u64(a, b); }
NNV_INLINE VQ vq_not(VQ a) { return vreinterpretq_u64_u32(vmvnq_u32(vreinterpretq_u32_u64(a))); }
#define vq_srl(a, n) vshrq_n_u64((a), (n))                                  /* n in 1..63 */
#define vq_sll(a, n) vshlq_n_u64((a), (n))                                  /* n in 0..63 */
NNV_INLINE VMD vq_eq(VQ a, VQ b) { return vceqq_u64(a, b); }
NNV_INLINE VQ vq_sel(VMD m, VQ a, VQ b) { return vbslq_u64(m, a, b); }
/* XTN keeps the low 32 bits of each lane; UMULL widens the product. */
NNV_INLINE VQ vq_mul32(VQ a, uint32_t m) { return vmull_u32(vmovn_u64(a), vdup_n_u32(m)); }
NNV_INLINE VQ vq_lane_index(void)
{
    static const uint64_t idx[2] = { 0, 1 };
    return vld1q_u64(idx);
}
/* UZP1: the even 32-bit words of q[0] then those of q[1]. */
NNV_INLINE VU vu_from_q(const VQ *q) { return vuzp1q_u32(vreinterpretq_u32_u64(q[0]), vreinterpretq_u32_u64(q[1])); }
NNV_INLINE VD vd_from_bits(VQ a) { return vreinterpretq_f64_u64(a); }
NNV_INLINE VQ vq_bits(VD a) { return vreinterpretq_u64_f64(a); }
NNV_INLINE VD vd_cvt_i64(VQ a) { return vcvtq_f64_s64(vreinterpretq_s64_u64(a)); }   /* exact for |a| <= 2^53 */

/* ---- 16-bit storage formats ------------------------------------------ */
NNV_INLINE VH vh_from_f_bf16(VF a)
{
    uint32x4_t u = vreinterpretq_u32_f32(a);
    uint32x4_t r = vaddq_u32(vaddq_u32(u, vdupq_n_u32(0x7FFFu)), vandq_u32(vshrq_n_u32(u, 16), vdupq_n_u32(1u)));
    return vshrn_n_u32(r, 16);
}
NNV_INLINE VF vf_from_vh_bf16(VH h) { return vreinterpretq_f32_u32(vshll_n_u16(h, 16)); }
/* FCVTN/FCVTL: nearest-even from FPCR, subnormals kept (FPCR.FZ clear),
 * overflow to infinity; binary16 -> binary32 is exact. */
NNV_INLINE VH vh_from_f_f16(VF a) { return vreinterpret_u16_f16(vcvt_f16_f32(a)); }
NNV_INLINE VF vf_from_vh_f16(VH h) { return vcvt_f32_f16(vreinterpret_f16_u16(h)); }
NNV_INLINE VH vh_set(uint16_t x) { return vdup_n_u16(x); }
NNV_INLINE VH vh_sel(VMF m, VH a, VH b) { return vbsl_u16(vmovn_u32(m), a, b); }

/* ---- stores: AArch64 has no non-temporal vector store that bypasses the
 * cache like MOVNT (STNP is only a hint), so stream is a plain store. ---- */
NNV_INLINE void vf_store(float *p, VF a) { vst1q_f32(p, a); }
NNV_INLINE void vf_stream(float *p, VF a) { vst1q_f32(p, a); }
NNV_INLINE void vd_store(double *p, VD a) { vst1q_f64(p, a); }
NNV_INLINE void vd_stream(double *p, VD a) { vst1q_f64(p, a); }
NNV_INLINE void vh_store(uint16_t *p, VH a) { vst1_u16(p, a); }
NNV_INLINE void vh_stream(uint16_t *p, VH a) { vst1_u16(p, a); }
NNV_INLINE void nnv_stream_fence(void) {}
#define NNV_STREAM_ALIGN 1

#endif
