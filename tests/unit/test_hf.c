/* The Hugging Face front end (nninit_hf_spec): per model type, the tensors
 * of published configs (counts, names, shapes, tied or not) and their
 * parameter totals against the figures the model cards and the published
 * model.safetensors.index.json files give (total_size = parameters x bytes
 * per element); the recipes' constants; the padding row; bad configs, each
 * refused with a message naming the key. */
#include "testutil.h"

/* The model a config describes under a recipe (NULL: "hf"); fails the test on error. */
static nninit_model *hf_model(const char *config, const char *recipe)
{
    nninit_hf_options o;
    nninit_hf_options_default(&o);
    if (recipe) o.recipe = recipe;
    char *spec = NULL, msg[1024] = "";
    nninit_status st = nninit_hf_spec(config, strlen(config), &o, &spec, msg, sizeof msg);
    ck_assert_msg(st == NNINIT_OK, "%s", msg);
    nninit_model *m = NULL;
    st = nninit_model_parse(spec, strlen(spec), &m, msg, sizeof msg);
    ck_assert_msg(st == NNINIT_OK, "%s", msg);
    nninit_hf_free(spec);
    return m;
}

static uint64_t params(const nninit_model *m)
{
    uint64_t n = 0;
    nninit_model_tensor t;
    for (size_t i = 0; i < nninit_model_count(m); i++) {
        ck_assert_int_eq(nninit_model_tensor_info(m, i, &t), NNINIT_OK);
        n += t.count;
    }
    return n;
}

/* Tensor name has this shape (ndim sizes). */
static void has(const nninit_model *m, const char *name, int ndim, int64_t d0, int64_t d1, int64_t d2)
{
    long i = nninit_model_find(m, name);
    ck_assert_msg(i >= 0, "no tensor %s", name);
    nninit_model_tensor t;
    nninit_model_tensor_info(m, (size_t)i, &t);
    const int64_t want[3] = { d0, d1, d2 };
    ck_assert_int_eq(t.ndim, ndim);
    for (int d = 0; d < ndim; d++) ck_assert_msg(t.shape[d] == want[d], "%s dim %d: %lld", name, d, (long long)t.shape[d]);
}

static const char *init_of(const nninit_model *m, const char *name)
{
    long i = nninit_model_find(m, name);
    ck_assert_msg(i >= 0, "no tensor %s", name);
    nninit_model_tensor t;
    nninit_model_tensor_info(m, (size_t)i, &t);
    return t.init;
}

/* meta-llama/Llama-3.1-8B config.json */
static const char llama31_8b[] =
    "{\"architectures\": [\"LlamaForCausalLM\"], \"attention_bias\": false, \"bos_token_id\": 128000,"
    " \"eos_token_id\": 128001, \"hidden_act\": \"silu\", \"hidden_size\": 4096, \"initializer_range\": 0.02,"
    " \"intermediate_size\": 14336, \"max_position_embeddings\": 131072, \"mlp_bias\": false, \"model_type\": \"llama\","
    " \"num_attention_heads\": 32, \"num_hidden_layers\": 32, \"num_key_value_heads\": 8, \"rms_norm_eps\": 1e-05,"
    " \"rope_scaling\": {\"factor\": 8.0, \"rope_type\": \"llama3\"}, \"rope_theta\": 500000.0,"
    " \"tie_word_embeddings\": false, \"torch_dtype\": \"bfloat16\", \"vocab_size\": 128256}";

