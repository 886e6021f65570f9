/* nninit fill: one tensor, or one slice of it, to a NumPy .npy file. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "prog.h"

const char fill_help[] =
    "usage: nninit fill --shape SHAPE --init SPEC -o FILE [--dtype DTYPE] [--seed N] [--stream N | --name NAME]\n"
    "                   [--slice SLICE] [-f] [-q | -v]\n"
    "\n"
    "Initializes one tensor (or one slice of it) and writes it as a NumPy .npy file.\n"
    "\n"
    "  --shape SHAPE      sizes separated by ',' or 'x': 64,3,7,7 or 64x3x7x7 (row-major);\n"
    "                     'scalar' or '' for a 0-D tensor\n"
    "  --init SPEC        init spec, e.g. \"kaiming_normal(mode=fan_out)\" (see 'nninit schemes')\n"
    "  -o, --output FILE  the .npy file to write; '-' is standard output\n"
    "  --dtype DTYPE      f32 (default), f64, f16, or bf16 (stored as uint16 raw bits)\n"
    "  --seed N           the generator's key, any unsigned 64-bit integer (default 0)\n"
    "  --stream N         the stream, an unsigned 64-bit integer (default 0)\n"
    "  --name NAME        the stream of tensor NAME: nninit_stream_id(NAME) (excludes --stream)\n"
    "  --slice SLICE      write only this part of the tensor (a tensor-parallel shard), in\n"
    "                     Python's slice syntax, one entry per dimension separated by ',':\n"
    "                     0:4096,1024:2048; ':' is a whole dimension, 'a:' and ':b' run to the\n"
    "                     end and from the start, negative numbers count from the end, missing\n"
    "                     trailing entries are ':'. No steps. The file has the slice's shape and\n"
    "                     exactly those values of the whole tensor; only the slice is held in\n"
    "                     memory (orthogonal computes the whole tensor first)\n"
    "  -f, --force        replace FILE if it exists (atomically); without it an existing FILE is\n"
    "                     an error. Devices (/dev/null), FIFOs and '-' are always written\n"
    "  -q, --quiet        errors only;  -v, --verbose  also what was written\n"
    "\n"
    "Numbers are decimal, or hexadecimal with a 0x prefix. Options take their value as the\n"
    "next argument or after '=' (--seed=7). The file appears whole or not at all: an error or\n"
    "a signal (SIGINT, SIGTERM, SIGHUP) leaves no partial file. Exit status 0, 1 on a runtime\n"
    "failure (spec, shape, a slice out of bounds or empty, writing), 2 on a usage error\n"
    "(including a malformed --slice).\n";

/* The tensor's element count, or an exit status after printing why. Without
 * a slice the whole tensor is held in memory: its bytes must fit too. */
static int tensor_size(const char *shape_text, const int64_t *shape, int ndim, nninit_dtype dtype, int whole,
                       size_t *elements)
{
    size_t count = 1;
    for (int d = 0; d < ndim; d++) {
        if (shape[d] == 0) { count = 0; break; }
        if ((uint64_t)shape[d] > SIZE_MAX / count) return usage_error("fill", "--shape: '%s' has too many elements", shape_text);
        count *= (size_t)shape[d];
    }
    if (whole && count > SIZE_MAX / nninit_dtype_size(dtype))
        return usage_error("fill", "--shape: '%s' has too many elements", shape_text);
    *elements = count;
    return 0;
}

