/* AVX2 + FMA + F16C instantiation of the vector-op vocabulary. Every op gives,
 * lane by lane, the result of its scalar definition in scalar/vec_scalar.h. */
#ifndef NNINIT_VEC_AVX2_H
#define NNINIT_VEC_AVX2_H

#if !defined(__AVX2__) || !defined(__FMA__) || !defined(__F16C__)
#error "kernels/avx2 must be compiled with -mavx2 -mfma -mf16c"
#endif
#include <immintrin.h>
#include <stdint.h>

#define NNV_ISA_NAME "avx2"
#define NNV_LF 8
#define NNV_LD 4
/* VPMULUDQ multiplies the low halves of 64-bit lanes: Philox keeps its
 * words in 64-bit lanes (kernel_body.h). */
#define NNV_PHILOX_LANES64 1

typedef __m256 VF;
typedef __m256i VU;
typedef __m256 VMF;   /* all-ones / all-zeros lanes */
typedef __m256d VD;
typedef __m256i VQ;
typedef __m256d VMD;
typedef __m128i VH;   /* 8 x uint16 */

#define NNV_INLINE static inline __attribute__((always_inline))

NNV_INLINE VF vf_set(float x) { return _mm256_set1_ps(x); }
NNV_INLINE VF vf_add(VF a, VF b) { return _mm256_add_ps(a, b); }
NNV_INLINE VF vf_sub(VF a, VF b) { return _mm256_sub_ps(a, b); }
NNV_INLINE VF vf_mul(VF a, VF b) { return _mm256_mul_ps(a, b); }
NNV_INLINE VF vf_div(VF a, VF b) { return _mm256_div_ps(a, b); }
NNV_INLINE VF vf_fma(VF a, VF b, VF c) { return _mm256_fmadd_ps(a, b, c); }
NNV_INLINE VF vf_sqrt(VF a) { return _mm256_sqrt_ps(a); }
/* MINPS/MAXPS return the second operand unless the first compares less/greater:
 * exactly (a < b ? a : b) and (a > b ? a : b). */
NNV_INLINE VF vf_min(VF a, VF b) { return _mm256_min_ps(a, b); }
NNV_INLINE VF vf_max(VF a, VF b) { return _mm256_max_ps(a, b); }
NNV_INLINE VMF vf_lt(VF a, VF b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
NNV_INLINE VMF vf_le(VF a, VF b) { return _mm256_cmp_ps(a, b, _CMP_LE_OQ); }
NNV_INLINE VMF vf_gt(VF a, VF b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
NNV_INLINE VMF vf_ge(VF a, VF b) { return _mm256_cmp_ps(a, b, _CMP_GE_OQ); }
NNV_INLINE VF vf_sel(VMF m, VF a, VF b) { return _mm256_blendv_ps(b, a, m); }
NNV_INLINE VMF vmf_and(VMF a, VMF b) { return _mm256_and_ps(a, b); }
NNV_INLINE VMF vmf_or(VMF a, VMF b) { return _mm256_or_ps(a, b); }
NNV_INLINE VMF vmf_not(VMF a) { return _mm256_xor_ps(a, _mm256_castsi256_ps(_mm256_set1_epi32(-1))); }
NNV_INLINE int vmf_any(VMF a) { return _mm256_movemask_ps(a) != 0; }
NNV_INLINE int vmf_all(VMF a) { return _mm256_movemask_ps(a) == 0xFF; }

NNV_INLINE VU vu_set(uint32_t x) { return _mm256_set1_epi32((int)x); }
NNV_INLINE VU vu_add(VU a, VU b) { return _mm256_add_epi32(a, b); }
NNV_INLINE VU vu_sub(VU a, VU b) { return _mm256_sub_epi32(a, b); }
NNV_INLINE VU vu_and(VU a, VU b) { return _mm256_and_si256(a, b); }
NNV_INLINE VU vu_or(VU a, VU b) { return _mm256_or_si256(a, b); }
NNV_INLINE VU vu_xor(VU a, VU b) { return _mm256_xor_si256(a, b); }
NNV_INLINE VU vu_not(VU a) { return _mm256_xor_si256(a, _mm256_set1_epi32(-1)); }
#define vu_srl(a, n) _mm256_srli_epi32((a), (n))
#define vu_sll(a, n) _mm256_slli_epi32((a), (n))
NNV_INLINE VMF vu_eq(VU a, VU b) { return _mm256_castsi256_ps(_mm256_cmpeq_epi32(a, b)); }
NNV_INLINE VU vu_sel(VMF m, VU a, VU b)
{
    return _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(b), _mm256_castsi256_ps(a), m));
}
/* Even lanes multiply in place, odd lanes after a 32-bit shift; the halves
 * of the 64-bit products are then blended back into lane order. */
