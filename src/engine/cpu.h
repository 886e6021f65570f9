/* CPU feature detection (cpu.c). Features, not models (docs/STYLE.md, habit 6). */
#ifndef NNINIT_CPU_H
#define NNINIT_CPU_H

typedef struct nninit_cpu {
    int avx2;    /* AVX2 + FMA + F16C, and the OS saves YMM state */
    int avx512;  /* AVX-512 F/BW/DQ/VL + the above, and the OS saves ZMM state */
    int neon;    /* Advanced SIMD (baseline on aarch64) */
} nninit_cpu;

nninit_cpu nninit_cpu_detect_(void);

#endif
