/* What the commands of the nninit program share (programs/ uses the public
 * API only, as a binding would).
 *
 * Messages go to standard error as "nninit: COMMAND: what: why"; only data,
 * help and version text go to standard output. Exit statuses: */
#ifndef NNINIT_PROG_H
#define NNINIT_PROG_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include "nninit.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

#if defined(__GNUC__)
#define PROG_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define PROG_PRINTF(f, a)
#endif

/* ---- args.c: options --------------------------------------------------------
 * "--name value", "--name=value", "-x value"; flags take no value. Every
 * command that writes also takes the common options below. */
typedef enum { OPT_VALUE, OPT_FLAG, OPT_LIST } opt_kind;

typedef struct {
    const char *long_name;   /* "--shape" */
    const char *short_name;  /* "-o", or NULL */
    opt_kind kind;
    const char *value;       /* OPT_VALUE: NULL until given (twice is a usage error) */
    int given;               /* OPT_FLAG: times given; OPT_LIST: number of values */
    const char **list;       /* OPT_LIST: the values (allocated by args_parse) */
} opt;

typedef struct {
    const char *cmd;         /* the command, for messages */
    opt *opts;
    int n_opts;
    int max_positional;      /* arguments that are not options */
    const char *positional[4];
    int n_positional;
    int help;                /* -h or --help was given */
} args;

/* Parses argv[0..argc) into a. 0, or an exit status after printing why. */
int args_parse(args *a, int argc, char **argv);
void args_free(args *a);
opt *args_opt(args *a, const char *long_name);   /* the option, or NULL */
const char *args_value(args *a, const char *long_name);
int args_given(args *a, const char *long_name);

/* The options every writing command takes. */
#define COMMON_OPTS                                                            \
    { "--force", "-f", OPT_FLAG, NULL, 0, NULL },                              \
    { "--quiet", "-q", OPT_FLAG, NULL, 0, NULL },                              \
    { "--verbose", "-v", OPT_FLAG, NULL, 0, NULL },                            \
    { "--progress", NULL, OPT_FLAG, NULL, 0, NULL },                           \
    { "--no-progress", NULL, OPT_FLAG, NULL, 0, NULL }

/* Reads the common options into the program state below; a usage error
 * (exit status) for --progress with --no-progress, or -q with -v. */
int args_common(args *a);

/* " (did you mean 'PREFIX NAME'?)" into buf when nninit_suggest finds one of
 * candidates[0..n) close to word, else "": the tail of an unknown-name message.
 * prefix ("--" for options, "" for others) is put before the name shown. */
const char *did_you_mean(char *buf, size_t cap, const char *word, const char *const *candidates, size_t n,
                         const char *prefix);

/* Strict values: digits only (0x and hex digits allowed for u64), the whole
 * string, in range. 1 if s is one. */
int parse_u64(const char *s, uint64_t *out);
int parse_dtype(const char *s, nninit_dtype *out);
/* The usage error for a --dtype value that is not a dtype name (with the name
 * it most likely meant). */
int bad_dtype(const char *cmd, const char *value);
/* "64,3,7,7" or "64x3x7x7"; "" and "scalar" are 0-D. 0, or an exit status
 * after printing why (the option's name in the message). */
int parse_shape(const char *cmd, const char *option, const char *s, int64_t shape[NNINIT_MAX_DIMS], int *ndim);

/* A slice in Python's syntax, one entry per dimension separated by ',':
 * "a:b", "a:", ":b" or ":", where a and b are integers and negative ones count
 * from the end of the dimension (as in Python). No steps, no single indices.
 * "" has no entries. */
typedef struct {
    int n;                                          /* entries given */
    int has_lo[NNINIT_MAX_DIMS], has_hi[NNINIT_MAX_DIMS];
    int64_t lo[NNINIT_MAX_DIMS], hi[NNINIT_MAX_DIMS];
    const char *text[NNINIT_MAX_DIMS];              /* each entry as given, for messages */
    int len[NNINIT_MAX_DIMS];
} slice_spec;
/* 0, or a usage error's exit status after printing why (the option's name in
 * the message). */
int parse_slice(const char *cmd, const char *option, const char *s, slice_spec *out);
/* The slice of a tensor of shape[0..ndim) as start and count per dimension;
 * dimensions past the entries are whole (NumPy's a[0:4] of a 2-D a). 0, or
 * EXIT_FAIL after printing why: more entries than dimensions, an entry out of
 * the dimension's bounds (never clamped, unlike Python), or a slice that
 * selects nothing. */
