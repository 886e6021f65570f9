/* Transcendental math of the fill kernels, written once over the vector-op
 * vocabulary (scalar/vec_scalar.h defines every op; each ISA header mirrors
 * it). The same ops in the same order give the same bits on every ISA, so
 * the scalar instantiation of this file is the specification.
 *
 * Rules kept here: no libm, no approximate reciprocals, binary32 may fuse
 * (vf_fma, exact everywhere), binary64 never does (vd_mla is mul then add).
 * A lane's result depends only on its own input: branches are selects, and
 * a branch is skipped only when no lane of the vector needs it.
 *
 * Coefficients: the polynomials marked "fit" come from tools/fit_vecmath.py
 * (weighted Remez in mpmath, then rounded to the working precision; its
 * output is pasted here unchanged), including the binary32 inverse normal
 * CDF. The binary64 one uses the published coefficients of M. J. Wichura,
 * "Algorithm AS 241: The Percentage Points of the Normal Distribution",
 * Applied Statistics 37(3), 477-484 (1988), PPND16.
 *
 * Measured errors and the command that measures them: docs/TRANSFORMS.md. */
#ifndef NNINIT_VECMATH_H
#define NNINIT_VECMATH_H

/* ======================= binary32 ====================================== */

/* Natural log of a positive normal binary32 (the kernels pass (0, 1]).
 * x = 2^k * m with m in [sqrt(1/2), sqrt(2)): adding 1.0 - sqrt(1/2) to the
 * bits makes the exponent field step exactly where m crosses sqrt(1/2), so
 * k and m come from shifts and masks, and f = m - 1 is exact (Sterbenz).
 * log(1 + f) = f + f^2 P(f), P fit for relative error 7.6e-9 on
 * [sqrt(1/2) - 1, sqrt(2) - 1]. ln 2 is split so that k * ln2 keeps about
 * 48 bits; k = 0 on [sqrt(1/2), 1], so no cancellation near 1. */
NNV_INLINE VF nnv_log_f(VF x)
{
    const uint32_t sqrt_half = 0x3F3504F3u; /* binary32 sqrt(1/2) */
    VU t = vu_add(vu_bits(x), vu_set(0x3F800000u - sqrt_half));
    VF k = vf_cvt_i32(vu_sub(vu_srl(t, 23), vu_set(127u)));
    VF f = vf_sub(vf_from_bits(vu_add(vu_and(t, vu_set(0x007FFFFFu)), vu_set(sqrt_half))),
                  vf_set(1.0f));
    /* fit: log_f P, 9 coefficients */
    VF p = vf_set(-0x1.392368p-4f);
    p = vf_fma(p, f, vf_set(0x1.08a42cp-3f));
    p = vf_fma(p, f, vf_set(-0x1.0f35fep-3f));
    p = vf_fma(p, f, vf_set(0x1.226424p-3f));
    p = vf_fma(p, f, vf_set(-0x1.5425ecp-3f));
    p = vf_fma(p, f, vf_set(0x1.99a48cp-3f));
    p = vf_fma(p, f, vf_set(-0x1.00043p-2f));
    p = vf_fma(p, f, vf_set(0x1.55555p-2f));
    p = vf_fma(p, f, vf_set(-0x1.fffff8p-2f));
    VF y = vf_fma(vf_mul(f, f), p, vf_fma(k, vf_set(-0x1.05c61p-29f), f)); /* ln2 low part */
    return vf_fma(k, vf_set(0x1.62e43p-1f), y);                            /* ln2 rounded */
}

