/* nninit init: every tensor of a JSON model spec, initialized (some loaded
 * from a checkpoint) and streamed to one safetensors file, a sharded
 * checkpoint or a directory of .npy files (nninit_model_write: the model is
 * never held in memory); or, with a data-dependent init on a batch of data
 * (docs/GRAPHS.md), initialized in memory, changed by the algorithm, then
 * saved. */
#include <errno.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "prog.h"

const char init_help[] =
    "usage: nninit init SPEC.json -o OUT [options]\n"
    "\n"
    "Initializes every tensor of a JSON model spec (docs/MODELS.md) and writes them. SPEC may\n"
    "be a Hugging Face config.json or its directory (docs/HF.md; a directory OUT gets it too).\n"
    "\n"
    "  -o, --output OUT         where to write; '-' is standard output (safetensors only);\n"
    "                           devices such as /dev/null are written directly\n"
    "  --max-shard-size SIZE    a Hugging Face sharded checkpoint: the directory OUT/ with\n"
    "                           model-00001-of-0000N.safetensors ... and model.safetensors.index.json\n"
    "                           (huggingface_hub's split rule); SIZE with a unit: 5GB, 500MB, 2GiB\n"
    "                           (KB MB GB TB = 10^3.., KiB MiB GiB TiB = 2^10.., B bytes)\n"
    "  -f, --force              replace OUT if it exists (atomically); without it an existing OUT\n"
    "                           is an error\n"
    "  --format FORMAT          safetensors (default): one file with metadata nninit_version, seed,\n"
    "                           spec (the canonical spec JSON) and format=pt;\n"
    "                           npy: a directory OUT/ with one NAME.npy per tensor (NAME\n"
    "                           percent-encoded, man nninit) and __metadata__.json\n"
    "  --dtype DTYPE            every tensor in f32, f64, bf16 or f16 (default: the spec's)\n"
    "  --recipe R               a config's init recipe (nninit spec --help): hf (default), ...\n"
    "  --seed N                 the seed (default: the spec's), unsigned 64-bit\n"
    "  --threads N              filling threads (default: the OpenMP default, OMP_NUM_THREADS);\n"
    "                           one more thread writes\n"
    "  --memory SIZE            the buffers the model streams through (default 64MiB, at least\n"
    "                           2MiB): resident memory, plus the largest orthogonal or sparse tensor\n"
    "  --stats                  after init, per tensor: shape, mean, std, min, max of the values\n"
    "                           written, the std the scheme should give, the init (stdout; stderr with -o -)\n"
    "  --from CKPT              load the tensors the checkpoint has (same name, same shape; f32,\n"
    "                           f64, bf16 and f16 are converted), initialize the others; CKPT is a\n"
    "                           .safetensors file, or a sharded checkpoint: its directory or its\n"
    "                           model.safetensors.index.json\n"
    "  --rename OLD=NEW         with --from: checkpoint tensor OLD+rest provides spec tensor\n"
    "                           NEW+rest (prefixes; repeatable)\n"
    "  --reinit-mismatched      with --from: initialize a tensor whose checkpoint shape differs\n"
    "                           (else that is an error)\n"
    "  --from-allow-none        with --from: accept a checkpoint that provides none of the spec's\n"
    "                           tensors (else an error that names a few of each, and a rename to try)\n"
    "  --allow-nonfinite        with --from: copy NaN and infinite checkpoint values (else an error;\n"
    "                           a finite value the dtype cannot hold is always one)\n"
    "  --data BATCH.npy         a batch (float32/64/16 .npy shaped like the input of the spec's\n"
    "                           \"graph\") for a data-dependent init, run after the spec's init\n"
    "  --data-init ALGO         \"lsuv(tol=0.1, max_iter=10, target_var=1)\" or \"batch_stats(mean=0,\n"
    "                           std=1)\" (default: the spec's \"data_init\"; 'none' skips it); a\n"
    "                           per-layer report follows; the model is held in memory\n"
    "  -q, --quiet              errors only: no progress bar, summary or --from report\n"
    "  -v, --verbose            also the settings (kernel path, threads, seed) and each phase's time\n"
    "  --progress, --no-progress  draw the progress bar, or not, whatever standard error is\n"
    "                           (default: when it is a terminal)\n"
    "\n"
    "OUT appears whole or not at all: an error, a full disk or a signal (SIGINT, SIGTERM, SIGHUP)\n"
    "leaves no partial file or directory. A summary line (tensors, GB = 10^9 bytes, seconds, GB/s)\n"
    "follows the run. Exit status 0, 1 on a runtime failure (spec, graph, checkpoint, batch, memory,\n"
    "writing), 2 on a usage error.\n";

