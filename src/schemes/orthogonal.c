/* The orthogonal scheme (docs/CONTRACT.md "Orthogonal", docs/DESIGN.md
 * "Orthogonal"): gain * Q of the Householder QR of a Gaussian matrix.
 *
 * The QR is blocked here, on CBLAS level 3 and LAPACK's larfg, rather than
 * delegated to geqrf + orgqr: recursive panels (LAPACK's geqrt3 algorithm)
 * and a two-gemm block update (explicit V, Y = V T) keep almost every flop in
 * large gemms. 4096^2 f32 on 2 cores: 1.0 s against 1.6 s for
 * LAPACKE_sgeqrf + LAPACKE_sorgqr (docs/DESIGN.md has the measurements).
 *
 * The algorithm is written once for a generic real type and compiled twice,
 * binary32 and binary64: this file includes itself with ORTHO_REAL defined. */
#ifndef ORTHO_REAL

#include <cblas.h>
#include <float.h>
#include <lapacke.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "schemes.h"

/* Block width of the trailing updates for an m x n factorization (m >= n).
 * The update gemms have inner dimension nb: wider blocks run closer to gemm
 * peak, narrower ones spend less in the panels. Measured on the 2-core Zen
 * machine (docs/DESIGN.md). */
static int block_width(int n)
{
    int nb = n >= 2048 ? 256 : n >= 256 ? 128 : 64;
    return nb < n ? nb : n;
}

/* G is drawn in shards of this size: shards give the same bits as one call
 * (include/nninit.h), and shards this small stay below the fill driver's
 * parallel threshold, so the draw runs on the calling thread. An OpenMP team
 * woken here would keep spinning for milliseconds after the fill, on the
 * cores OpenBLAS is about to use (measured: 512 x 512 took 20 ms, not 4). */
#define GAUSS_SHARD_BYTES ((size_t)16 * 1024)

/* Rows of a tall W0 drawn (row-major) and transposed into the column-major
 * working copy per step, and the tile of the transposed write-back. */
#define TALL_ROWS 64
#define TILE 64

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
#define ORTHO_LAPACKE(name) LAPACKE_s##name
#define ORTHO_DTYPE NNINIT_F32
#include "orthogonal.c"
#undef ORTHO_REAL
#undef ORTHO_FN
#undef ORTHO_BLAS
#undef ORTHO_LAPACKE
#undef ORTHO_DTYPE

#define ORTHO_REAL double
#define ORTHO_FN(name) name##_f64
#define ORTHO_BLAS(name) cblas_d##name
#define ORTHO_LAPACKE(name) LAPACKE_d##name
#define ORTHO_DTYPE NNINIT_F64
#include "orthogonal.c"
#undef ORTHO_REAL
#undef ORTHO_FN
#undef ORTHO_BLAS
#undef ORTHO_LAPACKE
#undef ORTHO_DTYPE

