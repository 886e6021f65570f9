/* Where every byte of an output goes (io.h, "layout.c"): the files, the bytes
 * each starts with, and each tensor's place. Every writer writes by this
 * plan: the streaming writer (src/model/stream.c) and the savers of tensors
 * in memory (save.c), through the same sink.
 *
 * Sharding follows huggingface_hub's split_state_dict_into_shards_factory:
 * tensors are taken in the caller's order and a tensor's size is its data
 * bytes (no header); a tensor larger than the limit goes alone into a new
 * shard, appended to the list at once, while the shard being filled stays
 * open (so it is numbered after that tensor's shard); otherwise, if the
 * tensor would take the open shard past the limit, that shard is closed and
 * a new one opened. A size equal to the limit fits. One shard in all is
 * written as model.safetensors with no index, as huggingface_hub does. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "io.h"

/* The names a sharded checkpoint directory holds. */
static int shard_member(const char *name)
{
    unsigned a, b;
    char tail[32];
    if (strcmp(name, NNINIT_SHARD_INDEX_) == 0 || strcmp(name, NNINIT_SHARD_SINGLE_) == 0) return 1;
    if (strcmp(name, NNINIT_CONFIG_FILE_) == 0) return 1;   /* a Hugging Face config written beside them */
    return sscanf(name, "model-%5u-of-%5u.%20s", &a, &b, tail) == 3 && strcmp(tail, "safetensors") == 0;
}

static int single_member(const char *name) { (void)name; return 0; }

void nninit_layout_free_(nninit_layout_ *L)
{
    for (size_t f = 0; f < L->nfiles; f++) {
        free(L->files[f].name);
        free(L->files[f].head);
    }
    free(L->files);
    free(L->file_of);
    free(L->offset);
    free(L->order);
    memset(L, 0, sizeof *L);
}

#define NOMEM() nninit_fail_(NNINIT_E_NOMEM, msg, msg_size, "out of memory")

/* A file holding the text s (taken over). */
static nninit_status text_file(nninit_lfile_ *f, const char *name, char *s, char *msg, size_t msg_size)
{
    f->name = strdup(name);
    f->head = (unsigned char *)s;
    if (!f->name || !s) return NOMEM();
    f->head_len = f->size = strlen(s);
    return NNINIT_OK;
}

/* One safetensors file holding tensors[sel[0..k)]; their places go to L. */
static nninit_status st_file(nninit_layout_ *L, size_t fi, const nninit_tensor *tensors, const size_t *sel, size_t k,
                             const char *const *metadata, char *msg, size_t msg_size)
{
    uint64_t *off = malloc((k ? k : 1) * sizeof *off);
    size_t *order = malloc((k ? k : 1) * sizeof *order);
    nninit_text_ h;
    nninit_status st = off && order ? nninit_st_header_(tensors, sel, k, metadata, &h, off, order, msg, msg_size)
                                    : NOMEM();
    if (st == NNINIT_OK) {
        nninit_lfile_ *f = &L->files[fi];
        f->head_len = h.len;
        f->head = (unsigned char *)h.buf;
        f->size = h.len;
        for (size_t j = 0; j < k; j++) {
            L->file_of[sel[j]] = fi;
            L->offset[sel[j]] = h.len + off[j];
            f->size += tensors[sel[j]].nbytes;
            f->data_bytes += tensors[sel[j]].nbytes;
        }
    }
    free(off);
    free(order);
    return st;
}

/* huggingface_hub's split (the comment at the top): shard_of[i] for every
 * tensor; the number of shards, or 0 when out of memory. */
static size_t split_shards(const nninit_tensor *tensors, size_t n, uint64_t max, size_t *shard_of)
{
    /* shards are numbered in the order they are appended to the list; the
     * open one is appended when it is closed, so its members learn their
     * number then */
    size_t *members = malloc((n ? n : 1) * sizeof *members), n_open = 0, nshards = 0;
    uint64_t open_bytes = 0;
    if (!members) return 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t sz = tensors[i].nbytes;
        if (sz > max) {
            shard_of[i] = nshards++;
            continue;
        }
        if (n_open && open_bytes + sz > max) {
            for (size_t j = 0; j < n_open; j++) shard_of[members[j]] = nshards;
            nshards++;
            n_open = 0;
            open_bytes = 0;
        }
        members[n_open++] = i;
        open_bytes += sz;
    }
    for (size_t j = 0; j < n_open; j++) shard_of[members[j]] = nshards;
    if (n_open || nshards == 0) nshards++;   /* no tensor at all: one empty shard */
    free(members);
    return nshards;
}

static int cmp_tensor_name(const void *a, const void *b)
{
    return strcmp((*(const nninit_tensor *const *)a)->name, (*(const nninit_tensor *const *)b)->name);
}

/* The index: {"metadata": {"total_size": N}, "weight_map": {name: file}},
 * names sorted, two-space indent (as transformers writes it). */
