/* JSON model specs: the example models (tensor and parameter counts asserted
 * by tools/gen_models.py), rule order, explicit inits, layouts and groups,
 * streams, seed/dtype overrides, the canonical JSON round trip, and every
 * error class with a message naming the tensor, the field and the reason.
 * Runs from the repository root (examples/models/). */
#include <errno.h>
#include <stdio.h>
#include "testutil.h"

static nninit_model *parse_ok(const char *json)
{
    char msg[1024] = "x";
    nninit_model *m = NULL;
    nninit_status st = nninit_model_parse(json, strlen(json), &m, msg, sizeof msg);
    ck_assert_msg(st == NNINIT_OK, "parse failed (%d): %s\n%s", st, msg, json);
    ck_assert_str_eq(msg, "");
    ck_assert_ptr_nonnull(m);
    return m;
}

static nninit_model_tensor info(const nninit_model *m, size_t i)
{
    nninit_model_tensor t;
    ck_assert_int_eq(nninit_model_tensor_info(m, i, &t), NNINIT_OK);
    return t;
}

/* The formatted scheme: equal strings mean equal schemes (format round-trips). */
static void scheme_str(const nninit_scheme *s, char *buf, size_t cap)
{
    ck_assert_uint_gt(nninit_scheme_format(s, buf, cap), 0);
}

static void expect_scheme(const nninit_model *m, size_t i, const char *name, const char *spec)
{
    nninit_model_tensor t = info(m, i);
    ck_assert_str_eq(t.name, name);
    nninit_scheme want;
    char a[256], b[256], msg[256];
    ck_assert_msg(nninit_scheme_parse(spec, &want, msg, sizeof msg) == NNINIT_OK, "%s", msg);
    scheme_str(&t.scheme, a, sizeof a);
    scheme_str(&want, b, sizeof b);
    ck_assert_msg(strcmp(a, b) == 0, "%s: %s != %s", name, a, b);
    ck_assert_int_eq(t.scheme.layout.kind, want.layout.kind);
    ck_assert_int_eq(t.scheme.layout.groups, want.layout.groups);
}

/* ---- the example models ------------------------------------------------------- */
static const struct { const char *path; size_t tensors; uint64_t params; nninit_dtype dtype; } k_examples[] = {
    { "examples/models/mlp.json", 6, 235146, NNINIT_F32 },
    { "examples/models/vgg-cifar.json", 16, 3248202, NNINIT_F32 },
    { "examples/models/resnet20.json", 65, 272474, NNINIT_F32 },
    { "examples/models/resnet50.json", 161, 25557032, NNINIT_F32 },
    { "examples/models/gpt2-124m.json", 148, 124439808, NNINIT_F32 },
    { "examples/models/llama-1b.json", 146, 1235814400, NNINIT_BF16 },
};
#define N_EXAMPLES (sizeof k_examples / sizeof k_examples[0])

static nninit_model *load_ok(const char *path)
{
    char msg[1024];
    nninit_model *m = NULL;
    nninit_status st = nninit_model_load(path, &m, msg, sizeof msg);
    ck_assert_msg(st == NNINIT_OK, "%s: %s", path, msg);
    return m;
}

static long find(const nninit_model *m, const char *name)
{
    for (size_t i = 0; i < nninit_model_count(m); i++)
        if (strcmp(info(m, i).name, name) == 0) return (long)i;
    ck_abort_msg("no tensor %s", name);
    return -1;
}

START_TEST(examples_parse)
{
    for (size_t e = 0; e < N_EXAMPLES; e++) {
        nninit_model *m = load_ok(k_examples[e].path);
        ck_assert_uint_eq(nninit_model_count(m), k_examples[e].tensors);
        uint64_t params = 0, bytes = 0;
        for (size_t i = 0; i < nninit_model_count(m); i++) {
            nninit_model_tensor t = info(m, i);
            ck_assert_int_eq(t.dtype, k_examples[e].dtype);
            params += t.count;
            bytes += t.nbytes;
            ck_assert_uint_eq(t.nbytes, t.count * nninit_dtype_size(t.dtype));
        }
        ck_assert_uint_eq(params, k_examples[e].params);
        ck_assert_uint_eq(nninit_model_bytes(m), bytes);
        nninit_model_free(m);
    }
}
END_TEST

START_TEST(examples_inits)
{
    nninit_model *m = load_ok("examples/models/resnet50.json");
    expect_scheme(m, 0, "conv1.weight", "kaiming_normal(mode=fan_out, nonlinearity=relu)");
    expect_scheme(m, (size_t)find(m, "layer1.0.downsample.0.weight"), "layer1.0.downsample.0.weight",
                  "kaiming_normal(mode=fan_out, nonlinearity=relu)");
    expect_scheme(m, (size_t)find(m, "layer1.0.downsample.1.weight"), "layer1.0.downsample.1.weight", "ones");
    expect_scheme(m, (size_t)find(m, "layer4.2.bn3.weight"), "layer4.2.bn3.weight", "ones");
    expect_scheme(m, (size_t)find(m, "layer4.2.bn3.bias"), "layer4.2.bn3.bias", "zeros");
    expect_scheme(m, (size_t)find(m, "fc.weight"), "fc.weight", "pytorch_default");
    expect_scheme(m, (size_t)find(m, "fc.bias"), "fc.bias", "pytorch_default_bias(fan_in=2048)");
    nninit_model_tensor t = info(m, (size_t)find(m, "fc.weight"));
    ck_assert_int_eq(t.ndim, 2);
    ck_assert_int_eq(t.shape[0], 1000);
    ck_assert_int_eq(t.shape[1], 2048);
    nninit_model_free(m);

    m = load_ok("examples/models/gpt2-124m.json");
    ck_assert_uint_eq(nninit_model_seed(m), 1337);
    expect_scheme(m, 0, "transformer.wte.weight", "normal(std=0.02)");
    t = info(m, 0);
    ck_assert_int_eq(t.shape[0], 50257);
    ck_assert_int_eq(t.shape[1], 768);
    t = info(m, (size_t)find(m, "transformer.h.11.attn.c_attn.weight"));   /* Conv1D: [in, out] */
    ck_assert_int_eq(t.shape[0], 768);
    ck_assert_int_eq(t.shape[1], 2304);
    expect_scheme(m, (size_t)find(m, "transformer.h.11.attn.c_proj.weight"), "transformer.h.11.attn.c_proj.weight",
                  "normal(std=0.0040824829046386304)");
    ck_assert(info(m, (size_t)find(m, "transformer.h.0.mlp.c_proj.weight")).scheme.std == 0.02 / sqrt(24.0));
    expect_scheme(m, (size_t)find(m, "transformer.h.0.mlp.c_fc.weight"), "transformer.h.0.mlp.c_fc.weight",
                  "normal(std=0.02)");
    expect_scheme(m, (size_t)find(m, "transformer.h.0.mlp.c_proj.bias"), "transformer.h.0.mlp.c_proj.bias", "zeros");
    expect_scheme(m, (size_t)find(m, "transformer.ln_f.weight"), "transformer.ln_f.weight", "ones");
    nninit_model_free(m);

    m = load_ok("examples/models/llama-1b.json");
    expect_scheme(m, (size_t)find(m, "model.norm.weight"), "model.norm.weight", "ones");
    expect_scheme(m, (size_t)find(m, "model.layers.15.post_attention_layernorm.weight"),
                  "model.layers.15.post_attention_layernorm.weight", "ones");
    expect_scheme(m, (size_t)find(m, "model.layers.3.self_attn.k_proj.weight"),
                  "model.layers.3.self_attn.k_proj.weight", "normal(std=0.02)");
    t = info(m, (size_t)find(m, "model.layers.3.self_attn.k_proj.weight"));
    ck_assert_int_eq(t.shape[0], 512);
    ck_assert_int_eq(t.shape[1], 2048);
    nninit_model_free(m);
}
END_TEST

