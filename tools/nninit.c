/* nninit: the command-line program, a thin layer over the public API.
 *
 *   nninit fill --shape 64,3,7,7 --init "kaiming_normal(mode=fan_out)" --seed 7 --dtype bf16 -o w.npy
 *   nninit init examples/models/gpt2-124m.json -o gpt2.safetensors [--dtype bf16] [--from ckpt.safetensors]
 *   nninit schemes
 *   nninit --version | help
 *
 * Exit status: 0 success, 1 runtime failure (the library rejected the spec or
 * the shape, the file could not be written, out of memory), 2 usage error
 * (unknown command or option, missing or malformed value). Messages go to
 * stderr as "nninit: <command>: <what>: <why>"; only data and help go to
 * stdout. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <omp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "nninit.h"

enum { EXIT_FAIL = 1, EXIT_USAGE = 2 };

static const char usage_text[] =
    "usage: nninit <command> [options]\n"
    "\n"
    "commands:\n"
    "  init       initialize every tensor of a JSON model spec; write a .safetensors file\n"
    "             (or a directory of .npy files); 'nninit help init' for its options\n"
    "  fill       initialize one tensor and write it as a NumPy .npy file\n"
    "  schemes    list the init schemes with every parameter at its default\n"
    "  help       this text (also -h, --help); 'nninit help fill' for fill's options\n"
    "  version    the version (also --version)\n";

static const char fill_usage_text[] =
    "usage: nninit fill --shape SHAPE --init SPEC -o FILE [--dtype DTYPE] [--seed N] [--stream N | --name NAME]\n"
    "\n"
    "  --shape SHAPE      sizes separated by ',' or 'x': 64,3,7,7 or 64x3x7x7 (row-major);\n"
    "                     'scalar' or '' for a 0-D tensor\n"
    "  --init SPEC        init spec, e.g. \"kaiming_normal(mode=fan_out)\" (see 'nninit schemes')\n"
    "  -o, --output FILE  the .npy file to write, replaced atomically; '-' is standard output\n"
    "  --dtype DTYPE      f32 (default), f64, f16, or bf16 (stored as uint16 raw bits)\n"
    "  --seed N           the generator's key, any unsigned 64-bit integer (default 0)\n"
    "  --stream N         the stream, an unsigned 64-bit integer (default 0)\n"
    "  --name NAME        the stream of tensor NAME: nninit_stream_id(NAME) (excludes --stream)\n"
    "\n"
    "Numbers are decimal, or hexadecimal with a 0x prefix. Options take their value as the\n"
    "next argument or after '=' (--seed=7).\n";

/* ---- messages ------------------------------------------------------------------- */
static void vmessage(const char *cmd, const char *fmt, va_list ap)
{
    fputs("nninit: ", stderr);
    if (cmd) fprintf(stderr, "%s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

/* A usage error: the message, a pointer to the help, exit status 2. */
static int PRINTF_LIKE(2, 3) usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(cmd, fmt, ap);
    va_end(ap);
    int sub = cmd && (strcmp(cmd, "fill") == 0 || strcmp(cmd, "init") == 0);
    fprintf(stderr, "Try 'nninit %s%s--help'.\n", sub ? cmd : "", sub ? " " : "");
    return EXIT_USAGE;
}

/* A runtime failure: the message, exit status 1. */
static int PRINTF_LIKE(2, 3) failure(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(cmd, fmt, ap);
    va_end(ap);
    return EXIT_FAIL;
}

/* ---- strict number and shape parsing -------------------------------------------
 * strtoull alone accepts leading spaces, a sign ("-1" is 2^64 - 1) and
 * trailing junk; here a number is digits only (0x + hex digits allowed),
 * consumed entirely, in range. */
static int parse_u64(const char *s, uint64_t *out)
{
    int base = 10;
    const char *digits = s;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) { base = 16; digits = s + 2; }
    if (base == 10 ? !(*digits >= '0' && *digits <= '9')
                   : !((*digits >= '0' && *digits <= '9') || (*digits >= 'a' && *digits <= 'f') ||
                       (*digits >= 'A' && *digits <= 'F')))
        return 0;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(digits, &end, base);
    if (errno == ERANGE || *end != '\0' || v > UINT64_MAX) return 0;
    *out = (uint64_t)v;
    return 1;
}

/* One size of a shape: decimal digits only, at most INT64_MAX. Returns 0 if
 * [s, s + len) is not such a size; *too_big says it was digits, but too many. */
static int parse_size(const char *s, size_t len, int64_t *out, int *too_big)
{
    char buf[32];
    *too_big = 0;
    if (len == 0) return 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    if (len >= sizeof buf) { *too_big = 1; return 0; }
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    char *end;
    long long v = strtoll(buf, &end, 10);
    if (errno == ERANGE || v > INT64_MAX) { *too_big = 1; return 0; }
    *out = (int64_t)v;
    return 1;
}

/* "64,3,7,7" or "64x3x7x7" (or a mix); "" and "scalar" are 0-D. Prints its
 * own message; returns 0 on success, else an exit status. */
static int parse_shape(const char *s, int64_t shape[NNINIT_MAX_DIMS], int *ndim)
{
    *ndim = 0;
    if (s[0] == '\0' || strcmp(s, "scalar") == 0) return 0;
    const char *p = s;
    for (;;) {
        size_t len = strcspn(p, ",x");
        int64_t v;
        int too_big;
        if (!parse_size(p, len, &v, &too_big)) {
            if (too_big) return usage_error("fill", "--shape: '%s': size '%.*s' is too large", s, (int)len, p);
            return usage_error("fill", "--shape: '%s' is not a list of sizes", s);
        }
        if (*ndim == NNINIT_MAX_DIMS)
            return usage_error("fill", "--shape: '%s' has more than %d sizes", s, NNINIT_MAX_DIMS);
        shape[(*ndim)++] = v;
        if (p[len] == '\0') return 0;
        p += len + 1;
    }
}

static int parse_dtype(const char *s, nninit_dtype *dt)
{
    static const struct { const char *name; nninit_dtype dt; } names[] = {
        { "f32", NNINIT_F32 }, { "float32", NNINIT_F32 }, { "f64", NNINIT_F64 }, { "float64", NNINIT_F64 },
        { "bf16", NNINIT_BF16 }, { "bfloat16", NNINIT_BF16 }, { "f16", NNINIT_F16 }, { "float16", NNINIT_F16 },
    };
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (strcmp(s, names[k].name) == 0) { *dt = names[k].dt; return 1; }
    return 0;
}

