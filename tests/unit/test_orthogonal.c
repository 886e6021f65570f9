/* The orthogonal scheme (docs/CONTRACT.md, "Orthogonal"): orthonormality,
 * the definition itself (the product of Householder reflections built from
 * the drawn Gaussian vectors, with the sign rule and the orientation rule,
 * against an unblocked reference), gain, 16-bit outputs, the Haar
 * distribution (entry moments, traces, eigenvalue angles over many seeds),
 * thread counts, and a failed call leaving dst untouched.
 *
 * Most calls go through the public nninit_orthogonal (a 2-D OIHW shape is
 * the rows x cols matrix itself). nninit_orthogonal_fill_, the hidden
 * function behind it, is called directly where the public checks would stop
 * a call first (negative gains, dimensions beyond LAPACK's int): the suites
 * link the static library, where hidden symbols resolve. The reference is
 * computed with plain loops, not with BLAS; eigenvalues come from LAPACK. */
#include <limits.h>
#include <omp.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cblas.h>
#include <lapacke.h>
#include "testutil.h"

nninit_status nninit_orthogonal_fill_(void *dst, nninit_dtype dtype, int64_t rows, int64_t cols, double gain,
                                      nninit_rng rng);

/* The E_NOMEM test asks malloc for exabytes: under ASan that must return
 * NULL as it does natively, not end the program. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "allocator_may_return_null=1"; }

static const int shapes[][2] = { { 1, 1 }, { 1, 7 }, { 7, 1 }, { 3, 5 }, { 5, 3 }, { 64, 64 },
                                 { 257, 129 }, { 129, 257 }, { 512, 512 } };
#define N_SHAPES ((int)(sizeof shapes / sizeof shapes[0]))

/* ---- helpers --------------------------------------------------------------- */
static void *xmalloc(size_t bytes)
{
    void *p = malloc(bytes ? bytes : 1);
    ck_assert_msg(p != NULL, "out of memory (%zu bytes)", bytes);
    return p;
}

/* Runs the scheme into a fresh buffer (f32 or f64 values as doubles):
 * through the public function when gain > 0 (its range), else directly. */
static double *ortho(nninit_dtype dt, int rows, int cols, double gain, nninit_rng rng)
{
    size_t n = (size_t)rows * (size_t)cols;
    void *buf = xmalloc(n * nninit_dtype_size(dt));
    const int64_t shape[2] = { rows, cols };
    const nninit_layout oihw = { NNINIT_LAYOUT_OIHW, 0, 0, 0 };
    nninit_status st = gain > 0 ? nninit_orthogonal(buf, dt, shape, 2, oihw, gain, rng)
                                : nninit_orthogonal_fill_(buf, dt, rows, cols, gain, rng);
    ck_assert_msg(st == NNINIT_OK, "orthogonal %s %dx%d returned %s", nninit_dtype_name(dt), rows, cols,
                  nninit_status_str(st));
    double *q = xmalloc(n * sizeof(double));
    for (size_t i = 0; i < n; i++) q[i] = dt == NNINIT_F64 ? ((double *)buf)[i] : ((float *)buf)[i];
    free(buf);
    return q;
}

/* max |Q Q^T - I| for rows <= cols (orthonormal rows), else max |Q^T Q - I|,
 * Q row-major rows x cols; sums in double. */
static double orth_error(const double *q, int rows, int cols)
{
    const int k = rows <= cols ? rows : cols, len = rows <= cols ? cols : rows;
    /* element t of vector a: row a (wide) or column a (tall) */
    const size_t stride_vec = rows <= cols ? (size_t)cols : 1, stride_el = rows <= cols ? 1 : (size_t)cols;
    double worst = 0;
    for (int a = 0; a < k; a++)
        for (int b = a; b < k; b++) {
            double s = 0;
            for (int t = 0; t < len; t++) s += q[a * stride_vec + t * stride_el] * q[b * stride_vec + t * stride_el];
            double e = fabs(s - (a == b));
            if (e > worst) worst = e;
        }
    return worst;
}

/* The definition (docs/CONTRACT.md, "Orthogonal"), independently and
 * unblocked, in binary64: with m = max(rows, cols), n = min(rows, cols),
 * reflector k is built from x = the m - k values of the normal fill at
 * elements k*m + k .. k*m + m - 1 (drawn here in the compute type and
 * widened), u = x + sign(x_0) |x| e_0, H_k = I - 2 u u^T / u^T u on rows
 * k.. and d_k = -sign(x_0). Evaluated left to right, A := A H_k from the
 * m x m identity (the library goes right to left, blocked); Q = the first n
 * columns of A times diag(d). Returns the row-major rows x cols output for
 * gain 1: Q^T when rows <= cols, else Q. */
