/* Shared helpers for the Check suites. Each tests/<kind>/test_*.c is one program:
 * it defines `static Suite *make_suite(void)` and ends with NNINIT_TEST_MAIN. */
#ifndef NNINIT_TESTUTIL_H
#define NNINIT_TESTUTIL_H

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "nninit.h"

/* Runs the suite without forking (OpenMP and fork do not mix well) and with
 * a generous timeout: statistical tests draw 10^7+ samples, and under qemu or
 * sanitizers they run many times slower. */
#define NNINIT_TEST_MAIN                                                   \
    int main(void)                                                         \
    {                                                                      \
        SRunner *sr = srunner_create(make_suite());                        \
        srunner_set_fork_status(sr, CK_NOFORK);                            \
        srunner_run_all(sr, CK_NORMAL);                                    \
        int failed = srunner_ntests_failed(sr);                            \
        srunner_free(sr);                                                  \
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;                  \
    }

/* Adds a test case with a long timeout (seconds, scaled by CK_TIMEOUT_MULTIPLIER). */
static inline TCase *nt_tcase(const char *name)
{
    TCase *tc = tcase_create(name);
    tcase_set_timeout(tc, 1800);
    return tc;
}

/* The scheme kinds this header knows (nninit_scheme_count() says the
 * library's; test_spec checks that they agree). */
#define NT_SCHEME_COUNT ((int)NNINIT_SCHEME_PYTORCH_DEFAULT_BIAS + 1)

/* The ISA paths this CPU (and this build) can run, scalar first. */
static const char *const nt_all_isas[] = { "scalar", "avx2", "avx512", "neon" };
#define NT_N_ISAS 4

/* 64-bit FNV-1a over bytes: the digest of golden fills. */
static inline uint64_t nt_fnv1a(const void *data, size_t n)
{
    const unsigned char *p = (const unsigned char *)data;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

/* Independent reference conversions (written from the IEEE definitions,
 * not shared with the library). */
static inline float nt_bf16_to_f32(uint16_t h)
{
    uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}
static inline float nt_f16_to_f32(uint16_t h)
{
    int e = (h >> 10) & 0x1F, m = h & 0x3FF;
    float v = e == 0 ? ldexpf((float)m, -24) : e == 31 ? INFINITY : ldexpf((float)(m | 0x400), e - 25);
    return (h & 0x8000) ? -v : v;
}
/* Nearest-even rounding of a binary32 to the 16-bit format, by search over
 * the format's values (slow, obviously correct for finite inputs). */
static inline uint16_t nt_round16(float x, int bf16)
{
    float (*dec)(uint16_t) = bf16 ? nt_bf16_to_f32 : nt_f16_to_f32;
    uint16_t sign = signbit(x) ? 0x8000 : 0;
    float ax = fabsf(x);
    /* binary search the largest magnitude encoding <= ax */
    uint16_t lo = 0, hi = bf16 ? 0x7F80 : 0x7C00;      /* +inf */
    while (hi - lo > 1) {
        uint16_t mid = (uint16_t)((lo + hi) / 2);
        if (dec(mid) <= ax) lo = mid; else hi = mid;
    }
    double dlo = dec(lo), dhi = dec(hi);
    if (!isfinite(dhi)) dhi = bf16 ? 0x1p128 : 65536.0; /* the rounding boundary above the largest finite */
    uint16_t r;
    if (ax - dlo < dhi - ax) r = lo;
    else if (ax - dlo > dhi - ax) r = hi;
    else r = (lo & 1) ? hi : lo;
    return (uint16_t)(r | sign);
}

/* A read-write page followed by a PROT_NONE page: a buffer that ends at the
 * page's end faults on the first byte written past it. *page is NULL if the
 * mapping failed (callers skip their guarded checks then). */
static inline void nt_guard_map(unsigned char **page, size_t *pagesz)
{
    long ps = sysconf(_SC_PAGESIZE);
    *pagesz = ps > 0 ? (size_t)ps : 4096;
    void *p = mmap(NULL, 2 * *pagesz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    *page = p == MAP_FAILED ? NULL : (unsigned char *)p;
    if (*page && mprotect(*page + *pagesz, *pagesz, PROT_NONE) != 0) { munmap(p, 2 * *pagesz); *page = NULL; }
}
static inline void nt_guard_unmap(unsigned char **page, size_t pagesz)
{
    if (*page) munmap(*page, 2 * pagesz);
    *page = NULL;
}

/* The whole file, malloc'd (the test fails if it cannot be read). */
static inline unsigned char *nt_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "fopen(%s): %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    ck_assert(buf != NULL);
    for (;;) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
        cap *= 2;
        buf = realloc(buf, cap);
        ck_assert(buf != NULL);
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Removes path: a file, or a directory and everything under it. */
static inline void nt_remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (!d) { unlink(path); return; }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        const size_t n = strlen(path) + strlen(e->d_name) + 2;
        char *p = malloc(n);
        ck_assert(p != NULL);
        snprintf(p, n, "%s/%s", path, e->d_name);
        struct stat sb;
        if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode)) nt_remove_tree(p);
        else unlink(p);
        free(p);
    }
    closedir(d);
    rmdir(path);
}

#endif