/* ---- option scanning --------------------------------------------------------------
 * "--opt value", "--opt=value", "-o value". */
typedef struct {
    const char *long_name;  /* "--shape" */
    const char *short_name; /* "-o" or NULL */
    const char *value;      /* NULL until given */
} option;

/* Matches argv[*i] against opts; on success stores the value and advances *i.
 * Returns 0, or an exit status after printing why. */
static int take_option(const char *cmd, option *opts, size_t n_opts, int argc, char **argv, int *i)
{
    const char *arg = argv[*i];
    for (size_t k = 0; k < n_opts; k++) {
        const char *name = opts[k].long_name;
        size_t len = strlen(name);
        const char *value = NULL;
        int matched = 0;
        if (strncmp(arg, name, len) == 0 && (arg[len] == '\0' || arg[len] == '=')) {
            matched = 1;
            if (arg[len] == '=') value = arg + len + 1;
        } else if (opts[k].short_name && strcmp(arg, opts[k].short_name) == 0) {
            matched = 1;
            name = opts[k].short_name;
        }
        if (!matched) continue;
        if (!value) {
            if (*i + 1 >= argc) return usage_error(cmd, "%s needs a value", name);
            value = argv[++*i];
        }
        if (opts[k].value) return usage_error(cmd, "%s given twice", opts[k].long_name);
        opts[k].value = value;
        return 0;
    }
    if (arg[0] == '-' && arg[1] != '\0') return usage_error(cmd, "unknown option '%s'", arg);
    return usage_error(cmd, "unexpected argument '%s'", arg);
}

/* ---- fill ---------------------------------------------------------------------------- */
static int cmd_fill(int argc, char **argv)
{
    enum { O_SHAPE, O_INIT, O_OUTPUT, O_DTYPE, O_SEED, O_STREAM, O_NAME, N_OPTS };
    option opts[N_OPTS] = {
        [O_SHAPE] = { "--shape", NULL, NULL },   [O_INIT] = { "--init", NULL, NULL },
        [O_OUTPUT] = { "--output", "-o", NULL }, [O_DTYPE] = { "--dtype", NULL, NULL },
        [O_SEED] = { "--seed", NULL, NULL },     [O_STREAM] = { "--stream", NULL, NULL },
        [O_NAME] = { "--name", NULL, NULL },
    };
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(fill_usage_text, stdout);
            return 0;
        }
        int rc = take_option("fill", opts, N_OPTS, argc, argv, &i);
        if (rc) return rc;
    }
    if (!opts[O_SHAPE].value) return usage_error("fill", "--shape is required");
    if (!opts[O_INIT].value) return usage_error("fill", "--init is required");
    if (!opts[O_OUTPUT].value) return usage_error("fill", "-o/--output is required ('-' for standard output)");
    if (opts[O_STREAM].value && opts[O_NAME].value)
        return usage_error("fill", "--stream and --name both choose the stream: give one");

    int64_t shape[NNINIT_MAX_DIMS];
    int ndim;
    int rc = parse_shape(opts[O_SHAPE].value, shape, &ndim);
    if (rc) return rc;
    nninit_dtype dtype = NNINIT_F32;
    if (opts[O_DTYPE].value && !parse_dtype(opts[O_DTYPE].value, &dtype))
        return usage_error("fill", "--dtype: '%s' is not one of f32, f64, bf16, f16", opts[O_DTYPE].value);
    nninit_rng rng = { 0, 0 };
    if (opts[O_SEED].value && !parse_u64(opts[O_SEED].value, &rng.seed))
        return usage_error("fill", "--seed: '%s' is not an unsigned 64-bit integer", opts[O_SEED].value);
    if (opts[O_STREAM].value && !parse_u64(opts[O_STREAM].value, &rng.stream))
        return usage_error("fill", "--stream: '%s' is not an unsigned 64-bit integer", opts[O_STREAM].value);
    if (opts[O_NAME].value) rng.stream = nninit_stream_id(opts[O_NAME].value);
    const char *out = opts[O_OUTPUT].value;
    if (strcmp(out, "-") == 0 && isatty(STDOUT_FILENO))
        return usage_error("fill", "-o -: standard output is a terminal; redirect it or give a file name");

    size_t count = 1;
    for (int d = 0; d < ndim; d++) {
        if (shape[d] == 0) { count = 0; break; }
        if ((uint64_t)shape[d] > SIZE_MAX / count)
            return usage_error("fill", "--shape: '%s' has too many elements", opts[O_SHAPE].value);
        count *= (size_t)shape[d];
    }
    size_t elem = nninit_dtype_size(dtype);
    if (count > SIZE_MAX / elem)
        return usage_error("fill", "--shape: '%s' has too many elements", opts[O_SHAPE].value);
    void *data = malloc(count ? count * elem : 1);
    if (!data) return failure("fill", "out of memory (%zu bytes for the tensor)", count * elem);

    char msg[512];
    nninit_status st = nninit_init_msg(data, dtype, shape, ndim, opts[O_INIT].value, rng, msg, sizeof msg);
    if (st != NNINIT_OK) {
        free(data);
        /* the library's message names the spec and the place already */
        if (msg[0]) return failure("fill", "%s", msg);
        return failure("fill", "--init '%s': %s", opts[O_INIT].value, nninit_status_str(st));
    }
    st = nninit_npy_save(out, data, dtype, shape, ndim, NULL, NULL, 0);
    int err = errno;
    free(data);
    if (st == NNINIT_E_IO)
        return failure("fill", "cannot write '%s': %s", strcmp(out, "-") == 0 ? "standard output" : out,
                       strerror(err));
    if (st != NNINIT_OK) return failure("fill", "cannot write '%s': %s", out, nninit_status_str(st));
    return 0;
}

/* ---- init ---------------------------------------------------------------------------------
 * A whole model: load the JSON spec, initialize every tensor into one arena
 * (optionally loading some from a checkpoint), write them as one safetensors
 * file or a directory of .npy files. */
