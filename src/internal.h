/* Hidden helpers shared by src/ files. Nothing here is exported. */
#ifndef NNINIT_INTERNAL_H
#define NNINIT_INTERNAL_H

#include <stdarg.h>
#include "nninit.h"
#include "kernels.h"

/* zstd-style one-line checks: each fallible step stays one line. */
#define RETURN_ERROR_IF(cond, err) do { if (cond) return (err); } while (0)
#define FORWARD_IF_ERROR(expr) do { nninit_status s_ = (expr); if (s_ != NNINIT_OK) return s_; } while (0)

/* dispatch.c: the kernel table in use (resolved once, thread-safely). */
const nnk_table *nninit_kernels_(void);

/* params.c: validate user parameters and build the kernel's parameter block.
 * On failure nothing is written anywhere. */
nninit_status nninit_params_uniform_(nnk_params *p, nninit_dtype dtype, double low, double high);
nninit_status nninit_params_normal_(nnk_params *p, nninit_dtype dtype, double mean, double std);
nninit_status nninit_params_trunc_(nnk_params *p, nninit_dtype dtype, double mean, double std,
                                   double low, double high);
/* fill.c: run a validated fill over [offset, offset + n) with OpenMP. The
 * caller has already checked dtype (p was built for it). */
nninit_status nninit_run_fill_(void *dst, nninit_dtype dtype, size_t n, nnk_params *p,
                               nninit_rng rng, uint64_t offset);


/* fill.c: calls fn(ctx, i) for every i in [0, n), spread over the OpenMP team
 * when n >= min_parallel and the caller is not already in a parallel region.
 * The order of calls is unspecified; fn must be independent per i. */
void nninit_parallel_for_(size_t n, size_t min_parallel, void (*fn)(void *ctx, size_t i), void *ctx);

/* fill.c: value rounded to the dtype (nearest even) and stored at dst[index]. */
void nninit_store_(void *dst, nninit_dtype dtype, size_t index, double value);

/* orthogonal.c: the orthogonal scheme on the row-major rows x cols view of
 * dst (docs/CONTRACT.md, "Orthogonal"): gain * Q of a Gaussian matrix drawn
 * with (rng, offset 0). rows, cols >= 1, rows * cols fits size_t. On failure
 * (NNINIT_E_NOMEM, NNINIT_E_LAPACK, NNINIT_E_OVERFLOW for sizes LAPACK's int
 * cannot index) dst is untouched. */
nninit_status nninit_orthogonal_fill_(void *dst, nninit_dtype dtype, int64_t rows, int64_t cols, double gain,
                                      nninit_rng rng);

/* fans.c: element count of a shape (NNINIT_E_SHAPE: ndim outside
 * 0..NNINIT_MAX_DIMS, a negative size, a count beyond SIZE_MAX). */
nninit_status nninit_shape_count_(const int64_t *shape, int ndim, size_t *count);

/* fans.c: "[64, 3, 7, 7]" into buf (always NUL-terminated when cap > 0). */
void nninit_shape_str_(char *buf, size_t cap, const int64_t *shape, int ndim);

/* schemes.c: a plan's plain draw over elements [offset, offset + n) of the
 * tensor: constant, uniform, normal, trunc_normal, and sparse's normal draw
 * (before its zeros). NNINIT_E_PARAM for the structured kinds. The one place
 * that maps a plan to a fill: nninit_scheme_apply and the bulk driver share it. */
nninit_status nninit_plan_fill_(void *dst, nninit_dtype dtype, size_t n, const nninit_plan *plan, nninit_rng rng,
                                uint64_t offset);

/* fans.c: where a layout puts the channels of an ndim >= 2 tensor: the in and
 * out axes, which of them holds all groups' channels (`total`), and groups. */
typedef struct { int in, out, total; int64_t groups; } nninit_axes_;
nninit_status nninit_channel_axes_(const nninit_layout *layout, int ndim, nninit_axes_ *ax);

