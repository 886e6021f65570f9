/* The fill kernel, written once over the vector-op vocabulary
 * (scalar/vec_scalar.h documents every op). Each ISA translation unit
 * includes its vec_<isa>.h, then vecmath.h, then this file, and gets
 * `const nnk_table NNK_TABLE_NAME`.
 *
 * Element-to-counter mapping (docs/CONTRACT.md is the normative text):
 *   f32 family: chunk = e / 64, p = e % 64; counter = chunk*16 + p%16,
 *               output word j = p/16. So the 16 counters of a chunk are the
 *               lanes of one AVX-512 vector (two AVX2, four NEON) and word j
 *               of every lane lands in 16 consecutive elements: no shuffles.
 *   f64:        chunk = e / 32, p = e % 32; counter = chunk*16 + p%16,
 *               value = word(2j) | word(2j+1) << 32 with j = p/16.
 *   Counter words 2 and 3 are the stream; the key is the seed.
 *   Normal values pair elements p and p^16 (Box-Muller: one gives the
 *   radius, the other the angle), both produced from one lane. */
#ifndef NNK_TABLE_NAME
#error "define NNK_TABLE_NAME before including kernel_body.h"
#endif

#include <string.h>
#include "kernels.h"
#include "philox.h"

#define NNV_PRAGMA_(x) _Pragma(#x)
#define NNV_UNROLL(n) NNV_PRAGMA_(GCC unroll n)

/* ---- Philox4x32-10 over lanes -----------------------------------------
 * Two forms of the same rounds (philox.h is their specification):
 *  - 64-bit lanes (nnv_philox_q): each 32-bit word lives in the low half of
 *    a 64-bit lane (VQ), so the 32x32->64 product of a round is one widening
 *    multiply (vq_mul32) and its high word one shift, where the 32-bit lane
 *    form needs two multiplies, three shifts and two blends on x86. The high
 *    halves are left as they fall: vq_mul32 reads only the low 32 bits, and
 *    the words are masked (f64) or packed (vu_from_q, f32 family) once,
 *    after the last round. The f64 path always uses it; the f32 family does
 *    where the ISA header sets NNV_PHILOX_LANES64.
 *  - 32-bit lanes (in nnv_philox_u without NNV_PHILOX_LANES64): one
 *    vu_mulhilo per product; the scalar specification, and NEON, whose
 *    UMULL/UMULL2/UZP1/UZP2 give hi and lo of four lanes in four ops.
 * Round keys are broadcast once per call (nnv_keys), and NNV_QPU groups of
 * NNV_LD counters run through the rounds in lockstep: independent chains for
 * the out-of-order core. */
#define NNV_QPU (NNV_LF / NNV_LD)   /* VQ vectors per VU: 2 (1 for scalar) */

typedef struct nnv_keys { VQ q0[10], q1[10]; VU u0[10], u1[10]; } nnv_keys;

NNV_INLINE void nnv_round_keys(const uint32_t key[2], nnv_keys *ks)
{
    uint32_t k0 = key[0], k1 = key[1];   /* bumped between rounds, not before the first */
    for (int r = 0; r < 10; r++) {
        ks->q0[r] = vq_set(k0); ks->q1[r] = vq_set(k1);
        ks->u0[r] = vu_set(k0); ks->u1[r] = vu_set(k1);
        k0 += NNK_PHILOX_W0; k1 += NNK_PHILOX_W1;
    }
}

/* Counters first + i for i < NNV_QPU * NNV_LD (low 32 bits; hi is counter
 * word 1, ctr_hi words 2 and 3): c[h][j] is word j of counters
 * first + h * NNV_LD + lane, in the low half of each lane. */
