/* nninit probe: a batch through the initialized network, every op's output
 * described (docs/GRAPHS.md, "The probe"); as a table, JSON, or an SVG chart
 * of the std by depth, with a second spec on the same chart. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "prog.h"

const char probe_help[] =
    "usage: nninit probe SPEC.json [--data BATCH.npy | --batch N] [--from CKPT.safetensors] [--json]\n"
    "                    [--plot OUT.svg] [--compare OTHER.json] [options]\n"
    "\n"
    "Initializes the model of a spec with a \"graph\" (docs/GRAPHS.md) as 'nninit init' would,\n"
    "runs a batch through it and prints, per op in execution order: its index path, the op,\n"
    "its output's shape, mean, std, min, max and the fraction of exact zeros (after a relu:\n"
    "the dead units).\n"
    "\n"
    "  --data BATCH.npy      the batch: a .npy file of float32, float64 or float16, shaped like\n"
    "                        the graph's input, (N, features) or (N, channels, height, width)\n"
    "  --batch N             N samples drawn from N(0, 1) in the shape of the graph's input\n"
    "                        (default: 64), from the spec's seed\n"
    "  --data-init SPEC      run a data-dependent init on the batch first, e.g. \"lsuv\" or\n"
    "                        \"batch_stats(mean=0, std=1)\" (default: the spec's \"data_init\";\n"
    "                        'none' skips it)\n"
    "  --from CKPT.safetensors  load the tensors the checkpoint has (same name and shape),\n"
    "                        initialize the others from the spec\n"
    "  --dtype DTYPE         every tensor in f32, f64, bf16 or f16 (default: the spec's)\n"
    "  --seed N              the seed (default: the spec's), unsigned 64-bit\n"
    "  --threads N           OpenMP threads (default: the OpenMP default)\n"
    "  --json                the rows as a JSON array of objects (model, path, op, shape, mean,\n"
    "                        std, min, max, zero_fraction) instead of the table\n"
    "  --plot OUT.svg        an SVG chart of each op's output std by depth (log scale)\n"
    "  --compare OTHER.json  probe a second spec (another init of the network) on the same\n"
    "                        batch and draw it on the same chart; its rows follow SPEC's\n"
    "  -f, --force           replace OUT.svg if it exists\n"
    "  -q, --quiet           errors only (the table or JSON is still printed);\n"
    "  -v, --verbose         also the data-dependent init's per-layer report and the times\n"
    "  --progress, --no-progress  draw the progress bar, or not (default: on a terminal)\n"
    "\n"
    "Exit status 0, 1 on a runtime failure (spec, graph, batch, an overflowing forward pass,\n"
    "writing), 2 on a usage error.\n";

typedef struct {
    const char *spec, *other, *data, *from, *plot, *data_init;
    uint64_t batch_n, seed, threads;
    int batch_given, seed_given, dtype_given, json;
    nninit_dtype dtype;
} probe_cfg;

/* One probed spec. */
typedef struct {
    const char *path;
    char label[320];
    nninit_model *model;
    nninit_graph *graph;
    nninit_arena *arena;
    nninit_probe_row *rows;
    size_t n;
} probed;

static int read_options(args *a, probe_cfg *c)
{
    const char *v;
    if (a->n_positional == 0) return usage_error("probe", "a model spec (JSON file) is required");
    c->spec = a->positional[0];
    c->other = args_value(a, "--compare");
    c->data = args_value(a, "--data");
    c->from = args_value(a, "--from");
    c->plot = args_value(a, "--plot");
    c->data_init = args_value(a, "--data-init");
    c->json = args_given(a, "--json") > 0;
    c->batch_n = 64;
    if ((v = args_value(a, "--batch")) && (!parse_u64(v, &c->batch_n) || c->batch_n < 1 || c->batch_n > (1u << 24)))
        return usage_error("probe", "--batch: '%s' is not a number of samples from 1 to 16777216", v);
    c->batch_given = v != NULL;
    if (c->batch_given && c->data) return usage_error("probe", "--data and --batch exclude each other");
    if ((v = args_value(a, "--dtype")) && !parse_dtype(v, &c->dtype))
        return usage_error("probe", "--dtype: '%s' is not one of f32, f64, bf16, f16", v);
    c->dtype_given = v != NULL;
    if ((v = args_value(a, "--seed")) && !parse_u64(v, &c->seed))
        return usage_error("probe", "--seed: '%s' is not an unsigned 64-bit integer", v);
    c->seed_given = v != NULL;
    if ((v = args_value(a, "--threads")) && (!parse_u64(v, &c->threads) || c->threads < 1 || c->threads > 4096))
        return usage_error("probe", "--threads: '%s' is not a number from 1 to 4096", v);
    if (c->plot && strcmp(c->plot, "-") == 0) return usage_error("probe", "--plot needs a file name");
    if (c->data_init && strcmp(c->data_init, "none") != 0) {
        nninit_data_init algo;
        char msg[512];
        if (nninit_data_init_parse(c->data_init, &algo, msg, sizeof msg) != NNINIT_OK)
            return usage_error("probe", "--data-init: %s", msg);
    }
    return 0;
}

