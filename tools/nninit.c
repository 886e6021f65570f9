/* nninit: the command-line program, a thin layer over the public API.
 *
 *   nninit fill --shape 64,3,7,7 --init "kaiming_normal(mode=fan_out)" --seed 7 --dtype bf16 -o w.npy
 *   nninit schemes
 *   nninit --version | help
 *
 * Exit status: 0 success, 1 runtime failure (the library rejected the spec or
 * the shape, the file could not be written, out of memory), 2 usage error
 * (unknown command or option, missing or malformed value). Messages go to
 * stderr as "nninit: <command>: <what>: <why>"; only data and help go to
 * stdout. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "nninit.h"

enum { EXIT_FAIL = 1, EXIT_USAGE = 2 };

static const char usage_text[] =
    "usage: nninit <command> [options]\n"
    "\n"
    "commands:\n"
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
    fprintf(stderr, "Try 'nninit %s--help'.\n", cmd && strcmp(cmd, "fill") == 0 ? "fill " : "");
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
    st = nninit_npy_save(out, data, dtype, shape, ndim);
    int err = errno;
    free(data);
    if (st == NNINIT_E_IO)
        return failure("fill", "cannot write '%s': %s", strcmp(out, "-") == 0 ? "standard output" : out,
                       strerror(err));
    if (st != NNINIT_OK) return failure("fill", "cannot write '%s': %s", out, nninit_status_str(st));
    return 0;
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
_Static_assert(sizeof scheme_summary / sizeof scheme_summary[0] == NNINIT_SCHEME_COUNT_,
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
    for (int k = 0; k < NNINIT_SCHEME_COUNT_; k++) {
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
        const char *summary = scheme_summary[k] ? scheme_summary[k] : "";
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
    else if (strcmp(cmd, "schemes") == 0) rc = cmd_schemes(argc - 2, argv + 2);
    else if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) rc = print_version();
    else if (strcmp(cmd, "help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
        if (argc > 2 && strcmp(argv[2], "fill") == 0) fputs(fill_usage_text, stdout);
        else fputs(usage_text, stdout);
        rc = 0;
    } else if (cmd[0] == '-') rc = usage_error(NULL, "unknown option '%s'", cmd);
    else rc = usage_error(NULL, "unknown command '%s'", cmd);
    /* help and version text: a failed write (full disk, closed pipe) is a failure too */
    if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout))) rc = failure(NULL, "standard output: %s", strerror(errno));
    return rc;
}
