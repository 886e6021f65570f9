/* nninit_npy_save: the bytes of the file as the .npy format 1.0 defines them
 * (read back and parsed here, field by field), every dtype, 0-D to 8-D
 * shapes, atomic replacement (a failed save leaves neither a file nor a
 * temporary, and an existing file is replaced only by a complete one),
 * special files, and the status of every bad input.
 *
 * Each test works in its own fresh directory under $TMPDIR (or /tmp), so
 * "nothing was left behind" is simply "the directory holds what it held". */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "testutil.h"

/* ---- scratch directory ------------------------------------------------------ */
static char g_dir[256];

static void dir_setup(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/nninit-npy-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(g_dir)) g_dir[0] = '\0';
}

static void dir_teardown(void)
{
    if (!g_dir[0]) return;
    chmod(g_dir, 0700);
    DIR *d = opendir(g_dir);
    if (d) {
        struct dirent *e;
        char p[512];
        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
                snprintf(p, sizeof p, "%s/%s", g_dir, e->d_name);
                if (unlink(p) != 0) {
                    /* the only subdirectories tests make are empty */
                    rmdir(p);
                }
            }
        closedir(d);
    }
    rmdir(g_dir);
}

/* g_dir/name in a static rotating buffer (a few paths can be live at once) */
static const char *in_dir(const char *name)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    ck_assert_msg(g_dir[0] != '\0', "could not create a scratch directory");
    snprintf(buf[k], sizeof buf[k], "%s/%s", g_dir, name);
    return buf[k];
}

/* Names in g_dir, sorted and joined by '/', for messages and comparisons. */
static const char *listing(void)
{
    static char out[4096];
    char names[64][256];
    int n = 0;
    DIR *d = opendir(g_dir);
    ck_assert_msg(d != NULL, "opendir(%s): %s", g_dir, strerror(errno));
    struct dirent *e;
    while ((e = readdir(d)) && n < 64)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            snprintf(names[n++], sizeof names[0], "%s", e->d_name);
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], (int (*)(const void *, const void *))strcmp);
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (i) strcat(out, "/");
        strncat(out, names[i], sizeof out - strlen(out) - 2);
    }
    return out;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "fopen(%s): %s", path, strerror(errno));
    fputs(text, f);
    ck_assert(fclose(f) == 0);
}

/* ---- parsing a .npy file, from the format's definition ----------------------
 * "\x93NUMPY", major, minor, header length (uint16 LE for 1.0), header: a
 * dict literal, spaces, '\n', with 10 + length a multiple of 64. */
typedef struct {
    int major, minor;
    size_t hlen;          /* the length field */
    char dict[1024];      /* the header up to its padding */
    size_t pad;           /* spaces between dict and '\n' */
    size_t data_off;
    size_t data_len;
} npy_file;

static npy_file parse_npy(const unsigned char *b, size_t len, const char *what)
{
    npy_file f;
    memset(&f, 0, sizeof f);
    ck_assert_msg(len >= 10, "%s: %zu bytes, shorter than the fixed prefix", what, len);
    ck_assert_msg(memcmp(b, "\x93NUMPY", 6) == 0, "%s: bad magic %02x %02x %02x %02x %02x %02x", what, b[0], b[1],
                  b[2], b[3], b[4], b[5]);
    f.major = b[6];
    f.minor = b[7];
    ck_assert_msg(f.major == 1 && f.minor == 0, "%s: version %d.%d, expected 1.0", what, f.major, f.minor);
    f.hlen = (size_t)b[8] | (size_t)b[9] << 8;
    f.data_off = 10 + f.hlen;
    ck_assert_msg(f.data_off % 64 == 0, "%s: data starts at %zu, not a multiple of 64", what, f.data_off);
    ck_assert_msg(f.data_off <= len, "%s: header length %zu runs past the file (%zu bytes)", what, f.hlen, len);
    const char *h = (const char *)b + 10;
    ck_assert_msg(h[f.hlen - 1] == '\n', "%s: header does not end with a newline", what);
    size_t end = f.hlen - 1;
    while (end > 0 && h[end - 1] == ' ') { end--; f.pad++; }
    ck_assert_msg(end < sizeof f.dict, "%s: header dict of %zu bytes", what, end);
    memcpy(f.dict, h, end);
    f.dict[end] = '\0';
    ck_assert_msg(memchr(f.dict, '\n', end) == NULL, "%s: newline inside the header dict", what);
    f.data_len = len - f.data_off;
    return f;
}

