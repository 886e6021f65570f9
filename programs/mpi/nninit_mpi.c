/* nninit-mpi: `nninit init` on many processes (mpirun -np N nninit-mpi init
 * SPEC -o OUT [options]), on one machine or many with a shared file system.
 *
 * Every process reads the spec (and the checkpoint) and plans the same
 * output; the first (rank 0) creates the temporary output and tells the
 * others its name; each writes its share (nninit_model_writer_run, part =
 * rank): whole files of a directory output, byte ranges of a single file.
 * The first process draws the progress of all from the counts the others
 * send it, collects every process's outcome, and then either commits the
 * output or removes it and reports the first failing process's message.
 * Every process exits with the same status. docs/DESIGN.md, "Streaming",
 * has the split; the program uses the public API only. */
#include <errno.h>
#include <mpi.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../prog.h"

enum { TAG_PROGRESS = 1, TAG_DONE = 2, MSG_MAX = 1024 };

static int g_rank, g_size;
static int g_mpi_threads;          /* MPI may be called from the writing thread */

static const char mpi_help[] =
    "usage: mpirun [-np N] [--hostfile FILE] nninit-mpi init SPEC.json -o OUT [options]\n"
    "\n"
    "nninit init on N processes: the options are nninit init's ('nninit help init'). The first\n"
    "process creates the temporary output; each writes its share of it, whole files of a\n"
    "directory output (--max-shard-size, --format npy) or byte ranges of a single file, which\n"
    "must be on a file system every process sees. The result is byte for byte nninit init's.\n"
    "The first process draws the progress of all; a failure in any process fails the run with\n"
    "that process's message and removes the temporary. Devices need one process, standard\n"
    "output cannot be written (mpirun relays it as text); with several processes --stats\n"
    "reads the finished safetensors output back.\n";

/* ---- every process's outcome ------------------------------------------------------------ */
/* The worst status of all processes; the first process prints the message of
 * the lowest failing one (its own was printed already). */
