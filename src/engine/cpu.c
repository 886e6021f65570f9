/* cpuid + xgetbv on x86-64; NEON is part of the aarch64 baseline. */
#include "cpu.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <stdint.h>

static uint64_t xgetbv0(void)
{
    uint32_t lo, hi;
    __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(lo), "=d"(hi) : "c"(0)); /* xgetbv: no -mxsave needed */
    return ((uint64_t)hi << 32) | lo;
}

nninit_cpu nninit_cpu_detect_(void)
{
    nninit_cpu cpu = { 0, 0, 0 };
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return cpu;
    int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, f16c = (c >> 29) & 1;
    if (!osxsave || !avx) return cpu;
    uint64_t xcr0 = xgetbv0();
    int ymm_ok = (xcr0 & 0x6) == 0x6;             /* XMM and YMM state */
    int zmm_ok = (xcr0 & 0xE6) == 0xE6;           /* plus opmask, ZMM0-15 upper, ZMM16-31 */
    if (__get_cpuid_max(0, 0) < 7) return cpu;
    __cpuid_count(7, 0, a, b, c, d);
    int avx2 = (b >> 5) & 1;
    int f = (b >> 16) & 1, dq = (b >> 17) & 1, bw = (b >> 30) & 1, vl = (b >> 31) & 1;
    cpu.avx2 = ymm_ok && avx2 && fma && f16c;
    cpu.avx512 = cpu.avx2 && zmm_ok && f && dq && bw && vl;
    return cpu;
}
#elif defined(__aarch64__)
nninit_cpu nninit_cpu_detect_(void)
{
    nninit_cpu cpu = { 0, 0, 1 };
    return cpu;
}
#else
nninit_cpu nninit_cpu_detect_(void)
{
    nninit_cpu cpu = { 0, 0, 0 };
    return cpu;
}
#endif