NNV_INLINE void vu_mulhilo(VU a, uint32_t m, VU *hi, VU *lo)
{
    const __m256i mm = _mm256_set1_epi32((int)m);
    __m256i even = _mm256_mul_epu32(a, mm);
    __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), mm);
    *lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
    *hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
}
NNV_INLINE VU vu_lane_index(void) { return _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7); }
NNV_INLINE VF vf_from_bits(VU a) { return _mm256_castsi256_ps(a); }
NNV_INLINE VU vu_bits(VF a) { return _mm256_castps_si256(a); }
NNV_INLINE VF vf_cvt_i32(VU a) { return _mm256_cvtepi32_ps(a); }

NNV_INLINE VD vd_set(double x) { return _mm256_set1_pd(x); }
NNV_INLINE VD vd_add(VD a, VD b) { return _mm256_add_pd(a, b); }
NNV_INLINE VD vd_sub(VD a, VD b) { return _mm256_sub_pd(a, b); }
NNV_INLINE VD vd_mul(VD a, VD b) { return _mm256_mul_pd(a, b); }
NNV_INLINE VD vd_div(VD a, VD b) { return _mm256_div_pd(a, b); }
NNV_INLINE VD vd_mla(VD a, VD b, VD c) { return _mm256_add_pd(_mm256_mul_pd(a, b), c); }
NNV_INLINE VD vd_sqrt(VD a) { return _mm256_sqrt_pd(a); }
NNV_INLINE VD vd_min(VD a, VD b) { return _mm256_min_pd(a, b); }
NNV_INLINE VD vd_max(VD a, VD b) { return _mm256_max_pd(a, b); }
NNV_INLINE VMD vd_lt(VD a, VD b) { return _mm256_cmp_pd(a, b, _CMP_LT_OQ); }
NNV_INLINE VMD vd_le(VD a, VD b) { return _mm256_cmp_pd(a, b, _CMP_LE_OQ); }
NNV_INLINE VMD vd_gt(VD a, VD b) { return _mm256_cmp_pd(a, b, _CMP_GT_OQ); }
NNV_INLINE VMD vd_ge(VD a, VD b) { return _mm256_cmp_pd(a, b, _CMP_GE_OQ); }
NNV_INLINE VD vd_sel(VMD m, VD a, VD b) { return _mm256_blendv_pd(b, a, m); }
NNV_INLINE VMD vmd_and(VMD a, VMD b) { return _mm256_and_pd(a, b); }
NNV_INLINE VMD vmd_or(VMD a, VMD b) { return _mm256_or_pd(a, b); }
NNV_INLINE VMD vmd_not(VMD a) { return _mm256_xor_pd(a, _mm256_castsi256_pd(_mm256_set1_epi32(-1))); }
NNV_INLINE int vmd_any(VMD a) { return _mm256_movemask_pd(a) != 0; }
NNV_INLINE int vmd_all(VMD a) { return _mm256_movemask_pd(a) == 0xF; }

NNV_INLINE VQ vq_set(uint64_t x) { return _mm256_set1_epi64x((long long)x); }
NNV_INLINE VQ vq_add(VQ a, VQ b) { return _mm256_add_epi64(a, b); }
NNV_INLINE VQ vq_sub(VQ a, VQ b) { return _mm256_sub_epi64(a, b); }
NNV_INLINE VQ vq_and(VQ a, VQ b) { return _mm256_and_si256(a, b); }
NNV_INLINE VQ vq_or(VQ a, VQ b) { return _mm256_or_si256(a, b); }
NNV_INLINE VQ vq_xor(VQ a, VQ b) { return _mm256_xor_si256(a, b); }
NNV_INLINE VQ vq_not(VQ a) { return _mm256_xor_si256(a, _mm256_set1_epi32(-1)); }
#define vq_srl(a, n) _mm256_srli_epi64((a), (n))
#define vq_sll(a, n) _mm256_slli_epi64((a), (n))
NNV_INLINE VMD vq_eq(VQ a, VQ b) { return _mm256_castsi256_pd(_mm256_cmpeq_epi64(a, b)); }
NNV_INLINE VQ vq_sel(VMD m, VQ a, VQ b)
{
    return _mm256_castpd_si256(_mm256_blendv_pd(_mm256_castsi256_pd(b), _mm256_castsi256_pd(a), m));
}
NNV_INLINE VQ vq_mul32(VQ a, uint32_t m) { return _mm256_mul_epu32(a, _mm256_set1_epi64x(m)); }
NNV_INLINE VQ vq_lane_index(void) { return _mm256_setr_epi64x(0, 1, 2, 3); }
/* SHUFPS takes dwords 0 and 2 of each 128-bit half of q[0] and q[1]
 * (q0.0 q0.2 q1.0 q1.2 | q0.4 q0.6 q1.4 q1.6); VPERMQ puts the pairs in order. */
