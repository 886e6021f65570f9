/* nninit init: every tensor of a JSON model spec, initialized into one
 * arena (some loaded from a checkpoint), optionally followed by a
 * data-dependent init on a batch of data (docs/GRAPHS.md), written as one
 * safetensors file or a directory of .npy files. */
#include <errno.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "prog.h"

const char init_help[] =
    "usage: nninit init SPEC.json -o OUT [options]\n"
    "\n"
    "Initializes every tensor of a JSON model spec (docs/MODELS.md) and writes them.\n"
    "\n"
    "  -o, --output OUT         where to write; '-' is standard output (safetensors only);\n"
    "                           devices such as /dev/null are written directly\n"
    "  -f, --force              replace OUT if it exists (atomically); without it an existing OUT\n"
    "                           is an error\n"
    "  --format FORMAT          safetensors (default): one file with metadata nninit_version, seed,\n"
    "                           spec (the canonical spec JSON) and format=pt;\n"
    "                           npy: a directory OUT/ with one NAME.npy per tensor (bytes of NAME\n"
    "                           outside A-Z a-z 0-9 . _ - and a leading '.' are written %XX) and\n"
    "                           __metadata__.json\n"
    "  --dtype DTYPE            every tensor in f32, f64, bf16 or f16 (default: the spec's)\n"
    "  --seed N                 the seed (default: the spec's), unsigned 64-bit\n"
    "  --threads N              OpenMP threads (default: the OpenMP default, OMP_NUM_THREADS)\n"
    "  --stats                  after init, a table per tensor: shape, mean, std, min, max of the\n"
    "                           values (computed in double), the std the scheme should give, the\n"
    "                           init (standard output; standard error with -o -)\n"
    "  --from CKPT.safetensors  load the tensors the checkpoint has (same name, same shape; f32,\n"
    "                           f64, bf16 and f16 are converted), initialize the others\n"
    "  --rename OLD=NEW         with --from: checkpoint tensor OLD+rest provides spec tensor\n"
    "                           NEW+rest (prefixes; repeatable)\n"
    "  --reinit-mismatched      with --from: initialize a tensor whose checkpoint shape differs\n"
    "                           (else that is an error)\n"
    "  --data BATCH.npy         a batch of data for a data-dependent init: a .npy file of float32,\n"
    "                           float64 or float16 shaped like the input of the spec's \"graph\",\n"
    "                           (N, features) or (N, channels, height, width)\n"
    "  --data-init SPEC         the data-dependent init to run on the batch after the spec's init:\n"
    "                           \"lsuv(tol=0.1, max_iter=10, target_var=1)\" or\n"
    "                           \"batch_stats(mean=0, std=1)\" (default: the spec's \"data_init\";\n"
    "                           'none' skips it). A report follows on standard error: per layer the\n"
    "                           output's mean and std before and after, the steps, the factors and\n"
    "                           any layer left alone. What ran is recorded in the spec metadata\n"
    "  -q, --quiet              errors only: no progress bar, summary or --from report\n"
    "  -v, --verbose            also the settings (kernel path, threads, seed) and each phase's time\n"
    "  --progress, --no-progress  draw the progress bar, or not, whatever standard error is\n"
    "                           (default: when it is a terminal)\n"
    "\n"
    "OUT appears whole or not at all: an error or a signal (SIGINT, SIGTERM, SIGHUP) leaves no\n"
    "partial file or directory. A summary line (tensors, GB = 10^9 bytes, seconds, GB/s) follows\n"
    "the run. Exit status 0, 1 on a runtime failure (spec, graph, checkpoint, batch, memory,\n"
    "writing), 2 on a usage error.\n";

typedef struct {
    const char *spec_path, *out, *from, *data, *data_init;
    const char *const *renames;     /* NULL-terminated, or NULL */
    int npy, stats, reinit, to_stdout;
    int dtype_given, seed_given;
    nninit_dtype dtype;
    uint64_t seed, threads;
    nninit_graph *graph;            /* the spec's graph, if it has one */
    nninit_data_init algo;          /* the data-dependent init, if have_algo */
    int have_algo;
    batch batch;                    /* --data */
} init_cfg;