/* ---- rules, explicit inits, layouts ------------------------------------------- */
START_TEST(first_match_wins)
{
    /* Object form, in document order; the array form means the same. */
    const char *specs[] = {
        "{\"rules\": {\"enc.*.weight\": \"ones\", \"*.weight\": \"zeros\", \"enc.*\": \"constant(value=3)\"},"
        " \"tensors\": [{\"name\": \"enc.0.weight\", \"shape\": [2]}, {\"name\": \"dec.weight\", \"shape\": [2]},"
        " {\"name\": \"enc.0.bias\", \"shape\": [2]}]}",
        "{\"rules\": [{\"match\": \"enc.*.weight\", \"init\": \"ones\"}, {\"match\": \"*.weight\", \"init\": \"zeros\"},"
        " {\"init\": \"constant(value=3)\", \"match\": \"enc.*\"}],"
        " \"tensors\": [{\"name\": \"enc.0.weight\", \"shape\": [2]}, {\"name\": \"dec.weight\", \"shape\": [2]},"
        " {\"name\": \"enc.0.bias\", \"shape\": [2]}]}",
    };
    for (int k = 0; k < 2; k++) {
        nninit_model *m = parse_ok(specs[k]);
        expect_scheme(m, 0, "enc.0.weight", "ones");
        ck_assert_str_eq(info(m, 0).init, "ones");
        expect_scheme(m, 1, "dec.weight", "zeros");
        expect_scheme(m, 2, "enc.0.bias", "constant(value=3)");
        ck_assert_str_eq(info(m, 2).init, "constant(value=3)");
        nninit_model_free(m);
    }
    /* '*' matches dots too (fnmatch without FNM_PATHNAME); [] and ? work. */
    nninit_model *m = parse_ok("{\"rules\": {\"h.[02].*\": \"ones\", \"h.?.*\": \"eye\", \"*\": \"zeros\"},"
                               " \"tensors\": [{\"name\": \"h.0.a.b\", \"shape\": [2, 2]},"
                               " {\"name\": \"h.1.x\", \"shape\": [2, 2]}, {\"name\": \"h.10.x\", \"shape\": [2, 2]}]}");
    expect_scheme(m, 0, "h.0.a.b", "ones");
    expect_scheme(m, 1, "h.1.x", "eye");
    expect_scheme(m, 2, "h.10.x", "zeros");
    nninit_model_free(m);
}
END_TEST

START_TEST(explicit_init_overrides_rules)
{
    nninit_model *m = parse_ok("{\"rules\": {\"*\": \"zeros\"}, \"tensors\": ["
                               "{\"name\": \"a\", \"shape\": [4, 3], \"init\": \"orthogonal(gain=2)\"},"
                               "{\"name\": \"b\", \"shape\": [4, 3]}]}");
    expect_scheme(m, 0, "a", "orthogonal(gain=2)");
    ck_assert_str_eq(info(m, 0).init, "orthogonal(gain=2)");
    expect_scheme(m, 1, "b", "zeros");
    nninit_model_free(m);
    /* No rules at all: every tensor brings its own. */
    m = parse_ok("{\"tensors\": [{\"name\": \"a\", \"shape\": [], \"init\": \"normal(std=2)\"}]}");
    nninit_model_tensor t = info(m, 0);
    ck_assert_int_eq(t.ndim, 0);
    ck_assert_uint_eq(t.count, 1);
    ck_assert_uint_eq(nninit_model_seed(m), 0);
    ck_assert_int_eq(t.dtype, NNINIT_F32);
    nninit_model_free(m);
    /* An empty model is a model. */
    m = parse_ok("{\"tensors\": []}");
    ck_assert_uint_eq(nninit_model_count(m), 0);
    ck_assert_uint_eq(nninit_model_bytes(m), 0);
    nninit_model_tensor t2;
    ck_assert_int_eq(nninit_model_tensor_info(m, 0, &t2), NNINIT_E_PARAM);
    nninit_model_free(m);
}
END_TEST

START_TEST(layouts_and_groups)
{
    nninit_model *m = parse_ok(
        "{\"layout\": \"hwio\", \"rules\": {\"*.w\": \"xavier_uniform\", \"*.g\": \"kaiming_normal(mode=fan_out)\","
        " \"*.own\": \"xavier_uniform(layout=oihw)\", \"*.axes\": \"lecun_normal(in_axis=0, out_axis=1)\","
        " \"*.b\": \"zeros\", \"*.gown\": \"dirac(groups=4)\"},"
        " \"tensors\": ["
        "  {\"name\": \"dense.w\", \"shape\": [3, 5]},"                               /* model default: hwio */
        "  {\"name\": \"conv.w\", \"shape\": [8, 4, 3, 3], \"layout\": \"oihw\"},"
        "  {\"name\": \"tconv.w\", \"shape\": [4, 8, 3, 3], \"layout\": \"iohw\"},"
        "  {\"name\": \"conv.g\", \"shape\": [8, 4, 3, 3], \"layout\": \"oihw\", \"groups\": 2},"
        "  {\"name\": \"x.own\", \"shape\": [3, 5], \"layout\": \"hwio\"},"
        "  {\"name\": \"x.axes\", \"shape\": [3, 5, 7]},"
        "  {\"name\": \"x.b\", \"shape\": [8], \"groups\": 2},"                       /* zeros ignores groups */
        "  {\"name\": \"x.gown\", \"shape\": [8, 2, 3, 3], \"layout\": \"oihw\", \"groups\": 2}"
        "]}");
    expect_scheme(m, 0, "dense.w", "xavier_uniform(layout=hwio)");
    expect_scheme(m, 1, "conv.w", "xavier_uniform(layout=oihw)");
    expect_scheme(m, 2, "tconv.w", "xavier_uniform(layout=iohw)");
    expect_scheme(m, 3, "conv.g", "kaiming_normal(mode=fan_out, groups=2)");
    expect_scheme(m, 4, "x.own", "xavier_uniform");                 /* the spec's own layout wins */
    expect_scheme(m, 5, "x.axes", "lecun_normal(in_axis=0, out_axis=1)");
    expect_scheme(m, 6, "x.b", "zeros");
    expect_scheme(m, 7, "x.gown", "dirac(groups=4)");                /* the spec's own groups win */
    /* The plan sees the tensor's layout: Dense (3, 5) in hwio has fan_in 3. */
    nninit_plan p;
    nninit_model_tensor t = info(m, 0);
    ck_assert_int_eq(nninit_scheme_plan(&t.scheme, t.shape, t.ndim, &p, NULL, 0), NNINIT_OK);
    ck_assert_int_eq(p.fan_in, 3);
    ck_assert_int_eq(p.fan_out, 5);
    t = info(m, 3);
    ck_assert_int_eq(nninit_scheme_plan(&t.scheme, t.shape, t.ndim, &p, NULL, 0), NNINIT_OK);
    ck_assert_int_eq(p.fan_out, 36);
    nninit_model_free(m);
}
END_TEST