START_TEST(test_llama31_8b)
{
    nninit_model *m = hf_model(llama31_8b, NULL);
    /* embedding, 32 x (q k v o gate up down + 2 norms), final norm, lm_head */
    ck_assert_uint_eq(nninit_model_count(m), 1 + 32 * 9 + 1 + 1);
    ck_assert_uint_eq(params(m), 8030261248ull);
    ck_assert_uint_eq(nninit_model_bytes(m), 16060522496ull);   /* the published index's total_size */
    has(m, "model.embed_tokens.weight", 2, 128256, 4096, 0);
    has(m, "model.layers.31.self_attn.k_proj.weight", 2, 1024, 4096, 0);
    has(m, "model.layers.0.mlp.down_proj.weight", 2, 4096, 14336, 0);
    has(m, "model.norm.weight", 1, 4096, 0, 0);
    has(m, "lm_head.weight", 2, 128256, 4096, 0);
    ck_assert_str_eq(init_of(m, "model.layers.0.self_attn.q_proj.weight"), "normal(mean=0, std=0.02)");
    ck_assert_str_eq(init_of(m, "model.layers.0.input_layernorm.weight"), "ones");
    nninit_model_tensor t;
    nninit_model_tensor_info(m, 0, &t);
    ck_assert_int_eq(t.dtype, NNINIT_BF16);
    nninit_model_free(m);
}
END_TEST

/* meta-llama/Llama-3.2-1B: tied, head_dim 64 */
START_TEST(test_llama32_1b_tied)
{
    static const char cfg[] =
        "{\"model_type\": \"llama\", \"hidden_size\": 2048, \"intermediate_size\": 8192, \"num_attention_heads\": 32,"
        " \"num_hidden_layers\": 16, \"num_key_value_heads\": 8, \"head_dim\": 64, \"tie_word_embeddings\": true,"
        " \"torch_dtype\": \"bfloat16\", \"vocab_size\": 128256}";
    nninit_model *m = hf_model(cfg, NULL);
    ck_assert_uint_eq(nninit_model_count(m), 146);
    ck_assert_uint_eq(params(m), 1235814400ull);   /* examples/models/llama-1b.json, counted by torch */
    ck_assert_int_lt(nninit_model_find(m, "lm_head.weight"), 0);
    nninit_model_free(m);
}
END_TEST

START_TEST(test_mistral_mixtral)
{
    static const char mistral[] =
        "{\"model_type\": \"mistral\", \"hidden_size\": 4096, \"intermediate_size\": 14336, \"num_attention_heads\": 32,"
        " \"num_hidden_layers\": 32, \"num_key_value_heads\": 8, \"vocab_size\": 32000, \"torch_dtype\": \"bfloat16\"}";
    nninit_model *m = hf_model(mistral, NULL);
    ck_assert_uint_eq(params(m), 7241732096ull);           /* Mistral-7B-v0.1 */
    ck_assert_uint_eq(nninit_model_bytes(m), 14483464192ull);
    nninit_model_free(m);
    static const char mixtral[] =
        "{\"model_type\": \"mixtral\", \"hidden_size\": 4096, \"intermediate_size\": 14336, \"num_attention_heads\": 32,"
        " \"num_hidden_layers\": 32, \"num_key_value_heads\": 8, \"num_local_experts\": 8, \"num_experts_per_tok\": 2,"
        " \"vocab_size\": 32000, \"torch_dtype\": \"bfloat16\"}";
    m = hf_model(mixtral, NULL);
    ck_assert_uint_eq(params(m), 46702792704ull);          /* Mixtral-8x7B-v0.1 */
    ck_assert_uint_eq(nninit_model_bytes(m), 93405585408ull);
    has(m, "model.layers.0.block_sparse_moe.gate.weight", 2, 8, 4096, 0);
    has(m, "model.layers.31.block_sparse_moe.experts.7.w2.weight", 2, 4096, 14336, 0);
    has(m, "model.layers.31.block_sparse_moe.experts.7.w3.weight", 2, 14336, 4096, 0);
    ck_assert_int_lt(nninit_model_find(m, "model.layers.0.mlp.gate_proj.weight"), 0);
    nninit_model_free(m);
}
END_TEST