static const char init_usage_text[] =
    "usage: nninit init SPEC.json -o OUT [options]\n"
    "\n"
    "Initializes every tensor of a JSON model spec (docs/MODELS.md) and writes them.\n"
    "\n"
    "  -o, --output OUT         where to write; replaced atomically (a failed or interrupted run\n"
    "                           leaves no partial OUT); '-' is standard output (safetensors only);\n"
    "                           devices such as /dev/null are written directly\n"
    "  --format FORMAT          safetensors (default): one file with metadata nninit_version, seed,\n"
    "                           spec (the canonical spec JSON) and format=pt;\n"
    "                           npy: a directory OUT/ with one NAME.npy per tensor (bytes of NAME\n"
    "                           outside A-Z a-z 0-9 . _ - and a leading '.' are written %XX) and\n"
    "                           __metadata__.json\n"
    "  --dtype DTYPE            every tensor in f32, f64, bf16 or f16 (default: the spec's)\n"
    "  --seed N                 the seed (default: the spec's), unsigned 64-bit\n"
    "  --threads N              OpenMP threads (default: the OpenMP default, OMP_NUM_THREADS)\n"
    "  --stats                  after init, a table per tensor: shape, init, mean, std, min, max of\n"
    "                           the values (computed in double), the std the scheme should give, the\n"
    "                           init (standard output; standard error with -o -)\n"
    "  --quiet, -q              no progress bar, summary or --from report (errors only)\n"
    "  --from CKPT.safetensors  load the tensors the checkpoint has (same name, same shape; f32,\n"
    "                           f64, bf16 and f16 are converted), initialize the others\n"
    "  --rename OLD=NEW         with --from: checkpoint tensor OLD+rest provides spec tensor\n"
    "                           NEW+rest (prefixes; repeatable)\n"
    "  --reinit-mismatched      with --from: initialize a tensor whose checkpoint shape differs\n"
    "                           (else that is an error)\n"
    "\n"
    "A progress bar is drawn on standard error when it is a terminal; a summary line (tensors,\n"
    "GB = 10^9 bytes, seconds, GB/s) follows the run. Exit status 0, 1 on a runtime failure\n"
    "(spec, checkpoint, memory, writing), 2 on a usage error.\n";

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + 1e-9 * (double)(t.tv_nsec - t0->tv_nsec);
}

/* ---- progress bar: redrawn in place with '\r', at most 10 times a second */
typedef struct {
    struct timespec t0;
    double last_draw; /* seconds since t0; negative before the first */
    int drawn;
} progress_bar;

static void progress_draw(void *ctx, const nninit_progress *p)
{
    progress_bar *bar = ctx;
    double t = seconds_since(&bar->t0);
    int done = p->tensors_done == p->tensors_total && p->bytes_done == p->bytes_total;
    if (!done && bar->last_draw >= 0 && t - bar->last_draw < 0.1) return;
    bar->last_draw = t;
    bar->drawn = 1;
    enum { WIDTH = 24 };
    double frac = p->bytes_total ? (double)p->bytes_done / (double)p->bytes_total
                                 : (p->tensors_total ? (double)p->tensors_done / (double)p->tensors_total : 1.0);
    int fill = (int)(frac * WIDTH);
    char cells[WIDTH + 1];
    for (int k = 0; k < WIDTH; k++) cells[k] = k < fill ? '#' : '.';
    cells[WIDTH] = '\0';
    double rate = t > 0 ? (double)p->bytes_done / t : 0;
    char eta[32] = "--";
    if (rate > 0) {
        double left = (double)(p->bytes_total - p->bytes_done) / rate;
        snprintf(eta, sizeof eta, "%d:%02d", (int)(left / 60), (int)fmod(left, 60));
    }
    fprintf(stderr, "\r[%s] %zu/%zu tensors  %.2f/%.2f GB  %.2f GB/s  ETA %s\033[K", cells, p->tensors_done,
            p->tensors_total, 1e-9 * (double)p->bytes_done, 1e-9 * (double)p->bytes_total, 1e-9 * rate, eta);
    fflush(stderr);
}

/* ---- npy directory -------------------------------------------------------------------------
 * A tensor name becomes a file name by percent-encoding every byte outside
 * [A-Za-z0-9._-], and a leading '.', so names with '/', spaces or UTF-8
 * map one to one onto file names ("h.0/attn w" -> "h.0%2Fattn%20w.npy"),
 * none is "." or "..", and the encoding is reversed by URL-unquoting. */
static int npy_file_name(const char *name, char *buf, size_t size)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t j = 0;
    for (size_t i = 0; name[i]; i++) {
        unsigned char c = (unsigned char)name[i];
        int keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                   c == '-' || (c == '.' && i > 0);
        if (j + 4 >= size) return 0;
        if (keep) buf[j++] = (char)c;
        else { buf[j++] = '%'; buf[j++] = hex[c >> 4]; buf[j++] = hex[c & 15]; }
    }
    if (j + 5 > size) return 0;
    memcpy(buf + j, ".npy", 5);
    return 1;
}

/* Whether an existing directory looks like an earlier `--format npy` output
 * (only *.npy files and __metadata__.json): only such a directory is replaced. */
static int is_npy_output_dir(const char *path, char *odd, size_t odd_size)
{
    DIR *d = opendir(path);
    if (!d) { snprintf(odd, odd_size, "%s", strerror(errno)); return 0; }
    struct dirent *e;
    int ok = 1;
    while (ok && (e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        size_t len = strlen(n);
        if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0 || strcmp(n, "__metadata__.json") == 0) continue;
        if (len > 4 && strcmp(n + len - 4, ".npy") == 0) continue;
        snprintf(odd, odd_size, "it holds '%s'", n);
        ok = 0;
    }
    closedir(d);
    return ok;
}

/* Removes a directory holding only files (our temporary or replaced output). */
static void remove_flat_dir(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        int fd = dirfd(d);
        struct dirent *e;
        while ((e = readdir(d)) != NULL)
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) unlinkat(fd, e->d_name, 0);
        closedir(d);
    }
    rmdir(path);
}

/* Checks before any work that OUT can become the npy directory. */
static int npy_precheck(const char *out)
{
    struct stat sb;
    if (lstat(out, &sb) != 0) return errno == ENOENT ? 0 : failure("init", "'%s': %s", out, strerror(errno));
    if (!S_ISDIR(sb.st_mode))
        return failure("init", "--format npy writes a directory, and '%s' exists and is not one", out);
    char odd[300];
    if (!is_npy_output_dir(out, odd, sizeof odd))
        return failure("init", "'%s' is a directory nninit did not write (%s); not replacing it", out, odd);
    return 0;
}

static int write_text_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return -1;
    size_t len = strlen(text), off = 0;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0) { if (errno == EINTR) continue; int e = errno; close(fd); errno = e; return -1; }
        off += (size_t)w;
    }
    if (fsync(fd) != 0) { int e = errno; close(fd); errno = e; return -1; }
    return close(fd);
}