int cmd_fill(int argc, char **argv)
{
    opt opts[] = {
        { "--shape", NULL, OPT_VALUE, NULL, 0, NULL }, { "--init", NULL, OPT_VALUE, NULL, 0, NULL },
        { "--output", "-o", OPT_VALUE, NULL, 0, NULL }, { "--dtype", NULL, OPT_VALUE, NULL, 0, NULL },
        { "--seed", NULL, OPT_VALUE, NULL, 0, NULL }, { "--stream", NULL, OPT_VALUE, NULL, 0, NULL },
        { "--name", NULL, OPT_VALUE, NULL, 0, NULL }, { "--slice", NULL, OPT_VALUE, NULL, 0, NULL }, COMMON_OPTS,
    };
    args a = { "fill", opts, (int)(sizeof opts / sizeof opts[0]), 0, { 0 }, 0, 0 };
    int rc = args_parse(&a, argc, argv);
    if (!rc && a.help) { fputs(fill_help, stdout); return 0; }
    if (!rc) rc = args_common(&a);
    if (rc) return rc;
    const char *shape_text = args_value(&a, "--shape"), *spec = args_value(&a, "--init");
    const char *out = args_value(&a, "--output"), *dtype_text = args_value(&a, "--dtype");
    const char *seed_text = args_value(&a, "--seed"), *stream_text = args_value(&a, "--stream");
    const char *name = args_value(&a, "--name"), *slice_text = args_value(&a, "--slice");
    if (!shape_text) return usage_error("fill", "--shape is required");
    if (!spec) return usage_error("fill", "--init is required");
    if (!out) return usage_error("fill", "-o/--output is required ('-' for standard output)");
    if (stream_text && name) return usage_error("fill", "--stream and --name both choose the stream: give one");

    int64_t shape[NNINIT_MAX_DIMS];
    int ndim;
    slice_spec slice;
    if ((rc = parse_shape("fill", "--shape", shape_text, shape, &ndim)) != 0) return rc;
    if (slice_text && (rc = parse_slice("fill", "--slice", slice_text, &slice)) != 0) return rc;
    nninit_dtype dtype = NNINIT_F32;
    if (dtype_text && !parse_dtype(dtype_text, &dtype))
        return bad_dtype("fill", dtype_text);
    nninit_rng rng = { 0, 0 };
    if (seed_text && !parse_u64(seed_text, &rng.seed))
        return usage_error("fill", "--seed: '%s' is not an unsigned 64-bit integer", seed_text);
    if (stream_text && !parse_u64(stream_text, &rng.stream))
        return usage_error("fill", "--stream: '%s' is not an unsigned 64-bit integer", stream_text);
    if (name) rng.stream = nninit_stream_id(name);
    if (strcmp(out, "-") == 0 && isatty(STDOUT_FILENO))
        return usage_error("fill", "-o -: standard output is a terminal; redirect it or give a file name");
    size_t elements = 0;
    if ((rc = tensor_size(shape_text, shape, ndim, dtype, !slice_text, &elements)) != 0) return rc;

    /* The spec first (its errors matter more than an existing output), then
     * the slice, then the output, then the work. */
    char msg[512];
    nninit_scheme scheme;
    nninit_status st = nninit_scheme_parse(spec, &scheme, msg, sizeof msg);
    if (st == NNINIT_OK) st = nninit_scheme_plan(&scheme, shape, ndim, &(nninit_plan){ 0 }, msg, sizeof msg);
    if (st != NNINIT_OK) return fail("fill", "%s", msg[0] ? msg : nninit_status_str(st));
    /* What is written: the slice, or the whole tensor. */
    int64_t start[NNINIT_MAX_DIMS] = { 0 }, count[NNINIT_MAX_DIMS];
    for (int d = 0; d < ndim; d++) count[d] = shape[d];
    if (slice_text) {
        if ((rc = resolve_slice("fill", "--slice", slice_text, &slice, shape, ndim, start, count)) != 0) return rc;
        elements = 1;
        for (int d = 0; d < ndim; d++) elements *= (size_t)count[d];   /* at most the tensor's count */
    }
    if (elements > SIZE_MAX / nninit_dtype_size(dtype))
        return fail("fill", "--slice '%s': the slice is too large to hold in memory", slice_text);
    size_t bytes = elements * nninit_dtype_size(dtype);
    if ((rc = check_output("fill", out)) != 0) return rc;
    void *data = malloc(bytes ? bytes : 1);
    if (!data) return fail("fill", "out of memory (%zu bytes for the %s)", bytes, slice_text ? "slice" : "tensor");
    double t0 = now_seconds();
    if (slice_text)
        st = nninit_scheme_apply_slice(data, dtype, shape, ndim, start, count, &scheme, rng, msg, sizeof msg);
    else
        st = nninit_scheme_apply(data, dtype, shape, ndim, &scheme, rng, msg, sizeof msg);
    if (st != NNINIT_OK) {
        free(data);
        return fail("fill", "%s", msg[0] ? msg : nninit_status_str(st));
    }
    nninit_write_options wo = write_options();
    st = nninit_npy_save(out, data, dtype, count, ndim, &wo, msg, sizeof msg);
    free(data);
    if (st == NNINIT_E_CANCELED) return EXIT_FAIL;   /* main re-raises the signal */
    if (st != NNINIT_OK) return report_status("fill", st, msg);
    char shp[256], whole[256];
    nninit_shape_format(count, ndim, shp, sizeof shp);
    nninit_shape_format(shape, ndim, whole, sizeof whole);
    info(2, "fill", "wrote %s %s %s%s%s%s%s (%zu bytes of data) in %.3f s", strcmp(out, "-") ? out : "standard output",
         nninit_dtype_name(dtype), shp, slice_text ? ", slice '" : "", slice_text ? slice_text : "",
         slice_text ? "' of " : "", slice_text ? whole : "", bytes, now_seconds() - t0);
    return 0;
}