/* The expected dict text for a descr and a Python tuple literal. */
static const char *dict_for(const char *descr, const char *tuple)
{
    static char buf[1024];
    snprintf(buf, sizeof buf, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, tuple);
    return buf;
}

/* Saves, reads back, checks prefix, dict and data; returns the parse. */
static npy_file save_and_check(const char *name, const void *data, nninit_dtype dt, const int64_t *shape, int ndim,
                               const char *descr, const char *tuple, size_t data_bytes)
{
    const char *path = in_dir(name);
    nninit_status st = nninit_npy_save(path, data, dt, shape, ndim, NULL, NULL, 0);
    ck_assert_msg(st == NNINIT_OK, "save %s %s %s: %s (%s)", name, descr, tuple, nninit_status_str(st),
                  strerror(errno));
    size_t len;
    unsigned char *b = nt_read_file(path, &len);
    npy_file f = parse_npy(b, len, path);
    const char *want = dict_for(descr, tuple);
    ck_assert_msg(strcmp(f.dict, want) == 0, "%s: header\n  %s\nexpected\n  %s", path, f.dict, want);
    /* minimal padding: the smallest multiple of 64 that holds the header */
    ck_assert_msg(f.pad < 64, "%s: %zu spaces of padding", path, f.pad);
    ck_assert_msg(f.data_len == data_bytes, "%s: %zu data bytes, expected %zu", path, f.data_len, data_bytes);
    if (data_bytes) ck_assert_msg(memcmp(b + f.data_off, data, data_bytes) == 0, "%s: data bytes differ", path);
    free(b);
    return f;
}

static const nninit_dtype all_dtypes[4] = { NNINIT_F32, NNINIT_F64, NNINIT_BF16, NNINIT_F16 };
static const char *const all_descr[4] = { "<f4", "<f8", "<u2", "<f2" };

/* ---- format ------------------------------------------------------------------ */
START_TEST(test_header_bytes)
{
    static double data[4096];
    for (size_t i = 0; i < 4096; i++) data[i] = (double)i * 0.5 - 7.0;
    static const struct { int ndim; int64_t shape[8]; const char *tuple; } sh[] = {
        { 0, { 0 }, "()" },
        { 1, { 5 }, "(5,)" },
        { 1, { 1 }, "(1,)" },
        { 2, { 2, 3 }, "(2, 3)" },
        { 4, { 8, 3, 7, 7 }, "(8, 3, 7, 7)" },
        { 3, { 10, 20, 5 }, "(10, 20, 5)" },
        { 8, { 2, 1, 3, 1, 2, 1, 2, 1 }, "(2, 1, 3, 1, 2, 1, 2, 1)" },
    };
    for (size_t k = 0; k < sizeof sh / sizeof sh[0]; k++)
        for (int d = 0; d < 4; d++) {
            size_t count = 1;
            for (int a = 0; a < sh[k].ndim; a++) count *= (size_t)sh[k].shape[a];
            save_and_check("h.npy", data, all_dtypes[d], sh[k].shape, sh[k].ndim, all_descr[d], sh[k].tuple,
                           count * nninit_dtype_size(all_dtypes[d]));
        }
}
END_TEST

/* The exact bytes of one small file, written out by hand from the format. */
START_TEST(test_exact_file)
{
    const float v[3] = { 1.0f, -2.0f, 0.5f };
    const int64_t shape[1] = { 3 };
    ck_assert_int_eq(nninit_npy_save(in_dir("x.npy"), v, NNINIT_F32, shape, 1, NULL, NULL, 0), NNINIT_OK);
    const char *dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }";
    ck_assert_uint_eq(strlen(dict), 57);
    /* 10 + 57 + '\n' = 68 > 64: the header takes 128 bytes in all, length
     * field 118 = 0x76, 60 spaces of padding */
    unsigned char want[128 + 12];
    memcpy(want, "\x93NUMPY\x01\x00\x76\x00", 10);
    memset(want + 10, ' ', 118);
    memcpy(want + 10, dict, strlen(dict));
    want[127] = '\n';
    const unsigned char le[12] = { 0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0, 0, 0, 0, 0x3F };  /* 1, -2, 0.5 as LE binary32 */
    memcpy(want + 128, le, 12);
    size_t len;
    unsigned char *b = nt_read_file(in_dir("x.npy"), &len);
    ck_assert_uint_eq(len, sizeof want);
    for (size_t i = 0; i < len; i++)
        ck_assert_msg(b[i] == want[i], "byte %zu is %#04x, expected %#04x", i, b[i], want[i]);
    free(b);
}
END_TEST