static double *reference(nninit_dtype compute, int rows, int cols, nninit_rng rng)
{
    const int m = rows > cols ? rows : cols, n = rows > cols ? cols : rows;
    double *a = xmalloc((size_t)m * (size_t)m * sizeof(double)); /* a[i * m + j] */
    double *u = xmalloc((size_t)m * sizeof(double)), *au = xmalloc((size_t)m * sizeof(double));
    double *d = xmalloc((size_t)n * sizeof(double));
    void *x = xmalloc((size_t)m * nninit_dtype_size(compute));
    for (int i = 0; i < m; i++)
        for (int j = 0; j < m; j++) a[(size_t)i * m + j] = i == j;
    for (int k = 0; k < n; k++) {
        const int len = m - k;
        ck_assert(nninit_normal(x, compute, (size_t)len, 0.0, 1.0, rng, (uint64_t)k * (uint64_t)m + (uint64_t)k)
                  == NNINIT_OK);
        double nu = 0;
        for (int i = 0; i < len; i++) {
            u[i] = compute == NNINIT_F64 ? ((double *)x)[i] : ((float *)x)[i];
            nu += u[i] * u[i];
        }
        nu = sqrt(nu);
        if (nu == 0) { d[k] = 1; continue; }
        const double s = u[0] < 0 ? -1 : 1;
        d[k] = -s;
        u[0] += s * nu;
        double uu = 0;
        for (int i = 0; i < len; i++) uu += u[i] * u[i];
        /* A(:, k:) -= (2 / u^T u) (A(:, k:) u) u^T */
        for (int i = 0; i < m; i++) {
            double t = 0;
            for (int l = 0; l < len; l++) t += a[(size_t)i * m + k + l] * u[l];
            au[i] = 2 * t / uu;
        }
        for (int i = 0; i < m; i++)
            for (int l = 0; l < len; l++) a[(size_t)i * m + k + l] -= au[i] * u[l];
    }
    double *out = xmalloc((size_t)rows * (size_t)cols * sizeof(double));
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++)
            out[(size_t)r * cols + c] = rows <= cols ? a[(size_t)c * m + r] * d[r] : a[(size_t)r * m + c] * d[c];
    free(a);
    free(u);
    free(au);
    free(d);
    free(x);
    return out;
}

/* Columns of the definition's Q for large shapes, unblocked in binary64 and
 * evaluated the other way: all reflectors are built first (u_k, 2 / u_k^T u_k,
 * d_k as in reference()), then Q e_c = H_0 (H_1 (... (H_{n-1} e_c))) d_c,
 * one column at a time, O(m n) each. */
typedef struct { int m, n; double *u, *beta, *d; size_t *off; } ref_reflectors;

static ref_reflectors ref_build(nninit_dtype compute, int m, int n, nninit_rng rng)
{
    ref_reflectors R = { m, n, NULL, xmalloc((size_t)n * sizeof(double)), xmalloc((size_t)n * sizeof(double)),
                         xmalloc((size_t)n * sizeof(size_t)) };
    size_t total = 0;
    for (int k = 0; k < n; k++) {
        R.off[k] = total;
        total += (size_t)(m - k);
    }
    R.u = xmalloc(total * sizeof(double));
    void *x = xmalloc((size_t)m * nninit_dtype_size(compute));
    for (int k = 0; k < n; k++) {
        const int len = m - k;
        double *u = R.u + R.off[k];
        ck_assert(nninit_normal(x, compute, (size_t)len, 0.0, 1.0, rng, (uint64_t)k * (uint64_t)m + (uint64_t)k)
                  == NNINIT_OK);
        double nu = 0;
        for (int i = 0; i < len; i++) {
            u[i] = compute == NNINIT_F64 ? ((double *)x)[i] : ((float *)x)[i];
            nu += u[i] * u[i];
        }
        nu = sqrt(nu);
        if (nu == 0) { R.beta[k] = 0; R.d[k] = 1; continue; }
        const double s = u[0] < 0 ? -1 : 1;
        R.d[k] = -s;
        u[0] += s * nu;
        double uu = 0;
        for (int i = 0; i < len; i++) uu += u[i] * u[i];
        R.beta[k] = 2 / uu;
    }
    free(x);
    return R;
}

