/* The direct writer's faults (io/sink.c): data bound for a regular file is
 * staged and written with O_DIRECT by the sink's I/O thread while the next
 * run is staged. A failure of any of those writes (the disk full midway, or
 * the last write, which is only waited for at the commit) must fail the
 * whole write and leave nothing behind; a device that refuses O_DIRECT
 * (EINVAL) or writes short must still get every byte right, through the
 * page cache.
 *
 * The faults come from pwrite itself: this suite defines pwrite (the library
 * is linked statically, so its calls land here), which passes every write
 * through to the kernel except the one direct write it is told to fail or cut.
 * Every test also checks that the direct path was taken, so a file system
 * without O_DIRECT cannot make the checks pass without exercising it. The
 * same goes for fallocate, which reserves each file's size before anything
 * is written: a disk too small fails there, and a file system without it
 * writes as before. */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "testutil.h"

/* ---- the pwrite under test ------------------------------------------------------------ */
static int g_fail_at = -1;      /* index of the direct write to fault, -1 none */
static int g_fail_errno;        /* its errno; 0: a short write instead */
static size_t g_short_bytes;    /* a short write's count */
static int g_direct;            /* direct writes seen */

static ssize_t faulty_pwrite(int fd, const void *buf, size_t n, off_t off)
{
    const int fl = fcntl(fd, F_GETFL);
    if (fl >= 0 && (fl & O_DIRECT)) {
        const int k = __atomic_fetch_add(&g_direct, 1, __ATOMIC_SEQ_CST);
        if (k == g_fail_at) {
            if (g_fail_errno) { errno = g_fail_errno; return -1; }
            n = g_short_bytes < n ? g_short_bytes : n;
        }
    }
    return (ssize_t)syscall(SYS_pwrite64, fd, buf, n, off);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off) { return faulty_pwrite(fd, buf, n, off); }
ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t off) { return faulty_pwrite(fd, buf, n, (off_t)off); }

/* fallocate: the sink reserves each file's size with it when creating it. */
static int g_falloc_errno;      /* non-zero: every fallocate fails with it */
static int g_fallocs;           /* fallocate calls seen */

static int faulty_fallocate(int fd, int mode, off_t off, off_t len)
{
    __atomic_fetch_add(&g_fallocs, 1, __ATOMIC_SEQ_CST);
    if (g_falloc_errno) { errno = g_falloc_errno; return -1; }
    return (int)syscall(SYS_fallocate, fd, mode, off, len);
}

int fallocate(int fd, int mode, off_t off, off_t len) { return faulty_fallocate(fd, mode, off, len); }
int fallocate64(int fd, int mode, off64_t off, off64_t len) { return faulty_fallocate(fd, mode, (off_t)off, (off_t)len); }

static void faults_off(void)
{
    g_falloc_errno = 0;
    __atomic_store_n(&g_fallocs, 0, __ATOMIC_SEQ_CST);
    g_fail_at = -1;
    __atomic_store_n(&g_direct, 0, __ATOMIC_SEQ_CST);
}

/* ---- a model of several direct runs ---------------------------------------------------- */
/* 23.6 MB: three 8 MiB runs and more per file; an odd-sized head and
 * tensor sizes that are not multiples of the page, so every run has edges. */
static const char *const k_model =
    "{\"seed\": 5, \"dtype\": \"f32\","
    " \"tensors\": ["
    "  {\"name\": \"emb.weight\", \"shape\": [2001, 1000], \"init\": \"normal(std=0.02)\"},"
    "  {\"name\": \"fc1.weight\", \"shape\": [3000, 1001], \"init\": \"kaiming_uniform\"},"
    "  {\"name\": \"fc1.bias\", \"shape\": [1000], \"init\": \"zeros\"},"
    "  {\"name\": \"q.weight\", \"shape\": [64, 96], \"init\": \"orthogonal\"},"
    "  {\"name\": \"fc2.weight\", \"shape\": [1500, 1003], \"dtype\": \"bf16\", \"init\": \"trunc_normal(std=0.02)\"}"
    " ]}";

static char g_dir[256];

/* A directory on a file system that takes O_DIRECT: /tmp, else the working
 * directory (the build runs the suites from the source tree, on a disk). */
static void make_dir(void)
{
    const char *const bases[] = { "/tmp", "." };
    for (size_t i = 0; i < sizeof bases / sizeof *bases; i++) {
        snprintf(g_dir, sizeof g_dir, "%s/nninit_test_direct_XXXXXX", bases[i]);
        if (!mkdtemp(g_dir)) continue;
        char probe[300];
        snprintf(probe, sizeof probe, "%s/probe", g_dir);
        int fd = open(probe, O_WRONLY | O_CREAT | O_DIRECT | O_CLOEXEC, 0600);
        if (fd >= 0) close(fd);
        unlink(probe);
        if (fd >= 0) return;
        rmdir(g_dir);
    }
    ck_abort_msg("no directory here takes O_DIRECT (neither /tmp nor the working directory)");
}

