/* src/model/: whole models (docs/ARCHITECTURE.md). Model specs, the
 * scheduler that spreads a model over the threads, arenas, checkpoint
 * loading and conversion, saving, statistics. The model layer uses the
 * schemes (and through them the engine), io and common. */
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
nninit_status nninit_sched_begin_(nninit_sched_ **out, const nninit_model *model, void *const *dst,
                                  const nninit_run_options *opt, char *msg, size_t msg_size);
/* Tensor i is initialized from the spec (its plan checked against its dtype). */
nninit_status nninit_sched_init_(nninit_sched_ *s, size_t i, char *msg, size_t msg_size);
/* Tensor i is src (count elements of src_dtype), converted to the tensor's dtype. */
void nninit_sched_copy_(nninit_sched_ *s, size_t i, const void *src, nninit_dtype src_dtype);
/* The tensor i's description (valid until free). */
const nninit_model_tensor *nninit_sched_tensor_(const nninit_sched_ *s, size_t i);
nninit_status nninit_sched_run_(nninit_sched_ *s, char *msg, size_t msg_size);
void nninit_sched_free_(nninit_sched_ *s);   /* NULL is allowed */

/* ---- convert.c ------------------------------------------------------------------ */
/* n elements of src (sd) to dst (dd): exact widening, or one rounding to
 * nearest even from the exact source value (f64 -> 16 bits through binary32
 * rounded to odd); NaN stays NaN, infinities stay infinite. */
void nninit_convert_(void *dst, nninit_dtype dd, const void *src, nninit_dtype sd, size_t n);

#endif