/* sin and cos of 2*pi*x/2^32 for a full 32-bit word x, with the low 7 bits
 * of x dropped: the angle is 2*pi*(x >> 7)/2^25 exactly (a grid of 2^25
 * points symmetric under negation, each hit by 128 words, so a uniform x
 * gives an exactly uniform grid angle). Reduction is all integer:
 * a = x + 2^29 = 2^30 q + m, so 4x/2^32 = q + (m/2^30 - 1/2) and the angle
 * is (pi/2)(q + f) with f = m/2^30 - 1/2 in [-1/2, 1/2), read exactly from
 * the top 23 bits of m as a float in [1, 2) minus 1.5.
 * sin(pi/2 f) = f P(f^2), cos(pi/2 f) = 1 + f^2 Q(f^2), both fit for
 * relative error; then quadrant q swaps and negates. */
NNV_INLINE void nnv_sincos_turn_f(VU x, VF *s, VF *c)
{
    VU a = vu_add(x, vu_set(0x20000000u));
    VF f = vf_sub(vf_from_bits(vu_or(vu_and(vu_srl(a, 7), vu_set(0x007FFFFFu)), vu_set(0x3F800000u))),
                  vf_set(1.5f));
    VF z = vf_mul(f, f);
    /* fit: sin_f P, 4 coefficients */
    VF ps = vf_set(-0x1.2d9302p-8f);
    ps = vf_fma(ps, z, vf_set(0x1.465e92p-4f));
    ps = vf_fma(ps, z, vf_set(-0x1.4abbbap-1f));
    ps = vf_fma(ps, z, vf_set(0x1.921fb6p+0f));
    VF sp = vf_mul(f, ps);
    /* fit: cos_f Q, 4 coefficients */
    VF pc = vf_set(0x1.d9d57ep-11f);
    pc = vf_fma(pc, z, vf_set(-0x1.55c5ep-6f));
    pc = vf_fma(pc, z, vf_set(0x1.03c1dep-2f));
    pc = vf_fma(pc, z, vf_set(-0x1.3bd3ccp+0f));
    VF cp = vf_fma(pc, z, vf_set(1.0f));
    /* q = 0: (sp, cp); 1: (cp, -sp); 2: (-sp, -cp); 3: (-cp, sp). q is read
     * in place: bit 30 of a is q & 1 and bit 31 is q & 2, and adding 2^30
     * to a adds 1 to q (mod 4). */
    VMF odd = vu_eq(vu_and(a, vu_set(0x40000000u)), vu_set(0x40000000u));
    VU sn = vu_and(a, vu_set(0x80000000u));                                  /* sin < 0 for q = 2, 3 */
    VU cn = vu_and(vu_add(a, vu_set(0x40000000u)), vu_set(0x80000000u));    /* cos < 0 for q = 1, 2 */
    *s = vf_from_bits(vu_xor(vu_bits(vf_sel(odd, cp, sp)), sn));
    *c = vf_from_bits(vu_xor(vu_bits(vf_sel(odd, sp, cp)), cn));
}