/* The spec, overridden, with its graph; p->label names it. */
static int load_spec(const probe_cfg *c, const char *path, probed *p)
{
    char msg[1024] = "";
    p->path = path;
    nninit_status st = nninit_model_load(path, &p->model, msg, sizeof msg);
    if (st != NNINIT_OK) return fail("probe", "%s", msg[0] ? msg : nninit_status_str(st));
    if (c->dtype_given && (st = nninit_model_set_dtype(p->model, c->dtype)) != NNINIT_OK)
        return fail("probe", "--dtype %s: %s", nninit_dtype_name(c->dtype), nninit_status_str(st));
    if (c->seed_given && (st = nninit_model_set_seed(p->model, c->seed)) != NNINIT_OK)
        return fail("probe", "--seed: %s", nninit_status_str(st));
    if ((st = nninit_graph_create(p->model, &p->graph, msg, sizeof msg)) != NNINIT_OK)
        return fail("probe", "%s: %s", path, msg[0] ? msg : nninit_status_str(st));
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    snprintf(p->label, sizeof p->label, "%s", base);
    return 0;
}

/* Initializes p's tensors (the checkpoint's where it has them), runs the
 * data-dependent init if any, and probes. */
static int run_spec(const probe_cfg *c, probed *p, const nninit_st_file *ck, const batch *b)
{
    char msg[1024] = "";
    nninit_data_init algo;
    int have = 0, rc = data_init_choose("probe", c->data_init, p->model, &algo, &have);
    if (rc) return rc;
    nninit_status st = nninit_arena_create(p->model, &p->arena);
    if (st != NNINIT_OK) return fail("probe", "%s: cannot allocate the tensors: %s", p->path, nninit_status_str(st));
    void *const *t = nninit_arena_pointers(p->arena);
    nninit_run_options run = { .threads = (int)c->threads, .cancel = &g_stop };
    if (ck) {
        nninit_load_options load = { NULL, 0, 0 };
        st = nninit_model_init_from(p->model, ck, &load, t, &run, NULL, NULL, msg, sizeof msg);
    } else {
        st = nninit_model_init(p->model, t, &run, msg, sizeof msg);
    }
    if (st == NNINIT_E_CANCELED) return EXIT_FAIL;
    if (st != NNINIT_OK) return fail("probe", "%s: %s", p->path, msg[0] ? msg : nninit_status_str(st));
    if (have) {
        if ((rc = data_init_run("probe", p->graph, &algo, t, b, (int)c->threads, 2))) return rc;
        char text[256];
        nninit_data_init_format(&algo, text, sizeof text);
        size_t len = strlen(p->label);
        snprintf(p->label + len, sizeof p->label - len, " + %s", text);
        info(1, "probe", "%s: %s on %s", p->path, text, b->what);
    }
    p->n = nninit_graph_op_count(p->graph);
    if (!(p->rows = calloc(p->n ? p->n : 1, sizeof *p->rows))) return fail("probe", "out of memory");
    st = nninit_graph_probe(p->graph, (const void *const *)t, &b->tensor, &run, p->rows, msg, sizeof msg);
    if (st == NNINIT_E_CANCELED) return EXIT_FAIL;
    if (st != NNINIT_OK) return fail("probe", "%s: %s: %s", p->path, b->what, msg[0] ? msg : nninit_status_str(st));
    return 0;
}

static void free_probed(probed *p)
{
    free(p->rows);
    nninit_arena_free(p->arena);
    nninit_graph_free(p->graph);
    nninit_model_free(p->model);
}

/* ---- output ------------------------------------------------------------------------------ */
static void print_table(FILE *f, const probed *p, const char *batch_what)
{
    char shape[128];
    fprintf(f, "%s: %zu ops, %s\n", p->label, p->n, batch_what);
    int wp = 4;
    for (size_t i = 0; i < p->n; i++) {
        nninit_graph_op op;
        nninit_graph_op_info(p->graph, i, &op);
        int w = 2 * op.depth + (int)strlen(p->rows[i].path);
        if (w > wp) wp = w;
    }
    fprintf(f, "%-*s  %-14s  %-20s  %11s  %11s  %11s  %11s  %6s\n", wp, "path", "op", "shape", "mean", "std", "min",
            "max", "zeros");
    for (size_t i = 0; i < p->n; i++) {
        const nninit_probe_row *r = &p->rows[i];
        nninit_graph_op op;
        nninit_graph_op_info(p->graph, i, &op);
        nninit_shape_format(r->shape, r->ndim, shape, sizeof shape);
        fprintf(f, "%*s%-*s  %-14s  %-20s  %11.4g  %11.4g  %11.4g  %11.4g  %5.1f%%\n", 2 * op.depth, "",
                wp - 2 * op.depth, r->path, r->op, shape, r->mean, r->std, r->min, r->max, 100 * r->zero_fraction);
    }
}