START_TEST(test_qwen2_gemma_phi3)
{
    /* Qwen2.5-0.5B: q/k/v biases, tied */
    static const char qwen[] =
        "{\"model_type\": \"qwen2\", \"hidden_size\": 896, \"intermediate_size\": 4864, \"num_attention_heads\": 14,"
        " \"num_hidden_layers\": 24, \"num_key_value_heads\": 2, \"tie_word_embeddings\": true, \"vocab_size\": 151936,"
        " \"torch_dtype\": \"bfloat16\"}";
    nninit_model *m = hf_model(qwen, NULL);
    ck_assert_uint_eq(params(m), 494032768ull);
    has(m, "model.layers.0.self_attn.k_proj.bias", 1, 128, 0, 0);
    ck_assert_int_lt(nninit_model_find(m, "model.layers.0.self_attn.o_proj.bias"), 0);
    ck_assert_str_eq(init_of(m, "model.layers.0.self_attn.q_proj.bias"), "zeros");
    nninit_model_free(m);
    /* gemma-2b: head_dim 256, one kv head, tied, norms zero (1 + w), pad row 0 */
    static const char gemma[] =
        "{\"model_type\": \"gemma\", \"hidden_size\": 2048, \"intermediate_size\": 16384, \"num_attention_heads\": 8,"
        " \"num_hidden_layers\": 18, \"num_key_value_heads\": 1, \"head_dim\": 256, \"vocab_size\": 256000,"
        " \"pad_token_id\": 0, \"torch_dtype\": \"bfloat16\"}";
    m = hf_model(gemma, NULL);
    ck_assert_uint_eq(params(m), 2506172416ull);
    ck_assert_str_eq(init_of(m, "model.norm.weight"), "zeros");
    ck_assert_int_lt(nninit_model_find(m, "lm_head.weight"), 0);
    ck_assert_ptr_nonnull(strstr(nninit_model_json(m), "\"zero_row\":0"));
    nninit_model_free(m);
    /* Phi-3-mini-4k: fused qkv_proj and gate_up_proj */
    static const char phi3[] =
        "{\"model_type\": \"phi3\", \"hidden_size\": 3072, \"intermediate_size\": 8192, \"num_attention_heads\": 32,"
        " \"num_hidden_layers\": 32, \"num_key_value_heads\": 32, \"vocab_size\": 32064, \"pad_token_id\": 32000,"
        " \"tie_word_embeddings\": false, \"torch_dtype\": \"bfloat16\"}";
    m = hf_model(phi3, NULL);
    ck_assert_uint_eq(params(m), 3821079552ull);
    ck_assert_uint_eq(nninit_model_bytes(m), 7642159104ull);
    has(m, "model.layers.0.self_attn.qkv_proj.weight", 2, 9216, 3072, 0);
    has(m, "model.layers.0.mlp.gate_up_proj.weight", 2, 16384, 3072, 0);
    nninit_model_free(m);
}
END_TEST