/* Inverse standard normal CDF for p in (0, 1), binary32. The caller passes
 * p and q = p - 1/2 separately, each with full relative precision (the
 * truncated normal computes q near 0 to far better than the spacing of
 * binary32 near 1/2; nnv_ndtri_f forms q = p - 1/2, exact for p >= 1/4):
 * anything near the centre reads only q, the tails only p.
 *
 * The form of M. Giles, "Approximating the erfinv function", GPU Computing
 * Gems Jade Edition (2011), with our own fits and log2 in place of log:
 * y = 4 p (1 - p) = 1 - 4 q^2, v = log2(y) in [-147, 0],
 *   v >= -7.25:  z = q P1(v)                      (p > 0.001645, |z| < 2.94)
 *   v <  -7.25:  |z| = P2(s), s = sqrt(-v), sign of q  (P2a for s < 5, P2b above)
 * Polynomials with FMA only: no division, and the square root only in the
 * tail. A branch is computed only when a lane needs it, so a
 * truncation inside [-2.9, 2.9] standard deviations runs log2 + P1 alone,
 * and one wholly beyond 3 (e.g. [3, 3.5]) log2 + sqrt + P2a. The tail,
 * s in [2.69, 12.13], is too wide for one polynomial: split at s = 5
 * (p ~ 7.4e-9), each piece in t = s - x0, x0 = 2.6875 and 5 (exact
 * subtractions; t >= 0, so the rounded constant term is compensated by the
 * refitted others). P1, P2: fit, relative error of z. Evaluation: two
 * Horner halves joined by x^4 (measured faster in the fill loop than plain
 * Horner, which is one long dependency chain, and than Estrin, which needs
 * more live constants than there are registers).
 *
 * y / 4 is 1/4 - q^2 for |q| <= 1/4 (absolute error 2^-27 near the centre)
 * and p - p^2 beyond (relative error 2^-24, also for p near 1), each one
 * FMA, chosen per lane; the 4 goes into the exponent bias. Only the
 * absolute error of v matters (|d ln z / dv| <= 0.19 in branch 1,
 * <= 0.7 / z^2 in branch 2), so log2 uses the reduction of nnv_log_f and a
 * shorter polynomial: v = k + f Q(f), Q fit for absolute error 5.3e-8.
 * y / 4 < 2^-126 (p < 2^-126) is scaled by 2^24 with 24 taken from k, so
 * every p >= 2^-149 gives a finite value (|z| <= 14.1). */
/* The pieces of nnv_ndtri_pq_f, each used once by it; the fill kernel
 * (kernel_body.h) runs the first three on its common path and calls
 * nnv_ndtri_pq_f itself only for a vector that has a lane needing the
 * subnormal scaling or the tail, so both give the same bits. */

/* y / 4 = 1/4 - q^2 (|q| <= 1/4) or p - p^2: one FMA on selected operands. */
NNV_INLINE VF nnv_ndtri_y_f(VF p, VF q)
{
    VMF near = vf_le(vf_from_bits(vu_and(vu_bits(q), vu_set(0x7FFFFFFFu))), vf_set(0.25f));
    VF x = vf_sel(near, q, p);
    return vf_fma(vf_sub(vf_set(0.0f), x), x, vf_sel(near, vf_set(0.25f), p));
}

/* v = log2 y from a positive normal argument y / 4: bias 127 - 2 (the 2
 * is log2 4), or 127 - 2 + 24 for an argument scaled by 2^24. */
NNV_INLINE VF nnv_ndtri_log2_f(VF y, VU bias)
{
    const uint32_t sqrt_half = 0x3F3504F3u;
    VU tb = vu_add(vu_bits(y), vu_set(0x3F800000u - sqrt_half));
    VF k = vf_cvt_i32(vu_sub(vu_srl(tb, 23), bias));
    VF f = vf_sub(vf_from_bits(vu_add(vu_and(tb, vu_set(0x007FFFFFu)), vu_set(sqrt_half))),
                  vf_set(1.0f));
    /* fit: ndtri_f log2 Q, 8 coefficients */
    VF f2 = vf_mul(f, f);
    VF lql = vf_fma(vf_set(-0x1.70bab4p-2f), f, vf_set(0x1.ec7b64p-2f));
    lql = vf_fma(lql, f, vf_set(-0x1.7155bap-1f));
    lql = vf_fma(lql, f, vf_set(0x1.715472p+0f));
    VF lqh = vf_fma(vf_set(-0x1.2a7c1cp-3f), f, vf_set(0x1.e526cep-3f));
    lqh = vf_fma(lqh, f, vf_set(-0x1.00121ap-2f));
    lqh = vf_fma(lqh, f, vf_set(0x1.2596a4p-2f));
    VF lq = vf_fma(lqh, vf_mul(f2, f2), lql);
    return vf_fma(f, lq, k);
}