/* Options to cfg. 0, or an exit status after printing why. */
static int read_options(args *a, init_cfg *c)
{
    const char *v;
    if (a->n_positional == 0) return usage_error("init", "a model spec (JSON file) is required");
    c->spec_path = a->positional[0];
    if (!(c->out = args_value(a, "--output")))
        return usage_error("init", "-o/--output is required ('-' for standard output)");
    if ((v = args_value(a, "--format")) && strcmp(v, "npy") != 0 && strcmp(v, "safetensors") != 0)
        return usage_error("init", "--format: '%s' is not safetensors or npy", v);
    c->npy = v && strcmp(v, "npy") == 0;
    if ((v = args_value(a, "--dtype")) && !parse_dtype(v, &c->dtype))
        return usage_error("init", "--dtype: '%s' is not one of f32, f64, bf16, f16", v);
    c->dtype_given = v != NULL;
    if ((v = args_value(a, "--seed")) && !parse_u64(v, &c->seed))
        return usage_error("init", "--seed: '%s' is not an unsigned 64-bit integer", v);
    c->seed_given = v != NULL;
    if ((v = args_value(a, "--threads")) && (!parse_u64(v, &c->threads) || c->threads < 1 || c->threads > 4096))
        return usage_error("init", "--threads: '%s' is not a number from 1 to 4096", v);
    opt *ren = args_opt(a, "--rename");
    for (int k = 0; k < ren->given; k++)
        if (!strchr(ren->list[k], '=')) return usage_error("init", "--rename: '%s' is not OLD=NEW", ren->list[k]);
    c->renames = ren->given ? ren->list : NULL;
    c->from = args_value(a, "--from");
    c->stats = args_given(a, "--stats") > 0;
    c->reinit = args_given(a, "--reinit-mismatched") > 0;
    if (!c->from && (ren->given || c->reinit))
        return usage_error("init", "%s needs --from", ren->given ? "--rename" : "--reinit-mismatched");
    c->data = args_value(a, "--data");
    c->data_init = args_value(a, "--data-init");
    if (c->data_init && strcmp(c->data_init, "none") != 0) {
        char msg[512];
        if (nninit_data_init_parse(c->data_init, &c->algo, msg, sizeof msg) != NNINIT_OK)
            return usage_error("init", "--data-init: %s", msg);
        if (!c->data) return usage_error("init", "--data-init needs --data BATCH.npy");
    }
    c->to_stdout = strcmp(c->out, "-") == 0;
    if (c->to_stdout && c->npy) return usage_error("init", "--format npy writes a directory; -o - is not one");
    if (c->to_stdout && isatty(STDOUT_FILENO))
        return usage_error("init", "-o -: standard output is a terminal; redirect it or give a file name");
    return 0;
}

/* The spec with the overrides, and the checkpoint. */
static int load_inputs(const init_cfg *c, nninit_model **model, nninit_st_file **ck)
{
    char msg[1024] = "";
    nninit_status st = nninit_model_load(c->spec_path, model, msg, sizeof msg);
    if (st != NNINIT_OK) return fail("init", "%s", msg[0] ? msg : nninit_status_str(st));
    if (c->dtype_given && (st = nninit_model_set_dtype(*model, c->dtype)) != NNINIT_OK)
        return fail("init", "--dtype %s: %s", nninit_dtype_name(c->dtype), nninit_status_str(st));
    if (c->seed_given && (st = nninit_model_set_seed(*model, c->seed)) != NNINIT_OK)
        return fail("init", "--seed: %s", nninit_status_str(st));
    if (c->from && (st = nninit_st_open(c->from, ck, msg, sizeof msg)) != NNINIT_OK)
        return fail("init", "--from: %s", msg[0] ? msg : nninit_status_str(st));
    return 0;
}

/* The graph (checked whenever the spec has one), the data-dependent init and
 * its batch: everything is validated before anything is initialized. */