static char *index_json(const nninit_tensor *tensors, size_t n, const nninit_layout_ *L, uint64_t total)
{
    const nninit_tensor **p = malloc((n ? n : 1) * sizeof *p);
    if (!p) return NULL;
    for (size_t i = 0; i < n; i++) p[i] = &tensors[i];
    if (n) qsort(p, n, sizeof *p, cmp_tensor_name);
    nninit_text_ t = { 0 };
    nninit_text_fmt_(&t, "{\n  \"metadata\": {\n    \"total_size\": %" PRIu64 "\n  },\n  \"weight_map\": {", total);
    for (size_t k = 0; k < n; k++) {
        nninit_text_str_(&t, k ? ",\n    " : "\n    ");
        nninit_text_json_str_(&t, p[k]->name);
        nninit_text_str_(&t, ": ");
        nninit_text_json_str_(&t, L->files[L->file_of[p[k] - tensors]].name);
    }
    nninit_text_str_(&t, n ? "\n  }\n}\n" : "}\n}\n");
    free(p);
    return nninit_text_take_(&t);
}

static nninit_status plan_sharded(nninit_layout_ *L, const nninit_tensor *tensors, size_t n,
                                  const char *const *metadata, uint64_t max, char *msg, size_t msg_size)
{
    size_t *shard_of = malloc((n ? n : 1) * sizeof *shard_of), *sel = malloc((n ? n : 1) * sizeof *sel);
    size_t nshards = shard_of && sel ? split_shards(tensors, n, max, shard_of) : 0;
    nninit_status st = nshards ? NNINIT_OK : NOMEM();
    L->nfiles = nshards + (nshards > 1);
    if (st == NNINIT_OK && !(L->files = calloc(L->nfiles, sizeof *L->files))) st = NOMEM();
    uint64_t total = 0;
    for (size_t k = 0; st == NNINIT_OK && k < nshards; k++) {
        char name[64];
        if (nshards == 1) snprintf(name, sizeof name, NNINIT_SHARD_SINGLE_);
        else snprintf(name, sizeof name, "model-%05zu-of-%05zu.safetensors", k + 1, nshards);
        if (!(L->files[k].name = strdup(name))) { st = NOMEM(); break; }
        size_t m = 0;
        for (size_t i = 0; i < n; i++)   /* the caller's order within the shard */
            if (shard_of[i] == k) sel[m++] = i;
        st = st_file(L, k, tensors, sel, m, metadata, msg, msg_size);
        total += L->files[k].data_bytes;
    }
    if (st == NNINIT_OK && nshards > 1)
        st = text_file(&L->files[nshards], NNINIT_SHARD_INDEX_, index_json(tensors, n, L, total), msg, msg_size);
    free(shard_of);
    free(sel);
    return st;
}

static nninit_status plan_npy(nninit_layout_ *L, const nninit_tensor *tensors, size_t n,
                              const char *const *metadata, char *msg, size_t msg_size)
{
    FORWARD_IF_ERROR(nninit_npy_dir_check_(tensors, n, metadata, msg, msg_size));
    L->nfiles = n + 1;
    RETURN_ERROR_IF(!(L->files = calloc(L->nfiles, sizeof *L->files)), NOMEM());
    for (size_t i = 0; i < n; i++) {
        const nninit_tensor *t = &tensors[i];
        char name[256];
        unsigned char head[NNINIT_NPY_HEADER_MAX_];
        nninit_npy_file_name_(t->name, name, sizeof name);   /* fits: checked */
        size_t hl = nninit_npy_header_(head, sizeof head, t->dtype, t->shape, t->ndim);
        RETURN_ERROR_IF(hl == 0, nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "tensor '%.200s': no npy header for "
                                              "its dtype and shape", t->name));
        nninit_lfile_ *f = &L->files[i];
        f->name = strdup(name);
        f->head = malloc(hl);
        RETURN_ERROR_IF(!f->name || !f->head, NOMEM());
        memcpy(f->head, head, hl);
        f->head_len = hl;
        f->size = hl + t->nbytes;
        f->data_bytes = t->nbytes;
        L->file_of[i] = i;
        L->offset[i] = hl;
    }
    return text_file(&L->files[n], NNINIT_META_FILE_, nninit_npy_metadata_json_(metadata), msg, msg_size);
}

nninit_status nninit_layout_npy_file_(nninit_layout_ *L, const nninit_tensor *t, char *msg, size_t msg_size)
{
    memset(L, 0, sizeof *L);
    unsigned char head[NNINIT_NPY_HEADER_MAX_];
    const size_t hl = nninit_npy_header_(head, sizeof head, t->dtype, t->shape, t->ndim);
    /* unreachable for a checked tensor: NNINIT_MAX_DIMS sizes always fit */
    RETURN_ERROR_IF(hl == 0, nninit_fail_(NNINIT_E_SHAPE, msg, msg_size, "npy: header too long"));
    L->member = single_member;
    L->what = "npy";
    L->nfiles = L->n = 1;
    L->files = calloc(1, sizeof *L->files);
    L->file_of = calloc(1, sizeof *L->file_of);
    L->offset = calloc(1, sizeof *L->offset);
    L->order = calloc(1, sizeof *L->order);
    if (!L->files || !L->file_of || !L->offset || !(L->files[0].head = malloc(hl))) {
        nninit_layout_free_(L);
        return NOMEM();
    }
    memcpy(L->files[0].head, head, hl);
    L->files[0].head_len = hl;
    L->files[0].size = hl + t->nbytes;
    L->files[0].data_bytes = t->nbytes;
    L->offset[0] = hl;
    return NNINIT_OK;
}

