/* The orthogonal scheme (docs/CONTRACT.md "Orthogonal", docs/DESIGN.md
 * "Orthogonal"): gain * Q, Q a Haar-distributed matrix with orthonormal
 * columns, generated as the product of Householder reflections built from
 * fresh Gaussian vectors of decreasing length, sign-corrected (Stewart, SIAM
 * J. Numer. Anal. 17(3), 1980; Mezzadri, Notices AMS 54(5), 2007). That is
 * the law of the Q factor of a Gaussian matrix, without the factorization:
 * forming Q alone is 4/3 n^3 flops for a square matrix, the QR of a Gaussian
 * plus forming its Q was 8/3 n^3.
 *
 * Q is formed as LAPACK's orgqr forms it, block by block from the last, each
 * block of nb reflectors in compact WY form I - V T V^T applied with CBLAS
 * level 3 (OpenBLAS). Every block's reflectors are drawn when the block is
 * applied: the workspace is O((rows + cols) * nb), the result is built in
 * place in dst (f32, f64; bf16 and f16 outputs work in a binary32 copy).
 *
 * The algorithm is written once for a generic real type and compiled twice,
 * binary32 and binary64: this file includes itself with ORTHO_REAL defined. */
#ifndef ORTHO_REAL

#include <cblas.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "schemes.h"

/* Reflectors per block for n columns. The updates are gemms with inner
 * dimension nb: wider blocks run closer to gemm peak, but every block adds
 * work that grows with nb^2 (V^T V and T times V^T C): about 0.75 nb / n of
 * the total for a square matrix. Measured on the 2-core Zen machine
 * (docs/DESIGN.md). */
static int block_width(int n)
{
    int nb = n >= 2048 ? 256 : n >= 256 ? 128 : 64;
    return nb < n ? nb : n;
}

/* T blocks up to this size are built by the plain recurrence; larger ones
 * recursively, the joins in trmm. */
#define T_BASE 32

/* Gaussians are drawn in shards of this size: shards give the same bits as
 * one call (include/nninit.h), and shards this small stay below the fill
 * driver's parallel threshold, so the draw runs on the calling thread. An
 * OpenMP team woken here would keep spinning for milliseconds after the
 * fill, on the cores OpenBLAS is about to use. */
#define GAUSS_SHARD_BYTES ((size_t)16 * 1024)

/* *acc += a * b; 0 (and *acc unchanged) if that overflows. */
static int grow(size_t *acc, size_t a, size_t b)
{
    if (b && a > SIZE_MAX / b) return 0;
    if (*acc > SIZE_MAX - a * b) return 0;
    *acc += a * b;
    return 1;
}

static void draw_gaussian(void *a, nninit_dtype dtype, size_t n, uint64_t offset, nninit_rng rng)
{
    const size_t esz = nninit_dtype_size(dtype), shard = GAUSS_SHARD_BYTES / esz;
    for (size_t i = 0; i < n; i += shard)
        (void)nninit_normal((unsigned char *)a + i * esz, dtype, n - i < shard ? n - i : shard, 0.0, 1.0, rng,
                            offset + i);
}

/* ---- the two instantiations ---------------------------------------------- */
#define ORTHO_REAL float
#define ORTHO_FN(name) name##_f32
#define ORTHO_BLAS(name) cblas_s##name
#define ORTHO_DTYPE NNINIT_F32
#include "orthogonal.c"
#undef ORTHO_REAL
#undef ORTHO_FN
#undef ORTHO_BLAS
#undef ORTHO_DTYPE

#define ORTHO_REAL double
#define ORTHO_FN(name) name##_f64
#define ORTHO_BLAS(name) cblas_d##name
#define ORTHO_DTYPE NNINIT_F64
#include "orthogonal.c"
#undef ORTHO_REAL
#undef ORTHO_FN
#undef ORTHO_BLAS
#undef ORTHO_DTYPE