NNV_INLINE void nnv_philox_q(VQ c[NNV_QPU][4], uint32_t first, uint32_t hi, const uint32_t ctr_hi[2],
                             const nnv_keys *ks)
{
    NNV_UNROLL(2)
    for (int h = 0; h < NNV_QPU; h++) {
        c[h][0] = vq_or(vq_set(first + (uint32_t)(h * NNV_LD)), vq_lane_index());
        c[h][1] = vq_set(hi);
        c[h][2] = vq_set(ctr_hi[0]);
        c[h][3] = vq_set(ctr_hi[1]);
    }
    NNV_UNROLL(10)
    for (int r = 0; r < 10; r++) {
        NNV_UNROLL(2)
        for (int h = 0; h < NNV_QPU; h++) {
            VQ p0 = vq_mul32(c[h][0], NNK_PHILOX_M0);
            VQ p1 = vq_mul32(c[h][2], NNK_PHILOX_M1);
            c[h][0] = vq_xor(vq_xor(vq_srl(p1, 32), c[h][1]), ks->q0[r]);
            c[h][1] = p1;
            c[h][2] = vq_xor(vq_xor(vq_srl(p0, 32), c[h][3]), ks->q1[r]);
            c[h][3] = p0;
        }
    }
}

/* w[j] = word j of the NNV_LF counters first + lane, as 32-bit lanes. */
NNV_INLINE void nnv_philox_u(VU w[4], uint32_t first, uint32_t hi, const uint32_t ctr_hi[2],
                             const nnv_keys *ks)
{
#if NNV_PHILOX_LANES64
    VQ c[NNV_QPU][4];
    nnv_philox_q(c, first, hi, ctr_hi, ks);
    NNV_UNROLL(4)
    for (int j = 0; j < 4; j++) {
        VQ t[NNV_QPU];
        NNV_UNROLL(2)
        for (int h = 0; h < NNV_QPU; h++) t[h] = c[h][j];
        w[j] = vu_from_q(t);
    }
#else
    VU c[4] = { vu_or(vu_set(first), vu_lane_index()), vu_set(hi), vu_set(ctr_hi[0]), vu_set(ctr_hi[1]) };
    for (int r = 0; r < 10; r++) {
        VU hi0, lo0, hi1, lo1;
        vu_mulhilo(c[0], NNK_PHILOX_M0, &hi0, &lo0);
        vu_mulhilo(c[2], NNK_PHILOX_M1, &hi1, &lo1);
        c[0] = vu_xor(vu_xor(hi1, c[1]), ks->u0[r]);
        c[1] = lo1;
        c[2] = vu_xor(vu_xor(hi0, c[3]), ks->u1[r]);
        c[3] = lo0;
    }
    for (int j = 0; j < 4; j++) w[j] = c[j];
#endif
}

/* ---- binary32 transforms (f32, bf16, f16) ----------------------------- */
/* (k + 1/2) * 2^-31 for k = the top 31 bits of w: in (0, 1], fine near 0. */
NNV_INLINE VF nnv_open01_f(VU w)
{
    return vf_fma(vf_cvt_i32(vu_srl(w, 1)), vf_set(0x1p-31f), vf_set(0x1p-32f));
}

NNV_INLINE VF nnv_uniform_f(VU w, const nnk_fparams *fp)
{
    VF r = vf_mul(vf_cvt_i32(vu_srl(w, 8)), vf_set(0x1p-24f)); /* k * 2^-24, exact, in [0, 1) */
    return vf_min(vf_fma(r, vf_set(fp->b), vf_set(fp->a)), vf_set(fp->hi));
}

NNV_INLINE void nnv_normal_f(VU wr, VU wa, const nnk_fparams *fp, VF *z0, VF *z1)
{
    VF rad = vf_sqrt(vf_mul(nnv_log_f(nnv_open01_f(wr)), vf_set(-2.0f)));
    VF s, c;
    nnv_sincos_turn_f(wa, &s, &c);
    *z0 = vf_fma(vf_mul(rad, c), vf_set(fp->b), vf_set(fp->a));
    *z1 = vf_fma(vf_mul(rad, s), vf_set(fp->b), vf_set(fp->a));
}

/* Inversion of the truncated CDF. U and 1-U come from w and ~w, so both are
 * exact to relative precision: the lower tail is taken as Phi(alpha) + U*W,
 * the upper as Phi(-beta) + (1-U)*W, and the one below 1/2 is inverted.
 * Each is carried twice: as p (exact near 0, for the tails) and as
 * q = p - 1/2 (exact near 1/2, for the central branch), so an interval that
 * is narrow relative to std keeps its full resolution. This is the
 * definition; the fill runs nnv_trunc4_f, which gives the same bits. */