START_TEST(test_gpt2_neox_falcon)
{
    static const char gpt2[] =
        "{\"model_type\": \"gpt2\", \"n_embd\": 768, \"n_head\": 12, \"n_layer\": 12, \"n_positions\": 1024,"
        " \"vocab_size\": 50257}";
    nninit_model *m = hf_model(gpt2, NULL);
    ck_assert_uint_eq(nninit_model_count(m), 148);
    ck_assert_uint_eq(params(m), 124439808ull);
    has(m, "transformer.h.0.attn.c_attn.weight", 2, 768, 2304, 0);   /* Conv1D: [in, out] */
    has(m, "transformer.h.11.mlp.c_proj.weight", 2, 3072, 768, 0);
    /* 0.02 / sqrt(2 * 12) */
    ck_assert_str_eq(init_of(m, "transformer.h.0.attn.c_proj.weight"), "normal(mean=0, std=0.0040824829046386306)");
    ck_assert_str_eq(init_of(m, "transformer.h.0.mlp.c_fc.weight"), "normal(mean=0, std=0.02)");
    nninit_model_tensor t;
    nninit_model_tensor_info(m, 0, &t);
    ck_assert_int_eq(t.dtype, NNINIT_F32);   /* no torch_dtype: float32 */
    nninit_model_free(m);
    /* EleutherAI/pythia-160m */
    static const char neox[] =
        "{\"model_type\": \"gpt_neox\", \"hidden_size\": 768, \"intermediate_size\": 3072, \"num_attention_heads\": 12,"
        " \"num_hidden_layers\": 12, \"vocab_size\": 50304, \"tie_word_embeddings\": false}";
    m = hf_model(neox, NULL);
    ck_assert_uint_eq(params(m), 162322944ull);
    has(m, "embed_out.weight", 2, 50304, 768, 0);
    has(m, "gpt_neox.layers.3.attention.query_key_value.bias", 1, 2304, 0, 0);
    nninit_model_free(m);
    /* tiiuae/falcon-7b: multi-query, parallel attention, one norm per layer */
    static const char falcon[] =
        "{\"model_type\": \"falcon\", \"hidden_size\": 4544, \"num_attention_heads\": 71, \"num_hidden_layers\": 32,"
        " \"vocab_size\": 65024, \"multi_query\": true, \"parallel_attn\": true, \"new_decoder_architecture\": false,"
        " \"bias\": false, \"torch_dtype\": \"bfloat16\"}";
    m = hf_model(falcon, NULL);
    ck_assert_uint_eq(params(m), 6921720704ull);
    has(m, "transformer.h.0.self_attention.query_key_value.weight", 2, 4672, 4544, 0);
    has(m, "transformer.h.0.input_layernorm.bias", 1, 4544, 0, 0);
    ck_assert_int_lt(nninit_model_find(m, "transformer.h.0.ln_attn.weight"), 0);
    nninit_model_free(m);
    /* the new decoder architecture: grouped k/v, ln_attn and ln_mlp */
    static const char falcon_new[] =
        "{\"model_type\": \"falcon\", \"hidden_size\": 64, \"num_attention_heads\": 8, \"num_kv_heads\": 2,"
        " \"num_hidden_layers\": 2, \"vocab_size\": 100, \"new_decoder_architecture\": true, \"bias\": true}";
    m = hf_model(falcon_new, NULL);
    has(m, "transformer.h.1.self_attention.query_key_value.weight", 2, (2 * 2 + 8) * 8, 64, 0);
    has(m, "transformer.h.1.self_attention.query_key_value.bias", 1, (2 * 2 + 8) * 8, 0, 0);
    has(m, "transformer.h.1.ln_mlp.bias", 1, 64, 0, 0);
    ck_assert_int_lt(nninit_model_find(m, "lm_head.weight"), 0);   /* falcon ties by default */
    nninit_model_free(m);
}
END_TEST