/* The central branch, v >= -7.25: z = q P1(v). */
NNV_INLINE VF nnv_ndtri_central_f(VF v, VF q)
{
    /* fit: ndtri_f P1, 10 coefficients */
    VF v2 = vf_mul(v, v);
    VF cl = vf_fma(vf_set(0x1.203706p-9f), v, vf_set(0x1.01214p-6f));
    cl = vf_fma(cl, v, vf_set(-0x1.d1c898p-2f));
    cl = vf_fma(cl, v, vf_set(0x1.40d932p+1f));
    VF ch = vf_fma(vf_set(0x1.f73a7p-31f), v, vf_set(0x1.1d803ep-25f));
    ch = vf_fma(ch, v, vf_set(0x1.ccb072p-22f));
    ch = vf_fma(ch, v, vf_set(0x1.4ec2a6p-20f));
    ch = vf_fma(ch, v, vf_set(-0x1.525116p-16f));
    ch = vf_fma(ch, v, vf_set(-0x1.5ce616p-14f));
    VF c = vf_fma(ch, vf_mul(v2, v2), cl);
    return vf_mul(q, c);
}

NNV_INLINE VF nnv_ndtri_pq_f(VF p, VF q)
{
    VF y = nnv_ndtri_y_f(p, q); /* y / 4 */
    VU bias = vu_set(127u - 2u); /* 2 = log2 4 */
    VMF sub = vf_lt(y, vf_set(0x1p-126f));
    if (vmf_any(sub)) {
        y = vf_sel(sub, vf_mul(y, vf_set(0x1p24f)), y);
        bias = vu_sel(sub, vu_set(127u - 2u + 24u), bias);
    }
    VF v = nnv_ndtri_log2_f(y, bias);

    VMF tail = vf_lt(v, vf_set(-7.25f));
    VF res = vf_set(0.0f);
    if (vmf_any(vmf_not(tail)))
        res = nnv_ndtri_central_f(v, q);
    if (vmf_any(tail)) {
        VF s = vf_sqrt(vf_sub(vf_set(0.0f), v));
        VMF far = vf_ge(s, vf_set(5.0f));
        VF t = vf_set(0.0f);
        if (vmf_any(vmf_and(tail, vmf_not(far)))) {
            VF u = vf_sub(s, vf_set(2.6875f));
            /* fit: ndtri_f P2a, 8 coefficients */
            VF u2 = vf_mul(u, u);
            VF cl = vf_fma(vf_set(-0x1.8508f8p-8f), u, vf_set(0x1.33d35cp-6f));
            cl = vf_fma(cl, u, vf_set(0x1.2895c8p+0f));
            cl = vf_fma(cl, u, vf_set(0x1.77781ep+1f));
            VF ch = vf_fma(vf_set(0x1.491e7ep-17f), u, vf_set(-0x1.6b27c8p-14f));
            ch = vf_fma(ch, u, vf_set(0x1.9febd6p-13f));
            ch = vf_fma(ch, u, vf_set(0x1.6b7376p-11f));
            VF c = vf_fma(ch, vf_mul(u2, u2), cl);
            t = c;
        }
        if (vmf_any(vmf_and(tail, far))) {
            VF u = vf_sub(s, vf_set(5.0f));
            /* fit: ndtri_f P2b, 10 coefficients */
            VF c = vf_set(-0x1.454df6p-31f);
            c = vf_fma(c, u, vf_set(0x1.896ebep-26f));
            c = vf_fma(c, u, vf_set(-0x1.a814a6p-22f));
            c = vf_fma(c, u, vf_set(0x1.10e998p-18f));
            c = vf_fma(c, u, vf_set(-0x1.dd90a6p-16f));
            c = vf_fma(c, u, vf_set(0x1.321ed4p-13f));
            c = vf_fma(c, u, vf_set(-0x1.1db62ap-11f));
            c = vf_fma(c, u, vf_set(0x1.c167c6p-11f));
            c = vf_fma(c, u, vf_set(0x1.306216p+0f));
            c = vf_fma(c, u, vf_set(0x1.6a69a4p+2f));
            t = vf_sel(far, c, t);
        }
        VU qsign = vu_and(vu_bits(q), vu_set(0x80000000u));
        res = vf_sel(tail, vf_from_bits(vu_xor(vu_bits(t), qsign)), res);
    }
    return res;
}

