/* AVX-512 (F, BW, DQ, VL) instantiation of the vector-op vocabulary. Every op
 * gives, lane by lane, the result of its scalar definition in
 * scalar/vec_scalar.h. Masks are k-registers. */
#ifndef NNINIT_VEC_AVX512_H
#define NNINIT_VEC_AVX512_H

#if !defined(__AVX512F__) || !defined(__AVX512BW__) || !defined(__AVX512DQ__) || !defined(__AVX512VL__)
#error "kernels/avx512 must be compiled with -mavx512f -mavx512bw -mavx512dq -mavx512vl"
#endif
#include <immintrin.h>
#include <stdint.h>

#define NNV_ISA_NAME "avx512"
#define NNV_LF 16
#define NNV_LD 8
/* VPMULUDQ multiplies the low halves of 64-bit lanes: Philox keeps its
 * words in 64-bit lanes (kernel_body.h). */
#define NNV_PHILOX_LANES64 1

typedef __m512 VF;
typedef __m512i VU;
typedef __mmask16 VMF;
typedef __m512d VD;
typedef __m512i VQ;
typedef __mmask8 VMD;
typedef __m256i VH;   /* 16 x uint16 */

#define NNV_INLINE static inline __attribute__((always_inline))

NNV_INLINE VF vf_set(float x) { return _mm512_set1_ps(x); }
NNV_INLINE VF vf_add(VF a, VF b) { return _mm512_add_ps(a, b); }
NNV_INLINE VF vf_sub(VF a, VF b) { return _mm512_sub_ps(a, b); }
NNV_INLINE VF vf_mul(VF a, VF b) { return _mm512_mul_ps(a, b); }
NNV_INLINE VF vf_div(VF a, VF b) { return _mm512_div_ps(a, b); }
NNV_INLINE VF vf_fma(VF a, VF b, VF c) { return _mm512_fmadd_ps(a, b, c); }
NNV_INLINE VF vf_sqrt(VF a) { return _mm512_sqrt_ps(a); }
NNV_INLINE VF vf_min(VF a, VF b) { return _mm512_min_ps(a, b); }   /* a < b ? a : b */
NNV_INLINE VF vf_max(VF a, VF b) { return _mm512_max_ps(a, b); }   /* a > b ? a : b */
NNV_INLINE VMF vf_lt(VF a, VF b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
NNV_INLINE VMF vf_le(VF a, VF b) { return _mm512_cmp_ps_mask(a, b, _CMP_LE_OQ); }
NNV_INLINE VMF vf_gt(VF a, VF b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
NNV_INLINE VMF vf_ge(VF a, VF b) { return _mm512_cmp_ps_mask(a, b, _CMP_GE_OQ); }
NNV_INLINE VF vf_sel(VMF m, VF a, VF b) { return _mm512_mask_blend_ps(m, b, a); }
NNV_INLINE VMF vmf_and(VMF a, VMF b) { return (VMF)(a & b); }
NNV_INLINE VMF vmf_or(VMF a, VMF b) { return (VMF)(a | b); }
NNV_INLINE VMF vmf_not(VMF a) { return (VMF)~a; }
NNV_INLINE int vmf_any(VMF a) { return a != 0; }
NNV_INLINE int vmf_all(VMF a) { return a == 0xFFFF; }

NNV_INLINE VU vu_set(uint32_t x) { return _mm512_set1_epi32((int)x); }
NNV_INLINE VU vu_add(VU a, VU b) { return _mm512_add_epi32(a, b); }
NNV_INLINE VU vu_sub(VU a, VU b) { return _mm512_sub_epi32(a, b); }
NNV_INLINE VU vu_and(VU a, VU b) { return _mm512_and_si512(a, b); }
NNV_INLINE VU vu_or(VU a, VU b) { return _mm512_or_si512(a, b); }
NNV_INLINE VU vu_xor(VU a, VU b) { return _mm512_xor_si512(a, b); }
NNV_INLINE VU vu_not(VU a) { return _mm512_ternarylogic_epi32(a, a, a, 0x55); }
#define vu_srl(a, n) _mm512_srli_epi32((a), (n))
#define vu_sll(a, n) _mm512_slli_epi32((a), (n))
NNV_INLINE VMF vu_eq(VU a, VU b) { return _mm512_cmpeq_epi32_mask(a, b); }
NNV_INLINE VU vu_sel(VMF m, VU a, VU b) { return _mm512_mask_blend_epi32(m, b, a); }
NNV_INLINE void vu_mulhilo(VU a, uint32_t m, VU *hi, VU *lo)
{
    const __m512i mm = _mm512_set1_epi32((int)m);
    __m512i even = _mm512_mul_epu32(a, mm);
    __m512i odd = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), mm);
    *lo = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
    *hi = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 32), odd);
}
NNV_INLINE VU vu_lane_index(void)
{
    return _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}
NNV_INLINE VF vf_from_bits(VU a) { return _mm512_castsi512_ps(a); }
NNV_INLINE VU vu_bits(VF a) { return _mm512_castps_si512(a); }
NNV_INLINE VF vf_cvt_i32(VU a) { return _mm512_cvtepi32_ps(a); }