START_TEST(streams_and_seeds)
{
    nninit_model *m = parse_ok("{\"seed\": \"18446744073709551615\", \"rules\": {\"*\": \"zeros\"},"
                               " \"tensors\": [{\"name\": \"a.weight\", \"shape\": [1]}, {\"name\": \"b\", \"shape\": [1]}]}");
    ck_assert_uint_eq(nninit_model_seed(m), UINT64_MAX);
    for (size_t i = 0; i < 2; i++) {
        nninit_model_tensor t = info(m, i);
        ck_assert_uint_eq(t.rng.seed, UINT64_MAX);
        ck_assert_uint_eq(t.rng.stream, nninit_stream_id(t.name));
    }
    ck_assert_uint_ne(info(m, 0).rng.stream, info(m, 1).rng.stream);
    nninit_model_set_seed(m, 7);
    ck_assert_uint_eq(nninit_model_seed(m), 7);
    ck_assert_uint_eq(info(m, 1).rng.seed, 7);
    nninit_model_free(m);
    /* Numbers up to 2^53 are exact; a string may say the same. */
    m = parse_ok("{\"seed\": 9007199254740992, \"tensors\": []}");
    ck_assert_uint_eq(nninit_model_seed(m), 9007199254740992ull);
    nninit_model_free(m);
    m = parse_ok("{\"seed\": \"9007199254740993\", \"tensors\": []}");
    ck_assert_uint_eq(nninit_model_seed(m), 9007199254740993ull);
    nninit_model_free(m);
    /* NULL handles. */
    ck_assert_uint_eq(nninit_model_seed(NULL), 0);
    nninit_model_set_seed(NULL, 1);
    ck_assert_uint_eq(nninit_model_count(NULL), 0);
    ck_assert_uint_eq(nninit_model_bytes(NULL), 0);
    ck_assert_ptr_null(nninit_model_json(NULL));
    ck_assert_int_eq(nninit_model_set_dtype(NULL, NNINIT_F32), NNINIT_E_NULL);
    nninit_model_free(NULL);
}
END_TEST

START_TEST(set_dtype)
{
    nninit_model *m = parse_ok("{\"dtype\": \"bf16\", \"rules\": {\"*\": \"ones\"}, \"tensors\": ["
                               "{\"name\": \"a\", \"shape\": [3, 5]}, {\"name\": \"b\", \"shape\": [7], \"dtype\": \"f64\"}]}");
    ck_assert_int_eq(info(m, 0).dtype, NNINIT_BF16);
    ck_assert_int_eq(info(m, 1).dtype, NNINIT_F64);
    ck_assert_uint_eq(nninit_model_bytes(m), 15 * 2 + 7 * 8);
    ck_assert_int_eq(nninit_model_set_dtype(m, (nninit_dtype)9), NNINIT_E_DTYPE);
    ck_assert_uint_eq(nninit_model_bytes(m), 15 * 2 + 7 * 8);          /* unchanged */
    ck_assert_int_eq(nninit_model_set_dtype(m, NNINIT_F32), NNINIT_OK);
    ck_assert_int_eq(info(m, 0).dtype, NNINIT_F32);
    ck_assert_int_eq(info(m, 1).dtype, NNINIT_F32);
    ck_assert_uint_eq(info(m, 1).nbytes, 28);
    ck_assert_uint_eq(nninit_model_bytes(m), 22 * 4);
    const char *j = nninit_model_json(m);
    ck_assert_ptr_nonnull(j);
    ck_assert_ptr_nonnull(strstr(j, "\"dtype\":\"f32\""));
    ck_assert_ptr_null(strstr(j, "bf16"));
    ck_assert_ptr_null(strstr(j, "f64"));
    nninit_model_free(m);
    /* An override that would overflow the byte count is refused, nothing changes. */
    m = parse_ok("{\"dtype\": \"f16\", \"rules\": {\"*\": \"zeros\"}, \"tensors\": ["
                 "{\"name\": \"a\", \"shape\": [1073741824, 2147483648]}, {\"name\": \"b\", \"shape\": [1073741824, 2147483648]}]}");
    ck_assert_uint_eq(nninit_model_bytes(m), 1ull << 63);
    ck_assert_int_eq(nninit_model_set_dtype(m, NNINIT_F32), NNINIT_E_OVERFLOW);
    ck_assert_int_eq(info(m, 0).dtype, NNINIT_F16);
    nninit_model_free(m);
}
END_TEST

/* ---- canonical JSON ------------------------------------------------------------- */
static void expect_same(const nninit_model *a, const nninit_model *b)
{
    ck_assert_uint_eq(nninit_model_count(a), nninit_model_count(b));
    ck_assert_uint_eq(nninit_model_seed(a), nninit_model_seed(b));
    ck_assert_uint_eq(nninit_model_bytes(a), nninit_model_bytes(b));
    for (size_t i = 0; i < nninit_model_count(a); i++) {
        nninit_model_tensor x = info(a, i), y = info(b, i);
        char fx[256], fy[256];
        ck_assert_str_eq(x.name, y.name);
        ck_assert_int_eq(x.dtype, y.dtype);
        ck_assert_int_eq(x.ndim, y.ndim);
        ck_assert_mem_eq(x.shape, y.shape, sizeof x.shape);
        ck_assert_uint_eq(x.count, y.count);
        ck_assert_uint_eq(x.nbytes, y.nbytes);
        scheme_str(&x.scheme, fx, sizeof fx);
        scheme_str(&y.scheme, fy, sizeof fy);
        ck_assert_str_eq(fx, fy);
        ck_assert_int_eq(x.scheme.layout.kind, y.scheme.layout.kind);
        ck_assert_int_eq(x.scheme.layout.groups, y.scheme.layout.groups);
        ck_assert_int_eq(x.scheme.layout.in_axis, y.scheme.layout.in_axis);
        ck_assert_int_eq(x.scheme.layout.out_axis, y.scheme.layout.out_axis);
        ck_assert_uint_eq(x.rng.seed, y.rng.seed);
        ck_assert_uint_eq(x.rng.stream, y.rng.stream);
    }
}

static void round_trip(nninit_model *m)
{
    const char *j = nninit_model_json(m);
    ck_assert_ptr_nonnull(j);
    char *copy = strdup(j);
    nninit_model *b = parse_ok(copy);
    expect_same(m, b);
    ck_assert_str_eq(nninit_model_json(b), copy);     /* canonical: a fixed point */
    free(copy);
    nninit_model_free(b);
}

START_TEST(canonical_json_round_trip)
{
    for (size_t e = 0; e < N_EXAMPLES; e++) {
        nninit_model *m = load_ok(k_examples[e].path);
        round_trip(m);
        nninit_model_set_seed(m, UINT64_MAX - 1);     /* a seed JSON numbers cannot hold */
        ck_assert_int_eq(nninit_model_set_dtype(m, NNINIT_F16), NNINIT_OK);
        round_trip(m);
        ck_assert_ptr_nonnull(strstr(nninit_model_json(m), "\"seed\":\"18446744073709551614\""));
        nninit_model_free(m);
    }
    nninit_model *m = parse_ok(
        "{\"name\": \"q\\\"uote \\u00e9\", \"description\": \"d\", \"layout\": \"hwio\","
        " \"rules\": {\"*.own\": \"xavier_uniform(layout=oihw)\", \"*\": \"kaiming_uniform(a=0.1)\"}, \"tensors\": ["
        "  {\"name\": \"w\\\"1\", \"shape\": [3, 3, 4, 8], \"groups\": 2},"
        "  {\"name\": \"x.own\", \"shape\": [3, 5], \"layout\": \"iohw\"},"
        "  {\"name\": \"o\", \"shape\": [6, 4], \"init\": \"orthogonal(in_axis=1, out_axis=0)\"},"
        "  {\"name\": \"z\", \"shape\": [0, 5], \"init\": \"zeros\", \"layout\": \"hwoi\", \"groups\": 5},"
        "  {\"name\": \"s\", \"shape\": [], \"init\": \"constant(value=0.1)\", \"dtype\": \"f64\"}"
        "]}");
    round_trip(m);
    nninit_model_free(m);
}
END_TEST

/* "metadata": after nninit's own keys in nninit_model_metadata, in the
 * canonical JSON (so it round-trips), and in every kind of output: a
 * safetensors file, each shard, an npy directory's __metadata__.json. */