START_TEST(test_moe_and_qk_norm_types)
{
    /* qwen2_moe: layers 1 and 3 sparse (decoder_sparse_step 2), layer 3 dense by mlp_only_layers */
    static const char q2moe[] =
        "{\"model_type\": \"qwen2_moe\", \"hidden_size\": 32, \"intermediate_size\": 64, \"num_attention_heads\": 4,"
        " \"num_hidden_layers\": 4, \"num_key_value_heads\": 2, \"vocab_size\": 50, \"num_experts\": 3,"
        " \"moe_intermediate_size\": 16, \"shared_expert_intermediate_size\": 48, \"decoder_sparse_step\": 2,"
        " \"mlp_only_layers\": [3]}";
    nninit_model *m = hf_model(q2moe, NULL);
    has(m, "model.layers.0.mlp.gate_proj.weight", 2, 64, 32, 0);
    has(m, "model.layers.1.mlp.gate.weight", 2, 3, 32, 0);
    has(m, "model.layers.1.mlp.experts.2.down_proj.weight", 2, 32, 16, 0);
    has(m, "model.layers.1.mlp.shared_expert.up_proj.weight", 2, 48, 32, 0);
    has(m, "model.layers.1.mlp.shared_expert_gate.weight", 2, 1, 32, 0);
    has(m, "model.layers.3.mlp.up_proj.weight", 2, 64, 32, 0);
    ck_assert_int_lt(nninit_model_find(m, "model.layers.3.mlp.gate.weight"), 0);
    nninit_model_free(m);
    /* qwen3 (head_dim 128 by default), qwen3_moe, gemma3_text: per-head q/k norms */
    static const char q3[] =
        "{\"model_type\": \"qwen3\", \"hidden_size\": 64, \"intermediate_size\": 96, \"num_attention_heads\": 4,"
        " \"num_hidden_layers\": 1, \"num_key_value_heads\": 2, \"vocab_size\": 40}";
    m = hf_model(q3, NULL);
    has(m, "model.layers.0.self_attn.q_proj.weight", 2, 512, 64, 0);
    has(m, "model.layers.0.self_attn.k_norm.weight", 1, 128, 0, 0);
    has(m, "lm_head.weight", 2, 40, 64, 0);
    nninit_model_free(m);
    static const char q3moe[] =
        "{\"model_type\": \"qwen3_moe\", \"hidden_size\": 64, \"intermediate_size\": 96, \"num_attention_heads\": 4,"
        " \"num_hidden_layers\": 2, \"num_key_value_heads\": 2, \"vocab_size\": 40, \"num_experts\": 4,"
        " \"moe_intermediate_size\": 8, \"head_dim\": 16}";
    m = hf_model(q3moe, NULL);
    has(m, "model.layers.1.mlp.experts.3.gate_proj.weight", 2, 8, 64, 0);
    has(m, "model.layers.1.self_attn.q_norm.weight", 1, 16, 0, 0);
    ck_assert_int_lt(nninit_model_find(m, "model.layers.1.mlp.shared_expert_gate.weight"), 0);
    nninit_model_free(m);
    static const char g3[] =
        "{\"model_type\": \"gemma3_text\", \"hidden_size\": 64, \"intermediate_size\": 96, \"num_attention_heads\": 4,"
        " \"num_hidden_layers\": 1, \"num_key_value_heads\": 1, \"head_dim\": 32, \"vocab_size\": 40}";
    m = hf_model(g3, NULL);
    has(m, "model.layers.0.pre_feedforward_layernorm.weight", 1, 64, 0, 0);
    has(m, "model.layers.0.post_feedforward_layernorm.weight", 1, 64, 0, 0);
    has(m, "model.layers.0.self_attn.q_norm.weight", 1, 32, 0, 0);
    ck_assert_str_eq(init_of(m, "model.layers.0.self_attn.q_norm.weight"), "zeros");
    ck_assert_int_lt(nninit_model_find(m, "lm_head.weight"), 0);
    nninit_model_free(m);
    /* granitemoe: ParallelExperts [experts, out, in] */
    static const char gmoe[] =
        "{\"model_type\": \"granitemoe\", \"hidden_size\": 64, \"intermediate_size\": 32, \"num_attention_heads\": 4,"
        " \"num_hidden_layers\": 1, \"num_key_value_heads\": 4, \"vocab_size\": 40, \"num_local_experts\": 5}";
    m = hf_model(gmoe, NULL);
    has(m, "model.layers.0.block_sparse_moe.input_linear.weight", 3, 5, 64, 64);
    has(m, "model.layers.0.block_sparse_moe.output_linear.weight", 3, 5, 64, 32);
    has(m, "model.layers.0.block_sparse_moe.router.layer.weight", 2, 5, 64, 0);
    nninit_model_free(m);
    /* llama with attention_bias and mlp_bias; granite alike */
    static const char lb[] =
        "{\"model_type\": \"granite\", \"hidden_size\": 64, \"intermediate_size\": 32, \"num_attention_heads\": 4,"
        " \"num_hidden_layers\": 1, \"vocab_size\": 40, \"attention_bias\": true, \"mlp_bias\": true}";
    m = hf_model(lb, NULL);
    has(m, "model.layers.0.self_attn.o_proj.bias", 1, 64, 0, 0);
    has(m, "model.layers.0.mlp.down_proj.bias", 1, 64, 0, 0);
    nninit_model_free(m);
}
END_TEST

