/* nninit spec: the model spec of a Hugging Face config.json (the library's
 * nninit_hf_spec), printed; and the reading of a config that nninit init
 * and nninit-mpi share (a config, or a directory holding config.json, is
 * accepted wherever a model spec is). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "prog.h"

const char spec_help[] =
    "usage: nninit spec CONFIG [--recipe R] [--dtype DTYPE] [--seed N]\n"
    "\n"
    "Prints the model spec (docs/MODELS.md) of a Hugging Face config.json: every tensor a\n"
    "checkpoint of that model holds, named and shaped as transformers does, with its init spec.\n"
    "CONFIG is the config.json or a directory holding one. docs/HF.md lists the model types.\n"
    "\n"
    "  --recipe R    the init recipe: hf (default; transformers' _init_weights), megatron,\n"
    "                torchtitan, olmo, neox, mup(base_hidden=N)\n"
    "  --dtype DTYPE f32, f64, bf16, f16 (or float32, float64, bfloat16, float16); default: the\n"
    "                config's torch_dtype, f32 if it has none\n"
    "  --seed N      the spec's seed (default 0), unsigned 64-bit\n";

/* The whole file into a NUL-terminated buffer: 0, or -1 with errno. */
/* SPEC is a config when it is a directory (which must hold a config.json) or
 * a file whose JSON has a "model_type": 0 with the text, -1 when it is not
 * a config (the caller reads it as a model spec, whose errors then say why),
 * else the exit status of the error printed. */
int read_hf_config(const char *cmd, const char *path, char **text, size_t *len)
{
    *text = NULL;
    *len = 0;
    struct stat sb;
    const int dir = stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
    char msg[512], *buf;
    size_t n;
    if (nninit_hf_read_config(path, &buf, &n, msg, sizeof msg) != NNINIT_OK) return dir ? fail(cmd, "%s", msg) : -1;
    if (!nninit_hf_is_config(buf, n)) {
        nninit_hf_free(buf);
        return dir ? fail(cmd, "'%s/config.json': not a Hugging Face config (no \"model_type\")", path) : -1;
    }
    *text = buf;
    *len = n;
    return 0;
}

int cmd_spec(int argc, char **argv)
{
    opt opts[] = {
        { "--recipe", NULL, OPT_VALUE, NULL, 0, NULL }, { "--dtype", NULL, OPT_VALUE, NULL, 0, NULL },
        { "--seed", NULL, OPT_VALUE, NULL, 0, NULL },
    };
    args a = { "spec", opts, (int)(sizeof opts / sizeof opts[0]), 1, { 0 }, 0, 0 };
    int rc = args_parse(&a, argc, argv);
    if (!rc && a.help) { fputs(spec_help, stdout); args_free(&a); return 0; }
    nninit_hf_options o;
    nninit_hf_options_default(&o);
    const char *v;
    if (!rc && a.n_positional == 0) rc = usage_error("spec", "a Hugging Face config (config.json or its directory) is required");
    if (!rc && (v = args_value(&a, "--recipe"))) o.recipe = v;
    if (!rc) o.dtype = args_value(&a, "--dtype");
    if (!rc && (v = args_value(&a, "--seed")) && !parse_u64(v, &o.seed))
        rc = usage_error("spec", "--seed: '%s' is not an unsigned 64-bit integer", v);
    char *text = NULL, *spec = NULL;
    size_t len = 0;
    if (!rc) {
        rc = read_hf_config("spec", a.positional[0], &text, &len);
        if (rc < 0) rc = fail("spec", "'%s': %s", a.positional[0],
                              errno && !text ? strerror(errno) : "not a Hugging Face config (no \"model_type\")");
    }
    if (!rc) {
        char msg[1024] = "";
        nninit_status st = nninit_hf_spec(text, len, &o, &spec, msg, sizeof msg);
        if (st != NNINIT_OK) rc = fail("spec", "%s: %s", a.positional[0], msg[0] ? msg : nninit_status_str(st));
    }
    if (!rc && (fputs(spec, stdout) == EOF || fflush(stdout) != 0 || ferror(stdout)))
        rc = fail("spec", "standard output: %s", strerror(errno));
    nninit_hf_free(spec);
    nninit_hf_free(text);
    args_free(&a);
    return rc;
}
