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