/* --data and --data-init: nninit init's own options (nninit-mpi shares the others). */
enum { DATA_OPT_COUNT = 2 };
static const opt data_opts[DATA_OPT_COUNT] = {
    { "--data", NULL, OPT_VALUE, NULL, 0, NULL }, { "--data-init", NULL, OPT_VALUE, NULL, 0, NULL },
};

typedef struct {
    const char *data, *data_init;
    nninit_graph *graph;            /* the spec's graph, if it has one */
    nninit_data_init algo;          /* the data-dependent init, if have_algo */
    int have_algo;
    batch batch;                    /* --data */
} data_cfg;

static const opt init_opts[INIT_OPT_COUNT] = {
    { "--output", "-o", OPT_VALUE, NULL, 0, NULL }, { "--format", NULL, OPT_VALUE, NULL, 0, NULL },
    { "--dtype", NULL, OPT_VALUE, NULL, 0, NULL },  { "--seed", NULL, OPT_VALUE, NULL, 0, NULL },
    { "--threads", NULL, OPT_VALUE, NULL, 0, NULL }, { "--from", NULL, OPT_VALUE, NULL, 0, NULL },
    { "--rename", NULL, OPT_LIST, NULL, 0, NULL },  { "--stats", NULL, OPT_FLAG, NULL, 0, NULL },
    { "--reinit-mismatched", NULL, OPT_FLAG, NULL, 0, NULL }, { "--memory", NULL, OPT_VALUE, NULL, 0, NULL },
    { "--max-shard-size", NULL, OPT_VALUE, NULL, 0, NULL }, { "--recipe", NULL, OPT_VALUE, NULL, 0, NULL },
    { "--from-allow-none", NULL, OPT_FLAG, NULL, 0, NULL }, { "--allow-nonfinite", NULL, OPT_FLAG, NULL, 0, NULL },
    COMMON_OPTS,
};

void init_options(opt opts[INIT_OPT_COUNT]) { memcpy(opts, init_opts, sizeof init_opts); }

/* A SIZE option's value into *bytes: 0, or a usage error's status. */
static int size_option(args *a, const char *name, uint64_t *bytes)
{
    const char *v = args_value(a, name);
    char why[256];
    if (v && nninit_size_parse(v, bytes, why, sizeof why) != NNINIT_OK) return usage_error("init", "%s: %s", name, why);
    return 0;
}

/* --format's value is not a format (with the one it most likely meant). */
static int bad_format(const char *v)
{
    static const char *const formats[] = { "safetensors", "npy" };
    char hint[64];
    return usage_error("init", "--format: '%s' is not safetensors or npy%s", v,
                       did_you_mean(hint, sizeof hint, v, formats, 2, ""));
}

/* -o NAME.safetensors with --max-shard-size: a usage error (the library refuses
 * it too, nninit_model_write; here it is said in the options' words, before
 * anything is read). */
static int check_sharded_out(const init_cfg *c)
{
    static const char ext[] = ".safetensors";
    const size_t e = sizeof ext - 1;
    size_t len = strlen(c->out);
    while (len > 1 && c->out[len - 1] == '/') len--;
    if (!c->shard || len < e || strncasecmp(c->out + len - e, ext, e) != 0) return 0;
    size_t stem = len - e;
    int bare = stem == 0 || c->out[stem - 1] == '/';
    return usage_error("init", "-o %s: --max-shard-size writes a sharded checkpoint, a directory (of "
                       "model-00001-of-0000N.safetensors ... and model.safetensors.index.json), and a name ending in "
                       ".safetensors says a single file: give -o %.*s%s, or leave out --max-shard-size for one file",
                       c->out, (int)stem, c->out, bare ? "model" : "");
}