/* Every dtype: the data region is the buffer's bytes, in little-endian order;
 * bf16 is the raw 16-bit pattern, NaN payloads and infinities included. */
START_TEST(test_dtypes_and_data)
{
    enum { N = 1000 };
    static unsigned char buf[N * 8];
    uint64_t x = 0x243F6A8885A308D3ull;
    for (size_t i = 0; i < sizeof buf; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        buf[i] = (unsigned char)(x >> 56);
    }
    const int64_t shape[2] = { 40, 25 };
    for (int d = 0; d < 4; d++)
        save_and_check("d.npy", buf, all_dtypes[d], shape, 2, all_descr[d], "(40, 25)",
                       N * nninit_dtype_size(all_dtypes[d]));

    const uint16_t bf[6] = { 0x3F80, 0xBF80, 0x7F80, 0xFF80, 0x7FC1, 0x0001 };  /* 1, -1, inf, -inf, NaN, tiny */
    const int64_t s6[1] = { 6 };
    ck_assert_int_eq(nninit_npy_save(in_dir("bf.npy"), bf, NNINIT_BF16, s6, 1, NULL, NULL, 0), NNINIT_OK);
    size_t len;
    unsigned char *b = nt_read_file(in_dir("bf.npy"), &len);
    npy_file f = parse_npy(b, len, "bf.npy");
    ck_assert_str_eq(f.dict, dict_for("<u2", "(6,)"));
    ck_assert_uint_eq(f.data_len, 12);
    for (int i = 0; i < 6; i++) {
        unsigned v = b[f.data_off + 2 * i] | (unsigned)b[f.data_off + 2 * i + 1] << 8;
        ck_assert_msg(v == bf[i], "bf16 element %d: %#06x, expected %#06x", i, v, bf[i]);
    }
    free(b);

    /* a library fill, saved: byte-identical, several MiB (many write calls' worth of chunks) */
    size_t n = (size_t)3 << 20;
    float *w = malloc(n * sizeof *w);
    ck_assert(w != NULL);
    nninit_rng rng = { 7, nninit_stream_id("w") };
    ck_assert_int_eq(nninit_normal(w, NNINIT_F32, n, 0.0, 1.0, rng, 0), NNINIT_OK);
    const int64_t big[3] = { 3, 1024, 1024 };
    save_and_check("big.npy", w, NNINIT_F32, big, 3, "<f4", "(3, 1024, 1024)", n * 4);
    free(w);
}
END_TEST

/* Empty tensors: no data (NULL allowed), the header still says the shape;
 * the largest possible header (8 sizes of 19 digits) still fits format 1.0. */
START_TEST(test_empty_and_long_headers)
{
    const int64_t s0[1] = { 0 };
    save_and_check("e1.npy", NULL, NNINIT_F32, s0, 1, "<f4", "(0,)", 0);
    const int64_t s3[3] = { 3, 0, 2 };
    save_and_check("e3.npy", NULL, NNINIT_F64, s3, 3, "<f8", "(3, 0, 2)", 0);
    const int64_t m = INT64_MAX;
    const int64_t s8[8] = { m, m, m, m, m, m, m, 0 };
    char tuple[256];
    snprintf(tuple, sizeof tuple, "(%lld, %lld, %lld, %lld, %lld, %lld, %lld, 0)", (long long)m, (long long)m,
             (long long)m, (long long)m, (long long)m, (long long)m, (long long)m);
    npy_file f = save_and_check("e8.npy", NULL, NNINIT_BF16, s8, 8, "<u2", tuple, 0);
    ck_assert_msg(f.data_off == 256, "8 x 19 digits: data at %zu, expected 256", f.data_off);
}
END_TEST

