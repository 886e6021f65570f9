/* nninit: the command-line program, a thin layer over the public API
 * (docs/nninit.1.md is its manual).
 *
 *   nninit fill --shape 64,3,7,7 --init "kaiming_normal(mode=fan_out)" --seed 7 --dtype bf16 -o w.npy
 *   nninit init examples/models/gpt2-124m.json -o gpt2.safetensors [--dtype bf16] [--from ckpt.safetensors]
 *   nninit spec config.json [--recipe megatron]
 *   nninit schemes
 *   nninit -V | --version | -h | --help | help [COMMAND]
 */
#include <errno.h>
#include <string.h>
#include "prog.h"

#ifndef NNINIT_DOC_DIR   /* the Makefile sets it: PREFIX/share/doc/nninit at build time */
#define NNINIT_DOC_DIR "/usr/local/share/doc/nninit"
#endif

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
    const char *summary;
} command;

static const command commands[] = {
    { "init", cmd_init, init_help, "initialize every tensor of a JSON model spec; write a .safetensors file\n"
                                   "             (or a directory of .npy files)" },
    { "probe", cmd_probe, probe_help, "run a batch through the initialized network (a spec with a \"graph\");\n"
                                      "             each op's output mean, std and dead units; --plot draws them" },
    { "spec", cmd_spec, spec_help, "print the model spec of a Hugging Face config.json (its tensors, their init\n"
                                   "             by a recipe); init takes the config itself" },
    { "fill", cmd_fill, fill_help, "initialize one tensor and write it as a NumPy .npy file" },
    { "schemes", cmd_schemes, schemes_help, "list the init schemes with every parameter at its default" },
};
enum { N_COMMANDS = sizeof commands / sizeof commands[0] };

static void print_usage(FILE *f)
{
    fputs("usage: nninit <command> [options]\n\ncommands:\n", f);
    for (int k = 0; k < N_COMMANDS; k++) fprintf(f, "  %-10s %s\n", commands[k].name, commands[k].summary);
    fputs("  help       this text (also -h, --help); 'nninit help COMMAND' or 'nninit COMMAND --help'\n"
          "             for a command's options\n"
          "  version    the version (also -V, --version)\n"
          "\n"
          "Exit status: 0 success, 1 runtime failure, 2 usage error. 'man nninit' has the manual;\n"
          "the documents (README.md, docs/GUIDE.md, docs/MODELS.md, docs/HF.md, ...; the docs/X.md\n"
          "that help texts name) are installed in " NNINIT_DOC_DIR "/.\n", f);
}

static const command *find_command(const char *name)
{
    for (int k = 0; k < N_COMMANDS; k++)
        if (strcmp(commands[k].name, name) == 0) return &commands[k];
    return NULL;
}

/* An unknown command or top-level option, with the name it most likely meant
 * (an option: --help or --version). */
static int unknown_command(const char *prefix, const char *name)
{
    const char *names[N_COMMANDS + 2];
    char hint[128];
    int option = name[0] == '-', n = 0;
    for (int k = 0; k < N_COMMANDS && !option; k++) names[n++] = commands[k].name;
    names[n++] = "help";
    names[n++] = "version";
    return usage_error(NULL, "%sunknown %s '%s'%s", prefix, option ? "option" : "command", name,
                       did_you_mean(hint, sizeof hint, name + strspn(name, "-"), names, (size_t)n, option ? "--" : ""));
}

static int print_version(void)
{
    printf("nninit %s (library %s, contract %d, kernels %s)\n", NNINIT_VERSION_STRING, nninit_version_string(),
           NNINIT_CONTRACT_VERSION, nninit_isa());
    return 0;
}

static int help(int argc, char **argv)
{
    if (argc > 0) {
        const command *c = find_command(argv[0]);
        if (!c) return unknown_command("help: ", argv[0]);
        fputs(c->help, stdout);
        return 0;
    }
    print_usage(stdout);
    return 0;
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        fputs("nninit: no command given\n", stderr);
        print_usage(stderr);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    const command *c = find_command(name);
    if (c) return c->run(argc - 2, argv + 2);
    if (strcmp(name, "version") == 0 || strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0)
        return print_version();
    if (strcmp(name, "help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0)
        return help(argc - 2, argv + 2);
    return unknown_command("", name);
}

int main(int argc, char **argv)
{
    /* Past a file size limit (ulimit -f) write() then fails with EFBIG and
     * the library removes its temporary file, instead of SIGXFSZ killing
     * the process with the temporary left behind. */
    signal(SIGXFSZ, SIG_IGN);
    catch_stop_signals();
    int rc = dispatch(argc, argv);
    /* help and version text: a failed write (full disk, closed pipe) is a failure too */
    if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout))) rc = fail(NULL, "standard output: %s", strerror(errno));
    reraise_stop_signal();
    return rc;
}
