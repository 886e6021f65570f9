/* The 64-bit mixer shared by stream ids and derived streams. */
#include "common.h"

uint64_t nninit_mix64_(uint64_t h)
{
    /* SplitMix64's finalizer (Steele, Lea, Flood 2014): a bijection, so two
     * derived streams never collide, with full avalanche. */
    h ^= h >> 30; h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27; h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return h;
}

/* Words of 8 bytes (little-endian, whatever the host) folded in by a
 * multiply and a rotation, the tail bytes as one word, the length last, then
 * the finalizer: a checksum that tells files and plans apart (any changed
 * byte changes it with probability 1 - 2^-64 against accidents), not a
 * cryptographic digest (docs/MODELS.md, "Loading a checkpoint"). */
uint64_t nninit_hash64_(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = (const unsigned char *)data;
    const uint64_t k = 0x9e3779b97f4a7c15ull;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w = 0;
        for (int b = 7; b >= 0; b--) w = (w << 8) | p[i + (size_t)b];
        h ^= w * k;
        h = ((h << 31) | (h >> 33)) * 0xbf58476d1ce4e5b9ull;
    }
    uint64_t w = 0;
    for (size_t b = n; b > i; b--) w = (w << 8) | p[b - 1];
    h ^= (w + 1) * k;
    h = ((h << 31) | (h >> 33)) * 0xbf58476d1ce4e5b9ull;
    return nninit_mix64_(h ^ (uint64_t)n);
}
