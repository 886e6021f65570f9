/* Pretrained weights: which checkpoint tensor provides a spec tensor
 * (renames), and a model run that loads those and initializes the rest. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model.h"

nninit_status nninit_ckpt_lookup(const nninit_st_file *ckpt, const char *const *renames, const char *name,
                                 long *index, int *renamed, char *msg, size_t msg_size)
{
    RETURN_ERROR_IF(!ckpt || !name || !index || !renamed,
                    nninit_fail_(NNINIT_E_NULL, msg, msg_size, "NULL checkpoint, name or output"));
    *index = -1;
    *renamed = 0;
    size_t nlen = strlen(name);
    for (size_t k = 0; renames && renames[k]; k++) {
        const char *eq = strchr(renames[k], '=');
        RETURN_ERROR_IF(!eq, nninit_fail_(NNINIT_E_PARAM, msg, msg_size,
                                          "rename '%.200s': expected old_prefix=new_prefix", renames[k]));
        size_t olen = (size_t)(eq - renames[k]);
        const char *newp = eq + 1;
        size_t plen = strlen(newp);
        if (plen > nlen || memcmp(name, newp, plen) != 0) continue;
        char *cand = (char *)malloc(olen + (nlen - plen) + 1);
        RETURN_ERROR_IF(!cand, nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory"));
        memcpy(cand, renames[k], olen);
        memcpy(cand + olen, name + plen, nlen - plen + 1);
        long j = nninit_st_find(ckpt, cand);
        free(cand);
        if (j >= 0) {
            *index = j;
            *renamed = 1;
            nninit_msg_clear_(msg, msg_size);
            return NNINIT_OK;
        }
    }
    *index = nninit_st_find(ckpt, name);
    nninit_msg_clear_(msg, msg_size);
    return NNINIT_OK;
}

nninit_status nninit_check_renames_(const char *const *renames, char *msg, size_t msg_size)
{
    for (size_t a = 0; renames && renames[a]; a++) {
        const char *ea = strchr(renames[a], '=');
        RETURN_ERROR_IF(!ea, nninit_fail_(NNINIT_E_PARAM, msg, msg_size,
                                          "rename '%.200s': expected old_prefix=new_prefix", renames[a]));
        for (size_t b = 0; b < a; b++) {
            const char *eb = strchr(renames[b], '=');
            const int same_old = ea - renames[a] == eb - renames[b] && memcmp(renames[a], renames[b],
                                                                              (size_t)(ea - renames[a])) == 0;
            const int same_new = strcmp(ea + 1, eb + 1) == 0;
            if (same_old && same_new) continue;   /* the same rule twice: harmless */
            RETURN_ERROR_IF(same_old || same_new,
                            nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "renames '%.200s' and '%.200s' conflict: "
                                         "%s; only one of them could apply", renames[b], renames[a],
                                         same_new ? "two checkpoint prefixes would provide the same spec prefix"
                                                  : "one checkpoint prefix would provide two spec prefixes"));
        }
    }
    return NNINIT_OK;
}

/* The smallest magnitude that rounds to infinity in dtype (round to nearest
 * even from the exact value: half an ulp above the largest finite value, the
 * tie going to infinity, whose encoding is even): f16 65504 + 16, bf16 and
 * f32 their maxima + 2^(e-8) and 2^(e-24). No finite double reaches f64's. */
static double overflow_threshold(nninit_dtype dt)
{
    switch (dt) {
    case NNINIT_F16: return 65520.0;
    case NNINIT_BF16: return ldexp(255.0 / 128.0, 127) + ldexp(1.0, 127 - 8);   /* 0x7F7F8000 as f32 */
    case NNINIT_F32: return ldexp(1.0, 128) - ldexp(1.0, 128 - 25);
    default: return INFINITY;
    }
}

/* Elements [0, m) of src (sd): NaN/inf counted (*first: the first one's
 * index, plus base), and the first finite value at or above thr in magnitude
 * into *big (its index: the return value, or m if none). */