/* The recipes' constants on Llama-3.1-8B (32 layers, hidden 4096). */
START_TEST(test_recipes)
{
    nninit_model *m = hf_model(llama31_8b, "megatron");
    /* 0.02 / sqrt(64) = 0.0025 */
    ck_assert_str_eq(init_of(m, "model.layers.5.self_attn.o_proj.weight"), "normal(mean=0, std=0.0025000000000000001)");
    ck_assert_str_eq(init_of(m, "model.layers.5.mlp.down_proj.weight"), "normal(mean=0, std=0.0025000000000000001)");
    ck_assert_str_eq(init_of(m, "model.layers.5.mlp.up_proj.weight"), "normal(mean=0, std=0.02)");
    ck_assert_str_eq(init_of(m, "lm_head.weight"), "normal(mean=0, std=0.02)");
    nninit_model_free(m);
    m = hf_model(llama31_8b, "torchtitan");
    /* layer 1: 0.02 / sqrt(4) = 0.01; lm_head 4096^-1/2 = 1/64 */
    ck_assert_str_eq(init_of(m, "model.layers.1.self_attn.o_proj.weight"), "trunc_normal(mean=0, std=0.01, low=-2, high=2)");
    ck_assert_str_eq(init_of(m, "model.layers.1.mlp.up_proj.weight"), "trunc_normal(mean=0, std=0.01, low=-2, high=2)");
    ck_assert_str_eq(init_of(m, "model.layers.1.mlp.gate_proj.weight"), "trunc_normal(mean=0, std=0.02, low=-2, high=2)");
    ck_assert_str_eq(init_of(m, "model.embed_tokens.weight"), "normal(mean=0, std=1)");
    ck_assert_str_eq(init_of(m, "lm_head.weight"), "trunc_normal_sigma(mean=0, std=0.015625, lower=-3, upper=3)");
    nninit_model_free(m);
    m = hf_model(llama31_8b, "olmo");
    /* in 1/64; attention out at layer 1: 1/sqrt(2*4096*2) = 1/128; ff out at layer 0: 1/sqrt(2*14336) (Python's "%.17g" % (1 / math.sqrt(2 * 14336))) */
    ck_assert_str_eq(init_of(m, "model.layers.0.self_attn.q_proj.weight"), "trunc_normal_sigma(mean=0, std=0.015625, lower=-3, upper=3)");
    ck_assert_str_eq(init_of(m, "model.layers.1.self_attn.o_proj.weight"), "trunc_normal_sigma(mean=0, std=0.0078125, lower=-3, upper=3)");
    ck_assert_str_eq(init_of(m, "model.layers.0.mlp.down_proj.weight"), "trunc_normal_sigma(mean=0, std=0.005905694890769175, lower=-3, upper=3)");
    nninit_model_free(m);
    m = hf_model(llama31_8b, "neox");
    /* small_init sqrt(2 / (5 * 4096)), wang 2 / (32 * 64) = 1/1024 (the digits: Python's "%.17g" % math.sqrt(2 / (5 * 4096))) */
    ck_assert_str_eq(init_of(m, "model.layers.0.self_attn.o_proj.weight"), "normal(mean=0, std=0.0009765625)");
    ck_assert_str_eq(init_of(m, "model.layers.0.self_attn.q_proj.weight"), "normal(mean=0, std=0.0098821176880261857)");
    nninit_model_free(m);
    m = hf_model(llama31_8b, "mup(base_hidden=1024)");
    /* width_mult 4: hidden matrices 0.02 / 2, embeddings and readout 0.02 */
    ck_assert_str_eq(init_of(m, "model.layers.0.mlp.down_proj.weight"), "normal(mean=0, std=0.01)");
    ck_assert_str_eq(init_of(m, "model.embed_tokens.weight"), "normal(mean=0, std=0.02)");
    ck_assert_str_eq(init_of(m, "lm_head.weight"), "normal(mean=0, std=0.02)");
    /* the multipliers as metadata keys, after nninit's own (hidden 4096 / 1024) */
    const char *const *meta = nninit_model_metadata(m);
    const char *want[] = { "mup_base_hidden", "1024", "mup_width_mult", "4", "mup_output_mult", "0.25", NULL };
    size_t k = 0;
    while (meta[k] && strcmp(meta[k], "mup_base_hidden") != 0) k += 2;
    for (size_t i = 0; want[i]; i++) ck_assert_str_eq(meta[k + i] ? meta[k + i] : "(end)", want[i]);
    ck_assert_ptr_null(meta[k + 6]);
    ck_assert_ptr_nonnull(strstr(nninit_model_json(m), "\"metadata\":{\"mup_base_hidden\":\"1024\",\"mup_width_mult\":\"4\","
                                                       "\"mup_output_mult\":\"0.25\"}"));
    nninit_model_free(m);
}
END_TEST