int init_read_options(args *a, init_cfg *c)
{
    const char *v;
    if (a->n_positional == 0) return usage_error("init", "a model spec (JSON file) is required");
    c->spec_path = a->positional[0];
    if (!(c->out = args_value(a, "--output")))
        return usage_error("init", "-o/--output is required ('-' for standard output)");
    if ((v = args_value(a, "--format")) && strcmp(v, "npy") != 0 && strcmp(v, "safetensors") != 0)
        return bad_format(v);
    c->npy = v && strcmp(v, "npy") == 0;
    if ((v = args_value(a, "--dtype")) && !parse_dtype(v, &c->dtype))
        return bad_dtype("init", v);
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
    c->recipe = args_value(a, "--recipe");
    c->stats = args_given(a, "--stats") > 0;
    c->reinit = args_given(a, "--reinit-mismatched") > 0;
    c->allow_none = args_given(a, "--from-allow-none") > 0;
    c->allow_nonfinite = args_given(a, "--allow-nonfinite") > 0;
    if (!c->from && (ren->given || c->reinit || c->allow_none || c->allow_nonfinite))
        return usage_error("init", "%s needs --from", ren->given ? "--rename" : c->reinit ? "--reinit-mismatched"
                                                      : c->allow_none ? "--from-allow-none" : "--allow-nonfinite");
    c->to_stdout = strcmp(c->out, "-") == 0;
    if (c->to_stdout && c->npy) return usage_error("init", "--format npy writes a directory; -o - is not one");
    int rc = size_option(a, "--memory", &c->memory);
    if (!rc) rc = size_option(a, "--max-shard-size", &c->shard);
    if (rc) return rc;
    if (c->memory && c->memory < 2 * NNINIT_WRITE_UNIT_BYTES)
        return usage_error("init", "--memory: '%s' is below the minimum, 2MiB", args_value(a, "--memory"));
    if (c->shard && c->npy) return usage_error("init", "--max-shard-size applies to safetensors, not --format npy");
    if (c->shard && c->to_stdout) return usage_error("init", "--max-shard-size writes a directory; -o - is not one");
    if ((rc = check_sharded_out(c))) return rc;
    if (c->to_stdout && isatty(STDOUT_FILENO))
        return usage_error("init", "-o -: standard output is a terminal; redirect it or give a file name");
    return 0;
}

/* A Hugging Face config's model: its spec (nninit_hf_spec), parsed. */
static int load_hf_model(const init_cfg *c, nninit_model **model)
{
    char msg[1024] = "", *spec = NULL;
    nninit_hf_options o;
    nninit_hf_options_default(&o);
    if (c->recipe) o.recipe = c->recipe;
    nninit_status st = nninit_hf_spec(c->config, c->config_len, &o, &spec, msg, sizeof msg);
    if (st == NNINIT_OK) st = nninit_model_parse(spec, strlen(spec), model, msg, sizeof msg);
    nninit_hf_free(spec);
    if (st != NNINIT_OK) return fail("init", "%s: %s", c->spec_path, msg[0] ? msg : nninit_status_str(st));
    return 0;
}


int init_report_status(const init_cfg *c, const nninit_st_file *ck, nninit_status st, const char *msg)
{
    if (st == NNINIT_E_SHAPE && ck && !c->reinit && msg[0])
        return fail("init", "%s (--reinit-mismatched initializes such tensors instead)", msg);
    if (st == NNINIT_E_PARAM && ck && strstr(msg, "the checkpoint provides none of the spec's"))
        return fail("init", "--from %s: %s. --rename OLD=NEW maps checkpoint names onto the spec's; "
                    "--from-allow-none initializes every tensor anyway", c->from, msg);
    return report_status("init", st, msg);
}