static void fsync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) { fsync(fd); close(fd); }
}

/* SIGINT/SIGTERM/SIGHUP while the npy directory is written: noted, acted on
 * between two tensors (temporary directory removed, then the signal's
 * default action), so an interrupted run leaves neither OUT nor the temporary. */
static volatile sig_atomic_t stop_signal;
static void note_signal(int sig) { stop_signal = sig; }
static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };

static void catch_stop_signals(int on)
{
    for (size_t k = 0; k < sizeof stop_signals / sizeof stop_signals[0]; k++) {
        struct sigaction sa = { .sa_handler = on ? note_signal : SIG_DFL };
        sigemptyset(&sa.sa_mask);
        sigaction(stop_signals[k], &sa, NULL);
    }
}

/* Writes every tensor as OUT/NAME.npy, plus OUT/__metadata__.json, into a
 * hidden temporary directory next to OUT, renamed into place when complete
 * (an earlier npy output at OUT is swapped out, then removed). */
static int write_npy_dir(const char *out, const nninit_model *model, const nninit_arena *arena, const char *meta)
{
    size_t len = strlen(out);
    while (len > 1 && out[len - 1] == '/') len--;   /* "dir/" names dir */
    char *target = malloc(len + 1);
    char *tmp = malloc(len + 32);
    char *path = malloc(len + 32 + 1024);
    int rc = 0;
    if (!target || !tmp || !path) { rc = failure("init", "out of memory"); goto done; }
    memcpy(target, out, len);
    target[len] = '\0';
    const char *slash = strrchr(target, '/');
    size_t dir_len = slash ? (size_t)(slash - target) + 1 : 0;
    snprintf(tmp, len + 32, "%.*s.%s.tmp-XXXXXX", (int)dir_len, target, target + dir_len);
    catch_stop_signals(1);
    if (!mkdtemp(tmp)) { rc = failure("init", "cannot create a directory next to '%s': %s", target, strerror(errno)); goto done; }
    mode_t mask = umask(0);   /* mkdtemp makes it 0700; OUT gets a plain mkdir's mode */
    umask(mask);
    chmod(tmp, 0777 & ~mask);

    for (size_t i = 0; i < nninit_model_count(model); i++) {
        nninit_model_tensor t;
        nninit_model_tensor_info(model, i, &t);
        char file[256];
        if (!npy_file_name(t.name, file, sizeof file)) {
            rc = failure("init", "tensor '%s': the name is too long for a file name", t.name);
            goto fail;
        }
        snprintf(path, len + 32 + 1024, "%s/%s", tmp, file);
        if (stop_signal) goto fail;
        nninit_status st = nninit_npy_save(path, nninit_arena_tensor(arena, i), t.dtype, t.shape, t.ndim, NULL, NULL, 0);
        if (st != NNINIT_OK) {
            rc = failure("init", "cannot write '%s/%s': %s", target, file,
                         st == NNINIT_E_IO ? strerror(errno) : nninit_status_str(st));
            goto fail;
        }
    }
    snprintf(path, len + 32 + 1024, "%s/__metadata__.json", tmp);
    if (write_text_file(path, meta) != 0) {
        rc = failure("init", "cannot write '%s/__metadata__.json': %s", target, strerror(errno));
        goto fail;
    }
    fsync_dir(tmp);
    if (stop_signal) goto fail;
    if (rename(tmp, target) == 0) goto synced;
    if (errno != EEXIST && errno != ENOTEMPTY) {
        rc = failure("init", "cannot rename the new directory to '%s': %s", target, strerror(errno));
        goto fail;
    }
    /* OUT appeared or was there: replace it only if it still looks like ours */
    if (npy_precheck(target) != 0) { rc = EXIT_FAIL; goto fail; }
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, target, RENAME_EXCHANGE) != 0) {
        rc = failure("init", "cannot replace '%s': %s", target, strerror(errno));
        goto fail;
    }
    remove_flat_dir(tmp);   /* now the old output */
synced:
    snprintf(path, len + 32 + 1024, "%.*s", dir_len ? (int)dir_len : 1, dir_len ? target : ".");
    fsync_dir(path);
    goto done;
fail:
    remove_flat_dir(tmp);
done:
    free(target);
    free(tmp);
    free(path);
    catch_stop_signals(0);
    if (stop_signal) raise(stop_signal);
    return rc;
}