nninit_status nninit_orthogonal_fill_(void *dst, nninit_dtype dtype, int64_t rows, int64_t cols, double gain,
                                      nninit_rng rng)
{
    RETURN_ERROR_IF(nninit_dtype_size(dtype) == 0, NNINIT_E_DTYPE);
    RETURN_ERROR_IF(!dst, NNINIT_E_NULL);
    RETURN_ERROR_IF(rows < 1 || cols < 1, NNINIT_E_SHAPE);
    /* CBLAS indexes with int: every dimension must fit. rows * cols values
     * of 8 bytes must be addressable (the workspace is checked later). */
    RETURN_ERROR_IF(rows > INT_MAX || cols > INT_MAX, NNINIT_E_OVERFLOW);
    RETURN_ERROR_IF((uint64_t)rows > SIZE_MAX / 8 / (uint64_t)cols, NNINIT_E_OVERFLOW);
    /* Entries of Q are at most 1 up to rounding: half the dtype's largest
     * finite value keeps every gain * Q finite. */
    const double max_gain = nninit_dtype_max_(dtype) / 2;
    RETURN_ERROR_IF(!(fabs(gain) <= max_gain), NNINIT_E_PARAM);
    if (dtype == NNINIT_F64) return orthogonal_f64(dst, dtype, (int)rows, (int)cols, gain, rng);
    return orthogonal_f32(dst, dtype, (int)rows, (int)cols, gain, rng);
}

#else /* ORTHO_REAL: the algorithm, once per compute type ------------------- */

#define real ORTHO_REAL
/* Element (i, j) of a column-major matrix with leading dimension ld. */
#define AT(p, ld, i, j) ((p) + (i) + (ptrdiff_t)(j) * (ld))
#define COL CblasColMajor

/* The m x n result (m >= n) and the workspace of one block. Q's column j is
 * H_0 H_1 ... H_{n-1} e_j scaled by e[j]; the buffer q holds Q column-major
 * (ld m) when the output is wide or square, and Q^T column-major (ld n) when
 * it is tall: either way, read row-major it is the output matrix. */
typedef struct {
    int m, n, nb, tall;
    real *q;
    real *v;            /* mv x k (ld mv): the block's reflectors, unit on the diagonal, zero above */
    real *t;            /* nb x nb: V^T V, then T (upper triangles) */
    real *w;            /* nb x n: W = T V^T C, or W^T when tall */
    real *tau;          /* nb */
    real *e;            /* n: the sign d_j of every column times the sign of the gain */
    real gsign;         /* +1, or -1 when the gain's sign bit is set */
    nninit_rng rng;
} ORTHO_FN(gen);

/* Sum of squares in binary64, four partial sums. */
static double ORTHO_FN(sumsq)(const real *x, size_t n)
{
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += (double)x[i] * x[i];
        s1 += (double)x[i + 1] * x[i + 1];
        s2 += (double)x[i + 2] * x[i + 2];
        s3 += (double)x[i + 3] * x[i + 3];
    }
    for (; i < n; i++) s0 += (double)x[i] * x[i];
    return (s0 + s1) + (s2 + s3);
}

/* Reflectors j .. j+k-1 into V (mv = m - j rows), their tau and signs.
 * Reflector r is built from x = G(r:m, r), G(i, r) being element r*m + i of
 * the normal fill (docs/CONTRACT.md): with alpha = x_0, s = sign(alpha)
 * (+1 at 0) and nu = |x|, u = x + s nu e_0 and H_r = I - 2 u u^T / u^T u,
 * which maps x to -s nu e_0; the column sign is d_r = -s. Stored as LAPACK
 * stores reflectors: v = u / u_0 (unit first entry), tau = 2 / v^T v
 * = 1 + |alpha| / nu. x = 0 gives H_r = I (tau = 0) and d_r = +1. */
static void ORTHO_FN(reflectors)(ORTHO_FN(gen) *g, int j, int k)
{
    const int m = g->m, mv = m - j;
    for (int c = 0; c < k; c++) {
        const int r = j + c;
        real *vc = AT(g->v, mv, 0, c), *x = vc + c;
        const size_t len = (size_t)(m - r);
        memset(vc, 0, sizeof(real) * (size_t)c);
        draw_gaussian(x, ORTHO_DTYPE, len, (uint64_t)r * (uint64_t)m + (uint64_t)r, g->rng);
        const double alpha = x[0], nu = sqrt(ORTHO_FN(sumsq)(x, len));
        const double s = alpha < 0 ? -1.0 : 1.0;
        if (nu == 0) {
            g->tau[c] = 0;
            g->e[r] = g->gsign;
        } else {
            const real inv = (real)(1 / (alpha + s * nu));
            for (size_t i = 1; i < len; i++) x[i] *= inv;
            g->tau[c] = (real)(1 + fabs(alpha) / nu);
            g->e[r] = (real)-s * g->gsign;
        }
        x[0] = 1;
    }
}