int init_load_inputs(init_cfg *c, nninit_model **model, nninit_st_file **ck)
{
    char msg[1024] = "";
    int rc = read_hf_config("init", c->spec_path, &c->config, &c->config_len);
    if (rc > 0) return rc;
    if (!c->config && c->recipe)
        return usage_error("init", "--recipe applies to a Hugging Face config; '%s' is a model spec", c->spec_path);
    nninit_status st = NNINIT_OK;
    if (c->config) {
        if ((rc = load_hf_model(c, model))) return rc;
    } else if ((st = nninit_model_load(c->spec_path, model, msg, sizeof msg)) != NNINIT_OK) {
        return fail("init", "%s", msg[0] ? msg : nninit_status_str(st));
    }
    if (c->dtype_given && (st = nninit_model_set_dtype(*model, c->dtype)) != NNINIT_OK)
        return fail("init", "--dtype %s: %s", nninit_dtype_name(c->dtype), nninit_status_str(st));
    if (c->seed_given && (st = nninit_model_set_seed(*model, c->seed)) != NNINIT_OK)
        return fail("init", "--seed: %s", nninit_status_str(st));
    if (c->from && (st = nninit_st_open(c->from, ck, msg, sizeof msg)) != NNINIT_OK)
        return fail("init", "--from: %s", msg[0] ? msg : nninit_status_str(st));
    return 0;
}

/* --data / --data-init to d: 0, or a usage error's status. */
static int read_data_options(args *a, const init_cfg *c, data_cfg *d)
{
    d->data = args_value(a, "--data");
    d->data_init = args_value(a, "--data-init");
    if (d->data_init && strcmp(d->data_init, "none") != 0) {
        char msg[512];
        if (nninit_data_init_parse(d->data_init, &d->algo, msg, sizeof msg) != NNINIT_OK)
            return usage_error("init", "--data-init: %s", msg);
        if (!d->data) return usage_error("init", "--data-init needs --data BATCH.npy");
    }
    if (d->data && c->memory)
        return usage_error("init", "--memory sizes the streaming writer's buffers; with --data the model is held in "
                           "memory");
    if (d->data && c->shard)
        return usage_error("init", "--max-shard-size: a data-dependent init writes one file or an npy directory");
    return 0;
}

/* The graph (checked whenever the spec has one), the data-dependent init and
 * its batch: everything is validated before anything is initialized. */
static int load_data_init(const init_cfg *c, data_cfg *d, nninit_model *model)
{
    char msg[1024] = "";
    nninit_status st;
    if (nninit_model_graph(model) && (st = nninit_graph_create(model, &d->graph, msg, sizeof msg)) != NNINIT_OK)
        return fail("init", "%s: %s", c->spec_path, msg[0] ? msg : nninit_status_str(st));
    int rc = data_init_choose("init", d->data_init, model, &d->algo, &d->have_algo);
    if (rc) return rc;
    if (d->have_algo && !d->graph)
        return fail("init", "%s: a data-dependent init needs the spec's \"graph\" (docs/GRAPHS.md)", c->spec_path);
    if (d->have_algo && !d->data)
        return fail("init", "%s: the spec's \"data_init\" (\"%s\") needs a batch: --data BATCH.npy (or --data-init "
                    "none)", c->spec_path, nninit_model_data_init(model));
    if (!d->have_algo && d->data)
        return usage_error("init", "--data needs --data-init or a spec with \"data_init\"");
    return d->data ? batch_load("init", d->data, d->graph, &d->batch) : 0;
}

/* With a data-dependent init: every tensor initialized (or loaded) into an
 * arena, the algorithm run on it, the --from report and the --stats table,
 * then the model saved. */