/* ---- --stats ------------------------------------------------------------------------------ */
static double half_to_double(uint16_t h)
{
    int e = (h >> 10) & 31, m = h & 1023;
    double v = e == 0 ? ldexp(m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexp(m + 1024, e - 25);
    return h & 0x8000 ? -v : v;
}

static inline double element(const void *data, nninit_dtype dt, size_t i)
{
    switch (dt) {
    case NNINIT_F32: return ((const float *)data)[i];
    case NNINIT_F64: return ((const double *)data)[i];
    case NNINIT_BF16: {
        uint32_t b = (uint32_t)((const uint16_t *)data)[i] << 16;
        float f;
        memcpy(&f, &b, sizeof f);
        return f;
    }
    default: return half_to_double(((const uint16_t *)data)[i]);
    }
}

/* Mean and population std in two passes (a one-pass sum of squares loses the
 * std of tensors far from zero, e.g. ones + small noise), min and max. */
static void moments(const void *data, nninit_dtype dt, size_t n, double out[4])
{
    double sum = 0, mn = INFINITY, mx = -INFINITY;
#pragma omp parallel for reduction(+ : sum) reduction(min : mn) reduction(max : mx) schedule(static)
    for (size_t i = 0; i < n; i++) {
        double v = element(data, dt, i);
        sum += v;
        if (v < mn) mn = v;
        if (v > mx) mx = v;
    }
    double mean = n ? sum / (double)n : NAN, ss = 0;
#pragma omp parallel for reduction(+ : ss) schedule(static)
    for (size_t i = 0; i < n; i++) {
        double d = element(data, dt, i) - mean;
        ss += d * d;
    }
    out[0] = mean;
    out[1] = n ? sqrt(ss / (double)n) : NAN;
    out[2] = n ? mn : NAN;
    out[3] = n ? mx : NAN;
}

static void format_shape(const int64_t *shape, int ndim, char *buf, size_t size)
{
    size_t j = (size_t)snprintf(buf, size, "[");
    for (int d = 0; d < ndim && j < size; d++)
        j += (size_t)snprintf(buf + j, size - j, "%s%" PRId64, d ? "," : "", shape[d]);
    if (j < size) snprintf(buf + j, size - j, "]");
}

/* Characters in a UTF-8 string (bytes that do not continue a sequence), so
 * columns line up on a terminal. */
static int utf8_width(const char *s)
{
    int w = 0;
    for (; *s; s++) w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

static void print_stats(FILE *f, const nninit_model *model, const nninit_arena *arena, const nninit_source *source)
{
    size_t n = nninit_model_count(model);
    int wn = 4, ws = 5;
    char shape[256];
    for (size_t i = 0; i < n; i++) {
        nninit_model_tensor t;
        nninit_model_tensor_info(model, i, &t);
        format_shape(t.shape, t.ndim, shape, sizeof shape);
        if (utf8_width(t.name) > wn) wn = utf8_width(t.name);
        if ((int)strlen(shape) > ws) ws = (int)strlen(shape);
    }
    if (wn > 60) wn = 60;   /* longer names push their row's columns right */
    fprintf(f, "%-*s  %-4s  %-*s  %13s  %13s  %13s  %13s  %13s  %s\n", wn, "name", "type", ws, "shape", "mean",
            "std", "min", "max", "expected_std", "init");
    for (size_t i = 0; i < n; i++) {
        nninit_model_tensor t;
        nninit_model_tensor_info(model, i, &t);
        format_shape(t.shape, t.ndim, shape, sizeof shape);
        int loaded = source && (source[i] == NNINIT_FROM_LOADED || source[i] == NNINIT_FROM_RENAMED);
        double m[4];
        moments(nninit_arena_tensor(arena, i), t.dtype, t.count, m);
        char expected[32] = "-";
        nninit_plan plan;
        char msg[256];
        if (!loaded && nninit_scheme_plan(&t.scheme, t.shape, t.ndim, &plan, msg, sizeof msg) == NNINIT_OK)
            snprintf(expected, sizeof expected, "%.6g", plan.expected_std);
        int pad = wn - utf8_width(t.name);
        fprintf(f, "%s%*s  %-4s  %-*s  %13.6g  %13.6g  %13.6g  %13.6g  %13s  %s\n", t.name, pad > 0 ? pad : 0, "",
                nninit_dtype_name(t.dtype), ws, shape, m[0], m[1], m[2], m[3], expected, loaded ? "(loaded)" : t.init);
    }
}

/* ---- --from report ------------------------------------------------------------------------
 * The checkpoint name a spec tensor was (or would be) loaded from: through the
 * first rename whose NEW prefix it has and whose OLD name the checkpoint holds,
 * else its own name. */
static long ckpt_index_for(const nninit_st_file *ck, const char *name, const char *const *renames, char *buf,
                           size_t size)
{
    for (size_t r = 0; renames && renames[r]; r++) {
        const char *eq = strchr(renames[r], '=');
        size_t new_len = strlen(eq + 1);
        if (strncmp(name, eq + 1, new_len) != 0) continue;
        snprintf(buf, size, "%.*s%s", (int)(eq - renames[r]), renames[r], name + new_len);
        long j = nninit_st_find(ck, buf);
        if (j >= 0) return j;
    }
    snprintf(buf, size, "%s", name);
    return nninit_st_find(ck, name);
}

static void print_from_report(const char *from, const nninit_model *model, const nninit_st_file *ck,
                              const char *const *renames, const nninit_source *source,
                              const unsigned char *used)
{
    size_t n = nninit_model_count(model), nck = nninit_st_count(ck);
    size_t count[4] = { 0 }, unused = 0;
    for (size_t i = 0; i < n; i++) count[source[i] <= 3 ? source[i] : 0]++;
    for (size_t j = 0; j < nck; j++) unused += !used[j];
    fprintf(stderr, "nninit: init: from '%s': %zu loaded, %zu renamed, %zu reinitialized (shape mismatch), "
                    "%zu initialized (not in the checkpoint); %zu of its %zu tensors unused\n",
            from, count[NNINIT_FROM_LOADED], count[NNINIT_FROM_RENAMED], count[NNINIT_FROM_MISMATCHED],
            count[NNINIT_FROM_INIT], unused, nck);
    /* Each kind is listed up to LIST_MAX tensors (a renamed prefix can cover a
     * whole model), then counted. */
    enum { LIST_MAX = 10 };
    static const nninit_source kinds[] = { NNINIT_FROM_RENAMED, NNINIT_FROM_MISMATCHED, NNINIT_FROM_INIT };
    char buf[1024], s1[256], s2[256];
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        size_t listed = 0;
        for (size_t i = 0; i < n; i++) {
            if (source[i] != kinds[k] || listed++ >= LIST_MAX) continue;
            nninit_model_tensor t;
            nninit_model_tensor_info(model, i, &t);
            if (kinds[k] == NNINIT_FROM_RENAMED) {
                ckpt_index_for(ck, t.name, renames, buf, sizeof buf);
                fprintf(stderr, "  renamed       %s <- %s\n", t.name, buf);
            } else if (kinds[k] == NNINIT_FROM_MISMATCHED) {
                long j = ckpt_index_for(ck, t.name, renames, buf, sizeof buf);
                nninit_tensor ct;
                format_shape(t.shape, t.ndim, s1, sizeof s1);
                if (j >= 0) {
                    nninit_st_tensor(ck, (size_t)j, &ct);
                    format_shape(ct.shape, ct.ndim, s2, sizeof s2);
                } else snprintf(s2, sizeof s2, "?");
                fprintf(stderr, "  reinitialized %s: spec %s, checkpoint '%s' %s\n", t.name, s1, buf, s2);
            } else {
                fprintf(stderr, "  initialized   %s (%s)\n", t.name, t.init);
            }
        }
        if (listed > LIST_MAX)
            fprintf(stderr, "  ... and %zu more %s\n", listed - LIST_MAX,
                    kinds[k] == NNINIT_FROM_RENAMED ? "renamed" : kinds[k] == NNINIT_FROM_INIT ? "initialized"
                                                                                                : "reinitialized");
    }
    size_t listed = 0;
    for (size_t j = 0; j < nck; j++) {
        if (used[j] || listed++ >= LIST_MAX) continue;
        nninit_tensor ct;
        nninit_status st = nninit_st_tensor(ck, j, &ct);
        format_shape(ct.shape, ct.ndim, s2, sizeof s2);
        fprintf(stderr, "  unused        %s %s%s\n", ct.name, s2, st == NNINIT_E_DTYPE ? " (dtype nninit does not read)" : "");
    }
    if (listed > LIST_MAX) fprintf(stderr, "  ... and %zu more unused\n", listed - LIST_MAX);
}

/* Appends s to the JSON string being built in buf as a JSON string literal. */
static size_t json_string(char *buf, size_t size, size_t j, const char *s)
{
    if (j < size) buf[j] = '"';
    j++;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[8];
        if (c == '"' || c == '\\') snprintf(esc, sizeof esc, "\\%c", c);
        else if (c < 0x20) snprintf(esc, sizeof esc, "\\u%04x", c);
        else { esc[0] = (char)c; esc[1] = '\0'; }
        for (char *e = esc; *e; e++, j++)
            if (j < size) buf[j] = *e;
    }
    if (j < size) buf[j] = '"';
    return j + 1;
}