static size_t scan_chunk(const unsigned char *src, nninit_dtype sd, size_t m, double thr, size_t base,
                         size_t *nonfinite, size_t *first, double *big)
{
    for (size_t e = 0; e < m; e++) {
        double v;
        if (sd == NNINIT_F32) {
            float f;
            memcpy(&f, src + 4 * e, 4);
            v = f;
        } else v = nninit_load_elem_(src, sd, e);
        if (!isfinite(v)) {
            if (!(*nonfinite)++) *first = base + e;
        } else if (fabs(v) >= thr) {
            *big = v;
            return e;
        }
    }
    return m;
}

/* Reads checkpoint tensor ct (bound for spec tensor t) once, with pread:
 * folds its name, dtype and bytes into *h (the digest a loading output
 * records), and refuses values that would not survive the load: a finite
 * value the conversion to t's dtype would make infinite (f32 70000 into
 * f16), and, unless allowed, NaN and infinities. */
static nninit_status check_values(const nninit_st_file *ckpt, const nninit_tensor *ct, const nninit_model_tensor *t,
                                  int allow_nonfinite, uint64_t *h, char *msg, size_t msg_size)
{
    *h = nninit_hash64_(*h, ct->name, strlen(ct->name) + 1);
    const uint64_t dt = (uint64_t)ct->dtype;
    *h = nninit_hash64_(*h, &dt, sizeof dt);
    const size_t ssz = nninit_dtype_size(ct->dtype);
    const size_t chunk = 8192, count = ct->nbytes / ssz;
    const double thr = ct->dtype == t->dtype ? INFINITY : overflow_threshold(t->dtype);
    unsigned char src[8192 * 8];
    size_t nonfinite = 0, first_bad = 0;
    for (size_t k = 0; k < count; k += chunk) {
        const size_t m = count - k < chunk ? count - k : chunk;
        if (nninit_st_read_(ckpt, (const unsigned char *)ct->data + k * ssz, src, m * ssz) != 0)
            return nninit_fail_(NNINIT_E_IO, msg, msg_size, "tensor '%s': cannot read checkpoint tensor '%s': %s",
                                t->name, ct->name, errno == ESTALE ? "the file became shorter while it was read"
                                                                   : strerror(errno));
        *h = nninit_hash64_(*h, src, m * ssz);
        double big = 0;
        size_t at = scan_chunk(src, ct->dtype, m, thr, k, &nonfinite, &first_bad, &big);
        if (at < m)
            return nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "tensor '%s': checkpoint tensor '%s' holds %.9g "
                                "(element %zu), outside %s's range (largest finite %.9g): it would load as "
                                "infinity", t->name, ct->name, big, k + at, nninit_dtype_name(t->dtype),
                                nninit_dtype_max_(t->dtype));
    }
    if (nonfinite && !allow_nonfinite)
        return nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "tensor '%s': checkpoint tensor '%s' holds %zu NaN or "
                            "infinite value%s (the first at element %zu); the load option allow_nonfinite "
                            "(--allow-nonfinite) copies them as they are", t->name, ct->name, nonfinite,
                            nonfinite == 1 ? "" : "s", first_bad);
    return NNINIT_OK;
}

/* Decides where tensor i comes from: sets *src and *c (the checkpoint index,
 * -1 if none) and tells the scheduler. */