NNV_INLINE VF nnv_trunc_f(VU w, const nnk_fparams *fp)
{
    VF u = nnv_open01_f(w), um = nnv_open01_f(vu_not(w));
    VF t = vf_fma(u, vf_set(fp->w), vf_set(fp->pa));
    VF tq = vf_fma(u, vf_set(fp->w), vf_set(fp->ca));
    VF s = vf_fma(um, vf_set(fp->w), vf_set(fp->qb));
    VF sq = vf_fma(um, vf_set(fp->w), vf_set(fp->cb));
    VMF lower = vf_le(tq, sq);
    VF z = nnv_ndtri_pq_f(vf_sel(lower, t, s), vf_sel(lower, tq, sq));
    z = vf_sel(lower, z, vf_sub(vf_set(0.0f), z));
    VF v = vf_fma(z, vf_set(fp->b), vf_set(fp->a));
    return vf_min(vf_max(v, vf_set(fp->lo)), vf_set(fp->hi));
}

/* nnv_trunc_f for the four words of a counter group, step by step across the
 * four (independent chains side by side for the out-of-order core), on the
 * common path of nnv_ndtri_pq_f: y / 4 normal and v >= -7.25 in every lane,
 * so log2 and the central polynomial alone. Exact rewrites of nnv_trunc_f:
 * ~w >> 1 = (w >> 1) ^ 0x7FFFFFFF, and the upper tail's sign is put on q
 * before the inversion rather than on z after it (z is odd in q: the
 * central branch is q P1(v), the tail takes the sign of q; 0 - sq gives
 * q = +0 for sq = -0, where 0 - z gave +0 too). */
NNV_INLINE void nnv_trunc4_f(const VU w[4], const nnk_fparams *fp, VF v[4])
{
    VF p[4], q[4], y[4], lv[4], z[4];
    NNV_UNROLL(4)
    for (int j = 0; j < 4; j++) {
        VU k = vu_srl(w[j], 1);
        VF u = vf_fma(vf_cvt_i32(k), vf_set(0x1p-31f), vf_set(0x1p-32f));
        VF um = vf_fma(vf_cvt_i32(vu_xor(k, vu_set(0x7FFFFFFFu))), vf_set(0x1p-31f), vf_set(0x1p-32f));
        VF t = vf_fma(u, vf_set(fp->w), vf_set(fp->pa));
        VF tq = vf_fma(u, vf_set(fp->w), vf_set(fp->ca));
        VF s = vf_fma(um, vf_set(fp->w), vf_set(fp->qb));
        VF sq = vf_fma(um, vf_set(fp->w), vf_set(fp->cb));
        VMF lower = vf_le(tq, sq);
        p[j] = vf_sel(lower, t, s);
        q[j] = vf_sel(lower, tq, vf_sub(vf_set(0.0f), sq));
    }
    NNV_UNROLL(4)
    for (int j = 0; j < 4; j++) y[j] = nnv_ndtri_y_f(p[j], q[j]);
    NNV_UNROLL(4)
    for (int j = 0; j < 4; j++) lv[j] = nnv_ndtri_log2_f(y[j], vu_set(127u - 2u));
    NNV_UNROLL(4)
    for (int j = 0; j < 4; j++) z[j] = nnv_ndtri_central_f(lv[j], q[j]);
    NNV_UNROLL(4)
    for (int j = 0; j < 4; j++)
        if (__builtin_expect(vmf_any(vmf_or(vf_lt(y[j], vf_set(0x1p-126f)), vf_lt(lv[j], vf_set(-7.25f)))), 0))
            z[j] = nnv_ndtri_pq_f(p[j], q[j]);
    NNV_UNROLL(4)
    for (int j = 0; j < 4; j++) {
        VF x = vf_fma(z[j], vf_set(fp->b), vf_set(fp->a));
        v[j] = vf_min(vf_max(x, vf_set(fp->lo)), vf_set(fp->hi));
    }
}

/* ---- binary64 transforms --------------------------------------------- */
NNV_INLINE VD nnv_one_two_d(VQ u) /* top 52 bits as a mantissa: [1, 2) */
{
    return vd_from_bits(vq_or(vq_srl(u, 12), vq_set(0x3FF0000000000000ull)));
}