static int cmd_init(int argc, char **argv)
{
    enum { O_OUTPUT, O_FORMAT, O_DTYPE, O_SEED, O_THREADS, O_FROM, N_OPTS };
    option opts[N_OPTS] = {
        [O_OUTPUT] = { "--output", "-o", NULL }, [O_FORMAT] = { "--format", NULL, NULL },
        [O_DTYPE] = { "--dtype", NULL, NULL },   [O_SEED] = { "--seed", NULL, NULL },
        [O_THREADS] = { "--threads", NULL, NULL }, [O_FROM] = { "--from", NULL, NULL },
    };
    const char *spec_path = NULL;
    int stats = 0, quiet = 0, reinit = 0;
    const char **renames = calloc((size_t)argc + 1, sizeof *renames);
    size_t n_renames = 0;
    nninit_model *model = NULL;
    nninit_arena *arena = NULL;
    nninit_st_file *ck = NULL;
    nninit_source *source = NULL;
    unsigned char *used = NULL;
    char *meta = NULL;
    int rc = 0;
    if (!renames) return failure("init", "out of memory");

    for (int i = 0; i < argc && rc == 0; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(init_usage_text, stdout);
            goto cleanup;
        }
        int *flag = strcmp(a, "--stats") == 0 ? &stats
                  : strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0 ? &quiet
                  : strcmp(a, "--reinit-mismatched") == 0 ? &reinit : NULL;
        if (flag) { *flag = 1; continue; }
        if (strncmp(a, "--stats=", 8) == 0 || strncmp(a, "--quiet=", 8) == 0 ||
            strncmp(a, "--reinit-mismatched=", 20) == 0) {
            rc = usage_error("init", "%.*s takes no value", (int)strcspn(a, "="), a);
            break;
        }
        if (strcmp(a, "--rename") == 0 || strncmp(a, "--rename=", 9) == 0) {
            const char *v = a[8] == '=' ? a + 9 : NULL;
            if (!v) {
                if (i + 1 >= argc) { rc = usage_error("init", "--rename needs a value"); break; }
                v = argv[++i];
            }
            if (!strchr(v, '=')) { rc = usage_error("init", "--rename: '%s' is not OLD=NEW", v); break; }
            renames[n_renames++] = v;
            continue;
        }
        if (a[0] != '-' || a[1] == '\0') {
            if (spec_path) { rc = usage_error("init", "unexpected argument '%s' (the spec is '%s')", a, spec_path); break; }
            spec_path = a;
            continue;
        }
        rc = take_option("init", opts, N_OPTS, argc, argv, &i);
    }
    if (rc) goto cleanup;
    if (!spec_path) { rc = usage_error("init", "a model spec (JSON file) is required"); goto cleanup; }
    const char *out = opts[O_OUTPUT].value;
    if (!out) { rc = usage_error("init", "-o/--output is required ('-' for standard output)"); goto cleanup; }
    int npy = 0;
    if (opts[O_FORMAT].value) {
        if (strcmp(opts[O_FORMAT].value, "npy") == 0) npy = 1;
        else if (strcmp(opts[O_FORMAT].value, "safetensors") != 0) {
            rc = usage_error("init", "--format: '%s' is not safetensors or npy", opts[O_FORMAT].value);
            goto cleanup;
        }
    }
    nninit_dtype dtype = NNINIT_F32;
    if (opts[O_DTYPE].value && !parse_dtype(opts[O_DTYPE].value, &dtype)) {
        rc = usage_error("init", "--dtype: '%s' is not one of f32, f64, bf16, f16", opts[O_DTYPE].value);
        goto cleanup;
    }
    uint64_t seed = 0, threads = 0;
    if (opts[O_SEED].value && !parse_u64(opts[O_SEED].value, &seed)) {
        rc = usage_error("init", "--seed: '%s' is not an unsigned 64-bit integer", opts[O_SEED].value);
        goto cleanup;
    }
    if (opts[O_THREADS].value && (!parse_u64(opts[O_THREADS].value, &threads) || threads < 1 || threads > 4096)) {
        rc = usage_error("init", "--threads: '%s' is not a number from 1 to 4096", opts[O_THREADS].value);
        goto cleanup;
    }
    const char *from = opts[O_FROM].value;
    if (!from && (n_renames || reinit)) {
        rc = usage_error("init", "%s needs --from", n_renames ? "--rename" : "--reinit-mismatched");
        goto cleanup;
    }
    int to_stdout = strcmp(out, "-") == 0;
    if (to_stdout && npy) { rc = usage_error("init", "--format npy writes a directory; -o - is not one"); goto cleanup; }
    if (to_stdout && isatty(STDOUT_FILENO)) {
        rc = usage_error("init", "-o -: standard output is a terminal; redirect it or give a file name");
        goto cleanup;
    }

    char msg[1024] = "";
    nninit_status st = nninit_model_load(spec_path, &model, msg, sizeof msg);
    if (st != NNINIT_OK) {
        if (st == NNINIT_E_IO && !msg[0]) rc = failure("init", "cannot read '%s': %s", spec_path, strerror(errno));
        else rc = failure("init", "%s: %s", spec_path, msg[0] ? msg : nninit_status_str(st));
        goto cleanup;
    }
    if (opts[O_DTYPE].value && (st = nninit_model_set_dtype(model, dtype)) != NNINIT_OK) {
        rc = failure("init", "--dtype %s: %s", opts[O_DTYPE].value, nninit_status_str(st));
        goto cleanup;
    }
    if (opts[O_SEED].value) nninit_model_set_seed(model, seed);
    if (npy && (rc = npy_precheck(out)) != 0) goto cleanup;
    if (from) {
        if ((st = nninit_st_open(from, &ck, msg, sizeof msg)) != NNINIT_OK) {
            if (st == NNINIT_E_IO && !msg[0]) rc = failure("init", "--from: cannot read '%s': %s", from, strerror(errno));
            else rc = failure("init", "--from '%s': %s", from, msg[0] ? msg : nninit_status_str(st));
            goto cleanup;
        }
    }

    size_t n = nninit_model_count(model);
    uint64_t bytes = nninit_model_bytes(model);
    if ((st = nninit_arena_create(model, &arena)) != NNINIT_OK) {
        rc = failure("init", "cannot allocate %.3f GB for the tensors: %s", 1e-9 * (double)bytes,
                     nninit_status_str(st));
        goto cleanup;
    }
    progress_bar bar = { .last_draw = -1 };
    nninit_run_options run = { .threads = (int)threads };
    if (!quiet && isatty(STDERR_FILENO)) {
        run.progress = progress_draw;
        run.progress_ctx = &bar;
    }
    clock_gettime(CLOCK_MONOTONIC, &bar.t0);
    if (from) {
        source = calloc(n ? n : 1, sizeof *source);
        used = calloc(nninit_st_count(ck) ? nninit_st_count(ck) : 1, 1);
        if (!source || !used) { rc = failure("init", "out of memory"); goto cleanup; }
        nninit_load_options load = { .renames = n_renames ? renames : NULL, .reinit_mismatched = reinit };
        st = nninit_model_init_from(model, ck, &load, nninit_arena_pointers(arena), &run, source, used, msg,
                                    sizeof msg);
    } else {
        st = nninit_model_init(model, nninit_arena_pointers(arena), &run, msg, sizeof msg);
    }
    double init_s = seconds_since(&bar.t0);
    if (bar.drawn) fputs("\r\033[K", stderr);
    if (st != NNINIT_OK) {
        if (st == NNINIT_E_SHAPE && from && !reinit && msg[0])
            rc = failure("init", "%s (--reinit-mismatched initializes such tensors instead)", msg);
        else rc = failure("init", "%s", msg[0] ? msg : nninit_status_str(st));
        goto cleanup;
    }
    if (from && !quiet) print_from_report(from, model, ck, renames, source, used);
    if (stats) {
        if (threads) omp_set_num_threads((int)threads);
        print_stats(to_stdout ? stderr : stdout, model, arena, source);
    }

    /* metadata: safetensors keeps string values only, so the seed is decimal text */
    const char *spec_json = nninit_model_json(model);
    char seed_text[24];
    snprintf(seed_text, sizeof seed_text, "%" PRIu64, nninit_model_seed(model));
    struct timespec w0;
    clock_gettime(CLOCK_MONOTONIC, &w0);
    if (npy) {
        size_t cap = strlen(spec_json) * 6 + 256, j;
        meta = malloc(cap);
        if (!meta) { rc = failure("init", "out of memory"); goto cleanup; }
        j = (size_t)snprintf(meta, cap, "{\"nninit_version\": ");
        j = json_string(meta, cap, j, nninit_version_string());
        j += (size_t)snprintf(meta + j, cap - j, ", \"seed\": ");
        j = json_string(meta, cap, j, seed_text);
        j += (size_t)snprintf(meta + j, cap - j, ", \"spec\": ");
        j = json_string(meta, cap, j, spec_json);
        snprintf(meta + j, cap - j, "}\n");
        if ((rc = write_npy_dir(out, model, arena, meta)) != 0) goto cleanup;
    } else {
        nninit_tensor *tensors = calloc(n ? n : 1, sizeof *tensors);
        if (!tensors) { rc = failure("init", "out of memory"); goto cleanup; }
        for (size_t i = 0; i < n; i++) {
            nninit_model_tensor t;
            nninit_model_tensor_info(model, i, &t);
            tensors[i] = (nninit_tensor){ .name = t.name, .dtype = t.dtype, .ndim = t.ndim,
                                          .data = nninit_arena_tensor(arena, i), .nbytes = t.nbytes };
            memcpy(tensors[i].shape, t.shape, sizeof t.shape);
        }
        const char *metadata[] = { "format", "pt", "nninit_version", nninit_version_string(), "seed", seed_text,
                                   "spec", spec_json, NULL };
        st = nninit_st_save(out, tensors, n, metadata, NULL, msg, sizeof msg);
        int err = errno;
        free(tensors);
        if (st != NNINIT_OK) {
            const char *where = to_stdout ? "standard output" : out;
            if (st == NNINIT_E_IO) rc = failure("init", "cannot write '%s': %s", where, strerror(err));
            else rc = failure("init", "cannot write '%s': %s", where, msg[0] ? msg : nninit_status_str(st));
            goto cleanup;
        }
    }
    double write_s = seconds_since(&w0);
    if (!quiet)
        fprintf(stderr, "nninit: init: %zu tensors, %.3f GB in %.3f s (%.2f GB/s); wrote %s%s%s in %.3f s\n", n,
                1e-9 * (double)bytes, init_s, init_s > 0 ? 1e-9 * (double)bytes / init_s : 0.0,
                to_stdout ? "" : "'", to_stdout ? "standard output" : out, to_stdout ? "" : "'", write_s);
