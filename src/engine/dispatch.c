/* The one choice of kernel table, resolved once. This file is compiled for
 * the baseline ISA: it must run on a CPU that lacks everything it detects. */
#if defined(__AVX__) || defined(__AVX2__)
#error "dispatch.c must be compiled without AVX flags"
#endif

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "engine.h"
#include "cpu.h"

/* The CPU feature each path needs. */
typedef enum { NEEDS_NOTHING, NEEDS_AVX2, NEEDS_AVX512, NEEDS_NEON } isa_need;

/* Paths in increasing preference; entries a build lacks have no table. */
typedef struct { const char *name; const nnk_table *table; isa_need needs; } isa_entry;

static const isa_entry isa_entries[] = {
    { "scalar", &nnk_table_scalar, NEEDS_NOTHING },
#if defined(NNINIT_HAVE_X86_KERNELS)
    { "avx2", &nnk_table_avx2, NEEDS_AVX2 },
    { "avx512", &nnk_table_avx512, NEEDS_AVX512 },
#else
    { "avx2", NULL, NEEDS_AVX2 },
    { "avx512", NULL, NEEDS_AVX512 },
#endif
#if defined(NNINIT_HAVE_NEON_KERNELS)
    { "neon", &nnk_table_neon, NEEDS_NEON },
#else
    { "neon", NULL, NEEDS_NEON },
#endif
};
enum { N_ISA = sizeof isa_entries / sizeof isa_entries[0] };

static int cpu_supports(int i)
{
    if (!isa_entries[i].table) return 0;
    nninit_cpu cpu = nninit_cpu_detect_();
    switch (isa_entries[i].needs) {
    case NEEDS_NOTHING: return 1;
    case NEEDS_AVX2: return cpu.avx2;
    case NEEDS_AVX512: return cpu.avx512;
    case NEEDS_NEON: return cpu.neon;
    }
    return 0;
}

static int isa_index(const char *name)
{
    for (int i = 0; i < N_ISA; i++)
        if (strcmp(name, isa_entries[i].name) == 0) return i;
    return -1;
}

/* Best supported path at or below index `limit` in preference order. */
static const nnk_table *best_up_to(int limit)
{
    for (int i = limit; i > 0; i--)
        if (cpu_supports(i)) return isa_entries[i].table;
    return &nnk_table_scalar;
}

static const nnk_table *resolve_auto(void)
{
    const char *env = getenv("NNINIT_ISA");
    int req = (env && *env && strcmp(env, "auto") != 0) ? isa_index(env) : -1;
    if (req >= 0) {
        /* A path this build has but this CPU lacks is clamped to the best
         * one below it; a path of another architecture is ignored. */
        if (isa_entries[req].table) return best_up_to(req);
    }
    return best_up_to(N_ISA - 1);
}

/* Racing first callers compute the same table and store the same pointer. */
static _Atomic(const nnk_table *) current_table;

const nnk_table *nninit_kernels_(void)
{
    const nnk_table *t = atomic_load_explicit(&current_table, memory_order_acquire);
    if (!t) {
        t = resolve_auto();
        atomic_store_explicit(&current_table, t, memory_order_release);
    }
    return t;
}

const char *nninit_isa(void) { return nninit_kernels_()->name; }

int nninit_isa_supported(const char *name)
{
    if (!name) return 0;
    int i = isa_index(name);
    return i >= 0 && cpu_supports(i);
}

nninit_status nninit_set_isa(const char *name)
{
    if (!name || strcmp(name, "auto") == 0) {
        atomic_store_explicit(&current_table, resolve_auto(), memory_order_release);
        return NNINIT_OK;
    }
    int i = isa_index(name);
    RETURN_ERROR_IF(i < 0 || !cpu_supports(i), NNINIT_E_ISA);
    atomic_store_explicit(&current_table, isa_entries[i].table, memory_order_release);
    return NNINIT_OK;
}