START_TEST(spec_metadata)
{
    nninit_model *m = parse_ok("{\"seed\": 3, \"metadata\": {\"mup_width_mult\": \"4\", \"note\": \"q\\\"uote \\u00e9\"},"
                               " \"tensors\": [{\"name\": \"w\", \"shape\": [300, 7], \"init\": \"normal(std=0.02)\"},"
                               " {\"name\": \"b\", \"shape\": [7], \"init\": \"zeros\"}]}");
    const char *const *meta = nninit_model_metadata(m);
    const char *want[] = { "nninit_version", NULL, "seed", "3", "spec", NULL, "mup_width_mult", "4", "note",
                           "q\"uote \xc3\xa9" };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        ck_assert_ptr_nonnull(meta[i]);
        if (want[i]) ck_assert_str_eq(meta[i], want[i]);
    }
    ck_assert_ptr_null(meta[sizeof want / sizeof *want]);
    ck_assert_ptr_nonnull(strstr(nninit_model_json(m), "\"metadata\":{\"mup_width_mult\":\"4\",\"note\":\"q\\\"uote \xc3\xa9\"}"));
    round_trip(m);

    char dir[] = "/tmp/nninit_test_model_meta_XXXXXX", path[128], msg[256];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    nninit_model_write_options shard = { .max_shard_bytes = 4096 };
    const struct { const char *name; nninit_file_format fmt; const nninit_model_write_options *o; } outs[] = {
        { "one.safetensors", NNINIT_FORMAT_SAFETENSORS, NULL },
        { "sharded", NNINIT_FORMAT_SAFETENSORS, &shard },
        { "npy", NNINIT_FORMAT_NPY_DIR, NULL },
    };
    for (size_t k = 0; k < 3; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, outs[k].name);
        ck_assert_msg(nninit_model_write(m, path, outs[k].fmt, outs[k].o, msg, sizeof msg) == NNINIT_OK, "%s", msg);
        if (outs[k].fmt == NNINIT_FORMAT_NPY_DIR) {
            char json[200];
            size_t len;
            snprintf(json, sizeof json, "%s/__metadata__.json", path);
            unsigned char *text = nt_read_file(json, &len);
            ck_assert_ptr_nonnull(text);
            ck_assert_ptr_nonnull(memmem(text, len, "\"mup_width_mult\": \"4\"", 21));
            free(text);
            continue;
        }
        /* every shard (two of them) carries the keys */
        const char *files[2] = { path, NULL };
        char s1[200], s2[200];
        if (outs[k].o) {
            snprintf(s1, sizeof s1, "%s/model-00001-of-00002.safetensors", path);
            snprintf(s2, sizeof s2, "%s/model-00002-of-00002.safetensors", path);
            files[0] = s1;
            files[1] = s2;
        }
        for (int f = 0; f < 2 && files[f]; f++) {
            nninit_st_file *st;
            ck_assert_msg(nninit_st_open(files[f], &st, msg, sizeof msg) == NNINIT_OK, "%s: %s", files[f], msg);
            ck_assert_str_eq(nninit_st_metadata(st, "mup_width_mult"), "4");
            ck_assert_str_eq(nninit_st_metadata(st, "note"), "q\"uote \xc3\xa9");
            ck_assert_str_eq(nninit_st_metadata(st, "format"), "pt");
            ck_assert_str_eq(nninit_st_metadata(st, "spec"), nninit_model_json(m));
            nninit_st_close(st);
        }
    }
    nt_remove_tree(dir);
    nninit_model_free(m);
}
END_TEST

/* ---- variables and captures --------------------------------------------------------- */
static double from_bits(uint64_t b) { double d; memcpy(&d, &b, sizeof d); return d; }

/* "vars" (numbers, expressions over earlier ones), captures {l} in rule patterns bound per
 * tensor, the caller's variables. Expected stds: Python's binary64 arithmetic,
 * 0.02 / math.sqrt(2.0 * (l + 1.0)) for l = 0..3 and 0.01 * (e + 1.0) / (2.0 + 1.0). */
START_TEST(vars_and_captures)
{
    static const uint64_t depth_std[4] = { 0x3f8cf68d4fff04dcULL, 0x3f847ae147ae147bULL, 0x3f80b8cb28fd8cf5ULL,
                                           0x3f7cf68d4fff04dcULL };
    static const uint64_t expert_std[3] = { 0x3f6b4e81b4e81b4fULL, 0x3f7b4e81b4e81b4fULL, 0x3f847ae147ae147bULL };
    const char *json =
        "{\"seed\": 3, \"dtype\": \"bfloat16\","
        " \"vars\": {\"n_layers\": 4, \"std\": 0.02, \"out_std\": \"std/sqrt(2*n_layers)\", \"k\": \"n_layers - 2\"},"
        " \"rules\": ["
        "  {\"match\": \"layers.{l}.down.weight\", \"init\": \"normal(std=0.02/sqrt(2*(l+1)))\"},"
        "  {\"match\": \"layers.{l}.experts.{e}.weight\", \"init\": \"normal(std=0.01*(e+1)/(k+1))\"},"
        "  {\"match\": \"layers.{l}.conv.weight\", \"init\": \"xavier_uniform(groups=l+1)\"},"
        "  {\"match\": \"layers.{l}.*.weight\", \"init\": \"normal(std=out_std)\"},"
        "  {\"match\": \"*\", \"init\": \"zeros\"}],"
        " \"tensors\": ["
        "  {\"name\": \"layers.0.down.weight\", \"shape\": [4, 4]},"
        "  {\"name\": \"layers.1.down.weight\", \"shape\": [4, 4]},"
        "  {\"name\": \"layers.2.down.weight\", \"shape\": [4, 4]},"
        "  {\"name\": \"layers.03.down.weight\", \"shape\": [4, 4]},"
        "  {\"name\": \"layers.1.experts.0.weight\", \"shape\": [2, 2]},"
        "  {\"name\": \"layers.1.experts.1.weight\", \"shape\": [2, 2]},"
        "  {\"name\": \"layers.1.experts.2.weight\", \"shape\": [2, 2]},"
        "  {\"name\": \"layers.1.conv.weight\", \"shape\": [4, 2, 3]},"
        "  {\"name\": \"layers.2.attn.weight\", \"shape\": [4, 4]},"
        "  {\"name\": \"layers.x.attn.weight\", \"shape\": [4]},"
        "  {\"name\": \"layers.2x.down.weight\", \"shape\": [4]},"
        "  {\"name\": \"own\", \"shape\": [4], \"init\": \"constant(value=out_std*k)\"}"
        "]}";
    nninit_model *m = parse_ok(json);
    ck_assert_uint_eq(nninit_model_count(m), 12);
    for (int l = 0; l < 4; l++) {
        nninit_model_tensor t = info(m, (size_t)l);
        double want = from_bits(depth_std[l]);
        ck_assert_msg(t.scheme.kind == NNINIT_SCHEME_NORMAL && memcmp(&t.scheme.std, &want, sizeof want) == 0,
                      "%s: std %a, expected %a", t.name, t.scheme.std, want);
        ck_assert_str_eq(t.init, "normal(std=0.02/sqrt(2*(l+1)))");   /* as written; the scheme holds the value */
        ck_assert_int_eq(t.dtype, NNINIT_BF16);
    }
    for (int e = 0; e < 3; e++) {
        nninit_model_tensor t = info(m, 4 + (size_t)e);
        double want = from_bits(expert_std[e]);
        ck_assert_msg(memcmp(&t.scheme.std, &want, sizeof want) == 0, "%s: std %a, expected %a", t.name, t.scheme.std, want);
    }
    ck_assert_int_eq(info(m, 7).scheme.layout.groups, 2);
    double out_std = 0.02 / sqrt(2.0 * 4.0);
    ck_assert(info(m, 8).scheme.std == out_std);
    ck_assert_int_eq(info(m, 9).scheme.kind, NNINIT_SCHEME_ZEROS);     /* {l} matches digits only */
    ck_assert_int_eq(info(m, 10).scheme.kind, NNINIT_SCHEME_ZEROS);    /* a whole run of digits */
    ck_assert(info(m, 11).scheme.value == out_std * 2);
    /* the canonical JSON holds the numbers: no vars, no captures, and it reads back the same */
    const char *j = nninit_model_json(m);
    ck_assert_ptr_null(strstr(j, "vars"));
    ck_assert_ptr_null(strstr(j, "{l}"));
    ck_assert_ptr_nonnull(strstr(j, "\"name\":\"layers.0.down.weight\",\"shape\":[4,4],\"dtype\":\"bf16\","
                                    "\"init\":\"normal(mean=0, std=0.014142135623730949)\""));
    round_trip(m);
    nninit_model_free(m);

    /* the caller's variables (a Hugging Face config's): usable in vars, rules and inits */
    static const nninit_var cfg[] = { { "n_layers", 12 }, { "initializer_range", 0.02 } };
    const char *spec = "{\"vars\": {\"half\": \"n_layers/2\"}, \"rules\": {\"h.{l}.w\": "
                       "\"normal(std=initializer_range/sqrt(2*n_layers)*(l<half_is_not_an_operator))\"}, \"tensors\": []}";
    char msg[1024];
    nninit_model *mv = NULL;
    ck_assert_int_eq(nninit_model_parse_vars(spec, strlen(spec), cfg, 2, &mv, msg, sizeof msg), NNINIT_E_SPEC);
    ck_assert_msg(strstr(msg, "pattern \"h.{l}.w\"") && strstr(msg, "syntax error"), "%s", msg);
    spec = "{\"vars\": {\"half\": \"n_layers/2\"}, \"rules\": {\"h.{l}.w\": \"normal(std=initializer_range/sqrt(2*n_layers)"
           "*min(1, half-l))\"}, \"tensors\": [{\"name\": \"h.5.w\", \"shape\": [2]}, {\"name\": \"h.4.w\", \"shape\": [2]}]}";
    ck_assert_int_eq(nninit_model_parse_vars(spec, strlen(spec), cfg, 2, &mv, msg, sizeof msg), NNINIT_OK);
    ck_assert(info(mv, 0).scheme.std == 0.02 / sqrt(24.0) * 1 && info(mv, 1).scheme.std == 0.02 / sqrt(24.0) * 1);
    nninit_model_free(mv);
    /* without them the names are unknown; the spec may not redefine them; bad ones are refused */
    ck_assert_int_eq(nninit_model_parse(spec, strlen(spec), &mv, msg, sizeof msg), NNINIT_E_SPEC);
    ck_assert_msg(strstr(msg, "field \"vars\": variable \"half\"") && strstr(msg, "unknown variable 'n_layers'"), "%s", msg);
    const char *redef = "{\"vars\": {\"n_layers\": 3}, \"tensors\": []}";
    ck_assert_int_eq(nninit_model_parse_vars(redef, strlen(redef), cfg, 2, &mv, msg, sizeof msg), NNINIT_E_FORMAT);
    ck_assert_msg(strstr(msg, "variable \"n_layers\" is defined twice (the caller gives it)"), "%s", msg);
    static const nninit_var bad[] = { { "x", 1 }, { "x", 2 } };
    ck_assert_int_eq(nninit_model_parse_vars(redef, strlen(redef), bad, 2, &mv, msg, sizeof msg), NNINIT_E_PARAM);
    ck_assert_msg(strstr(msg, "variables: variable \"x\" is defined twice") && !mv, "%s", msg);
    ck_assert_int_eq(nninit_model_parse_vars(redef, strlen(redef), NULL, 1, &mv, msg, sizeof msg), NNINIT_E_NULL);
}
END_TEST