NNV_INLINE VF nnv_ndtri_f(VF p) { return nnv_ndtri_pq_f(p, vf_sub(p, vf_set(0.5f))); }

/* ======================= binary64 ====================================== */

/* Natural log of a positive normal binary64 (the kernels pass (0, 1]).
 * Same split as nnv_log_f; then s = f/(2+f), z = s^2 and
 * log(1+f) = 2 atanh(s) = f - (f^2/2 - s (f^2/2 + R)), R = z Lg(z), the
 * arrangement of fdlibm's e_log.c (Sun, 1993) that keeps the large terms
 * exact without FMA. Lg fit for log1p relative error 1.8e-18. ln2_hi has 32
 * significant bits, so k * ln2_hi is exact. */
NNV_INLINE VD nnv_log_d(VD x)
{
    const uint64_t sqrt_half = 0x3FE6A09E667F3BCDull; /* binary64 sqrt(1/2) */
    VQ t = vq_add(vq_bits(x), vq_set(0x3FF0000000000000ull - sqrt_half));
    VD k = vd_cvt_i64(vq_sub(vq_srl(t, 52), vq_set(1023u)));
    VD f = vd_sub(vd_from_bits(vq_add(vq_and(t, vq_set(0x000FFFFFFFFFFFFFull)), vq_set(sqrt_half))),
                  vd_set(1.0));
    VD s = vd_div(f, vd_add(vd_set(2.0), f));
    VD z = vd_mul(s, s);
    /* fit: log_d Lg, 7 coefficients */
    VD lg = vd_set(0x1.2f05658e4e851p-3);
    lg = vd_mla(lg, z, vd_set(0x1.39a1ba866f54cp-3));
    lg = vd_mla(lg, z, vd_set(0x1.74663eea352e0p-3));
    lg = vd_mla(lg, z, vd_set(0x1.c71c5209550afp-3));
    lg = vd_mla(lg, z, vd_set(0x1.24924941f12e0p-2));
    lg = vd_mla(lg, z, vd_set(0x1.999999997fdb7p-2));
    lg = vd_mla(lg, z, vd_set(0x1.5555555555592p-1));
    VD R = vd_mul(z, lg);
    VD hfsq = vd_mul(vd_set(0.5), vd_mul(f, f));
    VD lo = vd_mla(k, vd_set(0x1.a39ef35793c76p-33), vd_mul(s, vd_add(hfsq, R))); /* ln2 - ln2_hi */
    return vd_mla(k, vd_set(0x1.62e42fee00000p-1), vd_sub(f, vd_sub(hfsq, lo)));
}

/* sin and cos of 2*pi*x/2^64 with the low 10 bits of x dropped (angle
 * 2*pi*(x >> 10)/2^54 exactly); the same integer reduction as
 * nnv_sincos_turn_f with a = x + 2^61, q = a >> 62 and f from the top 52
 * bits of m. Polynomials fit for relative error; no FMA. */