/* fans.c: nonlinearity names (len bytes, not NUL-terminated) and gains. */
int nninit_nonlinearity_lookup_(const char *name, size_t len, nninit_nonlinearity *nl);
const char *nninit_nonlinearity_name_(nninit_nonlinearity nl);
double nninit_gain_of_(nninit_nonlinearity nl, double slope);

/* schemes.c: the parameters each scheme takes (spec names in spec.c). */
enum {
    NNP_VALUE = 1u << 0, NNP_MEAN = 1u << 1, NNP_STD = 1u << 2, NNP_LOW = 1u << 3, NNP_HIGH = 1u << 4,
    NNP_LOWER = 1u << 5, NNP_UPPER = 1u << 6, NNP_GAIN = 1u << 7, NNP_A = 1u << 8, NNP_MODE = 1u << 9,
    NNP_NONLINEARITY = 1u << 10, NNP_SCALE = 1u << 11, NNP_DISTRIBUTION = 1u << 12, NNP_SPARSITY = 1u << 13,
    NNP_FAN_IN = 1u << 14, NNP_LAYOUT = 1u << 15, NNP_GROUPS = 1u << 16,
    NNP_FANS = NNP_LAYOUT | NNP_GROUPS     /* schemes that read fans from the shape */
};
typedef struct { const char *name; unsigned params, required; } nninit_scheme_info_;
extern const nninit_scheme_info_ nninit_schemes_[NNINIT_SCHEME_COUNT_];

/* schemes.c: range checks of a scheme's values. On failure *bad is the
 * offending parameter's NNP_ bit and why says what is wrong. */
nninit_status nninit_scheme_check_(const nninit_scheme *s, unsigned *bad, char *why, size_t why_size);

/* schemes.c: the counter-space stream of sparse's zero selection. */
uint64_t nninit_sparse_stream_(uint64_t stream);

/* spec.c: vsnprintf in the "C" locale (numbers always use '.'). */
void nninit_vformat_c_(char *buf, size_t size, const char *fmt, va_list ap);

/* Formats a message into msg (if msg_size > 0) and returns status: the one
 * way src/ files explain a failure. */
nninit_status nninit_fail_(nninit_status status, char *msg, size_t msg_size, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;


/* ---- outfile.c: files that appear whole (npy.c, safetensors.c) ------------- */

/* write(2) until done: retries short writes and EINTR. 0, or -1 with errno. */
int nninit_write_all_(int fd, const void *data, size_t n);
/* bytes of elem-byte elements, little-endian in the file whatever the host
 * (reversed per element on a big-endian one). 0, or -1 with errno. */
int nninit_write_le_(int fd, const void *data, size_t bytes, size_t elem);
/* Writes the whole file content to fd: 0, or -1 with errno set. */
typedef int (*nninit_emit_fn_)(int fd, void *ctx);
/* Creates path with what emit writes: atomically (temporary file in the same
 * directory, fsync, the mode open(O_CREAT) or the replaced file would give,
 * rename; symbolic links written through) for a regular file or a new path;
 * directly for "-" (standard output) and existing non-regular files (devices,
 * FIFOs). NNINIT_E_IO with errno kept on failure, leaving no temporary. */
nninit_status nninit_write_file_(const char *path, nninit_emit_fn_ emit, void *ctx);

#endif

/* ---- fill.c: bulk.c's scheduler -------------------------------------------- */

/* fn(ctx, i) for every i in [0, n) on `threads` OpenMP threads (0: the default),
 * dynamically scheduled; fills called by fn run on the calling thread. */
void nninit_parallel_units_(size_t n, int threads, void (*fn)(void *ctx, size_t i), void *ctx);
/* fn(ctx) with fills inside it using `threads` threads (0: the default). */
void nninit_with_threads_(int threads, void (*fn)(void *ctx), void *ctx);