/* On entry the upper triangle of t (k x k) holds S = V^T V; on return T,
 * with H_j ... H_{j+k-1} = I - V T V^T (LAPACK's larft, forward columnwise):
 * T_ii = tau_i, T(0:i, i) = -tau_i T(0:i, 0:i) S(0:i, i). In place: column i
 * of S is read only by column i of T, top down. Larger blocks are split:
 * T12 = -T1 S12 T2. */
static void ORTHO_FN(build_t)(int k, real *t, int ldt, const real *tau)
{
    if (k <= T_BASE) {
        for (int i = 0; i < k; i++) {
            for (int r = 0; r < i; r++) {
                real acc = 0;
                for (int l = r; l < i; l++) acc += *AT(t, ldt, r, l) * *AT(t, ldt, l, i);
                *AT(t, ldt, r, i) = -tau[i] * acc;
            }
            *AT(t, ldt, i, i) = tau[i];
        }
        return;
    }
    const int k1 = k / 2, k2 = k - k1;
    real *t12 = AT(t, ldt, 0, k1), *t22 = AT(t, ldt, k1, k1);
    ORTHO_FN(build_t)(k1, t, ldt, tau);
    ORTHO_FN(build_t)(k2, t22, ldt, tau + k1);
    ORTHO_BLAS(trmm)(COL, CblasLeft, CblasUpper, CblasNoTrans, CblasNonUnit, k1, k2, -1, t, ldt, t12, ldt);
    ORTHO_BLAS(trmm)(COL, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, k1, k2, 1, t22, ldt, t12, ldt);
}

/* Applies block j (reflectors j .. j+k-1) to the columns already formed and
 * forms its own k columns. Before, columns j+k .. n-1 hold those of
 * H_{j+k} ... H_{n-1} [I; 0] diag(e): zero in rows < j+k. The block's own
 * columns start as [diag(e); 0], so all of C = Q(j:m, j:n) is updated at
 * once: C -= V W with W = T V^T C, one gemm. V^T C needs no product for the
 * block's own columns (it is V1^T diag(e), V1 the top k x k of V, unit lower
 * triangular) and skips C's first k rows for the others (zero). */