/* How many names a directory holds. */
static size_t entries(const char *path)
{
    DIR *d = opendir(path);
    ck_assert_ptr_nonnull(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

static nninit_model *g_model;

/* The kinds of output, each under its own names in g_dir. */
enum { SINGLE, SHARDED, NPY, N_KINDS };
static const struct { nninit_file_format fmt; uint64_t max_shard; const char *suffix; } k_kinds[N_KINDS] = {
    [SINGLE] = { NNINIT_FORMAT_SAFETENSORS, 0, ".safetensors" },
    [SHARDED] = { NNINIT_FORMAT_SAFETENSORS, 10000000, "" },   /* 3 shards */
    [NPY] = { NNINIT_FORMAT_NPY_DIR, 0, "" },
};

/* g_dir/NAME plus the kind's suffix, into buf[300]. */
static void kind_path(char *buf, const char *name, int kind)
{
    snprintf(buf, 300, "%s/%s%s", g_dir, name, k_kinds[kind].suffix);
}

static void setup(void)
{
    make_dir();
    char msg[256];
    ck_assert_msg(nninit_model_parse(k_model, strlen(k_model), &g_model, msg, sizeof msg) == NNINIT_OK, "parse: %s",
                  msg);
}

static void teardown(void)
{
    nninit_model_free(g_model);
    g_model = NULL;
    nt_remove_tree(g_dir);
}

/* The model streamed as kind into path, with 2 filling threads. */
static nninit_status stream(const char *path, int kind, int threads, char *msg, size_t msg_size)
{
    nninit_model_write_options o = { 0 };
    o.threads = threads;
    o.max_shard_bytes = k_kinds[kind].max_shard;
    return nninit_model_write(g_model, path, k_kinds[kind].fmt, &o, msg, msg_size);
}

/* The streamed output without faults (checked against the in-memory path by
 * clean_equals_memory here and by test_stream for every kind of output). */
static void reference(const char *path, int kind)
{
    char msg[512];
    faults_off();
    ck_assert_msg(stream(path, kind, 2, msg, sizeof msg) == NNINIT_OK, "%s", msg);
}

/* Every file of directory a equals the same-named file of b (or the two files). */
static void same_output(const char *a, const char *b)
{
    DIR *d = opendir(a);
    if (!d) {
        size_t la, lb;
        unsigned char *x = nt_read_file(a, &la), *y = nt_read_file(b, &lb);
        ck_assert_msg(x && y && la == lb && memcmp(x, y, la) == 0, "%s and %s differ", a, b);
        free(x);
        free(y);
        return;
    }
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char pa[600], pb[600];
        snprintf(pa, sizeof pa, "%s/%s", a, e->d_name);
        snprintf(pb, sizeof pb, "%s/%s", b, e->d_name);
        same_output(pa, pb);
        n++;
    }
    closedir(d);
    ck_assert_uint_eq(n, entries(b));
}

/* Writes kind into out without faults but the one set up, and checks that
 * the output equals ref and that at least `direct` direct writes were made. */
static void equals_reference(const char *out, const char *ref, int kind, int threads, int direct)
{
    char msg[512];
    ck_assert_msg(stream(out, kind, threads, msg, sizeof msg) == NNINIT_OK, "%s", msg);
    ck_assert_int_ge(__atomic_load_n(&g_direct, __ATOMIC_SEQ_CST), direct);
    same_output(out, ref);
    nt_remove_tree(out);
}

/* The number of direct writes a clean streaming write of kind makes. */
static int clean_direct_writes(int kind)
{
    char out[300];
    kind_path(out, "count", kind);
    reference(out, kind);
    const int n = __atomic_load_n(&g_direct, __ATOMIC_SEQ_CST);
    nt_remove_tree(out);
    ck_assert_msg(n >= 3, "only %d direct writes: the direct path was not exercised", n);
    return n;
}

/* Writes kind with direct write `at` failing with errno e: the write fails
 * naming e, and g_dir holds nothing new. */
static void fails_cleanly(int kind, int at, int e)
{
    char out[300], msg[512];
    kind_path(out, "out", kind);
    faults_off();
    g_fail_at = at;
    g_fail_errno = e;
    nninit_status st = stream(out, kind, 2, msg, sizeof msg);
    ck_assert_msg(st == NNINIT_E_IO, "direct write %d failing with %s: status %s, '%s'", at, strerror(e),
                  nninit_status_str(st), msg);
    ck_assert_msg(strstr(msg, strerror(e)) != NULL, "the message does not name the error: '%s'", msg);
    ck_assert_msg(__atomic_load_n(&g_direct, __ATOMIC_SEQ_CST) > at, "the faulty write was never made");
    ck_assert_msg(entries(g_dir) == 0, "a failed write left %zu entries in %s", entries(g_dir), g_dir);
}

START_TEST(disk_full_midway)
{
    fails_cleanly(SHARDED, 1, ENOSPC);
    fails_cleanly(SHARDED, clean_direct_writes(SHARDED) / 2, ENOSPC);
    fails_cleanly(SINGLE, clean_direct_writes(SINGLE) / 2, EIO);
    fails_cleanly(NPY, clean_direct_writes(NPY) / 2, ENOSPC);
}
END_TEST

/* The last direct write of each kind of output: waited for only when the
 * output is synced and committed. The first: before anything else is queued. */
START_TEST(disk_full_at_the_end)
{
    fails_cleanly(SHARDED, clean_direct_writes(SHARDED) - 1, ENOSPC);
    fails_cleanly(SINGLE, clean_direct_writes(SINGLE) - 1, ENOSPC);
    fails_cleanly(SINGLE, 0, ENOSPC);
}
END_TEST

/* A device that refuses a direct write (EINVAL: a stricter alignment) gets
 * that run and the rest of the output through the cache, every byte right. */
START_TEST(refused_direct_falls_back)
{
    char ref[300], out[300];
    for (int kind = SINGLE; kind <= SHARDED; kind++) {
        kind_path(ref, "ref", kind);
        kind_path(out, "out", kind);
        reference(ref, kind);
        faults_off();
        g_fail_at = 1;
        g_fail_errno = EINVAL;
        equals_reference(out, ref, kind, 2, 2);
        ck_assert_int_eq(__atomic_load_n(&g_direct, __ATOMIC_SEQ_CST), 2);   /* none after the refusal */
        nt_remove_tree(ref);
    }
}
END_TEST

/* A short direct write: off the page alignment the run is finished through
 * the cache; on it, directly. Either way every byte is right. */
START_TEST(short_direct_writes)
{
    char ref[300], out[300];
    kind_path(ref, "ref", SHARDED);
    kind_path(out, "out", SHARDED);
    reference(ref, SHARDED);
    const size_t cuts[] = { 1000, 4096, 3 * 4096 + 17, 1 << 20 };
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++)
        for (int at = 0; at < 3; at++) {
            faults_off();
            g_fail_at = at;
            g_fail_errno = 0;
            g_short_bytes = cuts[i];
            equals_reference(out, ref, SHARDED, 2, at + 1);
        }
}
END_TEST