NNV_INLINE VD nnv_uniform_d(VQ u, const nnk_dparams *dp)
{
    VD r = vd_sub(nnv_one_two_d(u), vd_set(1.0));                /* k * 2^-52 in [0, 1) */
    return vd_min(vd_mla(r, vd_set(dp->b), vd_set(dp->a)), vd_set(dp->hi));
}

NNV_INLINE void nnv_normal_d(VQ ur, VQ ua, const nnk_dparams *dp, VD *z0, VD *z1)
{
    VD u1 = vd_sub(vd_set(2.0), nnv_one_two_d(ur));              /* (0, 1], exact */
    VD rad = vd_sqrt(vd_mul(nnv_log_d(u1), vd_set(-2.0)));
    VD s, c;
    nnv_sincos_turn_d(ua, &s, &c);
    *z0 = vd_mla(vd_mul(rad, c), vd_set(dp->b), vd_set(dp->a));
    *z1 = vd_mla(vd_mul(rad, s), vd_set(dp->b), vd_set(dp->a));
}

NNV_INLINE VD nnv_trunc_d(VQ u, const nnk_dparams *dp)
{
    /* (k + 1/2) * 2^-52 for the top 52 bits k: exact, and its mirror from ~u is 1 - U. */
    VD uu = vd_add(vd_sub(nnv_one_two_d(u), vd_set(1.0)), vd_set(0x1p-53));
    VD um = vd_add(vd_sub(nnv_one_two_d(vq_not(u)), vd_set(1.0)), vd_set(0x1p-53));
    VD t = vd_mla(uu, vd_set(dp->w), vd_set(dp->pa));
    VD tq = vd_mla(uu, vd_set(dp->w), vd_set(dp->ca));
    VD s = vd_mla(um, vd_set(dp->w), vd_set(dp->qb));
    VD sq = vd_mla(um, vd_set(dp->w), vd_set(dp->cb));
    VMD lower = vd_le(tq, sq);
    VD z = nnv_ndtri_pq_d(vd_sel(lower, t, s), vd_sel(lower, tq, sq));
    z = vd_sel(lower, z, vd_sub(vd_set(0.0), z));
    VD v = vd_mla(z, vd_set(dp->b), vd_set(dp->a));
    return vd_min(vd_max(v, vd_set(dp->lo)), vd_set(dp->hi));
}

/* ---- stores ----------------------------------------------------------- */
NNV_INLINE void nnv_put_f(int dtype, int dist, void *out, size_t pos, VF v, int stream,
                          const nnk_fparams *fp)
{
    if (dtype == NNK_F32) {
        float *o = (float *)out + pos;
        if (stream) vf_stream(o, v); else vf_store(o, v);
        return;
    }
    VH h;
    if (dtype == NNK_BF16) {
        h = vh_from_f_bf16(v);
        if (dist == NNK_UNIFORM) /* the documented exception: never round up to high */
            h = vh_sel(vf_gt(vf_from_vh_bf16(h), vf_set(fp->hi)), vh_set(fp->hi16), h);
    } else {
        h = vh_from_f_f16(v);
        if (dist == NNK_UNIFORM)
            h = vh_sel(vf_gt(vf_from_vh_f16(h), vf_set(fp->hi)), vh_set(fp->hi16), h);
    }
    uint16_t *o = (uint16_t *)out + pos;
    if (stream) vh_stream(o, h); else vh_store(o, h);
}

/* One chunk of 64 elements of the f32 family, element 0 of the chunk at out. */
NNV_INLINE void nnv_chunk_f(uint64_t chunk, const nnk_params *p, const nnv_keys *ks, const int dist,
                            const int dtype, void *out, int stream)
{
    const uint32_t base_lo = (uint32_t)(chunk << 4), base_hi = (uint32_t)(chunk >> 28);
    const nnk_fparams *fp = &p->f;
    for (uint32_t g = 0; g < 16; g += NNV_LF) {
        VU c[4];
        nnv_philox_u(c, base_lo | g, base_hi, p->ctr_hi, ks);
        VF v[4];
        if (dist == NNK_UNIFORM) {
            NNV_UNROLL(4)
            for (int j = 0; j < 4; j++) v[j] = nnv_uniform_f(c[j], fp);
        } else if (dist == NNK_NORMAL) {
            nnv_normal_f(c[0], c[1], fp, &v[0], &v[1]);
            nnv_normal_f(c[2], c[3], fp, &v[2], &v[3]);
        } else {
#if NNV_LF == 1   /* the scalar specification keeps the plain definition */
            for (int j = 0; j < 4; j++) v[j] = nnv_trunc_f(c[j], fp);
#else
            nnv_trunc4_f(c, fp, v);
#endif
        }
        NNV_UNROLL(4)
        for (int j = 0; j < 4; j++) nnv_put_f(dtype, dist, out, (size_t)j * 16 + g, v[j], stream, fp);
    }
}