NNV_INLINE VU vu_from_q(const VQ *q)
{
    __m256 t = _mm256_shuffle_ps(_mm256_castsi256_ps(q[0]), _mm256_castsi256_ps(q[1]), _MM_SHUFFLE(2, 0, 2, 0));
    return _mm256_permute4x64_epi64(_mm256_castps_si256(t), _MM_SHUFFLE(3, 1, 2, 0));
}
NNV_INLINE VD vd_from_bits(VQ a) { return _mm256_castsi256_pd(a); }
NNV_INLINE VQ vq_bits(VD a) { return _mm256_castpd_si256(a); }
/* No int64 -> double instruction in AVX2: each 32-bit half is converted
 * exactly through the 2^52 bias, then hi * 2^32 + lo is exact for |a| <= 2^53. */
NNV_INLINE VD vd_cvt_i64(VQ a)
{
    const __m256i bias = _mm256_set1_epi64x(0x4330000000000000ll);
    const VD two52 = _mm256_set1_pd(0x1p52);
    VD lo = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(_mm256_and_si256(a, _mm256_set1_epi64x(0xFFFFFFFFll)), bias)), two52);
    VD hi = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(_mm256_srli_epi64(a, 32), bias)), two52);
    VD neg = _mm256_castsi256_pd(_mm256_cmpgt_epi64(_mm256_setzero_si256(), a));
    hi = _mm256_sub_pd(hi, _mm256_and_pd(neg, _mm256_set1_pd(0x1p32)));      /* unsigned -> signed high half */
    return _mm256_add_pd(_mm256_mul_pd(hi, _mm256_set1_pd(0x1p32)), lo);
}

NNV_INLINE __m128i nnv_narrow_u32_u16(__m256i r)
{
    return _mm_packus_epi32(_mm256_castsi256_si128(r), _mm256_extracti128_si256(r, 1));
}
NNV_INLINE VH vh_from_f_bf16(VF a)
{
    __m256i u = _mm256_castps_si256(a);
    __m256i r = _mm256_add_epi32(_mm256_add_epi32(u, _mm256_set1_epi32(0x7FFF)),
                                 _mm256_and_si256(_mm256_srli_epi32(u, 16), _mm256_set1_epi32(1)));
    return nnv_narrow_u32_u16(_mm256_srli_epi32(r, 16));
}
NNV_INLINE VF vf_from_vh_bf16(VH h) { return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16)); }
NNV_INLINE VH vh_from_f_f16(VF a) { return _mm256_cvtps_ph(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
NNV_INLINE VF vf_from_vh_f16(VH h) { return _mm256_cvtph_ps(h); }
NNV_INLINE VH vh_set(uint16_t x) { return _mm_set1_epi16((short)x); }
NNV_INLINE VH vh_sel(VMF m, VH a, VH b)
{
    __m256i mi = _mm256_castps_si256(m);
    __m128i m16 = _mm_packs_epi32(_mm256_castsi256_si128(mi), _mm256_extracti128_si256(mi, 1));
    return _mm_blendv_epi8(b, a, m16);
}

NNV_INLINE void vf_store(float *p, VF a) { _mm256_storeu_ps(p, a); }
NNV_INLINE void vf_stream(float *p, VF a) { _mm256_stream_ps(p, a); }
NNV_INLINE void vd_store(double *p, VD a) { _mm256_storeu_pd(p, a); }
NNV_INLINE void vd_stream(double *p, VD a) { _mm256_stream_pd(p, a); }
NNV_INLINE void vh_store(uint16_t *p, VH a) { _mm_storeu_si128((__m128i *)(void *)p, a); }
NNV_INLINE void vh_stream(uint16_t *p, VH a) { _mm_stream_si128((__m128i *)(void *)p, a); }
NNV_INLINE void nnv_stream_fence(void) { _mm_sfence(); }
#define NNV_STREAM_ALIGN 32

#endif