/* A JSON string literal of s (labels are file names and algorithm strings). */
static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') fprintf(f, "\\%c", ch);
        else if (ch < 0x20) fprintf(f, "\\u%04x", ch);
        else fputc(ch, f);
    }
    fputc('"', f);
}

static void print_json(FILE *f, const probed *const *ps, int n, int *first)
{
    for (int k = 0; k < n; k++)
        for (size_t i = 0; i < ps[k]->n; i++) {
            const nninit_probe_row *r = &ps[k]->rows[i];
            char shape[128];
            nninit_shape_format(r->shape, r->ndim, shape, sizeof shape);
            fputs(*first ? "[\n  {\"model\": " : ",\n  {\"model\": ", f);
            *first = 0;
            json_string(f, ps[k]->label);
            fprintf(f, ", \"path\": \"%s\", \"op\": \"%s\", \"shape\": %s, \"mean\": %.9g, \"std\": %.9g, "
                       "\"min\": %.9g, \"max\": %.9g, \"zero_fraction\": %.9g}", r->path, r->op, shape, r->mean,
                    r->std, r->min, r->max, r->zero_fraction);
        }
}

static int report(const probe_cfg *c, const probed *a, const probed *b, const batch *bt)
{
    if (c->json) {
        const probed *ps[2] = { a, b };
        int first = 1;
        print_json(stdout, ps, b ? 2 : 1, &first);
        fputs(first ? "[]\n" : "\n]\n", stdout);
    } else {
        print_table(stdout, a, bt->what);
        if (b) { fputc('\n', stdout); print_table(stdout, b, bt->what); }
    }
    if (!c->plot) return 0;
    plot_series s[2] = { { a->label, a->rows, a->n }, { b ? b->label : NULL, b ? b->rows : NULL, b ? b->n : 0 } };
    int rc = plot_svg("probe", c->plot, "Activation std by depth", bt->what, s, b ? 2 : 1);
    if (!rc) info(2, "probe", "wrote '%s'", c->plot);
    return rc;
}

int cmd_probe(int argc, char **argv)
{
    opt opts[] = {
        { "--data", NULL, OPT_VALUE, NULL, 0, NULL },     { "--batch", NULL, OPT_VALUE, NULL, 0, NULL },
        { "--data-init", NULL, OPT_VALUE, NULL, 0, NULL }, { "--from", NULL, OPT_VALUE, NULL, 0, NULL },
        { "--dtype", NULL, OPT_VALUE, NULL, 0, NULL },    { "--seed", NULL, OPT_VALUE, NULL, 0, NULL },
        { "--threads", NULL, OPT_VALUE, NULL, 0, NULL },  { "--json", NULL, OPT_FLAG, NULL, 0, NULL },
        { "--plot", NULL, OPT_VALUE, NULL, 0, NULL },     { "--compare", NULL, OPT_VALUE, NULL, 0, NULL },
        COMMON_OPTS,
    };
    args a = { "probe", opts, (int)(sizeof opts / sizeof opts[0]), 1, { 0 }, 0, 0 };
    probe_cfg c;
    memset(&c, 0, sizeof c);
    int rc = args_parse(&a, argc, argv);
    if (!rc && a.help) { fputs(probe_help, stdout); args_free(&a); return 0; }
    if (!rc) rc = args_common(&a);
    if (!rc) rc = read_options(&a, &c);

    probed p, q;
    memset(&p, 0, sizeof p);
    memset(&q, 0, sizeof q);
    nninit_st_file *ck = NULL;
    batch b;
    memset(&b, 0, sizeof b);
    char msg[1024] = "";
    if (!rc) rc = load_spec(&c, c.spec, &p);
    if (!rc && c.other) rc = load_spec(&c, c.other, &q);
    if (!rc && c.plot) rc = check_output("probe", c.plot);
    if (!rc && c.from) {
        nninit_status st = nninit_st_open(c.from, &ck, msg, sizeof msg);
        if (st != NNINIT_OK) rc = fail("probe", "--from: %s", msg[0] ? msg : nninit_status_str(st));
    }
    if (!rc) rc = c.data ? batch_load("probe", c.data, p.graph, &b)
                         : batch_draw("probe", p.graph, c.batch_n, nninit_model_seed(p.model), &b);
    if (!rc && c.other) {
        int64_t out[NNINIT_MAX_DIMS];
        int od;
        nninit_status st = nninit_graph_output_shape(q.graph, b.tensor.shape, b.tensor.ndim, out, &od, msg, sizeof msg);
        if (st != NNINIT_OK) rc = fail("probe", "--compare %s: %s: %s", c.other, b.what, msg);
    }
    if (!rc) rc = run_spec(&c, &p, ck, &b);
    if (!rc && c.other) rc = run_spec(&c, &q, NULL, &b);
    if (!rc) rc = report(&c, &p, c.other ? &q : NULL, &b);
    if (!rc && (fflush(stdout) != 0 || ferror(stdout))) rc = fail("probe", "standard output: %s", strerror(errno));
    batch_free(&b);
    nninit_st_close(ck);
    free_probed(&q);
    free_probed(&p);
    args_free(&a);
    return rc;
}