/* One chunk of 32 binary64 elements. */
NNV_INLINE void nnv_chunk_d(uint64_t chunk, const nnk_params *p, const nnv_keys *ks, const int dist,
                            double *out, int stream)
{
    const uint32_t base_lo = (uint32_t)(chunk << 4), base_hi = (uint32_t)(chunk >> 28);
    const nnk_dparams *dp = &p->d;
    const VQ lo32 = vq_set(0xFFFFFFFFu);
    for (uint32_t g = 0; g < 16; g += NNV_LF) {
        VQ c[NNV_QPU][4];
        nnv_philox_q(c, base_lo | g, base_hi, p->ctr_hi, ks);
        NNV_UNROLL(2)
        for (int h = 0; h < NNV_QPU; h++) {
            VQ u0 = vq_or(vq_and(c[h][0], lo32), vq_sll(c[h][1], 32));
            VQ u1 = vq_or(vq_and(c[h][2], lo32), vq_sll(c[h][3], 32));
            VD v0, v1;
            if (dist == NNK_UNIFORM) {
                v0 = nnv_uniform_d(u0, dp); v1 = nnv_uniform_d(u1, dp);
            } else if (dist == NNK_NORMAL) {
                nnv_normal_d(u0, u1, dp, &v0, &v1);
            } else {
                v0 = nnv_trunc_d(u0, dp); v1 = nnv_trunc_d(u1, dp);
            }
            size_t at = g + (size_t)h * NNV_LD;
            if (stream) { vd_stream(out + at, v0); vd_stream(out + 16 + at, v1); }
            else { vd_store(out + at, v0); vd_store(out + 16 + at, v1); }
        }
    }
}

/* ---- the driver over chunks: whole chunks in place, partial ones via a
 * small stack buffer (a shard may start or end anywhere). ---------------- */
NNV_INLINE void nnv_fill_f(void *dst, size_t n, uint64_t first, const nnk_params *p,
                           const int dist, const int dtype)
{
    const size_t esz = dtype == NNK_F32 ? 4 : 2;
    unsigned char *d = (unsigned char *)dst;
    int streamed = 0;
    nnv_keys ks;
    nnv_round_keys(p->key, &ks);
    while (n) {
        uint64_t chunk = first / NNK_CHUNK_F32;
        size_t s = (size_t)(first % NNK_CHUNK_F32);
        if (s == 0 && n >= NNK_CHUNK_F32) {
            /* a run of whole chunks: a loop without calls, so the round keys
             * and constants stay in registers */
            const size_t whole = n / NNK_CHUNK_F32;
            const int st = p->stream_stores && ((uintptr_t)d % NNV_STREAM_ALIGN) == 0;
            streamed |= st;
            for (size_t i = 0; i < whole; i++)
                nnv_chunk_f(chunk + i, p, &ks, dist, dtype, d + i * NNK_CHUNK_F32 * esz, st);
            d += whole * NNK_CHUNK_F32 * esz; first += whole * NNK_CHUNK_F32; n -= whole * NNK_CHUNK_F32;
        } else {
            _Alignas(64) unsigned char tmp[NNK_CHUNK_F32 * 4];
            nnv_chunk_f(chunk, p, &ks, dist, dtype, tmp, 0);
            size_t take = NNK_CHUNK_F32 - s < n ? NNK_CHUNK_F32 - s : n;
            memcpy(d, tmp + s * esz, take * esz);
            d += take * esz; first += take; n -= take;
        }
    }
    if (streamed) nnv_stream_fence();
}