/* ---- atomic replacement -------------------------------------------------------- */
static ino_t inode_of(const char *path)
{
    struct stat st;
    ck_assert_msg(stat(path, &st) == 0, "stat(%s): %s", path, strerror(errno));
    return st.st_ino;
}

START_TEST(test_replaces_existing_file)
{
    const char *path = in_dir("w.npy");
    write_text(path, "old contents");
    ck_assert(chmod(path, 0640) == 0);
    ino_t before = inode_of(path);
    const float v[4] = { 1, 2, 3, 4 };
    const int64_t shape[2] = { 2, 2 };
    save_and_check("w.npy", v, NNINIT_F32, shape, 2, "<f4", "(2, 2)", sizeof v);
    struct stat st;
    ck_assert(stat(path, &st) == 0);
    ck_assert_msg(st.st_ino != before, "the file was rewritten in place, not replaced by a rename");
    ck_assert_msg((st.st_mode & 07777) == 0640, "replaced file has mode %o, the old one had 0640",
                  (unsigned)(st.st_mode & 07777));
    ck_assert_str_eq(listing(), "w.npy");
}
END_TEST

START_TEST(test_new_file_mode_follows_umask)
{
    const float v[1] = { 1 };
    const mode_t masks[3] = { 022, 077, 0 };
    mode_t old = umask(022);
    for (int k = 0; k < 3; k++) {
        umask(masks[k]);
        const char *path = in_dir("m.npy");
        unlink(path);
        nninit_status st = nninit_npy_save(path, v, NNINIT_F32, NULL, 0, NULL, NULL, 0);
        umask(old);
        ck_assert_int_eq(st, NNINIT_OK);
        struct stat sb;
        ck_assert(stat(path, &sb) == 0);
        ck_assert_msg((sb.st_mode & 07777) == (0666 & ~masks[k]), "umask %03o: mode %03o, expected %03o",
                      (unsigned)masks[k], (unsigned)(sb.st_mode & 07777), (unsigned)(0666 & ~masks[k]));
    }
    umask(old);
}
END_TEST

/* A write that fails midway (the file size limit, EFBIG) removes its
 * temporary and leaves the existing file as it was. */
START_TEST(test_failed_write_keeps_old_file)
{
    const char *path = in_dir("w.npy");
    write_text(path, "old contents");
    static float v[65536];
    const int64_t shape[1] = { 65536 };

    struct rlimit saved_lim, lim;
    ck_assert(getrlimit(RLIMIT_FSIZE, &saved_lim) == 0);
    void (*saved_sig)(int) = signal(SIGXFSZ, SIG_IGN);  /* else the kernel kills us instead of returning EFBIG */
    lim = saved_lim;
    lim.rlim_cur = 4096;
    ck_assert(setrlimit(RLIMIT_FSIZE, &lim) == 0);
    errno = 0;
    nninit_status st = nninit_npy_save(path, v, NNINIT_F32, shape, 1, NULL, NULL, 0);
    int err = errno;
    setrlimit(RLIMIT_FSIZE, &saved_lim);
    signal(SIGXFSZ, saved_sig);

    ck_assert_msg(st == NNINIT_E_IO, "save past the file size limit returned %s", nninit_status_str(st));
    ck_assert_msg(err == EFBIG, "errno %d (%s), expected EFBIG", err, strerror(err));
    size_t len;
    unsigned char *b = nt_read_file(path, &len);
    ck_assert_msg(len == 12 && memcmp(b, "old contents", 12) == 0, "the old file was changed (%zu bytes)", len);
    free(b);
    ck_assert_str_eq(listing(), "w.npy");

    /* a new path: nothing at all remains */
    unlink(path);
    ck_assert(setrlimit(RLIMIT_FSIZE, &lim) == 0);
    saved_sig = signal(SIGXFSZ, SIG_IGN);
    st = nninit_npy_save(path, v, NNINIT_F32, shape, 1, NULL, NULL, 0);
    err = errno;
    setrlimit(RLIMIT_FSIZE, &saved_lim);
    signal(SIGXFSZ, saved_sig);
    ck_assert_int_eq(st, NNINIT_E_IO);
    ck_assert_int_eq(err, EFBIG);
    ck_assert_str_eq(listing(), "");
}
END_TEST