nninit_status nninit_orthogonal_fill_(void *dst, nninit_dtype dtype, int64_t rows, int64_t cols, double gain,
                                      nninit_rng rng)
{
    RETURN_ERROR_IF(nninit_dtype_size(dtype) == 0, NNINIT_E_DTYPE);
    RETURN_ERROR_IF(!dst, NNINIT_E_NULL);
    RETURN_ERROR_IF(rows < 1 || cols < 1, NNINIT_E_SHAPE);
    /* CBLAS and LAPACK index with int: every dimension must fit. rows * cols
     * values of 8 bytes must be addressable (the workspace is checked later). */
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

/* Householder QR of the m x n panel a (m >= n), recursively: LAPACK's geqrt3
 * (Elmroth & Gustavson, IBM J. Res. Dev. 44(4), 2000). On return R is on and
 * above the diagonal, the reflector vectors (unit first entry implied) below
 * it, and the n x n upper triangle of t holds T with
 * H_1 H_2 ... H_n = I - V T V^T. The strictly lower part of t is not used. */
static void ORTHO_FN(panel)(int m, int n, real *a, int lda, real *t, int ldt)
{
    if (n == 1) {
        ORTHO_LAPACKE(larfg_work)(m, a, m > 1 ? a + 1 : a, 1, t);
        return;
    }
    const int n1 = n / 2, n2 = n - n1;
    ORTHO_FN(panel)(m, n1, a, lda, t, ldt);

    /* A2 := H^T A2 = A2 - V1 T1^T V1^T A2, with w = t[0:n1, n1:n] as scratch
     * (T12 is computed into it afterwards). */
    real *a2 = AT(a, lda, 0, n1), *w = AT(t, ldt, 0, n1);
    for (int j = 0; j < n2; j++) memcpy(AT(w, ldt, 0, j), AT(a2, lda, 0, j), sizeof(real) * (size_t)n1);
    ORTHO_BLAS(trmm)(COL, CblasLeft, CblasLower, CblasTrans, CblasUnit, n1, n2, 1, a, lda, w, ldt);
    ORTHO_BLAS(gemm)(COL, CblasTrans, CblasNoTrans, n1, n2, m - n1, 1, AT(a, lda, n1, 0), lda,
                     AT(a2, lda, n1, 0), lda, 1, w, ldt);
    ORTHO_BLAS(trmm)(COL, CblasLeft, CblasUpper, CblasTrans, CblasNonUnit, n1, n2, 1, t, ldt, w, ldt);
    ORTHO_BLAS(gemm)(COL, CblasNoTrans, CblasNoTrans, m - n1, n2, n1, -1, AT(a, lda, n1, 0), lda, w, ldt,
                     1, AT(a2, lda, n1, 0), lda);
    ORTHO_BLAS(trmm)(COL, CblasLeft, CblasLower, CblasNoTrans, CblasUnit, n1, n2, 1, a, lda, w, ldt);
    for (int j = 0; j < n2; j++)
        for (int i = 0; i < n1; i++) *AT(a2, lda, i, j) -= *AT(w, ldt, i, j);

    ORTHO_FN(panel)(m - n1, n2, AT(a, lda, n1, n1), lda, AT(t, ldt, n1, n1), ldt);

    /* T12 = -T1 (V1^T V2) T2. Rows n1.. of V1 are a[n1:m, 0:n1]; V2 is
     * a[n1:m, n1:n], unit lower triangular on top. */
    for (int j = 0; j < n2; j++)
        for (int i = 0; i < n1; i++) *AT(w, ldt, i, j) = *AT(a, lda, n1 + j, i);
    ORTHO_BLAS(trmm)(COL, CblasRight, CblasLower, CblasNoTrans, CblasUnit, n1, n2, 1, AT(a, lda, n1, n1), lda,
                     w, ldt);
    if (m > n)
        ORTHO_BLAS(gemm)(COL, CblasTrans, CblasNoTrans, n1, n2, m - n, 1, AT(a, lda, n, 0), lda,
                         AT(a, lda, n, n1), lda, 1, w, ldt);
    ORTHO_BLAS(trmm)(COL, CblasLeft, CblasUpper, CblasNoTrans, CblasNonUnit, n1, n2, -1, t, ldt, w, ldt);
    ORTHO_BLAS(trmm)(COL, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, n1, n2, 1, AT(t, ldt, n1, n1),
                     ldt, w, ldt);
}

/* v (mv x k, leading dimension mv) := the reflector block stored in a:
 * unit diagonal, zeros above, a's entries below. */
static void ORTHO_FN(explicit_v)(int mv, int k, const real *a, int lda, real *v)
{
    for (int j = 0; j < k; j++) {
        real *vj = v + (ptrdiff_t)j * mv;
        memset(vj, 0, sizeof(real) * (size_t)j);
        vj[j] = 1;
        memcpy(vj + j + 1, AT(a, lda, j + 1, j), sizeof(real) * (size_t)(mv - j - 1));
    }
}

typedef struct {
    int m, n, nb;           /* a is m x n, m >= n; blocks of nb columns */
    real *a; int lda;
    real *t;                /* nb x n, ld nb: T of the block at column j is t[0:k, j:j+k] */
    real *v, *y;            /* m x nb each: the block's explicit V, and V T^T or V T (ld = rows) */
    real *w;                /* nb x n, ld nb: V^T C */
} ORTHO_FN(qr_work);

/* Householder QR of a, in place (R above, reflectors below the diagonal, T
 * blocks in t). The trailing matrix C is updated with two gemms per block,
 * C -= (V T^T) (V^T C): no trmm, no copy of C. */
static void ORTHO_FN(factor)(const ORTHO_FN(qr_work) *q)
{
    const int nb = q->nb, lda = q->lda;
    for (int j = 0; j < q->n; j += nb) {
        const int k = q->n - j < nb ? q->n - j : nb, mv = q->m - j, nc = q->n - j - k;
        ORTHO_FN(panel)(mv, k, AT(q->a, lda, j, j), lda, AT(q->t, nb, 0, j), nb);
        if (nc == 0) continue;
        ORTHO_FN(explicit_v)(mv, k, AT(q->a, lda, j, j), lda, q->v);
        memcpy(q->y, q->v, sizeof(real) * (size_t)mv * (size_t)k);
        ORTHO_BLAS(trmm)(COL, CblasRight, CblasUpper, CblasTrans, CblasNonUnit, mv, k, 1, AT(q->t, nb, 0, j), nb,
                         q->y, mv);
        real *c = AT(q->a, lda, j, j + k);
        ORTHO_BLAS(gemm)(COL, CblasTrans, CblasNoTrans, k, nc, mv, 1, q->v, mv, c, lda, 0, q->w, nb);
        ORTHO_BLAS(gemm)(COL, CblasNoTrans, CblasNoTrans, mv, nc, k, -1, q->y, mv, q->w, nb, 1, c, lda);
    }
}

/* Overwrites the factored a with the first n columns of Q = H_1 ... H_n,
 * block by block from the last (LAPACK's orgqr order). Before block j is
 * applied, columns j+k.. hold Q's trailing columns, zero in rows < j+k. */
static void ORTHO_FN(form_q)(const ORTHO_FN(qr_work) *q)
{
    const int nb = q->nb, lda = q->lda;
    for (int j = (q->n - 1) / nb * nb; j >= 0; j -= nb) {
        const int k = q->n - j < nb ? q->n - j : nb, mv = q->m - j, nc = q->n - j - k;
        ORTHO_FN(explicit_v)(mv, k, AT(q->a, lda, j, j), lda, q->v);
        memcpy(q->y, q->v, sizeof(real) * (size_t)mv * (size_t)k);
        ORTHO_BLAS(trmm)(COL, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, mv, k, 1, AT(q->t, nb, 0, j), nb,
                         q->y, mv);
        if (nc > 0) {
            /* C -= (V T) (V^T C); C's first k rows are zero, so V^T C skips them
             * (mv > k here: mv - k >= nc). */
            real *c = AT(q->a, lda, j, j + k);
            ORTHO_BLAS(gemm)(COL, CblasTrans, CblasNoTrans, k, nc, mv - k, 1, q->v + k, mv, c + k, lda, 0, q->w, nb);
            ORTHO_BLAS(gemm)(COL, CblasNoTrans, CblasNoTrans, mv, nc, k, -1, q->y, mv, q->w, nb, 1, c, lda);
        }
        /* The block's own columns: (I - V T V^T) [I; 0] = [I; 0] - (V T) V1^T,
         * V1 the block's top k x k (unit lower triangular); zero above row j. */
        for (int c = j; c < j + k; c++) {
            memset(AT(q->a, lda, 0, c), 0, sizeof(real) * (size_t)q->m);
            *AT(q->a, lda, c, c) = 1;
        }
        ORTHO_BLAS(gemm)(COL, CblasNoTrans, CblasTrans, mv, k, k, -1, q->y, mv, q->v, mv, 1, AT(q->a, lda, j, j),
                         lda);
    }
}

/* dst[off + i] = src[i] * s rounded to the dtype, i < n. One compute-type
 * multiplication (exact when |s| is 1), then nearest-even to 16 bits. */
static void ORTHO_FN(emit)(void *dst, nninit_dtype dtype, size_t off, const real *src, size_t n, real s)
{
    switch (dtype) {
    case NNINIT_F32: { float *o = (float *)dst + off; for (size_t i = 0; i < n; i++) o[i] = (float)(src[i] * s); break; }
    case NNINIT_F64: { double *o = (double *)dst + off; for (size_t i = 0; i < n; i++) o[i] = (double)(src[i] * s); break; }
    default: {
        uint16_t *o = (uint16_t *)dst + off;
        for (size_t i = 0; i < n; i++) o[i] = nninit_half_from_f32_(dtype, (float)(src[i] * s));
        break;
    }
    }
}

/* The scheme in this compute type (the caller checked the arguments). */
static nninit_status ORTHO_FN(orthogonal)(void *dst, nninit_dtype dtype, int rows, int cols, double gain,
                                          nninit_rng rng)
{
    /* Everything runs column-major. rows <= cols: the row-major buffer is the
     * column-major cols x rows matrix W0^T, and its QR's Q, read back
     * row-major, is the result: in place for f32 / f64. rows > cols: W0 is
     * transposed into a column-major copy, factored, and transposed back. */
    const int wide = rows <= cols;
    ORTHO_FN(qr_work) q;
    q.m = wide ? cols : rows;
    q.n = wide ? rows : cols;
    q.lda = q.m;
    q.nb = block_width(q.n);

    /* Everything is allocated before dst is written: a failure leaves it
     * untouched. bf16/f16 outputs and tall matrices work in a copy. */
    const size_t n_elems = (size_t)rows * (size_t)cols;
    const int in_place = wide && dtype == ORTHO_DTYPE;
    size_t work = 0;                                   /* elements: t, w, v, y, scale, tall buffers */
    int fits = grow(&work, (size_t)q.nb, (size_t)q.n * 2) && grow(&work, (size_t)q.m, (size_t)q.nb * 2)
            && grow(&work, (size_t)q.n, 1)
            && (wide || (grow(&work, TALL_ROWS, (size_t)cols) && grow(&work, TILE, TILE)));
    size_t total = work;
    fits = fits && (in_place || grow(&total, n_elems, 1)) && total <= SIZE_MAX / sizeof(real);
    RETURN_ERROR_IF(!fits, NNINIT_E_OVERFLOW);
    real *mem = (real *)malloc(sizeof(real) * total);
    RETURN_ERROR_IF(!mem, NNINIT_E_NOMEM);
    q.t = mem;
    q.w = q.t + (size_t)q.nb * (size_t)q.n;
    q.v = q.w + (size_t)q.nb * (size_t)q.n;
    q.y = q.v + (size_t)q.m * (size_t)q.nb;
    real *scale = q.y + (size_t)q.m * (size_t)q.nb;
    real *extra = scale + q.n;                         /* tall: row block, then tile */
    q.a = in_place ? (real *)dst : mem + work;

    /* (nninit_normal cannot fail here: its arguments are valid by now.) */
    if (wide) {
        draw_gaussian(q.a, ORTHO_DTYPE, n_elems, 0, rng);
    } else {
        for (int r0 = 0; r0 < rows; r0 += TALL_ROWS) {
            const int nr = rows - r0 < TALL_ROWS ? rows - r0 : TALL_ROWS;
            draw_gaussian(extra, ORTHO_DTYPE, (size_t)nr * (size_t)cols, (uint64_t)r0 * (uint64_t)cols, rng);
            for (int c = 0; c < cols; c++)
                for (int i = 0; i < nr; i++) *AT(q.a, q.lda, r0 + i, c) = extra[(size_t)i * (size_t)cols + (size_t)c];
        }
    }

    ORTHO_FN(factor)(&q);
    /* sign(R_jj), sign(0) = +1, folded with the gain into one exact factor. */
    const real g = (real)gain;
    for (int j = 0; j < q.n; j++) scale[j] = *AT(q.a, q.lda, j, j) < 0 ? -g : g;
    ORTHO_FN(form_q)(&q);

    if (wide) {
        /* Output row r is column r of Q. */
        for (int r = 0; r < rows; r++)
            ORTHO_FN(emit)(dst, dtype, (size_t)r * (size_t)cols, AT(q.a, q.lda, 0, r), (size_t)cols, scale[r]);
    } else {
        /* Output (i, j) = Q(i, j) * scale[j], transposed through a tile. */
        real *tile = extra + (size_t)TALL_ROWS * (size_t)cols;
        for (int i0 = 0; i0 < rows; i0 += TILE)
            for (int j0 = 0; j0 < cols; j0 += TILE) {
                const int ni = rows - i0 < TILE ? rows - i0 : TILE, nj = cols - j0 < TILE ? cols - j0 : TILE;
                for (int j = 0; j < nj; j++)
                    for (int i = 0; i < ni; i++) tile[i * TILE + j] = *AT(q.a, q.lda, i0 + i, j0 + j) * scale[j0 + j];
                for (int i = 0; i < ni; i++)
                    ORTHO_FN(emit)(dst, dtype, (size_t)(i0 + i) * (size_t)cols + (size_t)j0, tile + i * TILE,
                                   (size_t)nj, 1);
            }
    }
    free(mem);
    return NNINIT_OK;
}

#undef COL
#undef AT
#undef real
#endif /* ORTHO_REAL */