NNV_INLINE void nnv_sincos_turn_d(VQ x, VD *s, VD *c)
{
    VQ a = vq_add(x, vq_set(0x2000000000000000ull));
    VD f = vd_sub(vd_from_bits(vq_or(vq_and(vq_srl(a, 10), vq_set(0x000FFFFFFFFFFFFFull)),
                                     vq_set(0x3FF0000000000000ull))),
                  vd_set(1.5));
    VD z = vd_mul(f, f);
    /* fit: sin_d P, 7 coefficients */
    VD ps = vd_set(0x1.e3eed5ce588c0p-25);
    ps = vd_mla(ps, z, vd_set(-0x1.e30063a02a472p-19));
    ps = vd_mla(ps, z, vd_set(0x1.50782fca38ba5p-13));
    ps = vd_mla(ps, z, vd_set(-0x1.32d2cce2d5360p-8));
    ps = vd_mla(ps, z, vd_set(0x1.466bc67758700p-4));
    ps = vd_mla(ps, z, vd_set(-0x1.4abbce625be41p-1));
    ps = vd_mla(ps, z, vd_set(0x1.921fb54442d18p+0));
    VD sp = vd_mul(f, ps);
    /* fit: cos_d Q, 7 coefficients */
    VD pc = vd_set(-0x1.b263c347878efp-28);
    pc = vd_mla(pc, z, vd_set(0x1.f9cc40ac9e5d9p-22));
    pc = vd_mla(pc, z, vd_set(-0x1.a6d1ec7e0b714p-16));
    pc = vd_mla(pc, z, vd_set(0x1.e1f5068367b1dp-11));
    pc = vd_mla(pc, z, vd_set(-0x1.55d3c7e3c9280p-6));
    pc = vd_mla(pc, z, vd_set(0x1.03c1f081b5aaep-2));
    pc = vd_mla(pc, z, vd_set(-0x1.3bd3cc9be45dep+0));
    VD cp = vd_mla(pc, z, vd_set(1.0));
    VMD odd = vq_eq(vq_and(a, vq_set(0x4000000000000000ull)), vq_set(0x4000000000000000ull));
    VQ sn = vq_and(a, vq_set(0x8000000000000000ull));
    VQ cn = vq_and(vq_add(a, vq_set(0x4000000000000000ull)), vq_set(0x8000000000000000ull));
    *s = vd_from_bits(vq_xor(vq_bits(vd_sel(odd, cp, sp)), sn));
    *c = vd_from_bits(vq_xor(vq_bits(vd_sel(odd, sp, cp)), cn));
}

/* Inverse standard normal CDF for p in (0, 1): Wichura's PPND16 (AS 241),
 * with the (p, q) interface of nnv_ndtri_pq_f: the central rational
 * (|q| <= 0.425) reads q, the two tail rationals (r <= 5, r > 5) read p;
 * all degree 7. Subnormal p are scaled by 2^54 before the log. */
