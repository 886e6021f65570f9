/* Instructions per value of every fill kernel, counted exactly.
 *
 * The machine's performance counters are not always there (a VM usually has
 * no PMU: `perf stat -e instructions` reads "not supported"), and valgrind
 * does not decode AVX-512. So this program counts by single-stepping: a
 * child process fills n1 and then n2 values (whole chunks, one thread, warm
 * buffer) between two stops, the parent steps it with PTRACE_SINGLESTEP and
 * counts, and the figure is (count(n2) - count(n1)) / (n2 - n1): the cost of
 * one more value in the steady state, without the call's fixed overhead.
 * Counts do not depend on the load of the machine.
 *
 *   cc -O2 -Iinclude bench/count_insns.c build/libnninit.a -fopenmp -lcjson \
 *      -llapacke -lopenblas -lm -o build/count_insns
 *   build/count_insns [ISA ...]          (default: every path the CPU runs)
 *
 * Output: one line per (isa, distribution, dtype), instructions per value.
 * Parameters are those of bench_fill: uniform [0, 1), normal (0, 1),
 * truncated normal (0, 1) on [-2, 2]. The truncated normal's counts depend on
 * the bounds (a bound beyond 2.94 standard deviations runs the tail
 * polynomials); --trunc=LO,HI changes them. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>
#include "nninit.h"

static const char *const kDists[] = { "uniform", "normal", "trunc_normal" };
static const nninit_dtype kDtypes[] = { NNINIT_F32, NNINIT_BF16, NNINIT_F64 };
static double g_lo = -2.0, g_hi = 2.0;

static nninit_status fill(int d, void *dst, nninit_dtype dt, size_t n)
{
    const nninit_rng rng = { 0x6e6e696e6974ULL, 1 };
    switch (d) {
    case 0: return nninit_uniform(dst, dt, n, 0.0, 1.0, rng, 0);
    case 1: return nninit_normal(dst, dt, n, 0.0, 1.0, rng, 0);
    default: return nninit_trunc_normal(dst, dt, n, 0.0, 1.0, g_lo, g_hi, rng, 0);
    }
}

/* Values per measurement: whole chunks (64 f32-family values, 32 f64), both
 * below the driver's serial threshold so no team is involved. */
static size_t n_small(nninit_dtype dt) { return dt == NNINIT_F64 ? 32 * 16 : 64 * 16; }
static size_t n_large(nninit_dtype dt) { return dt == NNINIT_F64 ? 32 * 112 : 64 * 112; }

/* The child: every measured fill sits between two SIGSTOPs. */
static void child(int nisa, char **isas)
{
    static _Alignas(64) unsigned char buf[64 * 112 * 8];
    if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0) _exit(3);
    raise(SIGSTOP);
    for (int i = 0; i < nisa; i++) {
        if (nninit_set_isa(isas[i]) != NNINIT_OK) _exit(4);
        for (int d = 0; d < 3; d++)
            for (size_t t = 0; t < sizeof kDtypes / sizeof kDtypes[0]; t++)
                for (int k = 0; k < 2; k++) {
                    size_t n = k ? n_large(kDtypes[t]) : n_small(kDtypes[t]);
                    if (fill(d, buf, kDtypes[t], n) != NNINIT_OK) _exit(5);   /* warm: code, data, dispatch */
                    raise(SIGSTOP);
                    fill(d, buf, kDtypes[t], n);
                    raise(SIGSTOP);
                }
    }
    _exit(0);
}

/* Continues the child to its next stop; returns 0 when it exited. */
static int cont_to_stop(pid_t pid)
{
    int st;
    if (ptrace(PTRACE_CONT, pid, NULL, NULL) != 0) return 0;
    if (waitpid(pid, &st, 0) < 0 || !WIFSTOPPED(st)) return 0;
    return 1;
}

/* Single-steps from one stop to the next, counting instructions. */
static uint64_t step_to_stop(pid_t pid)
{
    uint64_t count = 0;
    for (;;) {
        int st;
        if (ptrace(PTRACE_SINGLESTEP, pid, NULL, NULL) != 0) { perror("ptrace"); exit(1); }
        if (waitpid(pid, &st, 0) < 0 || !WIFSTOPPED(st)) { fprintf(stderr, "child lost\n"); exit(1); }
        if (WSTOPSIG(st) == SIGTRAP) { count++; continue; }
        if (WSTOPSIG(st) == SIGSTOP) return count;
        /* any other signal: deliver it and keep counting */
        if (ptrace(PTRACE_SINGLESTEP, pid, NULL, (void *)(intptr_t)WSTOPSIG(st)) != 0) exit(1);
        if (waitpid(pid, &st, 0) < 0) exit(1);
        count++;
    }
}

int main(int argc, char **argv)
{
    static char *all[] = { "scalar", "avx2", "avx512", "neon" };
    char *isas[8];
    int nisa = 0;
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--trunc=", 8) == 0) {
            if (sscanf(argv[i] + 8, "%lf,%lf", &g_lo, &g_hi) != 2) { fprintf(stderr, "bad %s\n", argv[i]); return 2; }
        } else if (nisa < 8) {
            isas[nisa++] = argv[i];
        }
    }
    if (nisa == 0)
        for (int i = 0; i < 4; i++)
            if (nninit_isa_supported(all[i])) isas[nisa++] = all[i];
    for (int i = 0; i < nisa; i++)
        if (!nninit_isa_supported(isas[i])) { fprintf(stderr, "count_insns: %s not supported here\n", isas[i]); return 2; }

    pid_t pid = fork();
    if (pid < 0) { perror("fork"); return 1; }
    if (pid == 0) child(nisa, isas);
    int st;
    if (waitpid(pid, &st, 0) < 0 || !WIFSTOPPED(st)) { fprintf(stderr, "count_insns: ptrace unavailable\n"); return 1; }

    printf("%-8s %-13s %-5s %s\n", "isa", "distribution", "dtype", "instructions/value");
    for (int i = 0; i < nisa; i++)
        for (int d = 0; d < 3; d++)
            for (size_t t = 0; t < sizeof kDtypes / sizeof kDtypes[0]; t++) {
                uint64_t c[2];
                for (int k = 0; k < 2; k++) {
                    if (!cont_to_stop(pid)) { fprintf(stderr, "count_insns: child exited early\n"); return 1; }
                    c[k] = step_to_stop(pid);
                }
                double per = (double)(c[1] - c[0]) / (double)(n_large(kDtypes[t]) - n_small(kDtypes[t]));
                printf("%-8s %-13s %-5s %.3f\n", isas[i], kDists[d], nninit_dtype_name(kDtypes[t]), per);
                fflush(stdout);
            }
    ptrace(PTRACE_CONT, pid, NULL, NULL);
    waitpid(pid, &st, 0);
    return 0;
}