/* The reservation of each file's size: ENOSPC fails the write before any
 * data is written, naming what the output needs; a file system without
 * fallocate (EOPNOTSUPP) gets the same bytes as one with it. */
START_TEST(reservation)
{
    char ref[300], out[300], msg[512];
    for (int kind = 0; kind < N_KINDS; kind++) {
        kind_path(ref, "ref", kind);
        kind_path(out, "out", kind);
        reference(ref, kind);
        ck_assert_msg(__atomic_load_n(&g_fallocs, __ATOMIC_SEQ_CST) >= 1, "no file was reserved");

        faults_off();
        g_falloc_errno = ENOSPC;
        nninit_status st = stream(out, kind, 2, msg, sizeof msg);
        ck_assert_msg(st == NNINIT_E_IO && strstr(msg, "No space left on device (the output needs 0.023 GB; nothing "
                                                       "was written)"), "%s: %s", nninit_status_str(st), msg);
        ck_assert_int_eq(__atomic_load_n(&g_direct, __ATOMIC_SEQ_CST), 0);
        ck_assert_uint_eq(entries(g_dir), 1);   /* ref alone */

        faults_off();
        g_falloc_errno = EOPNOTSUPP;
        equals_reference(out, ref, kind, 2, 3);
        nt_remove_tree(ref);
    }
}
END_TEST

/* Without faults the streamed file equals the in-memory path's (arena,
 * init, save), and every kind of output is the same at 1 and 2 filling
 * threads (the I/O thread overlapping the staging of the next run). */
START_TEST(clean_equals_memory)
{
    char ref[300], out[300], msg[512];
    nninit_arena *a;
    snprintf(ref, sizeof ref, "%s/mem.safetensors", g_dir);
    ck_assert_int_eq(nninit_arena_create(g_model, &a), NNINIT_OK);
    ck_assert_msg(nninit_model_init(g_model, nninit_arena_pointers(a), NULL, msg, sizeof msg) == NNINIT_OK, "%s", msg);
    faults_off();
    ck_assert_msg(nninit_model_save(g_model, (const void *const *)nninit_arena_pointers(a), ref,
                                    NNINIT_FORMAT_SAFETENSORS, NULL, msg, sizeof msg) == NNINIT_OK, "%s", msg);
    nninit_arena_free(a);
    for (int kind = 0; kind < N_KINDS; kind++) {
        if (kind != SINGLE) {
            kind_path(ref, "ref", kind);
            reference(ref, kind);
        }
        kind_path(out, "out", kind);
        for (int threads = 1; threads <= 2; threads++) {
            faults_off();
            equals_reference(out, ref, kind, threads, 3);
        }
        nt_remove_tree(ref);
    }
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("direct");
    TCase *tc = nt_tcase("faults");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, clean_equals_memory);
    tcase_add_test(tc, disk_full_midway);
    tcase_add_test(tc, disk_full_at_the_end);
    tcase_add_test(tc, refused_direct_falls_back);
    tcase_add_test(tc, short_direct_writes);
    tcase_add_test(tc, reservation);
    suite_add_tcase(s, tc);
    return s;
}

NNINIT_TEST_MAIN