static int agree(int rc, const char *captured)
{
    int worst = rc, first = rc ? g_rank : g_size;
    MPI_Allreduce(MPI_IN_PLACE, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    MPI_Allreduce(MPI_IN_PLACE, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (first > 0 && first < g_size) {
        if (g_rank == first) MPI_Send(captured, MSG_MAX, MPI_CHAR, 0, TAG_DONE, MPI_COMM_WORLD);
        if (g_rank == 0) {
            char msg[MSG_MAX];
            MPI_Recv(msg, MSG_MAX, MPI_CHAR, first, TAG_DONE, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            msg[MSG_MAX - 1] = '\0';
            char shown[4 * MSG_MAX];
            if (msg[0]) fprintf(stderr, "%s: %s (process %d of %d)\n", g_prog.name, display_text(msg, shown, sizeof shown),
                                first, g_size);
        }
    }
    return worst;
}

/* ---- progress: the others send their counts, the first draws the sum -------------------- */
typedef struct {
    progress_bar bar;
    int draw;                    /* the first process, with a bar wanted */
    uint64_t *counts;            /* the first process: 2 per process, tensors and bytes done */
    nninit_progress total;       /* the model's */
    MPI_Request req;             /* the others: the one message in flight */
    uint64_t out[2];
} mpi_progress;

static void absorb(mpi_progress *p, int from, const uint64_t *v)
{
    p->counts[2 * from] = v[0];
    p->counts[2 * from + 1] = v[1];
}

static void draw_all(mpi_progress *p)
{
    nninit_progress sum = p->total;
    sum.tensors_done = 0;
    sum.bytes_done = 0;
    for (int r = 0; r < g_size; r++) {
        sum.tensors_done += (size_t)p->counts[2 * r];
        sum.bytes_done += p->counts[2 * r + 1];
    }
    if (sum.tensors_done > sum.tensors_total) sum.tensors_done = sum.tensors_total;
    progress_draw(&p->bar, &sum);
}

/* The first process: takes every progress message waiting. */
static void drain(mpi_progress *p)
{
    for (;;) {
        int flag;
        MPI_Status s;
        MPI_Iprobe(MPI_ANY_SOURCE, TAG_PROGRESS, MPI_COMM_WORLD, &flag, &s);
        if (!flag) return;
        uint64_t v[2];
        MPI_Recv(v, 2, MPI_UINT64_T, s.MPI_SOURCE, TAG_PROGRESS, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        absorb(p, s.MPI_SOURCE, v);
    }
}

/* nninit_model_write_options.progress, called by the writing thread. */
static void on_progress(void *ctx, const nninit_progress *pr)
{
    mpi_progress *p = ctx;
    if (g_rank == 0) {
        uint64_t v[2] = { pr->tensors_done, pr->bytes_done };
        absorb(p, 0, v);
        drain(p);
        draw_all(p);
        return;
    }
    int ready = 1;
    if (p->req != MPI_REQUEST_NULL) MPI_Test(&p->req, &ready, MPI_STATUS_IGNORE);
    if (!ready) return;   /* the first process has not taken the last one yet: skip this one */
    p->out[0] = pr->tensors_done;
    p->out[1] = pr->bytes_done;
    MPI_Isend(p->out, 2, MPI_UINT64_T, 0, TAG_PROGRESS, MPI_COMM_WORLD, &p->req);
}

/* After its part: the others report their outcome (and message) to the
 * first, which meanwhile keeps drawing the progress until all are done. */
static int collect(mpi_progress *p, int rc, const char *captured)
{
    if (g_rank != 0) {
        if (p->req != MPI_REQUEST_NULL) MPI_Wait(&p->req, MPI_STATUS_IGNORE);
        char buf[MSG_MAX + sizeof(int)];
        memcpy(buf, &rc, sizeof rc);
        snprintf(buf + sizeof rc, MSG_MAX, "%s", captured);
        MPI_Send(buf, (int)sizeof buf, MPI_CHAR, 0, TAG_DONE, MPI_COMM_WORLD);
        MPI_Bcast(&rc, 1, MPI_INT, 0, MPI_COMM_WORLD);
        return rc;
    }
    int worst = rc, first = rc ? 0 : g_size;
    char first_msg[MSG_MAX] = "";
    for (int left = g_size - 1; left > 0;) {
        MPI_Status s;
        MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &s);
        if (s.MPI_TAG == TAG_PROGRESS) {
            uint64_t v[2];
            MPI_Recv(v, 2, MPI_UINT64_T, s.MPI_SOURCE, TAG_PROGRESS, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            absorb(p, s.MPI_SOURCE, v);
            if (p->draw) draw_all(p);
            continue;
        }
        char buf[MSG_MAX + sizeof(int)];
        MPI_Recv(buf, (int)sizeof buf, MPI_CHAR, s.MPI_SOURCE, TAG_DONE, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        int theirs;
        memcpy(&theirs, buf, sizeof theirs);
        buf[sizeof buf - 1] = '\0';
        if (theirs > worst) worst = theirs;
        if (theirs && s.MPI_SOURCE < first) {
            first = s.MPI_SOURCE;
            snprintf(first_msg, sizeof first_msg, "%s", buf + sizeof theirs);
        }
        left--;
    }
    char shown[4 * MSG_MAX];
    if (first > 0 && first < g_size && first_msg[0])
        fprintf(stderr, "%s: %s (process %d of %d)\n", g_prog.name, display_text(first_msg, shown, sizeof shown), first,
                g_size);
    return worst;
}

/* ---- the run ----------------------------------------------------------------------------- */
/* --stats with several processes: the first reads the finished output back. */
static int stats_from_output(const init_cfg *c, const nninit_model *model, const nninit_source *source)
{
    nninit_st_file *f;
    char msg[MSG_MAX];
    nninit_status st = nninit_st_open(c->out, &f, msg, sizeof msg);
    if (st != NNINIT_OK) return fail("init", "--stats: %s", msg);
    size_t n = nninit_model_count(model);
    nninit_stats *stats = calloc(n ? n : 1, sizeof *stats);
    int rc = stats ? 0 : fail("init", "out of memory");
    for (size_t i = 0; !rc && i < n; i++) {
        nninit_model_tensor t;
        nninit_tensor ft;
        nninit_model_tensor_info(model, i, &t);
        long j = nninit_st_find(f, t.name);
        if (j < 0 || nninit_st_tensor(f, (size_t)j, &ft) != NNINIT_OK ||
            nninit_tensor_stats(ft.data, ft.dtype, t.count, &stats[i]) != NNINIT_OK)
            rc = fail("init", "--stats: tensor '%s' cannot be read back from '%s'", t.name, c->out);
    }
    if (!rc) rc = print_stats(stdout, model, stats, source);
    free(stats);
    nninit_st_close(f);
    return rc;
}

/* Every process must write the same plan: the same spec (seed, tensors,
 * dtypes), options, checkpoint and layout (a stale copy of the spec on one
 * node would otherwise put its own seed's values, or its own offsets, into
 * the first process's file). The writers' digests (nninit_model_writer_digest)
 * are gathered and compared before anything is created; a difference fails
 * every process, naming the ones that differ from the first. */
static int same_plan(const nninit_model_writer *w)
{
    uint64_t mine = nninit_model_writer_digest(w);
    uint64_t *all = calloc((size_t)g_size, sizeof *all);
    int ok = all != NULL;
    MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (!ok) {
        free(all);
        return fail("init", "out of memory");
    }
    MPI_Allgather(&mine, 1, MPI_UINT64_T, all, 1, MPI_UINT64_T, MPI_COMM_WORLD);
    int rc = 0;
    if (g_rank == 0) {
        char list[512] = "";
        size_t o = 0;
        int differ = 0, first = 0;
        for (int r = 1; r < g_size; r++) {
            if (all[r] == all[0]) continue;
            if (!differ) first = r;
            if (differ++ < 16 && o < sizeof list)
                o += (size_t)snprintf(list + o, sizeof list - o, "%s%d", differ > 1 ? ", " : "", r);
        }
        if (differ)
            rc = fail("init", "the processes do not agree on the output: process%s %s%s planned another output than "
                      "process 0 (another spec, seed, options or checkpoint; plan digest %016llx against %016llx); "
                      "nothing was written", differ > 1 ? "es" : "", list, differ > 16 ? ", ..." : "",
                      (unsigned long long)all[first], (unsigned long long)all[0]);
    }
    free(all);
    MPI_Bcast(&rc, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return rc;
}

/* The writer on this process: created by all, begun by the first, attached by the others. */
static int open_output(const init_cfg *c, const nninit_model *model, const nninit_st_file *ck,
                       nninit_model_write_options *wopt, nninit_model_writer **w)
{
    char msg[MSG_MAX] = "", temp[4096] = "";
    nninit_status st = nninit_model_writer_create(model, c->out, c->npy ? NNINIT_FORMAT_NPY_DIR : NNINIT_FORMAT_SAFETENSORS,
                                                  wopt, w, msg, sizeof msg);
    int rc = st == NNINIT_OK ? 0 : init_report_status(c, ck, st, msg);
    if ((rc = agree(rc, g_prog.capture))) return rc;
    if ((rc = same_plan(*w))) return rc;
    if (g_rank == 0) {
        st = nninit_model_writer_begin(*w, msg, sizeof msg);
        if (st != NNINIT_OK) rc = report_status("init", st, msg);
        else if (!nninit_model_writer_temp(*w) && g_size > 1)
            rc = fail("init", "standard output or a device is written in order by one process: run with -np 1");
        else if (nninit_model_writer_temp(*w)) snprintf(temp, sizeof temp, "%s", nninit_model_writer_temp(*w));
    }
    MPI_Bcast(&rc, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (rc) return rc;
    MPI_Bcast(temp, (int)sizeof temp, MPI_CHAR, 0, MPI_COMM_WORLD);
    if (g_rank != 0 && (st = nninit_model_writer_attach(*w, temp, msg, sizeof msg)) != NNINIT_OK)
        rc = report_status("init", st, msg);
    return agree(rc, g_prog.capture);
}

static int run(const init_cfg *c, const nninit_model *model, const nninit_st_file *ck)
{
    size_t n = nninit_model_count(model);
    nninit_source *source = ck ? calloc(n ? n : 1, sizeof *source) : NULL;
    unsigned char *used = ck ? calloc(nninit_st_count(ck) ? nninit_st_count(ck) : 1, 1) : NULL;
    nninit_stats *stats = c->stats && g_size == 1 ? calloc(n ? n : 1, sizeof *stats) : NULL;
    mpi_progress p;
    memset(&p, 0, sizeof p);
    p.req = MPI_REQUEST_NULL;
    p.counts = calloc(2 * (size_t)g_size, sizeof *p.counts);
    p.total.tensors_total = n;
    p.total.bytes_total = nninit_model_bytes(model);
    p.draw = g_rank == 0 && progress_wanted();
    MPI_Bcast(&p.draw, 1, MPI_INT, 0, MPI_COMM_WORLD);
    int rc = (ck && (!source || !used)) || (c->stats && g_size == 1 && !stats) || !p.counts ? fail("init", "out of memory") : 0;

    nninit_load_options load;
    nninit_model_write_options wopt = init_write_options(c, ck, &load, source, used, stats);
    /* the others' counts reach the first from their writing threads */
    if (g_mpi_threads && p.draw) {
        wopt.progress = on_progress;
        wopt.progress_ctx = &p;
    }
    nninit_model_writer *w = NULL;
    rc = agree(rc, g_prog.capture);
    if (!rc) rc = open_output(c, model, ck, &wopt, &w);
    double t0 = now_seconds();
    if (!rc) {
        progress_start(&p.bar);
        char msg[MSG_MAX] = "";
        nninit_status st = nninit_model_writer_run(w, g_rank, g_size, msg, sizeof msg);
        /* canceled: no message, as nninit init (the process then dies of the signal) */
        int mine = st == NNINIT_OK ? 0 : st == NNINIT_E_CANCELED ? EXIT_FAIL : report_status("init", st, msg);
        rc = collect(&p, mine, g_prog.capture ? g_prog.capture : "");
        if (g_rank == 0) {
            progress_clear(&p.bar);
            if (!rc) {
                st = nninit_model_writer_commit(w, msg, sizeof msg);
                if (st != NNINIT_OK) rc = report_status("init", st, msg);
            }
            MPI_Bcast(&rc, 1, MPI_INT, 0, MPI_COMM_WORLD);
        }
    }
    double seconds = now_seconds() - t0;
    nninit_model_writer_free(w);   /* after a failure: the first process removes the temporary */
    if (!rc && g_rank == 0) {
        if (ck && g_prog.verbosity >= 1) print_from_report(c->from, model, ck, c->renames, source, used);
        if (c->stats) rc = stats ? print_stats(c->to_stdout ? stderr : stdout, model, stats, source)
                                 : stats_from_output(c, model, source);
        uint64_t bytes = nninit_model_bytes(model);
        if (!rc)
            info(1, "init", "%zu tensors, %.3f GB in %.3f s (%.2f GB/s) on %d processes; wrote %s%s%s", n,
                 1e-9 * (double)bytes, seconds, seconds > 0 ? 1e-9 * (double)bytes / seconds : 0.0, g_size,
                 c->to_stdout ? "" : "'", c->to_stdout ? "standard output" : c->out, c->to_stdout ? "" : "'");
    }
    free(source);
    free(used);
    free(stats);
    free(p.counts);
    return rc;
}

/* nninit init's arguments, checked on every process (they agree: the same
 * arguments give the same verdict). */
static int parse(int argc, char **argv, args *a, init_cfg *c)
{
    if (argc < 2 || strcmp(argv[1], "init") != 0) {
        if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
            if (g_rank == 0) fputs(mpi_help, stdout);
            a->help = 1;
            return 0;
        }
        return usage_error(NULL, "%s", argc < 2 ? "no command given: nninit-mpi init SPEC.json -o OUT [options]"
                                                : "the one command is init: nninit-mpi init SPEC.json -o OUT [options]");
    }
    int rc = args_parse(a, argc - 2, argv + 2);
    if (!rc && a->help) {
        if (g_rank == 0) {
            fputs(mpi_help, stdout);
            fputs("\n", stdout);
            fputs(init_help, stdout);
        }
        return 0;
    }
    if (!rc) rc = args_common(a);
    /* before init_read_options, whose own check of -o - (a terminal) says less */
    if (!rc && args_value(a, "--output") && strcmp(args_value(a, "--output"), "-") == 0)
        rc = usage_error("init", "-o -: mpirun relays standard output as text (through a terminal); write to a file");
    if (!rc) rc = init_read_options(a, c);
    if (!rc && c->stats && c->npy && g_size > 1)
        rc = usage_error("init", "--stats with --format npy and several processes: run nninit init --stats, or -np 1");
    return rc;
}

int main(int argc, char **argv)
{
    signal(SIGXFSZ, SIG_IGN);   /* past ulimit -f a write fails with EFBIG, the temporary is removed */
    int provided = MPI_THREAD_SINGLE;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided);
    catch_stop_signals();       /* after MPI_Init: mpirun forwards SIGINT and SIGTERM to the processes */
    MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g_size);
    g_mpi_threads = provided >= MPI_THREAD_SERIALIZED;
    g_prog.name = "nninit-mpi";
    char captured[MSG_MAX] = "";
    if (g_rank != 0) {
        /* the others keep their messages for the first process */
        g_prog.capture = captured;
        g_prog.capture_size = sizeof captured;
    }

    opt opts[INIT_OPT_COUNT];
    init_options(opts);
    args a = { "init", opts, INIT_OPT_COUNT, 1, { 0 }, 0, 0 };
    init_cfg c;
    memset(&c, 0, sizeof c);
    int rc = parse(argc, argv, &a, &c);
    rc = agree(rc, captured);
    if (g_rank != 0 && g_prog.verbosity > 0) g_prog.verbosity = 0;   /* one summary, the first process's */
    nninit_model *model = NULL;
    nninit_st_file *ck = NULL;
    if (!rc && !a.help) {
        rc = init_load_inputs(&c, &model, &ck);
        if (!rc && g_rank == 0) rc = check_output("init", c.out);
        rc = agree(rc, captured);
    }
    if (!rc && !a.help) {
        info(2, "init", "%zu tensors, %.3f GB, seed %llu, kernels %s, %d processes of %d threads",
             nninit_model_count(model), 1e-9 * (double)nninit_model_bytes(model),
             (unsigned long long)nninit_model_seed(model), nninit_isa(), g_size,
             c.threads ? (int)c.threads : omp_get_max_threads());
        rc = run(&c, model, ck);
    }
    if (!rc && g_rank == 0 && (fflush(stdout) != 0 || ferror(stdout)))
        rc = fail("init", "standard output: %s", strerror(errno));
    nninit_st_close(ck);
    nninit_model_free(model);
    nninit_hf_free(c.config);
    args_free(&a);
    MPI_Finalize();
    reraise_stop_signal();
    return rc;
}