int resolve_slice(const char *cmd, const char *option, const char *s, const slice_spec *sl, const int64_t *shape,
                  int ndim, int64_t start[NNINIT_MAX_DIMS], int64_t count[NNINIT_MAX_DIMS]);

/* ---- args.c: the program's state and messages -------------------------------- */
typedef struct {
    int verbosity;           /* 0 quiet (errors only), 1 default, 2 verbose */
    int force;               /* -f: replace existing outputs */
    int progress;            /* -1 automatic (a terminal on stderr), 0 never, 1 always */
    const char *name;        /* the program, in messages: "nninit" */
    /* Non-NULL: messages (errors included) are kept here, the first one
     * whole, instead of printed (nninit-mpi's other processes hand theirs to
     * the first). */
    char *capture;
    size_t capture_size;
} prog_state;
extern prog_state g_prog;

/* "nninit: CMD: message" on stderr; the exit status to return. */
int fail(const char *cmd, const char *fmt, ...) PROG_PRINTF(2, 3);
/* The same, plus "Try 'nninit CMD --help'." and EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...) PROG_PRINTF(2, 3);
/* An informational line, shown at verbosity >= level. */
void info(int level, const char *cmd, const char *fmt, ...) PROG_PRINTF(3, 4);
/* Whether to draw a progress bar on standard error. */
int progress_wanted(void);

/* 0 if the command may write path: "-", a device or FIFO, a path that does
 * not exist, or an existing one with -f. Otherwise prints that it exists and
 * returns EXIT_FAIL. */
int check_output(const char *cmd, const char *path);
/* Options for the library's writers: no_replace unless -f, the cancel flag. */
nninit_write_options write_options(void);
/* The library's failure in the program's words (an existing output names -f). */
int report_status(const char *cmd, nninit_status st, const char *msg);

/* ---- args.c: signals ----------------------------------------------------------
 * SIGINT, SIGTERM and SIGHUP set g_stop instead of killing the process; the
 * library sees it through the cancel flags, stops and removes what it had
 * begun to write; the command then returns and main re-raises the signal, so
 * the caller still sees the process die of it. */
extern volatile sig_atomic_t g_stop;
void catch_stop_signals(void);
void reraise_stop_signal(void);

/* ---- display.c ------------------------------------------------------------------ */
/* Text from a file, a spec or a message (tensor names above all) as it may
 * reach a terminal: control characters (C0, DEL, C1), bytes that are not
 * UTF-8 and the backslash written \xNN / \\, so no name can move the cursor,
 * recolour the terminal or forge a line. Into buf (cut with "..." if it does
 * not fit); returns buf. Everything the programs print from outside goes
 * through it (messages included). */
const char *display_text(const char *s, char *buf, size_t size);
#define NAME_SHOWN 1024
typedef struct {
    double t0;               /* seconds (monotonic) at the start */
    double last_draw;        /* negative before the first */
    int drawn;
} progress_bar;
double now_seconds(void);
void progress_start(progress_bar *bar);
/* nninit_run_options.progress: redraws in place at most 10 times a second. */
void progress_draw(void *ctx, const nninit_progress *p);
void progress_clear(progress_bar *bar);

/* The --stats table: per tensor, values' mean, std, min, max (stats[i], as
 * the library computed them) and the std the scheme should give; source may
 * be NULL. */
int print_stats(FILE *f, const nninit_model *model, const nninit_stats *stats, const nninit_source *source);
/* The --from report on stderr. */
void print_from_report(const char *from, const nninit_model *model, const nninit_st_file *ck,
                       const char *const *renames, const nninit_source *source, const unsigned char *used);

/* ---- cmd_spec.c: Hugging Face configs ---------------------------------------------------- */
/* A Hugging Face config at path (its config.json for a directory) into *text
 * (malloc'ed, NUL-terminated, *len bytes): 0; -1 (errno set, nothing printed)
 * when path is a file that cannot be read or is not a config (a model spec,
 * say); EXIT_FAIL after printing why for a directory without one. */
int read_hf_config(const char *cmd, const char *path, char **text, size_t *len);