/* How {name} matches: a whole run of at most 15 digits; the globs around it as fnmatch;
 * '\{' and '[{]' are literal braces; a capture the init does not use still has to match. */
START_TEST(capture_matching)
{
    static const struct { const char *pattern, *name; int matches; double v0, v1; } cases[] = {
        { "h.{a}.w", "h.12.w", 1, 12, 0 }, { "h.{a}.w", "h.007.w", 1, 7, 0 }, { "h.{a}.w", "h..w", 0, 0, 0 },
        { "h.{a}.w", "h.1x.w", 0, 0, 0 }, { "h.{a}.w", "h.-1.w", 0, 0, 0 }, { "h.{a}.w", "h.1.5.w", 0, 0, 0 },
        { "*{a}", "x12", 1, 12, 0 }, { "*{a}*", "ab3cd45", 1, 3, 0 }, { "*.{a}", "x.5", 1, 5, 0 },
        { "{a}{b}", "12", 0, 0, 0 }, { "{a}.{b}", "1.2", 1, 1, 2 }, { "*{a}*{b}", "x1y22z333", 1, 1, 333 },
        { "{a}", "123456789012345", 1, 123456789012345.0, 0 }, { "{a}", "1234567890123456", 0, 0, 0 },
        { "h.[0-9].{a}", "h.3.44", 1, 44, 0 }, { "h?{a}", "hx9", 1, 9, 0 }, { "h?{a}", "h19", 0, 0, 0 },
        { "h[{]{a}}", "h{5}", 1, 5, 0 }, { "h\\{{a}", "h{5", 1, 5, 0 }, { "h\\{a}", "h{a}", 1, 0, 0 },
        { "h.{a}.*.{b}.w", "h.1.x.y.2.w", 1, 1, 2 }, { "h.{a}.*.{b}.w", "h.1.2.3.w", 1, 1, 3 },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char json[512], msg[1024];
        /* the init records the captures' values: mean = first, std = second + 1 */
        int two = strstr(cases[k].pattern, "{b}") != NULL;
        int one = strstr(cases[k].pattern, "{a}") != NULL && !strstr(cases[k].pattern, "\\{a}");
        char pat[64];   /* as a JSON string: '\\' doubled */
        size_t q = 0;
        for (const char *c = cases[k].pattern; *c; c++) {
            if (*c == '\\') pat[q++] = '\\';
            pat[q++] = *c;
        }
        pat[q] = '\0';
        snprintf(json, sizeof json, "{\"rules\": [{\"match\": \"%s\", \"init\": \"normal(mean=%s, std=%s)\"}, "
                 "{\"match\": \"*\", \"init\": \"ones\"}], \"tensors\": [{\"name\": \"%s\", \"shape\": [1]}]}",
                 pat, one ? "a" : "0", two ? "b+1" : "1", cases[k].name);
        nninit_model *m = NULL;
        nninit_status st = nninit_model_parse(json, strlen(json), &m, msg, sizeof msg);
        ck_assert_msg(st == NNINIT_OK, "%s: %s", json, msg);
        nninit_model_tensor t = info(m, 0);
        if (cases[k].matches)
            ck_assert_msg(t.scheme.kind == NNINIT_SCHEME_NORMAL && t.scheme.mean == cases[k].v0 &&
                          t.scheme.std == (two ? cases[k].v1 + 1 : 1), "%s on %s: mean %.17g std %.17g",
                          cases[k].pattern, cases[k].name, t.scheme.mean, t.scheme.std);
        else
            ck_assert_msg(t.scheme.kind == NNINIT_SCHEME_ONES, "%s matched %s", cases[k].pattern, cases[k].name);
        nninit_model_free(m);
    }
    /* many digit runs and captures: the search stays polynomial (failed states are remembered) */
    char name[4096], json[8192];
    size_t n = 0;
    for (int i = 0; i < 1000; i++) n += (size_t)snprintf(name + n, sizeof name - n, "%d.", i % 10);
    snprintf(json, sizeof json, "{\"rules\": {\"{a}*{b}*{c}*{d}*{e}*{f}.q\": \"ones\", \"*\": \"zeros\"}, "
             "\"tensors\": [{\"name\": \"%s\", \"shape\": [1]}]}", name);
    nninit_model *m = parse_ok(json);
    ck_assert_int_eq(info(m, 0).scheme.kind, NNINIT_SCHEME_ZEROS);
    nninit_model_free(m);
}
END_TEST

