/* Arenas: one mapping holding every tensor of a model. */
#include <stdlib.h>
#include <sys/mman.h>
#include "model.h"

/* Tensors of at least this many bytes start on a page, the rest on a cache
 * line. Page starts keep each large tensor's units on pages of their own;
 * the padding costs below 0.4% of such a tensor. */
#define ARENA_PAGE_MIN ((size_t)1 << 20)
#define ARENA_PAGE ((size_t)4096)
#define ARENA_LINE ((size_t)64)
#define HUGE_PAGE ((size_t)2 << 20)

struct nninit_arena {
    unsigned char *base;
    size_t map_bytes;
    size_t count;
    void **ptrs;
};

nninit_status nninit_arena_create(const nninit_model *model, nninit_arena **out)
{
    RETURN_ERROR_IF(!out, NNINIT_E_NULL);
    *out = NULL;
    RETURN_ERROR_IF(!model, NNINIT_E_NULL);
    nninit_arena *a = (nninit_arena *)calloc(1, sizeof *a);
    RETURN_ERROR_IF(!a, NNINIT_E_NOMEM);
    a->count = nninit_model_count(model);
    a->ptrs = (void **)calloc(a->count ? a->count : 1, sizeof *a->ptrs);
    size_t *off = (size_t *)calloc(a->count ? a->count : 1, sizeof *off);
    nninit_status st = a->ptrs && off ? NNINIT_OK : NNINIT_E_NOMEM;
    size_t total = 0;
    for (size_t i = 0; st == NNINIT_OK && i < a->count; i++) {
        nninit_model_tensor t;
        st = nninit_model_tensor_info(model, i, &t);
        if (st != NNINIT_OK) break;
        size_t align = t.nbytes >= ARENA_PAGE_MIN ? ARENA_PAGE : ARENA_LINE;
        if (total > SIZE_MAX - align || (total = (total + align - 1) & ~(align - 1)) > SIZE_MAX - t.nbytes) {
            st = NNINIT_E_OVERFLOW;
            break;
        }
        off[i] = total;
        total += t.nbytes;
    }
    if (st == NNINIT_OK && total > 0) {
        /* Map a huge page more than needed and keep a 2 MiB-aligned window, so
         * transparent huge pages can back the whole arena. */
        size_t bytes = (total + ARENA_PAGE - 1) & ~(ARENA_PAGE - 1);
        size_t slack = bytes >= HUGE_PAGE ? HUGE_PAGE : 0;
        if (bytes < total || bytes > SIZE_MAX - slack) st = NNINIT_E_OVERFLOW;
        void *m = st == NNINIT_OK ? mmap(NULL, bytes + slack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                                         -1, 0) : MAP_FAILED;
        if (st == NNINIT_OK && m == MAP_FAILED) st = NNINIT_E_NOMEM;
        if (st == NNINIT_OK) {
            uintptr_t p = (uintptr_t)m, q = slack ? (p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1) : p;
            if (q > p) munmap(m, q - p);
            if (p + slack > q) munmap((void *)(q + bytes), p + slack - q);
            a->base = (unsigned char *)q;
            a->map_bytes = bytes;
#ifdef MADV_HUGEPAGE
            madvise(a->base, bytes, MADV_HUGEPAGE);   /* advice only: failure leaves 4 KiB pages */
#endif
        }
    }
    if (st == NNINIT_OK)
        for (size_t i = 0; i < a->count; i++) a->ptrs[i] = a->base ? a->base + off[i] : NULL;
    free(off);
    if (st != NNINIT_OK) { nninit_arena_free(a); return st; }
    *out = a;
    return NNINIT_OK;
}

void *nninit_arena_tensor(const nninit_arena *arena, size_t i)
{
    return arena && i < arena->count ? arena->ptrs[i] : NULL;
}

void *const *nninit_arena_pointers(const nninit_arena *arena)
{
    return arena ? (void *const *)arena->ptrs : NULL;
}

void nninit_arena_free(nninit_arena *arena)
{
    if (!arena) return;
    if (arena->base) munmap(arena->base, arena->map_bytes);
    free(arena->ptrs);
    free(arena);
}