/* The padding row is zero, the rest drawn as without it, in memory as in a stream. */
START_TEST(test_pad_row)
{
    static const char cfg[] =
        "{\"model_type\": \"llama\", \"hidden_size\": 16, \"intermediate_size\": 32, \"num_attention_heads\": 2,"
        " \"num_hidden_layers\": 1, \"vocab_size\": 10, \"pad_token_id\": -1}";
    nninit_model *m = hf_model(cfg, NULL);
    long i = nninit_model_find(m, "model.embed_tokens.weight");
    ck_assert_int_eq(i, 0);
    nninit_model_tensor t;
    nninit_model_tensor_info(m, 0, &t);
    size_t n = nninit_model_count(m);
    void **dst = calloc(n, sizeof *dst);
    for (size_t k = 0; k < n; k++) {
        nninit_model_tensor u;
        nninit_model_tensor_info(m, k, &u);
        dst[k] = calloc(u.count ? u.count : 1, 4);
    }
    ck_assert_int_eq(nninit_model_init(m, dst, NULL, NULL, 0), NNINIT_OK);
    float *e = (float *)dst[0], ref[160];
    ck_assert_int_eq(nninit_normal(ref, NNINIT_F32, 160, 0.0, 0.02, t.rng, 0), NNINIT_OK);
    for (int k = 0; k < 160; k++) {
        if (k >= 144) ck_assert_msg(e[k] == 0.0f, "row 9 (pad -1) element %d", k);
        else ck_assert_msg(e[k] == ref[k], "element %d differs from the plain draw", k);
    }
    for (size_t k = 0; k < n; k++) free(dst[k]);
    free(dst);
    nninit_model_free(m);
}
END_TEST

/* Each bad config is refused, *spec_json untouched, the message naming the key. */
static void refused(const char *config, const char *recipe, nninit_status want, const char *in_msg)
{
    nninit_hf_options o;
    nninit_hf_options_default(&o);
    if (recipe) o.recipe = recipe;
    char *spec = (char *)"untouched", msg[1024] = "";
    nninit_status st = nninit_hf_spec(config, strlen(config), &o, &spec, msg, sizeof msg);
    ck_assert_msg(st == want, "%s: status %d (%s)", config, (int)st, msg);
    ck_assert_str_eq(spec, "untouched");
    ck_assert_msg(strstr(msg, in_msg), "message '%s' lacks '%s'", msg, in_msg);
}

