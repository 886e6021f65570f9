/* Philox4x32 (Salmon, Moraes, Dror, Shaw: "Parallel random numbers: as easy
 * as 1, 2, 3", SC11). Scalar form, shared by the scalar kernel, the public
 * nninit_philox4x32_10() and the tests. Vector kernels run the same rounds
 * lane-wise; this file is their specification. */
#ifndef NNINIT_KERNELS_PHILOX_H
#define NNINIT_KERNELS_PHILOX_H

#include <stdint.h>

/* Multipliers and Weyl key increments from the paper (Table 2). */
#define NNK_PHILOX_M0 0xD2511F53u
#define NNK_PHILOX_M1 0xCD9E8D57u
#define NNK_PHILOX_W0 0x9E3779B9u /* golden ratio */
#define NNK_PHILOX_W1 0xBB67AE85u /* sqrt(3) - 1 */

static inline void nnk_philox4x32_round(uint32_t c[4], uint32_t k0, uint32_t k1)
{
    uint64_t p0 = (uint64_t)NNK_PHILOX_M0 * c[0];
    uint64_t p1 = (uint64_t)NNK_PHILOX_M1 * c[2];
    uint32_t x0 = (uint32_t)(p1 >> 32) ^ c[1] ^ k0;
    uint32_t x1 = (uint32_t)p1;
    uint32_t x2 = (uint32_t)(p0 >> 32) ^ c[3] ^ k1;
    uint32_t x3 = (uint32_t)p0;
    c[0] = x0; c[1] = x1; c[2] = x2; c[3] = x3;
}

/* out = Philox4x32-R(ctr, key). The key is bumped between rounds, not before
 * the first one. */
static inline void nnk_philox4x32(unsigned rounds, const uint32_t ctr[4], const uint32_t key[2],
                                  uint32_t out[4])
{
    uint32_t c[4] = { ctr[0], ctr[1], ctr[2], ctr[3] };
    uint32_t k0 = key[0], k1 = key[1];
    for (unsigned r = 0; r < rounds; r++) {
        if (r) { k0 += NNK_PHILOX_W0; k1 += NNK_PHILOX_W1; }
        nnk_philox4x32_round(c, k0, k1);
    }
    out[0] = c[0]; out[1] = c[1]; out[2] = c[2]; out[3] = c[3];
}

#endif