/* ---- cmd_init.c: what nninit-mpi shares with nninit init ------------------------------- */
typedef struct {
    const char *spec_path, *out, *from;
    const char *const *renames;     /* NULL-terminated, or NULL */
    int npy, stats, reinit, to_stdout, allow_nonfinite;
    int allow_none;                 /* --from-allow-none */
    int dtype_given, seed_given;
    nninit_dtype dtype;
    uint64_t seed, threads;
    uint64_t memory, shard;         /* bytes; 0: the default, one file */
    const char *recipe;             /* --recipe, for a Hugging Face config */
    char *config;                   /* the Hugging Face config SPEC was, else NULL (init_free_inputs frees it) */
    size_t config_len;
} init_cfg;
#define INIT_OPT_COUNT 19
/* nninit init's option table, into opts. */
void init_options(opt opts[INIT_OPT_COUNT]);
/* Parsed options to cfg: 0, or an exit status after printing why. */
int init_read_options(args *a, init_cfg *c);
/* A failure of initializing (or loading) the model, in the options' words: a
 * shape mismatch names --reinit-mismatched, a checkpoint that provides no
 * tensor names --rename and --from-allow-none. The exit status. */
int init_report_status(const init_cfg *c, const nninit_st_file *ck, nninit_status st, const char *msg);
/* The spec with the overrides, and the checkpoint (--from): 0, or EXIT_FAIL after printing why. */
int init_load_inputs(init_cfg *c, nninit_model **model, nninit_st_file **ck);
/* nninit_model_write's options from cfg (threads, memory, shards, --from with its
 * renames, the cancel flag, -f); load must outlive the returned options. source,
 * used and stats may be NULL. No progress callback: the caller sets its own. */
nninit_model_write_options init_write_options(const init_cfg *c, const nninit_st_file *ck, nninit_load_options *load,
                                              nninit_source *source, unsigned char *used, nninit_stats *stats);

/* ---- data.c: batches and data-dependent init (init --data, probe) ---------------------- */
typedef struct {
    nninit_npy_file *npy;     /* --data: the file */
    float *drawn;             /* --batch N: the samples */
    nninit_tensor tensor;     /* the batch as the library takes it */
    char what[512];           /* "--data digits.npy [1797, 1, 28, 28]", for messages */
} batch;
/* --data PATH: a .npy file of f32/f64/f16 whose shape the graph takes. 0 or an exit status. */
int batch_load(const char *cmd, const char *path, const nninit_graph *graph, batch *b);
/* --batch N: N samples from N(0, 1) in the graph's input shape, drawn from stream
 * nninit_stream_id("nninit probe batch") of seed. 0 or an exit status. */
int batch_draw(const char *cmd, const nninit_graph *graph, uint64_t n, uint64_t seed, batch *b);
void batch_free(batch *b);
/* The algorithm to run: --data-init's (NULL: not given; "none": none), else
 * the spec's "data_init"; *have 0 for none. Records it in the model's spec
 * (canonical, every parameter spelled out; removed for "none"), so the
 * checkpoint's metadata says what ran. 0 or an exit status. */
int data_init_choose(const char *cmd, const char *option, nninit_model *model, nninit_data_init *algo, int *have);
/* Runs it on tensors (a progress bar on a terminal); its report goes to
 * standard error at verbosity >= report_level. 0 or an exit status. */
int data_init_run(const char *cmd, const nninit_graph *graph, const nninit_data_init *algo, void *const *tensors,
                  const batch *b, int threads, int report_level);
/* The report: per layer, the output's mean and std before and after, the steps, the factors,
 * and why a layer was left alone. */
void print_data_init_report(FILE *f, const nninit_graph *graph, const nninit_data_init *algo,
                            const nninit_layer_report *report);

/* ---- plot.c: nninit probe --plot ---------------------------------------------------------- */
typedef struct {
    const char *label;
    const nninit_probe_row *rows;
    size_t n;
} plot_series;
/* An SVG chart of each series' output std per op (log scale) at path: a
 * temporary beside it renamed over it (devices written directly). */
int plot_svg(const char *cmd, const char *path, const char *title, const char *subtitle, const plot_series *series,
             int n_series);

/* ---- the commands ----------------------------------------------------------------- */
int cmd_fill(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_spec(int argc, char **argv);
int cmd_schemes(int argc, char **argv);
int cmd_probe(int argc, char **argv);
extern const char fill_help[], init_help[], schemes_help[], probe_help[], spec_help[];

#endif