NNV_INLINE VD vd_set(double x) { return _mm512_set1_pd(x); }
NNV_INLINE VD vd_add(VD a, VD b) { return _mm512_add_pd(a, b); }
NNV_INLINE VD vd_sub(VD a, VD b) { return _mm512_sub_pd(a, b); }
NNV_INLINE VD vd_mul(VD a, VD b) { return _mm512_mul_pd(a, b); }
NNV_INLINE VD vd_div(VD a, VD b) { return _mm512_div_pd(a, b); }
NNV_INLINE VD vd_mla(VD a, VD b, VD c) { return _mm512_add_pd(_mm512_mul_pd(a, b), c); }
NNV_INLINE VD vd_sqrt(VD a) { return _mm512_sqrt_pd(a); }
NNV_INLINE VD vd_min(VD a, VD b) { return _mm512_min_pd(a, b); }
NNV_INLINE VD vd_max(VD a, VD b) { return _mm512_max_pd(a, b); }
NNV_INLINE VMD vd_lt(VD a, VD b) { return _mm512_cmp_pd_mask(a, b, _CMP_LT_OQ); }
NNV_INLINE VMD vd_le(VD a, VD b) { return _mm512_cmp_pd_mask(a, b, _CMP_LE_OQ); }
NNV_INLINE VMD vd_gt(VD a, VD b) { return _mm512_cmp_pd_mask(a, b, _CMP_GT_OQ); }
NNV_INLINE VMD vd_ge(VD a, VD b) { return _mm512_cmp_pd_mask(a, b, _CMP_GE_OQ); }
NNV_INLINE VD vd_sel(VMD m, VD a, VD b) { return _mm512_mask_blend_pd(m, b, a); }
NNV_INLINE VMD vmd_and(VMD a, VMD b) { return (VMD)(a & b); }
NNV_INLINE VMD vmd_or(VMD a, VMD b) { return (VMD)(a | b); }
NNV_INLINE VMD vmd_not(VMD a) { return (VMD)~a; }
NNV_INLINE int vmd_any(VMD a) { return a != 0; }
NNV_INLINE int vmd_all(VMD a) { return a == 0xFF; }

NNV_INLINE VQ vq_set(uint64_t x) { return _mm512_set1_epi64((long long)x); }
NNV_INLINE VQ vq_add(VQ a, VQ b) { return _mm512_add_epi64(a, b); }
NNV_INLINE VQ vq_sub(VQ a, VQ b) { return _mm512_sub_epi64(a, b); }
NNV_INLINE VQ vq_and(VQ a, VQ b) { return _mm512_and_si512(a, b); }
NNV_INLINE VQ vq_or(VQ a, VQ b) { return _mm512_or_si512(a, b); }
NNV_INLINE VQ vq_xor(VQ a, VQ b) { return _mm512_xor_si512(a, b); }
NNV_INLINE VQ vq_not(VQ a) { return _mm512_ternarylogic_epi64(a, a, a, 0x55); }
#define vq_srl(a, n) _mm512_srli_epi64((a), (n))
#define vq_sll(a, n) _mm512_slli_epi64((a), (n))
NNV_INLINE VMD vq_eq(VQ a, VQ b) { return _mm512_cmpeq_epi64_mask(a, b); }
NNV_INLINE VQ vq_sel(VMD m, VQ a, VQ b) { return _mm512_mask_blend_epi64(m, b, a); }
NNV_INLINE VQ vq_mul32(VQ a, uint32_t m) { return _mm512_mul_epu32(a, _mm512_set1_epi64(m)); }
NNV_INLINE VQ vq_lane_index(void) { return _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7); }
/* VPERMT2D: the even dwords of q[0] then those of q[1]. */
NNV_INLINE VU vu_from_q(const VQ *q)
{
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    return _mm512_permutex2var_epi32(q[0], even, q[1]);
}
NNV_INLINE VD vd_from_bits(VQ a) { return _mm512_castsi512_pd(a); }
NNV_INLINE VQ vq_bits(VD a) { return _mm512_castpd_si512(a); }
NNV_INLINE VD vd_cvt_i64(VQ a) { return _mm512_cvtepi64_pd(a); }   /* exact for |a| <= 2^53 */

NNV_INLINE VH vh_from_f_bf16(VF a)
{
    __m512i u = _mm512_castps_si512(a);
    __m512i r = _mm512_add_epi32(_mm512_add_epi32(u, _mm512_set1_epi32(0x7FFF)),
                                 _mm512_and_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(1)));
    return _mm512_cvtepi32_epi16(_mm512_srli_epi32(r, 16));
}
NNV_INLINE VF vf_from_vh_bf16(VH h) { return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16)); }
NNV_INLINE VH vh_from_f_f16(VF a) { return _mm512_cvtps_ph(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
NNV_INLINE VF vf_from_vh_f16(VH h) { return _mm512_cvtph_ps(h); }
NNV_INLINE VH vh_set(uint16_t x) { return _mm256_set1_epi16((short)x); }
NNV_INLINE VH vh_sel(VMF m, VH a, VH b) { return _mm256_mask_blend_epi16(m, b, a); }

NNV_INLINE void vf_store(float *p, VF a) { _mm512_storeu_ps(p, a); }
NNV_INLINE void vf_stream(float *p, VF a) { _mm512_stream_ps(p, a); }
NNV_INLINE void vd_store(double *p, VD a) { _mm512_storeu_pd(p, a); }
NNV_INLINE void vd_stream(double *p, VD a) { _mm512_stream_pd(p, a); }
NNV_INLINE void vh_store(uint16_t *p, VH a) { _mm256_storeu_si256((__m256i *)(void *)p, a); }
NNV_INLINE void vh_stream(uint16_t *p, VH a) { _mm256_stream_si256((__m256i *)(void *)p, a); }
NNV_INLINE void nnv_stream_fence(void) { _mm_sfence(); }
#define NNV_STREAM_ALIGN 64

#endif