nninit_status nninit_layout_add_file_(nninit_layout_ *L, const char *name, const void *bytes, size_t size, char *msg,
                                      size_t msg_size)
{
    RETURN_ERROR_IF(!L->dir, nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "%s goes into a directory output (sharded "
                                          "or npy), not one file", name));
    nninit_lfile_ *files = realloc(L->files, (L->nfiles + 1) * sizeof *files);
    RETURN_ERROR_IF(!files, NOMEM());
    L->files = files;
    nninit_lfile_ *f = memset(&files[L->nfiles], 0, sizeof *f);
    f->name = strdup(name);
    f->head = malloc(size ? size : 1);
    if (!f->name || !f->head) {
        free(f->name);
        free(f->head);
        return NOMEM();
    }
    if (size) memcpy(f->head, bytes, size);
    f->head_len = f->size = size;
    L->nfiles++;
    return NNINIT_OK;
}

/* output order: tensors by (file, offset, index) */
typedef struct { size_t file; uint64_t offset; size_t idx; } place;
static int cmp_place(const void *a, const void *b)
{
    const place *x = a, *y = b;
    if (x->file != y->file) return x->file < y->file ? -1 : 1;
    if (x->offset != y->offset) return x->offset < y->offset ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

nninit_status nninit_layout_plan_(nninit_layout_ *L, const nninit_tensor *tensors, size_t n,
                                  const char *const *metadata, nninit_file_format format, uint64_t max_shard_bytes,
                                  char *msg, size_t msg_size)
{
    memset(L, 0, sizeof *L);
    RETURN_ERROR_IF(n && !tensors, nninit_fail_(NNINIT_E_NULL, msg, msg_size, "NULL tensor array"));
    RETURN_ERROR_IF(format != NNINIT_FORMAT_SAFETENSORS && format != NNINIT_FORMAT_NPY_DIR,
                    nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "unknown file format %d", (int)format));
    RETURN_ERROR_IF(format == NNINIT_FORMAT_NPY_DIR && max_shard_bytes,
                    nninit_fail_(NNINIT_E_PARAM, msg, msg_size, "a shard size applies to safetensors output only"));
    if (format == NNINIT_FORMAT_SAFETENSORS) FORWARD_IF_ERROR(nninit_st_check_(tensors, n, metadata, msg, msg_size));
    L->n = n;
    L->file_of = calloc(n ? n : 1, sizeof *L->file_of);
    L->offset = calloc(n ? n : 1, sizeof *L->offset);
    L->order = calloc(n ? n : 1, sizeof *L->order);
    nninit_status st = L->file_of && L->offset && L->order ? NNINIT_OK : NOMEM();
    if (st == NNINIT_OK && format == NNINIT_FORMAT_NPY_DIR) {
        L->dir = 1;
        L->member = nninit_npy_dir_member_;
        L->what = "npy";
        st = plan_npy(L, tensors, n, metadata, msg, msg_size);
    } else if (st == NNINIT_OK && max_shard_bytes) {
        L->dir = 1;
        L->member = shard_member;
        L->what = "sharded safetensors";
        st = plan_sharded(L, tensors, n, metadata, max_shard_bytes, msg, msg_size);
    } else if (st == NNINIT_OK) {
        L->member = single_member;
        L->what = "safetensors";
        L->nfiles = 1;
        size_t *sel = malloc((n ? n : 1) * sizeof *sel);
        if (!sel || !(L->files = calloc(1, sizeof *L->files))) st = NOMEM();
        for (size_t i = 0; st == NNINIT_OK && i < n; i++) sel[i] = i;
        if (st == NNINIT_OK) st = st_file(L, 0, tensors, sel, n, metadata, msg, msg_size);
        free(sel);
    }
    place *pl = st == NNINIT_OK ? malloc((n ? n : 1) * sizeof *pl) : NULL;
    if (st == NNINIT_OK && !pl) st = NOMEM();
    if (st == NNINIT_OK) {
        for (size_t i = 0; i < n; i++) pl[i] = (place){ L->file_of[i], L->offset[i], i };
        if (n) qsort(pl, n, sizeof *pl, cmp_place);
        for (size_t i = 0; i < n; i++) L->order[i] = pl[i].idx;
    }
    free(pl);
    if (st != NNINIT_OK) nninit_layout_free_(L);
    return st;
}