NNV_INLINE void nnv_fill_d(void *dst, size_t n, uint64_t first, const nnk_params *p, const int dist)
{
    unsigned char *d = (unsigned char *)dst;
    int streamed = 0;
    nnv_keys ks;
    nnv_round_keys(p->key, &ks);
    while (n) {
        uint64_t chunk = first / NNK_CHUNK_F64;
        size_t s = (size_t)(first % NNK_CHUNK_F64);
        if (s == 0 && n >= NNK_CHUNK_F64 && (uintptr_t)d % sizeof(double) == 0) {
            const size_t whole = n / NNK_CHUNK_F64;
            const int st = p->stream_stores && ((uintptr_t)d % NNV_STREAM_ALIGN) == 0;
            streamed |= st;
            for (size_t i = 0; i < whole; i++)
                nnv_chunk_d(chunk + i, p, &ks, dist, (double *)(void *)d + i * NNK_CHUNK_F64, st);
            d += whole * NNK_CHUNK_F64 * 8; first += whole * NNK_CHUNK_F64; n -= whole * NNK_CHUNK_F64;
        } else { /* a partial chunk, or dst only byte-aligned (never for a well-formed double *) */
            _Alignas(64) double tmp[NNK_CHUNK_F64];
            nnv_chunk_d(chunk, p, &ks, dist, tmp, 0);
            size_t take = NNK_CHUNK_F64 - s < n ? NNK_CHUNK_F64 - s : n;
            memcpy(d, tmp + s, take * 8);
            d += take * 8; first += take; n -= take;
        }
    }
    if (streamed) nnv_stream_fence();
}

/* One specialized loop per (distribution, storage format): the switch below
 * is taken once per call, never per element. */
#define NNK_DEF_F(dist, dtype, name) \
    static void name(void *dst, size_t n, uint64_t first, const nnk_params *p) \
    { nnv_fill_f(dst, n, first, p, dist, dtype); }
#define NNK_DEF_D(dist, name) \
    static void name(void *dst, size_t n, uint64_t first, const nnk_params *p) \
    { nnv_fill_d(dst, n, first, p, dist); }
NNK_DEF_F(NNK_UNIFORM, NNK_F32, fill_uniform_f32)
NNK_DEF_F(NNK_UNIFORM, NNK_BF16, fill_uniform_bf16)
NNK_DEF_F(NNK_UNIFORM, NNK_F16, fill_uniform_f16)
NNK_DEF_F(NNK_NORMAL, NNK_F32, fill_normal_f32)
NNK_DEF_F(NNK_NORMAL, NNK_BF16, fill_normal_bf16)
NNK_DEF_F(NNK_NORMAL, NNK_F16, fill_normal_f16)
NNK_DEF_F(NNK_TRUNC, NNK_F32, fill_trunc_f32)
NNK_DEF_F(NNK_TRUNC, NNK_BF16, fill_trunc_bf16)
NNK_DEF_F(NNK_TRUNC, NNK_F16, fill_trunc_f16)
NNK_DEF_D(NNK_UNIFORM, fill_uniform_f64)
NNK_DEF_D(NNK_NORMAL, fill_normal_f64)
NNK_DEF_D(NNK_TRUNC, fill_trunc_f64)

static const nnk_fill_fn nnk_fills[NNK_NDIST][NNK_NDTYPE] = {
    [NNK_UNIFORM] = { [NNK_F32] = fill_uniform_f32, [NNK_F64] = fill_uniform_f64,
                      [NNK_BF16] = fill_uniform_bf16, [NNK_F16] = fill_uniform_f16 },
    [NNK_NORMAL] = { [NNK_F32] = fill_normal_f32, [NNK_F64] = fill_normal_f64,
                     [NNK_BF16] = fill_normal_bf16, [NNK_F16] = fill_normal_f16 },
    [NNK_TRUNC] = { [NNK_F32] = fill_trunc_f32, [NNK_F64] = fill_trunc_f64,
                    [NNK_BF16] = fill_trunc_bf16, [NNK_F16] = fill_trunc_f16 },
};

static void nnk_fill_any(void *dst, size_t n, uint64_t first, const nnk_params *p)
{
    nnk_fills[p->dist][p->dtype](dst, n, first, p);
}

const nnk_table NNK_TABLE_NAME = { .name = NNV_ISA_NAME, .fill = nnk_fill_any };