START_TEST(test_bad_configs)
{
    refused("{\"model_type\": \"bert\"}", NULL, NNINIT_E_FORMAT, "unknown model type \"bert\" (known: llama, mistral");
    refused("{\"hidden_size\": 8}", NULL, NNINIT_E_FORMAT, "\"model_type\": missing");
    refused("{\"model_type\": \"llama\", \"hidden_size\": 64, \"num_hidden_layers\": 1, \"num_attention_heads\": 4,"
            " \"vocab_size\": 10}", NULL, NNINIT_E_FORMAT, "\"intermediate_size\": missing");
    refused("{\"model_type\": \"llama\", \"hidden_size\": 66, \"intermediate_size\": 8, \"num_hidden_layers\": 1,"
            " \"num_attention_heads\": 4, \"vocab_size\": 10}", NULL, NNINIT_E_FORMAT,
            "\"num_attention_heads\": 4 does not divide hidden_size 66");
    refused("{\"model_type\": \"llama\", \"hidden_size\": 64, \"intermediate_size\": 8, \"num_hidden_layers\": 1,"
            " \"num_attention_heads\": 4, \"num_key_value_heads\": 3, \"vocab_size\": 10}", NULL, NNINIT_E_FORMAT,
            "\"num_key_value_heads\": 3 does not divide");
    refused("{\"model_type\": \"llama\", \"hidden_size\": \"64\", \"intermediate_size\": 8, \"num_hidden_layers\": 1,"
            " \"num_attention_heads\": 4, \"vocab_size\": 10}", NULL, NNINIT_E_FORMAT, "\"hidden_size\": expected an integer");
    refused("{\"model_type\": \"gpt2\", \"n_embd\": 64, \"n_head\": 4, \"n_layer\": 1, \"vocab_size\": 10}", NULL,
            NNINIT_E_FORMAT, "\"n_positions\": missing");
    refused("{\"model_type\": \"llama\", \"hidden_size\": 64, \"intermediate_size\": 8, \"num_hidden_layers\": 1,"
            " \"num_attention_heads\": 4, \"vocab_size\": 10, \"pad_token_id\": 10}", NULL, NNINIT_E_FORMAT,
            "\"pad_token_id\"");
    refused("{\"model_type\": \"llama\", \"hidden_size\": 64, \"intermediate_size\": 8, \"num_hidden_layers\": 1,"
            " \"num_attention_heads\": 4, \"vocab_size\": 10, \"torch_dtype\": \"int8\"}", NULL, NNINIT_E_DTYPE,
            "\"torch_dtype\"");
    refused(llama31_8b, "titan", NNINIT_E_PARAM, "recipe \"titan\": unknown");
    refused(llama31_8b, "mup", NNINIT_E_PARAM, "mup(base_hidden=N)");
    refused(llama31_8b, "mup(base_hidden=8192)", NNINIT_E_PARAM, "wider than the model");
    refused("{\"model_type\": \"llama\",", NULL, NNINIT_E_FORMAT, "malformed JSON");
    refused("{\"model_type\": \"mixtral\", \"hidden_size\": 8, \"intermediate_size\": 8, \"num_hidden_layers\": 100,"
            " \"num_attention_heads\": 2, \"vocab_size\": 10, \"num_local_experts\": 5000}", NULL, NNINIT_E_FORMAT,
            "\"num_local_experts\": gives more than 10^6 tensors");
    ck_assert(nninit_hf_is_config(llama31_8b, strlen(llama31_8b)));
    ck_assert(!nninit_hf_is_config("{\"tensors\": [], \"model_type\": \"x\"}", 34));
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("hf");
    TCase *tc = nt_tcase("hf");
    tcase_add_test(tc, test_llama31_8b);
    tcase_add_test(tc, test_llama32_1b_tied);
    tcase_add_test(tc, test_mistral_mixtral);
    tcase_add_test(tc, test_qwen2_gemma_phi3);
    tcase_add_test(tc, test_gpt2_neox_falcon);
    tcase_add_test(tc, test_moe_and_qk_norm_types);
    tcase_add_test(tc, test_recipes);
    tcase_add_test(tc, test_pad_row);
    tcase_add_test(tc, test_bad_configs);
    suite_add_tcase(s, tc);
    return s;
}

NNINIT_TEST_MAIN