static void ref_column(const ref_reflectors *R, int c, double *q)
{
    memset(q, 0, (size_t)R->m * sizeof(double));
    q[c] = R->d[c];
    for (int k = c; k >= 0; k--) { /* H_k e_c = e_c for k > c: it acts on rows >= k only */
        const double *u = R->u + R->off[k];
        double t = 0;
        for (int i = 0; i < R->m - k; i++) t += u[i] * q[k + i];
        t *= R->beta[k];
        for (int i = 0; i < R->m - k; i++) q[k + i] -= t * u[i];
    }
}

static void ref_free(ref_reflectors *R)
{
    free(R->u);
    free(R->beta);
    free(R->d);
    free(R->off);
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double max_diff(const double *a, const double *b, size_t n)
{
    double d = 0;
    for (size_t i = 0; i < n; i++)
        if (fabs(a[i] - b[i]) > d) d = fabs(a[i] - b[i]);
    return d;
}

/* ---- tests ----------------------------------------------------------------- */
START_TEST(test_orthonormal)
{
    for (int s = 0; s < N_SHAPES; s++)
        for (int d = 0; d < 2; d++) {
            const nninit_dtype dt = d ? NNINIT_F64 : NNINIT_F32;
            const double tol = d ? 1e-12 : 1e-5;
            const int r = shapes[s][0], c = shapes[s][1];
            double *q = ortho(dt, r, c, 1.0, (nninit_rng){ 11, (uint64_t)s });
            double e = orth_error(q, r, c);
            ck_assert_msg(e <= tol, "%s %dx%d: max|QQ^T - I| = %.3g > %.0e", nninit_dtype_name(dt), r, c, e, tol);
            free(q);
        }
}
END_TEST

/* Q is the definition's reflector product of the drawn Gaussians: stream
 * layout, sign rule and orientation included. A wrong sign, orientation or
 * Gaussian gives differences of order 1; rounding gave at most 3.2e-7 (f32)
 * and 3.4e-15 (f64) on these shapes. The bounds leave a factor of about 30. */
START_TEST(test_definition)
{
    for (int s = 0; s < N_SHAPES; s++)
        for (int d = 0; d < 2; d++) {
            const nninit_dtype dt = d ? NNINIT_F64 : NNINIT_F32;
            const int r = shapes[s][0], c = shapes[s][1];
            const double tol = d ? 1e-13 : 1e-5;
            nninit_rng rng = { 2024, 100 + (uint64_t)s };
            double *q = ortho(dt, r, c, 1.0, rng);
            double *ref = reference(dt, r, c, rng);
            double e = max_diff(q, ref, (size_t)r * c);
            ck_assert_msg(e <= tol, "%s %dx%d: max|Q - Qref| = %.3g > %.0e", nninit_dtype_name(dt), r, c, e, tol);
            free(q);
            free(ref);
        }
}
END_TEST

/* The same on shapes with 256-wide blocks (n >= 2048) and a last block of
 * one reflector, tall and wide, on columns of Q (rows of a wide output) at
 * block edges. Rounding gave at most 1.4e-7 (f32) and 2.9e-15 (f64). */
START_TEST(test_definition_large)
{
    static const int ls[][2] = { { 2100, 2049 }, { 2049, 2300 } };
    static const int cols_checked[] = { 0, 1, 255, 256, 1791, 1792, 2047, 2048 };
    for (int s = 0; s < 2; s++)
        for (int d = 0; d < 2; d++) {
            const nninit_dtype dt = d ? NNINIT_F64 : NNINIT_F32;
            const int r = ls[s][0], c = ls[s][1], m = r > c ? r : c, n = r > c ? c : r;
            const double tol = d ? 1e-13 : 1e-5;
            nninit_rng rng = { 77, (uint64_t)s };
            double *q = ortho(dt, r, c, 1.0, rng);
            ref_reflectors R = ref_build(dt, m, n, rng);
            double *col = xmalloc((size_t)m * sizeof(double)), worst = 0;
            for (size_t t = 0; t < sizeof cols_checked / sizeof cols_checked[0]; t++) {
                const int j = cols_checked[t];
                ref_column(&R, j, col);
                for (int i = 0; i < m; i++) {
                    /* Q(i, j) is output (i, j) when tall, output (j, i) when wide */
                    const double got = r > c ? q[(size_t)i * c + j] : q[(size_t)j * c + i];
                    worst = fmax(worst, fabs(got - col[i]));
                }
            }
            ck_assert_msg(worst <= tol, "%s %dx%d: max|Q - Qref| = %.3g > %.0e over the checked columns",
                          nninit_dtype_name(dt), r, c, worst, tol);
            free(col);
            ref_free(&R);
            free(q);
        }
}
END_TEST

/* The public function flattens the shape (PyTorch: (shape[0], rest); Keras
 * layouts: (rest, shape[-1])) and gives exactly the internal result. */
START_TEST(test_public_matches_internal)
{
    static const struct { int64_t shape[4]; int ndim; nninit_layout_kind kind; int rows, cols; } cases[] = {
        { { 8, 3, 3, 3 }, 4, NNINIT_LAYOUT_OIHW, 8, 27 },
        { { 40, 6 }, 2, NNINIT_LAYOUT_OIHW, 40, 6 },
        { { 3, 3, 4, 16 }, 4, NNINIT_LAYOUT_HWIO, 36, 16 },
        { { 5, 20 }, 2, NNINIT_LAYOUT_HWIO, 5, 20 },
    };
    for (int c = 0; c < 4; c++)
        for (int d = 0; d < 4; d++) {
            const nninit_dtype dt = (nninit_dtype)d;
            const size_t n = (size_t)cases[c].rows * cases[c].cols, bytes = n * nninit_dtype_size(dt);
            nninit_rng rng = { 4, 40 + (uint64_t)c };
            nninit_layout lay = { cases[c].kind, 0, 0, 0 };
            void *a = xmalloc(bytes), *b = xmalloc(bytes);
            ck_assert(nninit_orthogonal(a, dt, cases[c].shape, cases[c].ndim, lay, 1.5, rng) == NNINIT_OK);
            ck_assert(nninit_orthogonal_fill_(b, dt, cases[c].rows, cases[c].cols, 1.5, rng) == NNINIT_OK);
            ck_assert_msg(memcmp(a, b, bytes) == 0, "case %d %s: public and internal results differ", c,
                          nninit_dtype_name(dt));
            free(a);
            free(b);
        }
}
END_TEST

/* gain * Q is one multiplication in the compute type: exactly the gain-1
 * result times the gain, rounded once. */
START_TEST(test_gain)
{
    static const double gains[] = { 2.5, -1.0, 0.1, 1e-3 };
    for (int d = 0; d < 2; d++) {
        const nninit_dtype dt = d ? NNINIT_F64 : NNINIT_F32;
        const int r = 40, c = 24;
        nninit_rng rng = { 5, 6 };
        double *one = ortho(dt, r, c, 1.0, rng);
        for (int g = 0; g < 4; g++) {
            double *q = ortho(dt, r, c, gains[g], rng);
            for (size_t i = 0; i < (size_t)r * c; i++) {
                double want = d ? one[i] * gains[g] : (double)((float)one[i] * (float)gains[g]);
                ck_assert_msg(q[i] == want, "%s gain %g: element %zu is %.17g, expected %.17g",
                              nninit_dtype_name(dt), gains[g], i, q[i], want);
            }
            free(q);
        }
        free(one);
    }
}
END_TEST

/* bf16 / f16 outputs are the f32 result rounded to nearest even. */
START_TEST(test_16bit_outputs)
{
    for (int s = 0; s < N_SHAPES; s++)
        for (int bf = 0; bf < 2; bf++) {
            const int r = shapes[s][0], c = shapes[s][1];
            const size_t n = (size_t)r * c;
            const double gain = bf ? 3.0 : 0.75;
            nninit_rng rng = { 99, (uint64_t)s };
            float *f = xmalloc(n * 4);
            uint16_t *h = xmalloc(n * 2);
            ck_assert(nninit_orthogonal_fill_(f, NNINIT_F32, r, c, gain, rng) == NNINIT_OK);
            ck_assert(nninit_orthogonal_fill_(h, bf ? NNINIT_BF16 : NNINIT_F16, r, c, gain, rng) == NNINIT_OK);
            for (size_t i = 0; i < n; i++) {
                uint16_t want = nt_round16(f[i], bf);
                ck_assert_msg(h[i] == want, "%s %dx%d element %zu: %#06x, expected %#06x (f32 %.9g)",
                              bf ? "bf16" : "f16", r, c, i, h[i], want, (double)f[i]);
            }
            free(f);
            free(h);
        }
}
END_TEST

/* ---- the distribution ------------------------------------------------------
 * Haar: every orthonormal vector of an m x n result (columns when tall, rows
 * when wide; m their length) is uniform on the sphere S^(m-1), and a square
 * result is uniform on O(n). The checks below draw many fixed seeds, so they
 * give the same answer on every run; the bounds are set so that a correct
 * generator passes them with the stated probability under the null
 * hypothesis, which is what makes a pass evidence and a failure a bug. */
enum { N_SEEDS = 4000 };

/* E[q^(2p)] for one coordinate q of a uniform unit vector in R^m:
 * q^2 ~ Beta(1/2, (m-1)/2), so E q^(2p) = prod_{i<p} (1 + 2i) / (m + 2i). */
static double sphere_moment(int m, int p)
{
    double r = 1;
    for (int i = 0; i < p; i++) r *= (1.0 + 2 * i) / (m + 2.0 * i);
    return r;
}

/* Every entry, over N_SEEDS seeds: mean 0 (variance 1/m), E q^2 = 1/m and
 * E q^4 = 3 / (m (m + 2)), each a z-score against the exact variance of the
 * statistic (Var q = 1/m, Var q^2 = E q^4 - (E q^2)^2, Var q^4 = E q^8 -
 * (E q^4)^2). |z| <= 5 for each of the 3 * 244 statistics: by Bonferroni a
 * Haar generator fails with probability below 732 * 5.7e-7 = 4.2e-4. With
 * 4000 seeds the second moment is resolved to 2% and a sign-biased entry
 * (a Householder Q without the sign rule has Q_00 < 0 always) to 0.1. */
START_TEST(test_entry_moments)
{
    static const int hs[][2] = { { 8, 8 }, { 6, 10 }, { 10, 6 }, { 5, 12 } };
    for (int s = 0; s < 4; s++) {
        const int r = hs[s][0], c = hs[s][1], m = r > c ? r : c;
        const size_t n = (size_t)r * c;
        double *s1 = calloc(n, sizeof(double)), *s2 = calloc(n, sizeof(double)), *s4 = calloc(n, sizeof(double));
        ck_assert(s1 && s2 && s4);
        for (int i = 0; i < N_SEEDS; i++) {
            double *q = ortho(NNINIT_F64, r, c, 1.0, (nninit_rng){ 1000 + (uint64_t)i, 7 + (uint64_t)s });
            for (size_t e = 0; e < n; e++) {
                s1[e] += q[e];
                s2[e] += q[e] * q[e];
                s4[e] += q[e] * q[e] * q[e] * q[e];
            }
            free(q);
        }
        const double m2 = sphere_moment(m, 1), m4 = sphere_moment(m, 2), m8 = sphere_moment(m, 4);
        const double sd1 = sqrt(m2 / N_SEEDS), sd2 = sqrt((m4 - m2 * m2) / N_SEEDS),
                     sd4 = sqrt((m8 - m4 * m4) / N_SEEDS);
        for (size_t e = 0; e < n; e++) {
            const double z1 = s1[e] / N_SEEDS / sd1, z2 = (s2[e] / N_SEEDS - m2) / sd2,
                         z4 = (s4[e] / N_SEEDS - m4) / sd4;
            ck_assert_msg(fabs(z1) <= 5 && fabs(z2) <= 5 && fabs(z4) <= 5,
                          "%dx%d entry (%zu, %zu): mean %.4f, m E q^2 = %.4f, E q^4 / %.3g = %.4f (z %.2f %.2f %.2f)",
                          r, c, e / (size_t)c, e % (size_t)c, s1[e] / N_SEEDS, m * s2[e] / N_SEEDS, m4,
                          s4[e] / N_SEEDS / m4, z1, z2, z4);
        }
        free(s1);
        free(s2);
        free(s4);
    }
}
END_TEST

/* Square results, Haar on O(n): E tr Q = 0, E (tr Q)^2 = 1 and E tr Q^2 = 1
 * for every n >= 2 (Diaconis & Shahshahani, J. Appl. Probab. 31A, 1994),
 * over N_SEEDS seeds in both compute types. Each mean is a z-score against
 * its sample standard deviation (the central limit theorem with 4000
 * draws); |z| <= 5 for the 3 * 8 statistics fails a Haar generator with
 * probability below 24 * 5.7e-7 = 1.4e-5. */
START_TEST(test_traces)
{
    static const int ns[] = { 2, 5, 16, 64 };
    for (int d = 0; d < 2; d++)
        for (int s = 0; s < 4; s++) {
            const nninit_dtype dt = d ? NNINIT_F64 : NNINIT_F32;
            const int n = ns[s];
            double sum[3] = { 0, 0, 0 }, sq[3] = { 0, 0, 0 };
            for (int i = 0; i < N_SEEDS; i++) {
                double *q = ortho(dt, n, n, 1.0, (nninit_rng){ 5000 + (uint64_t)i, (uint64_t)n });
                double tr = 0, tr2 = 0; /* tr Q^2 = sum_ij Q_ij Q_ji */
                for (int a = 0; a < n; a++) {
                    tr += q[(size_t)a * n + a];
                    for (int b = 0; b < n; b++) tr2 += q[(size_t)a * n + b] * q[(size_t)b * n + a];
                }
                const double stat[3] = { tr, tr * tr, tr2 };
                for (int k = 0; k < 3; k++) {
                    sum[k] += stat[k];
                    sq[k] += stat[k] * stat[k];
                }
                free(q);
            }
            static const char *const names[3] = { "E tr Q", "E (tr Q)^2", "E tr Q^2" };
            static const double want[3] = { 0, 1, 1 };
            for (int k = 0; k < 3; k++) {
                const double mean = sum[k] / N_SEEDS, var = sq[k] / N_SEEDS - mean * mean;
                const double z = (mean - want[k]) / sqrt(var / N_SEEDS);
                ck_assert_msg(fabs(z) <= 5, "%s %dx%d: %s = %.4f, expected %g (z = %.2f)", nninit_dtype_name(dt), n, n,
                              names[k], mean, want[k], z);
            }
        }
}
END_TEST

/* Eigenvalues of square results. For Haar O(n) the angles of the
 * eigenvalues off the real axis (one of each conjugate pair, in (0, pi))
 * are uniform: the one-point densities of SO(n) and of its other coset
 * differ from uniform by opposite amounts (Weyl's integration formula), so
 * their average is flat. The real eigenvalues are +1 and -1, each present
 * with probability 1/2 (det Q = -1 half of the time; n odd: exactly one of
 * them, n even: both or none). Checked over many seeds: Kolmogorov-Smirnov
 * of the angles against uniform, sqrt(N) D <= 1.95 (significance 0.001 for
 * independent angles; the angles of one matrix repel each other, which only
 * lowers D, so the level is conservative), and the counts of +1 and -1
 * against Binomial(seeds, 1/2), |z| <= 5. */
START_TEST(test_eigenvalues)
{
    static const struct { int n, seeds; } cs[] = { { 2, 4000 }, { 7, 2000 }, { 8, 2000 }, { 64, 200 } };
    for (int s = 0; s < 4; s++) {
        const int n = cs[s].n, seeds = cs[s].seeds;
        double *ang = xmalloc((size_t)seeds * (size_t)n * sizeof(double)), wr[64], wi[64];
        size_t na = 0;
        int plus = 0, minus = 0;
        for (int i = 0; i < seeds; i++) {
            double *q = ortho(NNINIT_F64, n, n, 1.0, (nninit_rng){ 9000 + (uint64_t)i, 3 });
            /* the row-major Q read column-major is Q^T: the same eigenvalues */
            ck_assert(LAPACKE_dgeev(LAPACK_COL_MAJOR, 'N', 'N', n, q, n, wr, wi, NULL, 1, NULL, 1) == 0);
            int p = 0, mi = 0;
            for (int k = 0; k < n; k++) {
                ck_assert_msg(fabs(hypot(wr[k], wi[k]) - 1) < 1e-9, "%dx%d seed %d: |lambda| = %.17g", n, n, i,
                              hypot(wr[k], wi[k]));
                if (fabs(wi[k]) < 1e-7) {
                    if (wr[k] > 0) p++; else mi++;
                } else if (wi[k] > 0) {
                    ang[na++] = atan2(wi[k], wr[k]) / M_PI;
                }
            }
            ck_assert_msg(n % 2 ? p + mi == 1 : p == mi, "%dx%d seed %d: %d eigenvalues +1, %d eigenvalues -1", n, n, i,
                          p, mi);
            plus += p;
            minus += mi;
            free(q);
        }
        qsort(ang, na, sizeof(double), cmp_double);
        double dmax = 0;
        for (size_t k = 0; k < na; k++) {
            const double lo = ang[k] - (double)k / na, hi = (double)(k + 1) / na - ang[k];
            if (lo > dmax) dmax = lo;
            if (hi > dmax) dmax = hi;
        }
        ck_assert_msg(sqrt((double)na) * dmax <= 1.95, "%dx%d: KS of %zu eigenvalue angles: sqrt(N) D = %.3f",
                      n, n, na, sqrt((double)na) * dmax);
        const double sd = sqrt(seeds * 0.25);
        ck_assert_msg(fabs(plus - seeds / 2.0) <= 5 * sd && fabs(minus - seeds / 2.0) <= 5 * sd,
                      "%dx%d: eigenvalue +1 in %d, -1 in %d of %d matrices", n, n, plus, minus, seeds);
        free(ang);
    }
}
END_TEST

/* OpenMP's thread count never changes a bit: the Gaussians are drawn and the
 * result scaled on the calling thread, and the products run in OpenBLAS. */
START_TEST(test_openmp_threads)
{
    static const int ts[][2] = { { 300, 200 }, { 200, 300 }, { 512, 512 } };
    int saved = omp_get_max_threads();
    for (int s = 0; s < 3; s++) {
        const int r = ts[s][0], c = ts[s][1];
        nninit_rng rng = { 31, (uint64_t)s };
        omp_set_num_threads(1);
        double *a = ortho(NNINIT_F32, r, c, 1.0, rng);
        omp_set_num_threads(2);
        double *b = ortho(NNINIT_F32, r, c, 1.0, rng);
        ck_assert_msg(memcmp(a, b, (size_t)r * c * sizeof(double)) == 0, "%dx%d: 1 vs 2 OpenMP threads differ", r, c);
        free(a);
        free(b);
    }
    omp_set_num_threads(saved);
}
END_TEST

/* Calls from inside the caller's OpenMP parallel region, several at once,
 * give the bits of a lone call (OpenBLAS serializes its thread pool). */
START_TEST(test_concurrent_calls)
{
    enum { T = 4 };
    double *ref[T];
    for (int t = 0; t < T; t++) ref[t] = ortho(NNINIT_F32, 150 + t, 260, 1.0, (nninit_rng){ 12, (uint64_t)t });
    int bad = 0;
    #pragma omp parallel num_threads(T) reduction(+ : bad)
    {
        const int t = omp_get_thread_num();
        const size_t n = (size_t)(150 + t) * 260;
        const int64_t shape[2] = { 150 + t, 260 };
        const nninit_layout oihw = { NNINIT_LAYOUT_OIHW, 0, 0, 0 };
        float *b = malloc(n * sizeof(float));
        for (int k = 0; k < 3 && b; k++) {
            if (nninit_orthogonal(b, NNINIT_F32, shape, 2, oihw, 1.0, (nninit_rng){ 12, (uint64_t)t }) != NNINIT_OK) {
                bad++;
                continue;
            }
            for (size_t i = 0; i < n; i++)
                if ((double)b[i] != ref[t][i]) { bad++; break; }
        }
        if (!b) bad++;
        free(b);
    }
    ck_assert_msg(bad == 0, "%d concurrent calls differ from lone calls", bad);
    for (int t = 0; t < T; t++) free(ref[t]);
}
END_TEST

/* OpenBLAS's thread count changes how its gemm splits the work, and with it
 * the rounding: results with 1 and 2 threads differ in the last bits (not
 * promised, CONTRACT.md), but both are orthogonal and agree to rounding; a
 * repeat with the same count gives the same bits. */
START_TEST(test_openblas_threads)
{
#if defined(OPENBLAS_VERSION)
    static const int ts[][2] = { { 257, 129 }, { 129, 257 }, { 1000, 300 }, { 300, 1000 } };
    int saved = openblas_get_num_threads();
    for (int s = 0; s < 4; s++)
        for (int d = 0; d < 2; d++) {
            const nninit_dtype dt = d ? NNINIT_F64 : NNINIT_F32;
            const int r = ts[s][0], c = ts[s][1];
            const size_t n = (size_t)r * c;
            nninit_rng rng = { 8, (uint64_t)s };
            openblas_set_num_threads(1);
            double *a = ortho(dt, r, c, 1.0, rng);
            openblas_set_num_threads(2);
            double *b = ortho(dt, r, c, 1.0, rng);
            double *b2 = ortho(dt, r, c, 1.0, rng);
            ck_assert_msg(memcmp(b, b2, n * sizeof(double)) == 0, "%s %dx%d: two runs with 2 OpenBLAS threads differ",
                          nninit_dtype_name(dt), r, c);
            double e = max_diff(a, b, n), tol = d ? 1e-13 : 1e-5;
            ck_assert_msg(e <= tol, "%s %dx%d: 1 vs 2 OpenBLAS threads differ by %.3g", nninit_dtype_name(dt), r, c, e);
            ck_assert(orth_error(a, r, c) <= (d ? 1e-12 : 1e-5));
            ck_assert(orth_error(b, r, c) <= (d ? 1e-12 : 1e-5));
            free(a);
            free(b);
            free(b2);
        }
    openblas_set_num_threads(saved);
#endif
}
END_TEST

/* ---- failures leave dst untouched ------------------------------------------ */
static unsigned char *g_page; /* one read-write page, then a PROT_NONE page */
static size_t g_pagesz;

static void guard_setup(void) { nt_guard_map(&g_page, &g_pagesz); }
static void guard_teardown(void) { nt_guard_unmap(&g_page, g_pagesz); }

static void expect_untouched(nninit_dtype dt, int64_t rows, int64_t cols, double gain, nninit_status want)
{
    ck_assert_msg(g_page != NULL, "could not map the guarded buffer");
    for (size_t i = 0; i < g_pagesz; i++) g_page[i] = (unsigned char)(0xA5u ^ (i * 37u));
    /* dst is the last 64 bytes of the page: a write beyond faults at once. */
    nninit_status st = nninit_orthogonal_fill_(g_page + g_pagesz - 64, dt, rows, cols, gain, (nninit_rng){ 1, 2 });
    ck_assert_msg(st == want, "%s %lldx%lld gain %g: %s, expected %s", nninit_dtype_name(dt), (long long)rows,
                  (long long)cols, gain, nninit_status_str(st), nninit_status_str(want));
    for (size_t i = 0; i < g_pagesz; i++)
        ck_assert_msg(g_page[i] == (unsigned char)(0xA5u ^ (i * 37u)), "%s %lldx%lld failed but changed byte %zu",
                      nninit_dtype_name(dt), (long long)rows, (long long)cols, i);
}

START_TEST(test_failures_leave_dst_untouched)
{
    static const nninit_dtype dts[4] = { NNINIT_F32, NNINIT_F64, NNINIT_BF16, NNINIT_F16 };
    for (int d = 0; d < 4; d++) {
        /* dimensions beyond CBLAS's int */
        expect_untouched(dts[d], (int64_t)INT_MAX + 1, 1, 1.0, NNINIT_E_OVERFLOW);
        expect_untouched(dts[d], 1, (int64_t)INT_MAX + 1, 1.0, NNINIT_E_OVERFLOW);
        expect_untouched(dts[d], INT_MAX, INT_MAX, 1.0, NNINIT_E_OVERFLOW);
        /* gains that are not finite or would overflow the dtype */
        expect_untouched(dts[d], 2, 2, NAN, NNINIT_E_PARAM);
        expect_untouched(dts[d], 2, 2, INFINITY, NNINIT_E_PARAM);
        expect_untouched(dts[d], 2, 2, dts[d] == NNINIT_F64 ? -1e308 : -1e300, NNINIT_E_PARAM);
    }
    expect_untouched(NNINIT_F16, 2, 2, 40000.0, NNINIT_E_PARAM);
    expect_untouched((nninit_dtype)9, 2, 2, 1.0, NNINIT_E_DTYPE);
    /* a binary32 scratch of 2^59 elements (2 EiB) cannot be allocated
     * anywhere, whatever the overcommit policy: E_NOMEM before any write */
    expect_untouched(NNINIT_BF16, (int64_t)1 << 29, (int64_t)1 << 30, 1.0, NNINIT_E_NOMEM);
    expect_untouched(NNINIT_F16, (int64_t)1 << 30, (int64_t)1 << 29, 1.0, NNINIT_E_NOMEM);
    /* and through the public function */
    for (int d = 0; d < 2; d++) {
        const int64_t shape[2] = { (int64_t)1 << 29, (int64_t)1 << 30 };
        const nninit_layout oihw = { NNINIT_LAYOUT_OIHW, 0, 0, 0 };
        for (size_t i = 0; i < g_pagesz; i++) g_page[i] = (unsigned char)(0xA5u ^ (i * 37u));
        nninit_status st = nninit_orthogonal(g_page + g_pagesz - 64, d ? NNINIT_F16 : NNINIT_BF16, shape, 2, oihw,
                                             1.0, (nninit_rng){ 1, 2 });
        ck_assert_msg(st == NNINIT_E_NOMEM, "public orthogonal on 2^29 x 2^30: %s", nninit_status_str(st));
        for (size_t i = 0; i < g_pagesz; i++)
            ck_assert_msg(g_page[i] == (unsigned char)(0xA5u ^ (i * 37u)), "failed call changed byte %zu", i);
    }
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("orthogonal");
    TCase *tc = nt_tcase("orthogonal");
    tcase_add_unchecked_fixture(tc, guard_setup, guard_teardown);
    tcase_add_test(tc, test_orthonormal);
    tcase_add_test(tc, test_definition);
    tcase_add_test(tc, test_definition_large);
    tcase_add_test(tc, test_public_matches_internal);
    tcase_add_test(tc, test_gain);
    tcase_add_test(tc, test_16bit_outputs);
    tcase_add_test(tc, test_entry_moments);
    tcase_add_test(tc, test_traces);
    tcase_add_test(tc, test_eigenvalues);
    tcase_add_test(tc, test_openmp_threads);
    tcase_add_test(tc, test_concurrent_calls);
    tcase_add_test(tc, test_openblas_threads);
    tcase_add_test(tc, test_failures_leave_dst_untouched);
    suite_add_tcase(s, tc);
    return s;
}

NNINIT_TEST_MAIN
