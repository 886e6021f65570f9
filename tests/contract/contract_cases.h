/* The fixed cases behind the golden digests (tests/data/golden.txt): shared
 * by the test and by tools/gen_golden.c, which records them from the scalar
 * path. Changing a case changes the contract's evidence: regenerate with
 * `make golden` only together with a NNINIT_CONTRACT_VERSION bump. */
#ifndef NNINIT_CONTRACT_CASES_H
#define NNINIT_CONTRACT_CASES_H

#include "nninit.h"

#define NT_GOLDEN_N ((size_t)1 << 20)
#define NT_GOLDEN_OFFSET ((uint64_t)1000003)

static const char *const nt_dist_names[3] = { "uniform", "normal", "trunc_normal" };

/* One fill of the contract cases: distribution d (0 uniform, 1 normal, 2 trunc). */
static inline nninit_status nt_fill_case(int d, nninit_dtype dt, void *dst, size_t n, uint64_t offset)
{
    const nninit_rng rng = { 0x0123456789ABCDEFull, 0xFEDCBA9876543210ull };
    switch (d) {
    case 0: return nninit_uniform(dst, dt, n, -0.75, 1.25, rng, offset);
    case 1: return nninit_normal(dst, dt, n, 0.25, 1.5, rng, offset);
    default: return nninit_trunc_normal(dst, dt, n, 0.1, 1.0, -1.9, 2.3, rng, offset);
    }
}

#endif