cleanup:
    if (rc == 0 && stats && (fflush(stdout) != 0 || ferror(stdout)))
        rc = failure("init", "standard output: %s", strerror(errno));
    free(meta);
    free(source);
    free(used);
    nninit_arena_free(arena);
    nninit_st_close(ck);
    nninit_model_free(model);
    free(renames);
    return rc;
}

/* ---- schemes --------------------------------------------------------------------------
 * Names and defaults come from the library (nninit_scheme_name, _default,
 * _format), so the list cannot drift from it; only the one-line summaries
 * live here. */
static const char *const scheme_summary[] = {
    [NNINIT_SCHEME_ZEROS] = "every element 0",
    [NNINIT_SCHEME_ONES] = "every element 1",
    [NNINIT_SCHEME_CONSTANT] = "every element = value (value is required)",
    [NNINIT_SCHEME_UNIFORM] = "U[low, high)",
    [NNINIT_SCHEME_NORMAL] = "N(mean, std^2)",
    [NNINIT_SCHEME_TRUNC_NORMAL] = "N(mean, std^2) on [low, high], absolute bounds (PyTorch trunc_normal_)",
    [NNINIT_SCHEME_TRUNC_NORMAL_SIGMA] = "N(mean, std^2) on [mean + lower*std, mean + upper*std] (jax truncated_normal)",
    [NNINIT_SCHEME_XAVIER_UNIFORM] = "U(-b, b), b = gain * sqrt(6 / (fan_in + fan_out)); alias glorot_uniform",
    [NNINIT_SCHEME_XAVIER_NORMAL] = "N(0, s^2), s = gain * sqrt(2 / (fan_in + fan_out)); alias glorot_normal",
    [NNINIT_SCHEME_KAIMING_UNIFORM] = "U(-b, b), b = gain(nonlinearity, a) * sqrt(3 / fan); alias he_uniform",
    [NNINIT_SCHEME_KAIMING_NORMAL] = "N(0, s^2), s = gain(nonlinearity, a) / sqrt(fan); alias he_normal",
    [NNINIT_SCHEME_LECUN_UNIFORM] = "U(-b, b), b = sqrt(3 / fan_in)",
    [NNINIT_SCHEME_LECUN_NORMAL] = "N(0, 1 / fan_in)",
    [NNINIT_SCHEME_VARIANCE_SCALING] = "variance scale / fan, from the distribution (Keras/jax VarianceScaling)",
    [NNINIT_SCHEME_ORTHOGONAL] = "(semi-)orthogonal matrix times gain (QR of a Gaussian matrix)",
    [NNINIT_SCHEME_EYE] = "2-D identity matrix",
    [NNINIT_SCHEME_DIRAC] = "3-D to 5-D identity convolution (per group)",
    [NNINIT_SCHEME_SPARSE] = "2-D N(0, std^2) with ceil(sparsity * rows) zeros per column (sparsity is required, std=0.01)",
    [NNINIT_SCHEME_PYTORCH_DEFAULT] = "nn.Linear / nn.Conv weight default: U(-1/sqrt(fan_in), 1/sqrt(fan_in))",
    [NNINIT_SCHEME_PYTORCH_DEFAULT_BIAS] = "nn.Linear/nn.Conv bias default: U(-1/sqrt(fan_in), 1/sqrt(fan_in)); "
                                           "needs fan_in=N, the weight's",
};
_Static_assert(sizeof scheme_summary / sizeof scheme_summary[0] == NNINIT_SCHEME_PYTORCH_DEFAULT_BIAS + 1,
               "one summary per scheme kind");