static int load_data_init(init_cfg *c, nninit_model *model)
{
    char msg[1024] = "";
    nninit_status st;
    if (nninit_model_graph(model) && (st = nninit_graph_create(model, &c->graph, msg, sizeof msg)) != NNINIT_OK)
        return fail("init", "%s: %s", c->spec_path, msg[0] ? msg : nninit_status_str(st));
    int rc = data_init_choose("init", c->data_init, model, &c->algo, &c->have_algo);
    if (rc) return rc;
    if (c->have_algo && !c->graph)
        return fail("init", "%s: a data-dependent init needs the spec's \"graph\" (docs/GRAPHS.md)", c->spec_path);
    if (c->have_algo && !c->data)
        return fail("init", "%s: the spec's \"data_init\" (\"%s\") needs a batch: --data BATCH.npy (or --data-init "
                    "none)", c->spec_path, nninit_model_data_init(model));
    if (!c->have_algo && c->data)
        return usage_error("init", "--data needs --data-init or a spec with \"data_init\"");
    return c->data ? batch_load("init", c->data, c->graph, &c->batch) : 0;
}

/* Initializes (or loads) every tensor into the arena. */
static int initialize(const init_cfg *c, const nninit_model *model, const nninit_st_file *ck, nninit_arena *arena,
                      nninit_source *source, unsigned char *used, double *seconds)
{
    progress_bar bar;
    nninit_run_options run = { .threads = (int)c->threads, .cancel = &g_stop };
    if (progress_wanted()) {
        run.progress = progress_draw;
        run.progress_ctx = &bar;
    }
    char msg[1024] = "";
    progress_start(&bar);
    nninit_status st;
    if (ck) {
        nninit_load_options load = { .renames = c->renames, .reinit_mismatched = c->reinit };
        st = nninit_model_init_from(model, ck, &load, nninit_arena_pointers(arena), &run, source, used, msg,
                                    sizeof msg);
    } else {
        st = nninit_model_init(model, nninit_arena_pointers(arena), &run, msg, sizeof msg);
    }
    *seconds = now_seconds() - bar.t0;
    progress_clear(&bar);
    if (st == NNINIT_E_CANCELED) return EXIT_FAIL;   /* nothing written yet; main re-raises the signal */
    if (st == NNINIT_E_SHAPE && ck && !c->reinit && msg[0])
        return fail("init", "%s (--reinit-mismatched initializes such tensors instead)", msg);
    if (st != NNINIT_OK) return fail("init", "%s", msg[0] ? msg : nninit_status_str(st));
    return 0;
}

/* Everything after the arena exists: init, report, stats, write. */
static int init_and_write(const init_cfg *c, const nninit_model *model, const nninit_st_file *ck, nninit_arena *arena)
{
    size_t n = nninit_model_count(model);
    uint64_t bytes = nninit_model_bytes(model);
    nninit_source *source = ck ? calloc(n ? n : 1, sizeof *source) : NULL;
    unsigned char *used = ck ? calloc(nninit_st_count(ck) ? nninit_st_count(ck) : 1, 1) : NULL;
    if (ck && (!source || !used)) { free(source); free(used); return fail("init", "out of memory"); }
    double init_s = 0, data_s = 0, t0;
    int rc = initialize(c, model, ck, arena, source, used, &init_s);
    if (!rc && c->have_algo) {
        t0 = now_seconds();
        rc = data_init_run("init", c->graph, &c->algo, nninit_arena_pointers(arena), &c->batch, (int)c->threads, 1);
        data_s = now_seconds() - t0;
    }
    if (!rc && ck && g_prog.verbosity >= 1) print_from_report(c->from, model, ck, c->renames, source, used);
    if (!rc && c->stats) {
        if (c->threads) omp_set_num_threads((int)c->threads);
        rc = print_stats(c->to_stdout ? stderr : stdout, model, nninit_arena_pointers(arena), source);
    }
    free(source);
    free(used);
    if (rc) return rc;
    info(2, "init", "initialized in %.3f s; writing", init_s);
    t0 = now_seconds();
    char msg[1024] = "";
    nninit_write_options wo = write_options();
    nninit_status st = nninit_model_save(model, (const void *const *)nninit_arena_pointers(arena), c->out,
                                         c->npy ? NNINIT_FORMAT_NPY_DIR : NNINIT_FORMAT_SAFETENSORS, &wo, msg,
                                         sizeof msg);
    if (st == NNINIT_E_CANCELED) return EXIT_FAIL;
    if (st != NNINIT_OK) return report_status("init", st, msg);
    double write_s = now_seconds() - t0;
    char data_text[64] = "";
    if (c->have_algo) snprintf(data_text, sizeof data_text, "; %s in %.3f s",
                               c->algo.kind == NNINIT_DATA_LSUV ? "lsuv" : "batch_stats", data_s);
    info(1, "init", "%zu tensors, %.3f GB in %.3f s (%.2f GB/s)%s; wrote %s%s%s in %.3f s", n, 1e-9 * (double)bytes,
         init_s, init_s > 0 ? 1e-9 * (double)bytes / init_s : 0.0, data_text, c->to_stdout ? "" : "'",
         c->to_stdout ? "standard output" : c->out, c->to_stdout ? "" : "'", write_s);
    return 0;
}