static int init_in_memory(const init_cfg *c, const data_cfg *d, const nninit_model *model, const nninit_st_file *ck)
{
    size_t n = nninit_model_count(model);
    uint64_t bytes = nninit_model_bytes(model);
    nninit_arena *arena = NULL;
    nninit_status st = nninit_arena_create(model, &arena);
    if (st != NNINIT_OK)
        return fail("init", "cannot allocate %.3f GB for the tensors: %s", 1e-9 * (double)bytes, nninit_status_str(st));
    void *const *t = nninit_arena_pointers(arena);
    nninit_source *source = ck ? calloc(n ? n : 1, sizeof *source) : NULL;
    unsigned char *used = ck ? calloc(nninit_st_count(ck) ? nninit_st_count(ck) : 1, 1) : NULL;
    nninit_stats *stats = c->stats ? calloc(n ? n : 1, sizeof *stats) : NULL;
    int rc = (ck && (!source || !used)) || (c->stats && !stats) ? fail("init", "out of memory") : 0;
    progress_bar bar;
    nninit_run_options run = { .threads = (int)c->threads, .cancel = &g_stop };
    if (progress_wanted()) {
        run.progress = progress_draw;
        run.progress_ctx = &bar;
    }
    char msg[1024] = "";
    double init_s = 0, data_s = 0, write_s = 0, t0;
    if (!rc) {
        progress_start(&bar);
        if (ck) {
            nninit_load_options load = { .renames = c->renames, .reinit_mismatched = c->reinit,
                                         .allow_no_match = c->allow_none, .allow_nonfinite = c->allow_nonfinite };
            st = nninit_model_init_from(model, ck, &load, t, &run, source, used, msg, sizeof msg);
        } else {
            st = nninit_model_init(model, t, &run, msg, sizeof msg);
        }
        init_s = now_seconds() - bar.t0;
        progress_clear(&bar);
        if (st == NNINIT_E_CANCELED) rc = EXIT_FAIL;   /* nothing written; main re-raises the signal */
        else if (st != NNINIT_OK) rc = init_report_status(c, ck, st, msg);
    }
    if (!rc) {
        t0 = now_seconds();
        rc = data_init_run("init", d->graph, &d->algo, t, &d->batch, (int)c->threads, 1);
        data_s = now_seconds() - t0;
    }
    if (!rc && ck && g_prog.verbosity >= 1) print_from_report(c->from, model, ck, c->renames, source, used);
    for (size_t i = 0; !rc && c->stats && i < n; i++) {
        nninit_model_tensor info;
        nninit_model_tensor_info(model, i, &info);
        if ((st = nninit_tensor_stats(t[i], info.dtype, info.count, &stats[i])) != NNINIT_OK)
            rc = fail("init", "--stats: tensor '%s': %s", info.name, nninit_status_str(st));
    }
    if (!rc && c->stats) rc = print_stats(c->to_stdout ? stderr : stdout, model, stats, source);
    if (!rc) {
        t0 = now_seconds();
        nninit_write_options wo = write_options();
        st = nninit_model_save(model, (const void *const *)t, c->out,
                               c->npy ? NNINIT_FORMAT_NPY_DIR : NNINIT_FORMAT_SAFETENSORS, &wo, msg, sizeof msg);
        write_s = now_seconds() - t0;
        if (st == NNINIT_E_CANCELED) rc = EXIT_FAIL;
        else if (st != NNINIT_OK) rc = report_status("init", st, msg);
    }
    if (!rc)
        info(1, "init", "%zu tensors, %.3f GB in %.3f s (%.2f GB/s); %s in %.3f s; wrote %s%s%s in %.3f s", n,
             1e-9 * (double)bytes, init_s, init_s > 0 ? 1e-9 * (double)bytes / init_s : 0.0,
             d->algo.kind == NNINIT_DATA_LSUV ? "lsuv" : "batch_stats", data_s, c->to_stdout ? "" : "'",
             c->to_stdout ? "standard output" : c->out, c->to_stdout ? "" : "'", write_s);
    free(source);
    free(used);
    free(stats);
    nninit_arena_free(arena);
    return rc;
}

/* Initializes (or loads) every tensor and streams it to OUT; then the
 * --from report and the --stats table. */
nninit_model_write_options init_write_options(const init_cfg *c, const nninit_st_file *ck, nninit_load_options *load,
                                              nninit_source *source, unsigned char *used, nninit_stats *stats)
{
    *load = (nninit_load_options){ .renames = c->renames, .reinit_mismatched = c->reinit,
                                   .allow_no_match = c->allow_none, .allow_nonfinite = c->allow_nonfinite };
    nninit_write_options wo = write_options();
    nninit_model_write_options wopt = {
        .threads = (int)c->threads, .cancel = wo.cancel, .no_replace = wo.no_replace, .memory_bytes = c->memory,
        .max_shard_bytes = c->shard, .ckpt = ck, .load = ck ? load : NULL, .source = source, .ckpt_used = used,
        .stats = stats,
        /* a directory output gets the Hugging Face config beside the weights */
        .config_json = c->shard || c->npy ? c->config : NULL, .config_json_size = c->config_len,
    };
    return wopt;
}