/* Whether the scheme reads a layout / channel groups: ask the formatter,
 * which writes exactly the parameters a scheme takes. */
static int takes(nninit_scheme s, int layout)
{
    if (layout) s.layout.kind = NNINIT_LAYOUT_HWIO;
    else s.layout.groups = 2;
    char buf[512];
    size_t n = nninit_scheme_format(&s, buf, sizeof buf);
    return n > 0 && n < sizeof buf && strstr(buf, layout ? "layout=" : "groups=") != NULL;
}

static int cmd_schemes(int argc, char **argv)
{
    if (argc > 0) {
        if (strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "--help") == 0) {
            fputs("usage: nninit schemes\n\nLists every init scheme: its name, what it draws, and a spec with\n"
                  "every parameter at its default.\n", stdout);
            return 0;
        }
        return usage_error("schemes", "unexpected argument '%s'", argv[0]);
    }
    printf("Init schemes. A spec is NAME or NAME(param=value, ...); the second line of each\n"
           "shows every parameter at its default. [layout] marks schemes that read the\n"
           "shape through a layout: layout=oihw (default), iohw, hwio, hwoi, or in_axis=I,\n"
           "out_axis=O; [groups] those that also take groups=G.\n\n");
    char small[256];
    for (int k = 0; k < nninit_scheme_count(); k++) {
        nninit_scheme_kind kind = (nninit_scheme_kind)k;
        const char *name = nninit_scheme_name(kind);
        if (!name) return failure("schemes", "the library has no name for scheme %d", k);
        nninit_scheme s = nninit_scheme_default(kind);
        char *spec = small;
        size_t need = nninit_scheme_format(&s, small, sizeof small);
        if (need >= sizeof small) {
            spec = malloc(need + 1);
            if (!spec) return failure("schemes", "out of memory");
            nninit_scheme_format(&s, spec, need + 1);
        }
        const char *summary = (size_t)k < sizeof scheme_summary / sizeof scheme_summary[0] && scheme_summary[k]
                              ? scheme_summary[k] : "";
        /* a default that does not format has a required parameter */
        printf("%-22s %s\n    %s%s%s%s\n", name, summary, need ? spec : name, need ? "" : "(...): see above for the required parameter",
               need && takes(s, 1) ? "  [layout]" : "", need && takes(s, 0) ? " [groups]" : "");
        if (spec != small) free(spec);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) return failure("schemes", "cannot write the list: %s", strerror(errno));
    return 0;
}

/* ---- main -------------------------------------------------------------------------------- */
static int print_version(void)
{
    printf("nninit %s (library %s, contract %d, kernels %s)\n", NNINIT_VERSION_STRING, nninit_version_string(),
           NNINIT_CONTRACT_VERSION, nninit_isa());
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("nninit: no command given\n", stderr);
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    /* Past a file size limit (ulimit -f) write() then fails with EFBIG and
     * the library removes its temporary file, instead of SIGXFSZ killing
     * the process with the temporary left behind. */
    signal(SIGXFSZ, SIG_IGN);
    const char *cmd = argv[1];
    int rc;
    if (strcmp(cmd, "fill") == 0) rc = cmd_fill(argc - 2, argv + 2);
    else if (strcmp(cmd, "init") == 0) rc = cmd_init(argc - 2, argv + 2);
    else if (strcmp(cmd, "schemes") == 0) rc = cmd_schemes(argc - 2, argv + 2);
    else if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) rc = print_version();
    else if (strcmp(cmd, "help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
        if (argc > 2 && strcmp(argv[2], "fill") == 0) fputs(fill_usage_text, stdout);
        else if (argc > 2 && strcmp(argv[2], "init") == 0) fputs(init_usage_text, stdout);
        else fputs(usage_text, stdout);
        rc = 0;
    } else if (cmd[0] == '-') rc = usage_error(NULL, "unknown option '%s'", cmd);
    else rc = usage_error(NULL, "unknown command '%s'", cmd);
    /* help and version text: a failed write (full disk, closed pipe) is a failure too */
    if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout))) rc = failure(NULL, "standard output: %s", strerror(errno));
    return rc;
}