/* Failures before any data is written: a missing directory, a parent that
 * is a file, a directory as the target, a read-only directory. */
START_TEST(test_unwritable_targets)
{
    const float v[2] = { 1, 2 };
    const int64_t shape[1] = { 2 };
    struct { const char *name; int err; } bad[] = {
        { "missing/w.npy", ENOENT },
        { "file/w.npy", ENOTDIR },
        { "sub", EISDIR },
        { "", ENOENT },
    };
    write_text(in_dir("file"), "x");
    ck_assert(mkdir(in_dir("sub"), 0755) == 0);
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        const char *path = bad[k].name[0] ? in_dir(bad[k].name) : "";
        errno = 0;
        nninit_status st = nninit_npy_save(path, v, NNINIT_F32, shape, 1, NULL, NULL, 0);
        int err = errno;
        ck_assert_msg(st == NNINIT_E_IO, "%s: %s", path, nninit_status_str(st));
        ck_assert_msg(err == bad[k].err, "%s: errno %d (%s), expected %s", path, err, strerror(err),
                      strerror(bad[k].err));
        ck_assert_str_eq(listing(), "file/sub");
    }
    /* Permission bits do not stop root, so this part needs an ordinary user. */
    if (geteuid() != 0) {
        ck_assert(chmod(in_dir("sub"), 0555) == 0);
        errno = 0;
        nninit_status st = nninit_npy_save(in_dir("sub/w.npy"), v, NNINIT_F32, shape, 1, NULL, NULL, 0);
        int err = errno;
        chmod(in_dir("sub"), 0755);
        ck_assert_int_eq(st, NNINIT_E_IO);
        ck_assert_msg(err == EACCES, "read-only directory: errno %d (%s)", err, strerror(err));
        ck_assert_str_eq(listing(), "file/sub");
        DIR *d = opendir(in_dir("sub"));
        ck_assert(d != NULL);
        int entries = 0;
        while (readdir(d)) entries++;
        closedir(d);
        ck_assert_msg(entries == 2, "the read-only directory holds %d entries", entries - 2);
    }
}
END_TEST

/* Symbolic links are written through: the link stays, its target is replaced. */
START_TEST(test_symlink_written_through)
{
    write_text(in_dir("real.npy"), "old");
    ck_assert(symlink("real.npy", in_dir("link.npy")) == 0);
    const double v[3] = { 1, 2, 3 };
    const int64_t shape[1] = { 3 };
    ck_assert_int_eq(nninit_npy_save(in_dir("link.npy"), v, NNINIT_F64, shape, 1, NULL, NULL, 0), NNINIT_OK);
    struct stat st;
    ck_assert(lstat(in_dir("link.npy"), &st) == 0);
    ck_assert_msg(S_ISLNK(st.st_mode), "the symbolic link was replaced by a file");
    size_t len;
    unsigned char *b = nt_read_file(in_dir("real.npy"), &len);
    npy_file f = parse_npy(b, len, "real.npy");
    ck_assert_str_eq(f.dict, dict_for("<f8", "(3,)"));
    ck_assert(f.data_len == sizeof v && memcmp(b + f.data_off, v, sizeof v) == 0);
    free(b);
    ck_assert_str_eq(listing(), "link.npy/real.npy");
}
END_TEST

/* ---- special files ---------------------------------------------------------------- */
static unsigned char *reference_bytes(const float *v, const int64_t *shape, int ndim, size_t *len)
{
    ck_assert_int_eq(nninit_npy_save(in_dir("ref.npy"), v, NNINIT_F32, shape, ndim, NULL, NULL, 0), NNINIT_OK);
    unsigned char *b = nt_read_file(in_dir("ref.npy"), len);
    unlink(in_dir("ref.npy"));
    return b;
}

START_TEST(test_dev_null_and_full)
{
    static float v[100000];
    const int64_t shape[1] = { 100000 };
    ck_assert_int_eq(nninit_npy_save("/dev/null", v, NNINIT_F32, shape, 1, NULL, NULL, 0), NNINIT_OK);
    struct stat st;
    ck_assert(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));
    if (access("/dev/full", W_OK) == 0) {
        errno = 0;
        ck_assert_int_eq(nninit_npy_save("/dev/full", v, NNINIT_F32, shape, 1, NULL, NULL, 0), NNINIT_E_IO);
        ck_assert_msg(errno == ENOSPC, "/dev/full: errno %d (%s)", errno, strerror(errno));
        ck_assert(stat("/dev/full", &st) == 0 && S_ISCHR(st.st_mode));
    }
}
END_TEST