NNV_INLINE VD nnv_ndtri_pq_d(VD p, VD q)
{
    VQ qsign = vq_and(vq_bits(q), vq_set(0x8000000000000000ull));
    VMD central = vd_le(vd_from_bits(vq_xor(vq_bits(q), qsign)), vd_set(0.425));
    VD res = vd_set(0.0);
    if (vmd_any(central)) {
        VD r = vd_sub(vd_set(0.180625), vd_mul(q, q));
        VD num = vd_set(2.5090809287301226727e+3);
        num = vd_mla(num, r, vd_set(3.3430575583588128105e+4));
        num = vd_mla(num, r, vd_set(6.7265770927008700853e+4));
        num = vd_mla(num, r, vd_set(4.5921953931549871457e+4));
        num = vd_mla(num, r, vd_set(1.3731693765509461125e+4));
        num = vd_mla(num, r, vd_set(1.9715909503065514427e+3));
        num = vd_mla(num, r, vd_set(1.3314166789178437745e+2));
        num = vd_mla(num, r, vd_set(3.3871328727963666080e+0));
        VD den = vd_set(5.2264952788528545610e+3);
        den = vd_mla(den, r, vd_set(2.8729085735721942674e+4));
        den = vd_mla(den, r, vd_set(3.9307895800092710610e+4));
        den = vd_mla(den, r, vd_set(2.1213794301586595867e+4));
        den = vd_mla(den, r, vd_set(5.3941960214247511077e+3));
        den = vd_mla(den, r, vd_set(6.8718700749205790830e+2));
        den = vd_mla(den, r, vd_set(4.2313330701600911252e+1));
        den = vd_mla(den, r, vd_set(1.0));
        res = vd_div(vd_mul(q, num), den);
    }
    VMD tail = vmd_not(central);
    if (vmd_any(tail)) {
        VD pm = vd_min(p, vd_sub(vd_set(1.0), p));
        VMD sub = vd_lt(pm, vd_set(0x1p-1022));
        VD lg = nnv_log_d(vd_sel(sub, vd_mul(pm, vd_set(0x1p54)), pm));
        lg = vd_sub(lg, vd_sel(sub, vd_set(0x1.2b708872320e2p+5), vd_set(0.0))); /* 54 ln 2 */
        VD r = vd_sqrt(vd_sub(vd_set(0.0), lg));
        VMD far = vd_gt(r, vd_set(5.0));
        VD t = vd_set(0.0);
        if (vmd_any(vmd_and(tail, vmd_not(far)))) {
            VD u = vd_sub(r, vd_set(1.6));
            VD num = vd_set(7.74545014278341407640e-4);
            num = vd_mla(num, u, vd_set(2.27238449892691845833e-2));
            num = vd_mla(num, u, vd_set(2.41780725177450611770e-1));
            num = vd_mla(num, u, vd_set(1.27045825245236838258e+0));
            num = vd_mla(num, u, vd_set(3.64784832476320460504e+0));
            num = vd_mla(num, u, vd_set(5.76949722146069140550e+0));
            num = vd_mla(num, u, vd_set(4.63033784615654529590e+0));
            num = vd_mla(num, u, vd_set(1.42343711074968357734e+0));
            VD den = vd_set(1.05075007164441684324e-9);
            den = vd_mla(den, u, vd_set(5.47593808499534494600e-4));
            den = vd_mla(den, u, vd_set(1.51986665636164571966e-2));
            den = vd_mla(den, u, vd_set(1.48103976427480074590e-1));
            den = vd_mla(den, u, vd_set(6.89767334985100004550e-1));
            den = vd_mla(den, u, vd_set(1.67638483018380384940e+0));
            den = vd_mla(den, u, vd_set(2.05319162663775882187e+0));
            den = vd_mla(den, u, vd_set(1.0));
            t = vd_div(num, den);
        }
        if (vmd_any(vmd_and(tail, far))) {
            VD u = vd_sub(r, vd_set(5.0));
            VD num = vd_set(2.01033439929228813265e-7);
            num = vd_mla(num, u, vd_set(2.71155556874348757815e-5));
            num = vd_mla(num, u, vd_set(1.24266094738807843860e-3));
            num = vd_mla(num, u, vd_set(2.65321895265761230930e-2));
            num = vd_mla(num, u, vd_set(2.96560571828504891230e-1));
            num = vd_mla(num, u, vd_set(1.78482653991729133580e+0));
            num = vd_mla(num, u, vd_set(5.46378491116411436990e+0));
            num = vd_mla(num, u, vd_set(6.65790464350110377720e+0));
            VD den = vd_set(2.04426310338993978564e-15);
            den = vd_mla(den, u, vd_set(1.42151175831644588870e-7));
            den = vd_mla(den, u, vd_set(1.84631831751005468180e-5));
            den = vd_mla(den, u, vd_set(7.86869131145613259100e-4));
            den = vd_mla(den, u, vd_set(1.48753612908506148525e-2));
            den = vd_mla(den, u, vd_set(1.36929880922735805310e-1));
            den = vd_mla(den, u, vd_set(5.99832206555887937690e-1));
            den = vd_mla(den, u, vd_set(1.0));
            t = vd_sel(far, vd_div(num, den), t);
        }
        res = vd_sel(central, res, vd_from_bits(vq_xor(vq_bits(t), qsign)));
    }
    return res;
}

NNV_INLINE VD nnv_ndtri_d(VD p) { return nnv_ndtri_pq_d(p, vd_sub(p, vd_set(0.5))); }

#endif