static void ORTHO_FN(apply_block)(ORTHO_FN(gen) *g, int j, int k)
{
    const int m = g->m, n = g->n, nb = g->nb, mv = m - j, nc = n - j - k;
    real *v = g->v, *t = g->t, *w = g->w, *q = g->q;
    const real *e = g->e + j;

    ORTHO_FN(reflectors)(g, j, k);
    ORTHO_BLAS(syrk)(COL, CblasUpper, CblasTrans, k, mv, 1, v, mv, 0, t, nb);
    ORTHO_FN(build_t)(k, t, nb, g->tau);

    if (!g->tall) {
        /* q is Q, m x n, ld m; W is k x (k + nc), ld nb. */
        for (int c = 0; c < k; c++) {
            memset(AT(q, m, 0, j + c), 0, sizeof(real) * (size_t)m);
            *AT(q, m, j + c, j + c) = e[c];
            for (int r = 0; r < k; r++) *AT(w, nb, r, c) = r > c ? 0 : *AT(v, mv, c, r) * e[c];
        }
        if (nc > 0) /* nc > 0 implies mv > k */
            ORTHO_BLAS(gemm)(COL, CblasTrans, CblasNoTrans, k, nc, mv - k, 1, v + k, mv, AT(q, m, j + k, j + k), m,
                             0, AT(w, nb, 0, k), nb);
        ORTHO_BLAS(trmm)(COL, CblasLeft, CblasUpper, CblasNoTrans, CblasNonUnit, k, k + nc, 1, t, nb, w, nb);
        ORTHO_BLAS(gemm)(COL, CblasNoTrans, CblasNoTrans, mv, k + nc, k, -1, v, mv, w, nb, 1, AT(q, m, j, j), m);
    } else {
        /* q is P = Q^T, n x m, ld n: the same steps transposed, with W^T
         * ((k + nc) x k, ld n - j) and C^T = P(j:n, j:m) -= W^T V^T. */
        const int ldw = k + nc;
        for (int c = 0; c < m; c++) memset(AT(q, n, j, c), 0, sizeof(real) * (size_t)k);
        for (int c = 0; c < k; c++) {
            *AT(q, n, j + c, j + c) = e[c];
            for (int r = 0; r < k; r++) *AT(w, ldw, c, r) = r > c ? 0 : *AT(v, mv, c, r) * e[c];
        }
        if (nc > 0)
            ORTHO_BLAS(gemm)(COL, CblasNoTrans, CblasNoTrans, nc, k, mv - k, 1, AT(q, n, j + k, j + k), n, v + k, mv,
                             0, w + k, ldw);
        ORTHO_BLAS(trmm)(COL, CblasRight, CblasUpper, CblasTrans, CblasNonUnit, k + nc, k, 1, t, nb, w, ldw);
        ORTHO_BLAS(gemm)(COL, CblasNoTrans, CblasTrans, k + nc, mv, k, -1, w, ldw, v, mv, 1, AT(q, n, j, j), n);
    }
}

/* The scheme in this compute type (the caller checked the arguments). */
static nninit_status ORTHO_FN(orthogonal)(void *dst, nninit_dtype dtype, int rows, int cols, double gain,
                                          nninit_rng rng)
{
    ORTHO_FN(gen) g;
    g.tall = rows > cols;
    g.m = g.tall ? rows : cols;
    g.n = g.tall ? cols : rows;
    g.nb = block_width(g.n);
    g.rng = rng;

    /* Everything is allocated before dst is written: a failure leaves it
     * untouched. bf16 / f16 outputs are computed in a binary32 copy. */
    const size_t n_elems = (size_t)rows * (size_t)cols, m = (size_t)g.m, n = (size_t)g.n, nb = (size_t)g.nb;
    const int in_place = dtype == ORTHO_DTYPE;
    size_t work = 0;                                   /* elements: v, t, w, tau, e */
    int fits = grow(&work, m, nb) && grow(&work, nb, nb) && grow(&work, nb, n) && grow(&work, nb, 1)
            && grow(&work, n, 1);
    size_t total = work;
    fits = fits && (in_place || grow(&total, n_elems, 1)) && total <= SIZE_MAX / sizeof(real);
    RETURN_ERROR_IF(!fits, NNINIT_E_OVERFLOW);
    real *mem = (real *)malloc(sizeof(real) * total);
    RETURN_ERROR_IF(!mem, NNINIT_E_NOMEM);
    g.v = mem;
    g.t = g.v + m * nb;
    g.w = g.t + nb * nb;
    g.tau = g.w + nb * n;
    g.e = g.tau + nb;
    g.q = in_place ? (real *)dst : mem + work;

    /* The gain's sign rides on the column signs (negation is exact through
     * every step), its magnitude is one multiplication at the end. */
    const real gr = (real)gain, ag = (real)fabs((double)gr);
    g.gsign = signbit(gr) ? -1 : 1;
    for (int j = (g.n - 1) / g.nb * g.nb; j >= 0; j -= g.nb)
        ORTHO_FN(apply_block)(&g, j, g.n - j < g.nb ? g.n - j : g.nb);

    if (in_place) {
        if (ag != 1)
            for (size_t i = 0; i < n_elems; i++) g.q[i] *= ag;
    } else {
        uint16_t *o = (uint16_t *)dst;
        for (size_t i = 0; i < n_elems; i++) o[i] = nninit_half_from_f32_(dtype, (float)(g.q[i] * ag));
    }
    free(mem);
    return NNINIT_OK;
}

#undef COL
#undef AT
#undef real
#endif /* ORTHO_REAL */