START_TEST(test_fifo)
{
    float v[50];
    for (int i = 0; i < 50; i++) v[i] = (float)i;
    const int64_t shape[2] = { 5, 10 };
    size_t want_len;
    unsigned char *want = reference_bytes(v, shape, 2, &want_len);
    const char *fifo = in_dir("pipe");
    ck_assert(mkfifo(fifo, 0600) == 0);
    /* a reader first, so the writer's open does not block; the file is far
     * smaller than the pipe's buffer */
    int rfd = open(fifo, O_RDONLY | O_NONBLOCK);
    ck_assert(rfd >= 0);
    ck_assert_int_eq(nninit_npy_save(fifo, v, NNINIT_F32, shape, 2, NULL, NULL, 0), NNINIT_OK);
    unsigned char got[4096];
    size_t n = 0;
    for (;;) {
        ssize_t r = read(rfd, got + n, sizeof got - n);
        if (r <= 0) break;
        n += (size_t)r;
    }
    close(rfd);
    ck_assert_uint_eq(n, want_len);
    ck_assert(memcmp(got, want, n) == 0);
    free(want);
    struct stat st;
    ck_assert(lstat(fifo, &st) == 0 && S_ISFIFO(st.st_mode));
    ck_assert_str_eq(listing(), "pipe");
}
END_TEST