static nninit_status resolve(nninit_sched_ *s, size_t i, const nninit_st_file *ckpt, const nninit_load_options *load,
                             nninit_source *src, long *c, uint64_t *digest, char *msg, size_t msg_size)
{
    const nninit_model_tensor *t = nninit_sched_tensor_(s, i);
    int renamed;
    FORWARD_IF_ERROR(nninit_ckpt_lookup(ckpt, load ? load->renames : NULL, t->name, c, &renamed, msg, msg_size));
    *src = NNINIT_FROM_INIT;
    if (*c >= 0) {
        nninit_tensor ct;
        nninit_status st = nninit_st_tensor(ckpt, (size_t)*c, &ct);
        if (st == NNINIT_E_DTYPE)
            return nninit_fail_(st, msg, msg_size, "tensor '%s': checkpoint tensor '%s' has a dtype nninit cannot "
                                "read", t->name, ct.name ? ct.name : "?");
        if (st != NNINIT_OK)
            return nninit_fail_(st, msg, msg_size, "tensor '%s': checkpoint tensor %ld: %s", t->name, *c,
                                nninit_status_str(st));
        int same = ct.ndim == t->ndim;
        for (int d = 0; same && d < ct.ndim; d++) same = ct.shape[d] == t->shape[d];
        if (same) {
            if (ct.nbytes != t->count * nninit_dtype_size(ct.dtype) || (ct.nbytes && !ct.data))
                return nninit_fail_(NNINIT_E_FORMAT, msg, msg_size, "tensor '%s': checkpoint tensor '%s' holds %zu "
                                    "bytes for its shape", t->name, ct.name, ct.nbytes);
            FORWARD_IF_ERROR(check_values(ckpt, &ct, t, load && load->allow_nonfinite, digest, msg, msg_size));
            *src = renamed ? NNINIT_FROM_RENAMED : NNINIT_FROM_LOADED;
            nninit_sched_copy_(s, i, ckpt, ct.data, ct.dtype);
            return NNINIT_OK;
        }
        if (!load || !load->reinit_mismatched) {
            char a[200], b[200];
            nninit_shape_str_(a, sizeof a, t->shape, t->ndim);
            nninit_shape_str_(b, sizeof b, ct.shape, ct.ndim);
            return nninit_fail_(NNINIT_E_SHAPE, msg, msg_size, "tensor '%s': shape %s in the spec, %s in the "
                                "checkpoint ('%s')", t->name, a, b, ct.name);
        }
        *src = NNINIT_FROM_MISMATCHED;
    }
    return nninit_sched_init_(s, i, msg, msg_size);
}

nninit_status nninit_ckpt_resolve_(nninit_sched_ *s, size_t n, const nninit_st_file *ckpt,
                                   const nninit_load_options *load, nninit_source *src_of, long *index,
                                   uint64_t *digest, char *msg, size_t msg_size)
{
    uint64_t h = 0;
    FORWARD_IF_ERROR(nninit_check_renames_(load ? load->renames : NULL, msg, msg_size));
    for (size_t i = 0; i < n; i++)
        FORWARD_IF_ERROR(resolve(s, i, ckpt, load, &src_of[i], &index[i], &h, msg, msg_size));
    if (digest) *digest = h;
    return nninit_ckpt_check_match_(s, n, ckpt, load, index, msg, msg_size);
}

void nninit_ckpt_report_(size_t n, const nninit_st_file *ckpt, const nninit_source *src_of, const long *index,
                         nninit_source *source, unsigned char *ckpt_used)
{
    if (source) memcpy(source, src_of, n * sizeof *source);
    if (ckpt_used) {
        memset(ckpt_used, 0, nninit_st_count(ckpt));
        for (size_t i = 0; i < n; i++)
            if (src_of[i] == NNINIT_FROM_LOADED || src_of[i] == NNINIT_FROM_RENAMED) ckpt_used[index[i]] = 1;
    }
}

nninit_status nninit_model_init_from(const nninit_model *model, const nninit_st_file *ckpt,
                                     const nninit_load_options *load, void *const *dst,
                                     const nninit_run_options *opt, nninit_source *source,
                                     unsigned char *ckpt_used, char *msg, size_t msg_size)
{
    RETURN_ERROR_IF(!ckpt, nninit_fail_(NNINIT_E_NULL, msg, msg_size, "NULL checkpoint"));
    RETURN_ERROR_IF(nninit_model_count(model) && !dst,
                    nninit_fail_(NNINIT_E_NULL, msg, msg_size, "NULL destination array"));
    nninit_sched_ *s;
    FORWARD_IF_ERROR(nninit_sched_begin_(&s, model, dst, opt, msg, msg_size));
    const size_t n = nninit_model_count(model);
    nninit_source *src_of = (nninit_source *)calloc(n ? n : 1, sizeof *src_of);
    long *index = (long *)calloc(n ? n : 1, sizeof *index);
    nninit_status st = src_of && index ? NNINIT_OK : nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory");
    if (st == NNINIT_OK) st = nninit_ckpt_resolve_(s, n, ckpt, load, src_of, index, NULL, msg, msg_size);
    if (st == NNINIT_OK) st = nninit_sched_run_(s, msg, msg_size);
    if (st == NNINIT_OK) nninit_ckpt_report_(n, ckpt, src_of, index, source, ckpt_used);
    free(src_of);
    free(index);
    nninit_sched_free_(s);
    return st;
}