/* ---- errors ---------------------------------------------------------------------- */
#define T(...) "{\"rules\": {\"*\": \"zeros\"}, \"tensors\": [" __VA_ARGS__ "]}"
static const struct { const char *json; nninit_status st; const char *says[3]; } k_errors[] = {
    /* malformed JSON */
    { "{\"tensors\": [}", NNINIT_E_FORMAT, { "malformed JSON", "line 1" } },
    { "{\n\"tensors\": [],\n  x}", NNINIT_E_FORMAT, { "malformed JSON", "line 3" } },
    { "{\"tensors\": []} trailing", NNINIT_E_FORMAT, { "malformed JSON" } },
    { "", NNINIT_E_FORMAT, { "malformed JSON", "empty" } },
    { "[]", NNINIT_E_FORMAT, { "must be a JSON object", "an array" } },
    /* structure: top level */
    { "{\"tensors\": [], \"seeds\": 1}", NNINIT_E_FORMAT, { "field \"seeds\"", "unknown field" } },
    { "{\"tensors\": [], \"tensors\": []}", NNINIT_E_FORMAT, { "field \"tensors\"", "appears twice" } },
    { "{\"seed\": 1}", NNINIT_E_FORMAT, { "field \"tensors\"", "missing" } },
    { "{\"tensors\": {}}", NNINIT_E_FORMAT, { "field \"tensors\"", "expected an array", "an object" } },
    { "{\"seed\": 1.5, \"tensors\": []}", NNINIT_E_FORMAT, { "field \"seed\"", "1.5", "not an integer" } },
    { "{\"seed\": -1, \"tensors\": []}", NNINIT_E_FORMAT, { "field \"seed\"", "-1" } },
    { "{\"seed\": 1e19, \"tensors\": []}", NNINIT_E_FORMAT, { "field \"seed\"", "decimal string" } },
    { "{\"seed\": \"18446744073709551616\", \"tensors\": []}", NNINIT_E_FORMAT, { "field \"seed\"", "0..2^64-1" } },
    { "{\"seed\": \"12x\", \"tensors\": []}", NNINIT_E_FORMAT, { "field \"seed\"", "\"12x\"" } },
    { "{\"seed\": true, \"tensors\": []}", NNINIT_E_FORMAT, { "field \"seed\"", "a boolean" } },
    { "{\"name\": 3, \"tensors\": []}", NNINIT_E_FORMAT, { "field \"name\"", "expected a string" } },
    { "{\"dtype\": 32, \"tensors\": []}", NNINIT_E_FORMAT, { "field \"dtype\"", "expected a string" } },
    { "{\"dtype\": \"f8\", \"tensors\": []}", NNINIT_E_DTYPE, { "field \"dtype\"", "unknown dtype \"f8\"" } },
    { "{\"layout\": \"nchw\", \"tensors\": []}", NNINIT_E_FORMAT, { "field \"layout\"", "unknown layout \"nchw\"" } },
    /* rules */
    { "{\"rules\": 5, \"tensors\": []}", NNINIT_E_FORMAT, { "field \"rules\"", "a number" } },
    { "{\"rules\": {\"*\": 5}, \"tensors\": []}", NNINIT_E_FORMAT, { "rules", "pattern \"*\"", "must be a string" } },
    { "{\"rules\": {\"*\": \"ones\", \"*\": \"zeros\"}, \"tensors\": []}", NNINIT_E_FORMAT,
      { "pattern \"*\"", "appears twice" } },
    { "{\"rules\": [5], \"tensors\": []}", NNINIT_E_FORMAT, { "rules[0]", "expected an object" } },
    { "{\"rules\": [{\"pattern\": \"*\", \"init\": \"ones\"}], \"tensors\": []}", NNINIT_E_FORMAT,
      { "rules[0]", "field \"pattern\"", "unknown field" } },
    { "{\"rules\": [{\"init\": \"ones\"}], \"tensors\": []}", NNINIT_E_FORMAT, { "rules[0]", "field \"match\"", "missing" } },
    { "{\"rules\": [{\"match\": \"*\"}], \"tensors\": []}", NNINIT_E_FORMAT, { "rules[0]", "field \"init\"", "missing" } },
    { "{\"rules\": {\"*.w\": \"normal(sigma=1)\"}, \"tensors\": []}", NNINIT_E_SPEC,
      { "pattern \"*.w\"", "normal(sigma=1)", "unknown parameter" } },
    { "{\"rules\": [{\"match\": \"*.w\", \"init\": \"normal(std=-1)\"}], \"tensors\": []}", NNINIT_E_PARAM,
      { "match \"*.w\"", "std out of range" } },
    /* vars */
    { "{\"vars\": [], \"tensors\": []}", NNINIT_E_FORMAT, { "field \"vars\"", "expected an object", "an array" } },
    { "{\"vars\": {\"a\": true}, \"tensors\": []}", NNINIT_E_FORMAT, { "field \"vars\"", "variable \"a\"", "a boolean" } },
    { "{\"vars\": {\"a\": 1, \"a\": 2}, \"tensors\": []}", NNINIT_E_FORMAT, { "field \"vars\"", "\"a\" is defined twice" } },
    { "{\"vars\": {\"1a\": 1}, \"tensors\": []}", NNINIT_E_FORMAT, { "field \"vars\"", "\"1a\" is not a variable name" } },
    { "{\"vars\": {\"a b\": 1}, \"tensors\": []}", NNINIT_E_FORMAT, { "field \"vars\"", "not a variable name" } },
    { "{\"vars\": {\"log\": 1}, \"tensors\": []}", NNINIT_E_FORMAT, { "field \"vars\"", "the name of a function" } },
    { "{\"vars\": {\"a\": \"b+1\", \"b\": 1}, \"tensors\": []}", NNINIT_E_SPEC,
      { "variable \"a\"", "expression \"b+1\": column 1", "unknown variable 'b'" } },
    { "{\"vars\": {\"a\": 0, \"b\": \"1/a\"}, \"tensors\": []}", NNINIT_E_PARAM,
      { "variable \"b\"", "column 2", "division by zero" } },
    { "{\"vars\": {\"a\": \"\"}, \"tensors\": []}", NNINIT_E_SPEC, { "variable \"a\"", "empty expression" } },
    { "{\"vars\": {\"a\": \"1 1\"}, \"tensors\": []}", NNINIT_E_SPEC, { "variable \"a\"", "unexpected '1'" } },
    { "{\"vars\": {\"a\": 1e999}, \"tensors\": []}", NNINIT_E_FORMAT, { "variable \"a\"", "not a finite number" } },
    /* captures */
    { "{\"rules\": {\"h.{l.w\": \"zeros\"}, \"tensors\": []}", NNINIT_E_FORMAT,
      { "pattern \"h.{l.w\"", "'{' at character 3 does not start a capture" } },
    { "{\"rules\": {\"h.{}.w\": \"zeros\"}, \"tensors\": []}", NNINIT_E_FORMAT, { "does not start a capture" } },
    { "{\"rules\": {\"h.{1}.w\": \"zeros\"}, \"tensors\": []}", NNINIT_E_FORMAT, { "does not start a capture" } },
    { "{\"rules\": [{\"match\": \"{a}.{a}\", \"init\": \"zeros\"}], \"tensors\": []}", NNINIT_E_FORMAT,
      { "match \"{a}.{a}\"", "capture {a}", "captured twice" } },
    { "{\"vars\": {\"l\": 1}, \"rules\": {\"h.{l}\": \"zeros\"}, \"tensors\": []}", NNINIT_E_FORMAT,
      { "capture {l}", "variable already defined" } },
    { "{\"rules\": {\"h.{exp}\": \"zeros\"}, \"tensors\": []}", NNINIT_E_FORMAT, { "capture {exp}", "a function" } },
    /* a rule's init is checked as far as it can be without its captures' values */
    { "{\"rules\": {\"h.{l}\": \"normal(std=l*foo)\"}, \"tensors\": []}", NNINIT_E_SPEC,
      { "pattern \"h.{l}\"", "column 14", "unknown variable 'foo' in std (variables here: l)" } },
    { "{\"rules\": {\"h.{l}\": \"normal(std=l, sigma=1)\"}, \"tensors\": []}", NNINIT_E_SPEC, { "unknown parameter 'sigma'" } },
    { "{\"rules\": {\"h.{l}\": \"normal(std=l+1/0)\"}, \"tensors\": []}", NNINIT_E_PARAM, { "division by zero" } },
    { "{\"rules\": {\"h.{l}\": \"normal(std=l, mean=-1e999)\"}, \"tensors\": []}", NNINIT_E_PARAM, { "mean out of range" } },
    { "{\"rules\": {\"h.{l}\": \"normal(std=l^2^(l)\"}, \"tensors\": []}", NNINIT_E_SPEC, { "syntax error" } },
    /* ... and the rest when a tensor binds them */
    { "{\"rules\": {\"h.{l}\": \"normal(std=1/l)\"}, \"tensors\": [{\"name\": \"h.3\", \"shape\": [2]}, "
      "{\"name\": \"h.0\", \"shape\": [2]}]}", NNINIT_E_PARAM,
      { "tensor \"h.0\": rule \"h.{l}\" with l=0", "column 13", "std out of range: division by zero" } },
    { "{\"rules\": {\"h.{l}\": \"normal(std=0.5-l)\"}, \"tensors\": [{\"name\": \"h.1\", \"shape\": [2]}]}",
      NNINIT_E_PARAM, { "tensor \"h.1\"", "with l=1", "std out of range" } },
    { "{\"rules\": {\"h.{l}\": \"xavier_uniform(groups=l/2)\"}, \"tensors\": [{\"name\": \"h.3\", \"shape\": [6, 6]}]}",
      NNINIT_E_PARAM, { "tensor \"h.3\"", "with l=3", "groups out of range: 1.5 is not an integer" } },
    { "{\"rules\": {\"h.{l}\": \"xavier_uniform(groups=l)\"}, \"tensors\": [{\"name\": \"h.3\", \"shape\": [4, 4]}]}",
      NNINIT_E_SHAPE, { "tensor \"h.3\"", "(rule \"h.{l}\" with l=3)", "groups=3 does not divide" } },
    { "{\"rules\": {\"h.{l}\": \"dirac(in_axis=l, out_axis=0)\"}, \"tensors\": [{\"name\": \"h.0\", \"shape\": [4, 4, 3]}]}",
      NNINIT_E_PARAM, { "with l=0", "out_axis out of range: equals in_axis" } },
    /* metadata */
    { "{\"metadata\": [\"a\"], \"tensors\": []}", NNINIT_E_FORMAT, { "field \"metadata\"", "expected an object of strings, got an array" } },
    { "{\"metadata\": {\"a\": 4}, \"tensors\": []}", NNINIT_E_FORMAT, { "key \"a\"", "expected a string", "got a number" } },
    { "{\"metadata\": {\"\": \"x\"}, \"tensors\": []}", NNINIT_E_FORMAT, { "field \"metadata\": a key is empty" } },
    { "{\"metadata\": {\"a\": \"x\", \"a\": \"y\"}, \"tensors\": []}", NNINIT_E_FORMAT, { "key \"a\" appears twice" } },
    { "{\"metadata\": {\"seed\": \"1\"}, \"tensors\": []}", NNINIT_E_FORMAT, { "key \"seed\" is nninit's own" } },
    { "{\"metadata\": {\"format\": \"np\"}, \"tensors\": []}", NNINIT_E_FORMAT, { "key \"format\" is nninit's own" } },
    { "{\"metadata\": {\"nninit_from\": \"x\"}, \"tensors\": []}", NNINIT_E_FORMAT, { "key \"nninit_from\" is nninit's own" } },
    { "{\"metadata\": {}, \"metadata\": {}, \"tensors\": []}", NNINIT_E_FORMAT, { "field \"metadata\"", "appears twice" } },
    /* bytes no output's metadata could hold */
    { "{\"metadata\": {\"k\": \"a\xff\"}, \"tensors\": []}", NNINIT_E_FORMAT, { "field \"metadata\": a value is not valid UTF-8" } },
    { "{\"metadata\": {\"\xc3\": \"a\"}, \"tensors\": []}", NNINIT_E_FORMAT, { "field \"metadata\": a key is not valid UTF-8" } },
    { "{\"description\": \"\xe2\x82\", \"tensors\": []}", NNINIT_E_FORMAT, { "field \"description\": not valid UTF-8" } },
    { "{\"name\": \"\xff\", \"tensors\": []}", NNINIT_E_FORMAT, { "field \"name\": not valid UTF-8" } },
    /* tensors: structure and types */
    { T("5"), NNINIT_E_FORMAT, { "tensors[0]", "expected an object" } },
    { T("{\"shape\": [2]}"), NNINIT_E_FORMAT, { "tensors[0]", "field \"name\"", "missing" } },
    { T("{\"name\": \"\", \"shape\": [2]}"), NNINIT_E_FORMAT, { "tensors[0]", "field \"name\"", "empty" } },
    { T("{\"name\": 7, \"shape\": [2]}"), NNINIT_E_FORMAT, { "tensors[0]", "field \"name\"", "expected a string" } },
    { T("{\"name\": \"w\", \"shape\": [2], \"inits\": \"ones\"}"), NNINIT_E_FORMAT,
      { "tensor \"w\"", "field \"inits\"", "unknown field" } },
    { T("{\"name\": \"w\", \"shape\": [2], \"shape\": [3]}"), NNINIT_E_FORMAT,
      { "tensor \"w\"", "field \"shape\"", "appears twice" } },
    { T("{\"name\": \"w\"}"), NNINIT_E_FORMAT, { "tensor \"w\"", "field \"shape\"", "missing" } },
    { T("{\"name\": \"w\", \"shape\": 3}"), NNINIT_E_FORMAT, { "tensor \"w\"", "field \"shape\"", "expected an array" } },
    { T("{\"name\": \"w\", \"shape\": [\"3\"]}"), NNINIT_E_FORMAT, { "tensor \"w\"", "field \"shape\"", "a string" } },
    { T("{\"name\": \"w\", \"shape\": [2], \"init\": 1}"), NNINIT_E_FORMAT,
      { "tensor \"w\"", "field \"init\"", "expected a string" } },
    { T("{\"name\": \"w\", \"shape\": [2], \"dtype\": 1}"), NNINIT_E_FORMAT, { "tensor \"w\"", "field \"dtype\"" } },
    { T("{\"name\": \"w\", \"shape\": [2], \"dtype\": \"Float32\"}"), NNINIT_E_DTYPE,
      { "tensor \"w\"", "field \"dtype\"", "unknown dtype \"Float32\"" } },
    { T("{\"name\": \"w\", \"shape\": [2], \"layout\": \"nhwc\"}"), NNINIT_E_FORMAT,
      { "tensor \"w\"", "field \"layout\"", "unknown layout \"nhwc\"" } },
    { T("{\"name\": \"w\", \"shape\": [2], \"layout\": 0}"), NNINIT_E_FORMAT,
      { "tensor \"w\"", "field \"layout\"", "expected a string" } },
    { T("{\"name\": \"w\", \"shape\": [2], \"groups\": 0}"), NNINIT_E_FORMAT,
      { "tensor \"w\"", "field \"groups\"", "0 is not a group count" } },
    { T("{\"name\": \"w\", \"shape\": [2], \"groups\": \"2\"}"), NNINIT_E_FORMAT,
      { "tensor \"w\"", "field \"groups\"", "expected an integer" } },
    /* sizes */
    { T("{\"name\": \"h.0.attn.c_attn.weight\", \"shape\": [2304, -3]}"), NNINIT_E_SHAPE,
      { "tensor \"h.0.attn.c_attn.weight\": field \"shape\": -3 is not a size" } },
    { T("{\"name\": \"w\", \"shape\": [2.5]}"), NNINIT_E_SHAPE, { "tensor \"w\"", "field \"shape\"", "2.5 is not a size" } },
    { T("{\"name\": \"w\", \"shape\": [1e20]}"), NNINIT_E_SHAPE, { "tensor \"w\"", "field \"shape\"", "larger than 2^53" } },
    { T("{\"name\": \"w\", \"shape\": [1, 1, 1, 1, 1, 1, 1, 1, 1]}"), NNINIT_E_SHAPE,
      { "tensor \"w\"", "field \"shape\"", "9 dimensions" } },
    { T("{\"name\": \"w\", \"shape\": [4294967296, 4294967296, 4294967296]}"), NNINIT_E_SHAPE,
      { "tensor \"w\"", "field \"shape\"", "too many elements" } },
    { T("{\"name\": \"w\", \"shape\": [4294967296, 2147483648], \"dtype\": \"f64\"}"), NNINIT_E_OVERFLOW,
      { "tensor \"w\"", "field \"shape\"", "overflows" } },
    { T("{\"name\": \"a\", \"shape\": [1073741824, 2147483648]}, {\"name\": \"b\", \"shape\": [1073741824, 2147483648]}"),
      NNINIT_E_OVERFLOW, { "tensor \"b\"", "total byte count overflows" } },
    /* names and rules */
    { T("{\"name\": \"w\", \"shape\": [2]}, {\"name\": \"v\", \"shape\": [2]}, {\"name\": \"w\", \"shape\": [3]}"),
      NNINIT_E_FORMAT, { "tensor \"w\"", "duplicate tensor name", "tensors[0] and tensors[2]" } },
    { "{\"rules\": {\"*.weight\": \"ones\"}, \"tensors\": [{\"name\": \"fc.bias\", \"shape\": [2]}]}", NNINIT_E_FORMAT,
      { "tensor \"fc.bias\"", "field \"init\"", "no rule matches" } },
    /* init specs and shapes */
    { T("{\"name\": \"w\", \"shape\": [2], \"init\": \"normal(sigma=1)\"}"), NNINIT_E_SPEC,
      { "tensor \"w\": field \"init\": init spec \"normal(sigma=1)\"", "column 8", "unknown parameter 'sigma'" } },
    { T("{\"name\": \"w\", \"shape\": [2], \"init\": \"gaussian\"}"), NNINIT_E_SPEC, { "tensor \"w\"", "unknown scheme" } },
    { T("{\"name\": \"w\", \"shape\": [2], \"init\": \"uniform(low=1, high=0)\"}"), NNINIT_E_PARAM,
      { "tensor \"w\"", "field \"init\"", "out of range" } },
    { "{\"rules\": {\"*.w\": \"eye\"}, \"tensors\": [{\"name\": \"a.w\", \"shape\": [2, 3, 4]}]}", NNINIT_E_SHAPE,
      { "tensor \"a.w\"", "rule \"*.w\"", "eye on shape [2, 3, 4]" } },
    { T("{\"name\": \"c\", \"shape\": [4, 4, 3, 3], \"init\": \"dirac(groups=3)\"}"), NNINIT_E_SHAPE,
      { "tensor \"c\"", "field \"init\"", "groups=3 does not divide" } },
    { T("{\"name\": \"c\", \"shape\": [8, 3, 3, 3], \"groups\": 3, \"init\": \"kaiming_normal\"}"), NNINIT_E_SHAPE,
      { "tensor \"c\"", "does not divide" } },
    { T("{\"name\": \"o\", \"shape\": [5], \"init\": \"orthogonal\"}"), NNINIT_E_SHAPE,
      { "tensor \"o\"", "needs at least 2 dimensions" } },
};
#undef T