/* "-" is standard output, whatever it is: here a regular file, then a pipe. */
START_TEST(test_stdout)
{
    float v[6] = { 1, 2, 3, 4, 5, 6 };
    const int64_t shape[2] = { 2, 3 };
    size_t want_len;
    unsigned char *want = reference_bytes(v, shape, 2, &want_len);

    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    ck_assert(saved >= 0);
    int fd = open(in_dir("out"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ck_assert(fd >= 0);
    dup2(fd, STDOUT_FILENO);
    close(fd);
    nninit_status st = nninit_npy_save("-", v, NNINIT_F32, shape, 2, NULL, NULL, 0);
    dup2(saved, STDOUT_FILENO);
    ck_assert_int_eq(st, NNINIT_OK);
    size_t len;
    unsigned char *b = nt_read_file(in_dir("out"), &len);
    ck_assert(len == want_len && memcmp(b, want, len) == 0);
    free(b);

    int p[2];
    ck_assert(pipe(p) == 0);
    dup2(p[1], STDOUT_FILENO);
    close(p[1]);
    st = nninit_npy_save("-", v, NNINIT_F32, shape, 2, NULL, NULL, 0);
    dup2(saved, STDOUT_FILENO);  /* also closes the last write end */
    close(saved);
    ck_assert_int_eq(st, NNINIT_OK);
    unsigned char got[4096];
    size_t n = 0;
    for (;;) {
        ssize_t r = read(p[0], got + n, sizeof got - n);
        if (r <= 0) break;
        n += (size_t)r;
    }
    close(p[0]);
    ck_assert(n == want_len && memcmp(got, want, n) == 0);
    free(want);
    ck_assert_str_eq(listing(), "out");
}
END_TEST

/* ---- bad input ------------------------------------------------------------------------ */
START_TEST(test_bad_inputs)
{
    const char *path = in_dir("w.npy");
    write_text(path, "old contents");
    static float v[64];
    const int64_t two = (int64_t)1 << 32;
    const struct {
        const char *what;
        const char *path;
        const void *data;
        nninit_dtype dt;
        int64_t shape[9];
        int ndim;
        int null_shape;
        nninit_status want;
    } t[] = {
        { "NULL path", NULL, v, NNINIT_F32, { 2 }, 1, 0, NNINIT_E_NULL },
        { "NULL data, 3 elements", path, NULL, NNINIT_F32, { 3 }, 1, 0, NNINIT_E_NULL },
        { "NULL data, 0-D (one element)", path, NULL, NNINIT_F32, { 0 }, 0, 0, NNINIT_E_NULL },
        { "NULL shape, ndim 2", path, v, NNINIT_F32, { 0 }, 2, 1, NNINIT_E_NULL },
        { "dtype 4", path, v, (nninit_dtype)4, { 2 }, 1, 0, NNINIT_E_DTYPE },
        { "dtype -1", path, v, (nninit_dtype)-1, { 2 }, 1, 0, NNINIT_E_DTYPE },
        { "dtype 7", path, v, (nninit_dtype)7, { 2 }, 1, 0, NNINIT_E_DTYPE },
        { "ndim -1", path, v, NNINIT_F32, { 2 }, -1, 0, NNINIT_E_SHAPE },
        { "ndim 9", path, v, NNINIT_F32, { 1, 1, 1, 1, 1, 1, 1, 1, 1 }, 9, 0, NNINIT_E_SHAPE },
        { "negative size", path, v, NNINIT_F32, { 2, -1 }, 2, 0, NNINIT_E_SHAPE },
        { "negative size beside a zero", path, v, NNINIT_F32, { 0, -3 }, 2, 0, NNINIT_E_SHAPE },
        { "INT64_MIN size", path, v, NNINIT_F32, { INT64_MIN }, 1, 0, NNINIT_E_SHAPE },
        { "2^32 x 2^32 elements", path, v, NNINIT_F32, { two, two }, 2, 0, NNINIT_E_SHAPE },
        { "INT64_MAX x 3 elements", path, v, NNINIT_F64, { INT64_MAX, 3 }, 2, 0, NNINIT_E_SHAPE },
        { "2^62 f32 (2^64 bytes)", path, v, NNINIT_F32, { (int64_t)1 << 62 }, 1, 0, NNINIT_E_OVERFLOW },
        { "2^61 x 2 f64", path, v, NNINIT_F64, { (int64_t)1 << 61, 2 }, 2, 0, NNINIT_E_OVERFLOW },
        { "INT64_MAX f32", path, v, NNINIT_F32, { INT64_MAX }, 1, 0, NNINIT_E_OVERFLOW },
    };
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++) {
        nninit_status st = nninit_npy_save(t[k].path, t[k].data, t[k].dt, t[k].null_shape ? NULL : t[k].shape,
                                           t[k].ndim, NULL, NULL, 0);
        ck_assert_msg(st == t[k].want, "%s: %s, expected %s", t[k].what, nninit_status_str(st),
                      nninit_status_str(t[k].want));
        size_t len;
        unsigned char *b = nt_read_file(path, &len);
        ck_assert_msg(len == 12 && memcmp(b, "old contents", 12) == 0, "%s: the existing file changed", t[k].what);
        free(b);
        ck_assert_msg(strcmp(listing(), "w.npy") == 0, "%s: directory holds %s", t[k].what, listing());
    }
    /* the edges that are fine: NULL shape with ndim 0, 8 dimensions */
    ck_assert_int_eq(nninit_npy_save(path, v, NNINIT_F32, NULL, 0, NULL, NULL, 0), NNINIT_OK);
    const int64_t s8[8] = { 1, 1, 1, 1, 1, 1, 1, 1 };
    ck_assert_int_eq(nninit_npy_save(path, v, NNINIT_F32, s8, 8, NULL, NULL, 0), NNINIT_OK);
    ck_assert_str_eq(listing(), "w.npy");
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("npy");
    TCase *tc = nt_tcase("npy");
    tcase_add_checked_fixture(tc, dir_setup, dir_teardown);
    tcase_add_test(tc, test_header_bytes);
    tcase_add_test(tc, test_exact_file);
    tcase_add_test(tc, test_dtypes_and_data);
    tcase_add_test(tc, test_empty_and_long_headers);
    tcase_add_test(tc, test_replaces_existing_file);
    tcase_add_test(tc, test_new_file_mode_follows_umask);
    tcase_add_test(tc, test_failed_write_keeps_old_file);
    tcase_add_test(tc, test_unwritable_targets);
    tcase_add_test(tc, test_symlink_written_through);
    tcase_add_test(tc, test_dev_null_and_full);
    tcase_add_test(tc, test_fifo);
    tcase_add_test(tc, test_stdout);
    tcase_add_test(tc, test_bad_inputs);
    suite_add_tcase(s, tc);
    return s;
}

NNINIT_TEST_MAIN
