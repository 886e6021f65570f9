/* src/model/: whole models (docs/ARCHITECTURE.md). Model specs, the
 * scheduler that spreads a model over the threads, arenas, checkpoint
 * loading and conversion, saving, the streaming writer's filling side,
 * statistics. The model layer uses the schemes (and through them the
 * engine), io and common. */
#ifndef NNINIT_MODEL_H
#define NNINIT_MODEL_H

#include "../schemes/schemes.h"
#include "../io/io.h"

/* ---- scheduler.c: one run over a model's tensors ----------------------------
 * begin, then say for every tensor where its bytes come from (its init, or a
 * copy of source bytes), then run. Everything is validated before run writes
 * anything; run spreads plain fills and copies over the team in units of
 * about a million elements, and runs structured schemes (orthogonal first)
 * with the whole team each. */
typedef struct nninit_sched_ nninit_sched_;
/* dst NULL: no destinations (the streaming writer asks for pieces instead). */
nninit_status nninit_sched_begin_(nninit_sched_ **out, const nninit_model *model, void *const *dst,
                                  const nninit_run_options *opt, char *msg, size_t msg_size);
/* Tensor i is initialized from the spec (its plan checked against its dtype). */
nninit_status nninit_sched_init_(nninit_sched_ *s, size_t i, char *msg, size_t msg_size);
/* Tensor i is src (count elements of src_dtype, inside checkpoint ckpt's
 * data, read from it with nninit_st_read_), converted to the tensor's dtype. */
void nninit_sched_copy_(nninit_sched_ *s, size_t i, const nninit_st_file *ckpt, const void *src,
                        nninit_dtype src_dtype);
/* The tensor i's description (valid until free). */
const nninit_model_tensor *nninit_sched_tensor_(const nninit_sched_ *s, size_t i);
nninit_status nninit_sched_run_(nninit_sched_ *s, char *msg, size_t msg_size);
void nninit_sched_free_(nninit_sched_ *s);   /* NULL is allowed */

/* What tensor i has become once init_ or copy_ was called for it: nothing to
 * write (no elements), a fill by element range (plain draws, eye, dirac), a
 * copy by element range, or a scheme that needs the whole tensor at once
 * (orthogonal, sparse). */
enum { NNINIT_JOB_SKIP_ = 0, NNINIT_JOB_FILL_, NNINIT_JOB_COPY_, NNINIT_JOB_WHOLE_ };
int nninit_sched_kind_(const nninit_sched_ *s, size_t i);
/* Elements [begin, begin + n) of tensor i (FILL or COPY) into buf, which
 * needs the dtype's natural alignment. Fills run on the calling thread when
 * it is inside a team (nninit_parallel_ordered_). */
nninit_status nninit_sched_piece_(const nninit_sched_ *s, size_t i, size_t begin, size_t n, void *buf);
/* The whole tensor i (WHOLE) into buf (nbytes). */
nninit_status nninit_sched_whole_(const nninit_sched_ *s, size_t i, void *buf, char *msg, size_t msg_size);

/* ---- checkpoint.c ------------------------------------------------------------------ */
/* Where every tensor of s comes from: a checkpoint tensor (renames, same
 * shape; a copy) or its init (nninit_sched_init_). src_of[i] and index[i]
 * (the checkpoint tensor or -1) for each of the n tensors. Every tensor
 * loaded is read once here (pread) and checked (values that fit the spec
 * tensor's dtype, NaN/inf only with load->allow_nonfinite); *digest (may be
 * NULL) gets nninit_hash64_ of their names, dtypes and bytes in spec order.
 * Errors as nninit_model_init_from. */
nninit_status nninit_ckpt_resolve_(nninit_sched_ *s, size_t n, const nninit_st_file *ckpt,
                                   const nninit_load_options *load, nninit_source *src_of, long *index,
                                   uint64_t *digest, char *msg, size_t msg_size);
/* Renames that cannot all apply are refused (NNINIT_E_PARAM): two old
 * prefixes for one new prefix, or one old prefix for two new ones (the first
 * would silently hide the other); a rename without '='. The same rule twice
 * is allowed. */
nninit_status nninit_check_renames_(const char *const *renames, char *msg, size_t msg_size);
/* ckpt_match.c: NNINIT_E_PARAM when the checkpoint provides none of the n
 * tensors (every index[i] -1, n > 0) and load does not allow it; msg names a
 * few tensors of each and the rename that would match the most, if any. */
nninit_status nninit_ckpt_check_match_(const nninit_sched_ *s, size_t n, const nninit_st_file *ckpt,
                                       const nninit_load_options *load, const long *index, char *msg, size_t msg_size);
/* The caller's source[] and ckpt_used[] (either may be NULL) from a resolution. */
void nninit_ckpt_report_(size_t n, const nninit_st_file *ckpt, const nninit_source *src_of, const long *index,
                         nninit_source *source, unsigned char *ckpt_used);

/* ---- save.c ------------------------------------------------------------------------- */
/* A file's metadata: format=pt for safetensors (st), then the model's (meta:
 * NULL-terminated key, value, ... of nninit_model_metadata), then room for
 * `extra` more key/value pairs; NULL-terminated. malloc'ed; NULL when out of
 * memory. */
const char **nninit_file_metadata_(const char *const *meta, int st, size_t extra);

/* ---- stats.c: statistics by blocks (the method is described there) ------------------ */
#define NNINIT_STATS_BLOCK_ ((size_t)1 << 16)
typedef struct {
    size_t good, bad;       /* finite elements, NaN and infinite ones */
    double sum, m2;         /* of the finite ones: sum, squared deviations about sum / good */
    double min, max;
} nninit_bstats_;
static inline size_t nninit_stats_blocks_(size_t n) { return (n + NNINIT_STATS_BLOCK_ - 1) / NNINIT_STATS_BLOCK_; }
/* One block: n <= NNINIT_STATS_BLOCK_ elements of dtype at data. */
void nninit_block_stats_(const void *data, nninit_dtype dtype, size_t n, nninit_bstats_ *out);
/* The tensor's statistics from its nb blocks, combined in order. */
void nninit_stats_combine_(const nninit_bstats_ *b, size_t nb, nninit_stats *out);

/* ---- convert.c ------------------------------------------------------------------ */
/* n elements of src (sd) to dst (dd): exact widening, or one rounding to
 * nearest even from the exact source value (f64 -> 16 bits through binary32
 * rounded to odd); NaN stays NaN, infinities stay infinite. */
void nninit_convert_(void *dst, nninit_dtype dd, const void *src, nninit_dtype sd, size_t n);

/* ---- model.c: shared with the graph parser --------------------------------------- */
/* What a JSON value is, for messages: "a string", "an array", ... */
struct cJSON;
const char *nninit_json_type_name_(const struct cJSON *v);
/* Tensor i's "zero_row" (written as zeros after its init), -1 if none. */
int64_t nninit_model_zero_row_(const nninit_model *m, size_t i);

#endif