START_TEST(errors)
{
    for (size_t i = 0; i < sizeof k_errors / sizeof k_errors[0]; i++) {
        char msg[1024];
        nninit_model *m = (nninit_model *)&msg;   /* must come back NULL */
        const char *j = k_errors[i].json;
        nninit_status st = nninit_model_parse(j, strlen(j), &m, msg, sizeof msg);
        ck_assert_msg(st == k_errors[i].st, "case %zu: status %d, want %d (%s)\n%s", i, st, k_errors[i].st, msg, j);
        ck_assert_ptr_null(m);
        for (int k = 0; k < 3 && k_errors[i].says[k]; k++)
            ck_assert_msg(strstr(msg, k_errors[i].says[k]), "case %zu: message lacks '%s':\n  %s", i,
                          k_errors[i].says[k], msg);
        /* A short message buffer is truncated, never overrun; none is fine too. */
        char small[8];
        memset(small, 'x', sizeof small);
        ck_assert_int_eq(nninit_model_parse(j, strlen(j), &m, small, 5), k_errors[i].st);
        ck_assert_uint_le(strlen(small), 4);
        ck_assert_int_eq(small[5], 'x');
        ck_assert_int_eq(nninit_model_parse(j, strlen(j), &m, NULL, 0), k_errors[i].st);
    }
}
END_TEST