static int stream_model(const init_cfg *c, const nninit_model *model, const nninit_st_file *ck)
{
    size_t n = nninit_model_count(model);
    nninit_source *source = ck ? calloc(n ? n : 1, sizeof *source) : NULL;
    unsigned char *used = ck ? calloc(nninit_st_count(ck) ? nninit_st_count(ck) : 1, 1) : NULL;
    nninit_stats *stats = c->stats ? calloc(n ? n : 1, sizeof *stats) : NULL;
    if ((ck && (!source || !used)) || (c->stats && !stats)) {
        free(source); free(used); free(stats);
        return fail("init", "out of memory");
    }
    nninit_load_options load;
    nninit_model_write_options wopt = init_write_options(c, ck, &load, source, used, stats);
    progress_bar bar;
    if (progress_wanted()) {
        wopt.progress = progress_draw;
        wopt.progress_ctx = &bar;
    }
    char msg[1024] = "";
    progress_start(&bar);
    nninit_status st = nninit_model_write(model, c->out, c->npy ? NNINIT_FORMAT_NPY_DIR : NNINIT_FORMAT_SAFETENSORS,
                                          &wopt, msg, sizeof msg);
    double seconds = now_seconds() - bar.t0;
    progress_clear(&bar);
    int rc = 0;
    if (st == NNINIT_E_CANCELED) rc = EXIT_FAIL;   /* nothing left behind; main re-raises the signal */
    else if (st != NNINIT_OK) rc = init_report_status(c, ck, st, msg);
    if (!rc && ck && g_prog.verbosity >= 1) print_from_report(c->from, model, ck, c->renames, source, used);
    if (!rc && c->stats) rc = print_stats(c->to_stdout ? stderr : stdout, model, stats, source);
    if (!rc) {
        uint64_t bytes = nninit_model_bytes(model);
        info(1, "init", "%zu tensors, %.3f GB in %.3f s (%.2f GB/s); wrote %s%s%s%s", n, 1e-9 * (double)bytes, seconds,
             seconds > 0 ? 1e-9 * (double)bytes / seconds : 0.0, c->to_stdout ? "" : "'",
             c->to_stdout ? "standard output" : c->out, c->to_stdout ? "" : "'",
             c->shard ? " (sharded)" : "");
        info(2, "init", "initialized and written in %.3f s, streamed through %.0f MiB of buffers", seconds,
             (double)(c->memory ? c->memory : NNINIT_WRITE_MEMORY_DEFAULT) / (1 << 20));
    }
    free(source);
    free(used);
    free(stats);
    return rc;
}

int cmd_init(int argc, char **argv)
{
    opt opts[INIT_OPT_COUNT + DATA_OPT_COUNT];
    init_options(opts);
    memcpy(opts + INIT_OPT_COUNT, data_opts, sizeof data_opts);
    args a = { "init", opts, INIT_OPT_COUNT + DATA_OPT_COUNT, 1, { 0 }, 0, 0 };
    init_cfg c = { 0 };
    data_cfg d;
    memset(&d, 0, sizeof d);
    int rc = args_parse(&a, argc, argv);
    if (!rc && a.help) { fputs(init_help, stdout); args_free(&a); return 0; }
    if (!rc) rc = args_common(&a);
    if (!rc) rc = init_read_options(&a, &c);
    if (!rc) rc = read_data_options(&a, &c, &d);

    nninit_model *model = NULL;
    nninit_st_file *ck = NULL;
    if (!rc) rc = init_load_inputs(&c, &model, &ck);
    if (!rc) rc = load_data_init(&c, &d, model);
    if (!rc) rc = check_output("init", c.out);
    if (!rc) {
        info(2, "init", "%zu tensors, %.3f GB, seed %llu, kernels %s, %d threads", nninit_model_count(model),
             1e-9 * (double)nninit_model_bytes(model), (unsigned long long)nninit_model_seed(model), nninit_isa(),
             c.threads ? (int)c.threads : omp_get_max_threads());
        rc = d.have_algo ? init_in_memory(&c, &d, model, ck) : stream_model(&c, model, ck);
    }
    if (!rc && c.stats && (fflush(stdout) != 0 || ferror(stdout)))
        rc = fail("init", "standard output: %s", strerror(errno));
    nninit_st_close(ck);
    batch_free(&d.batch);
    nninit_graph_free(d.graph);
    nninit_model_free(model);
    nninit_hf_free(c.config);
    args_free(&a);
    return rc;
}