int cmd_init(int argc, char **argv)
{
    opt opts[] = {
        { "--output", "-o", OPT_VALUE, NULL, 0, NULL }, { "--format", NULL, OPT_VALUE, NULL, 0, NULL },
        { "--dtype", NULL, OPT_VALUE, NULL, 0, NULL },  { "--seed", NULL, OPT_VALUE, NULL, 0, NULL },
        { "--threads", NULL, OPT_VALUE, NULL, 0, NULL }, { "--from", NULL, OPT_VALUE, NULL, 0, NULL },
        { "--rename", NULL, OPT_LIST, NULL, 0, NULL },  { "--stats", NULL, OPT_FLAG, NULL, 0, NULL },
        { "--reinit-mismatched", NULL, OPT_FLAG, NULL, 0, NULL }, { "--data", NULL, OPT_VALUE, NULL, 0, NULL },
        { "--data-init", NULL, OPT_VALUE, NULL, 0, NULL }, COMMON_OPTS,
    };
    args a = { "init", opts, (int)(sizeof opts / sizeof opts[0]), 1, { 0 }, 0, 0 };
    init_cfg c = { 0 };
    int rc = args_parse(&a, argc, argv);
    if (!rc && a.help) { fputs(init_help, stdout); args_free(&a); return 0; }
    if (!rc) rc = args_common(&a);
    if (!rc) rc = read_options(&a, &c);

    nninit_model *model = NULL;
    nninit_st_file *ck = NULL;
    nninit_arena *arena = NULL;
    if (!rc) rc = load_inputs(&c, &model, &ck);
    if (!rc) rc = load_data_init(&c, model);
    if (!rc) rc = check_output("init", c.out);
    if (!rc) {
        info(2, "init", "%zu tensors, %.3f GB, seed %llu, kernels %s, %d threads", nninit_model_count(model),
             1e-9 * (double)nninit_model_bytes(model), (unsigned long long)nninit_model_seed(model), nninit_isa(),
             c.threads ? (int)c.threads : omp_get_max_threads());
        nninit_status st = nninit_arena_create(model, &arena);
        if (st != NNINIT_OK)
            rc = fail("init", "cannot allocate %.3f GB for the tensors: %s", 1e-9 * (double)nninit_model_bytes(model),
                      nninit_status_str(st));
    }
    if (!rc) rc = init_and_write(&c, model, ck, arena);
    if (!rc && c.stats && (fflush(stdout) != 0 || ferror(stdout)))
        rc = fail("init", "standard output: %s", strerror(errno));
    nninit_arena_free(arena);
    nninit_st_close(ck);
    batch_free(&c.batch);
    nninit_graph_free(c.graph);
    nninit_model_free(model);
    args_free(&a);
    return rc;
}