START_TEST(lengths_and_files)
{
    /* len bounds the input: no terminator needed, and bytes past len are not read. */
    const char *j = "{\"tensors\": []}GARBAGE";
    nninit_model *m = NULL;
    ck_assert_int_eq(nninit_model_parse(j, 15, &m, NULL, 0), NNINIT_OK);
    nninit_model_free(m);
    ck_assert_int_eq(nninit_model_parse(j, 16, &m, NULL, 0), NNINIT_E_FORMAT);
    ck_assert_int_eq(nninit_model_parse(NULL, 0, &m, NULL, 0), NNINIT_E_FORMAT);
    ck_assert_int_eq(nninit_model_parse(NULL, 3, &m, NULL, 0), NNINIT_E_NULL);
    ck_assert_int_eq(nninit_model_parse(j, 15, NULL, NULL, 0), NNINIT_E_NULL);

    char msg[1024];
    errno = 0;
    ck_assert_int_eq(nninit_model_load("tests/data/no-such-model.json", &m, msg, sizeof msg), NNINIT_E_IO);
    ck_assert_int_eq(errno, ENOENT);
    ck_assert_ptr_null(m);
    ck_assert_ptr_nonnull(strstr(msg, "no-such-model.json"));
    ck_assert_int_eq(nninit_model_load(NULL, &m, msg, sizeof msg), NNINIT_E_NULL);

    /* A file's errors say which file. */
    char path[] = "/tmp/nninit_test_model_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs("{\"tensors\": [{\"name\": \"w\", \"shape\": [-1], \"init\": \"zeros\"}]}", f);
    fclose(f);
    ck_assert_int_eq(nninit_model_load(path, &m, msg, sizeof msg), NNINIT_E_SHAPE);
    ck_assert_ptr_nonnull(strstr(msg, path));
    ck_assert_ptr_nonnull(strstr(msg, "tensor \"w\": field \"shape\": -1 is not a size"));
    remove(path);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("model");
    TCase *tc = nt_tcase("model");
    tcase_add_test(tc, examples_parse);
    tcase_add_test(tc, examples_inits);
    tcase_add_test(tc, first_match_wins);
    tcase_add_test(tc, explicit_init_overrides_rules);
    tcase_add_test(tc, layouts_and_groups);
    tcase_add_test(tc, streams_and_seeds);
    tcase_add_test(tc, set_dtype);
    tcase_add_test(tc, canonical_json_round_trip);
    tcase_add_test(tc, spec_metadata);
    tcase_add_test(tc, vars_and_captures);
    tcase_add_test(tc, capture_matching);
    tcase_add_test(tc, errors);
    tcase_add_test(tc, lengths_and_files);
    suite_add_tcase(s, tc);
    return s;
}

NNINIT_TEST_MAIN
