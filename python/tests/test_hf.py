"""nninit.spec_from_hf: a dict, a config.json or its directory, the same spec as `nninit spec`;
recipes, dtype and seed; errors naming the config key."""
import json
import math

import pytest

import nninit

TINY = {"model_type": "llama", "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 100, "pad_token_id": 3,
        "torch_dtype": "bfloat16"}


def test_dict_file_directory_and_cli_agree(tmp_path, cli):
    d = tmp_path / "model"
    d.mkdir()
    (d / "config.json").write_text(json.dumps(TINY))
    a = nninit.spec_from_hf(TINY)
    assert nninit.spec_from_hf(str(d / "config.json")) == a
    assert nninit.spec_from_hf(d) == a
    assert json.loads(cli("spec", str(d)).stdout) == a
    names = [t["name"] for t in a["tensors"]]
    assert len(names) == 1 + 2 * 9 + 2 and names[0] == "model.embed_tokens.weight" and names[-1] == "lm_head.weight"
    shapes = {t["name"]: t["shape"] for t in a["tensors"]}
    assert shapes["model.layers.1.self_attn.v_proj.weight"] == [32, 64]
    emb = a["tensors"][0]
    assert emb["zero_row"] == 3 and emb["init"] == "normal(mean=0, std=0.02)"
    assert a["dtype"] == "bf16" and a["seed"] == 0


def test_recipe_dtype_seed():
    s = nninit.spec_from_hf(TINY, "megatron", dtype="float32", seed=2 ** 60)
    assert s["dtype"] == "f32" and s["seed"] == str(2 ** 60)   # above 2^53: a decimal string
    init = {t["name"]: t["init"] for t in s["tensors"]}
    want = 0.02 / math.sqrt(2 * 2)
    assert init["model.layers.0.mlp.down_proj.weight"] == "normal(mean=0, std=%.17g)" % want
    assert "zero_row" not in s["tensors"][0]        # only the hf recipe zeroes the padding row
    m = nninit.spec_from_hf(TINY, "mup(base_hidden=16)")
    assert m["metadata"] == {"mup_base_hidden": "16", "mup_width_mult": "4", "mup_output_mult": "0.25"}


def test_errors_name_the_key():
    with pytest.raises(ValueError, match='"num_key_value_heads": 3 does not divide'):
        nninit.spec_from_hf(dict(TINY, num_key_value_heads=3))
    with pytest.raises(ValueError, match='"vocab_size": missing'):
        nninit.spec_from_hf({k: v for k, v in TINY.items() if k != "vocab_size"})
    with pytest.raises(ValueError, match='unknown model type "bert"'):
        nninit.spec_from_hf(dict(TINY, model_type="bert"))
    with pytest.raises(ValueError, match='recipe "xavier": unknown'):
        nninit.spec_from_hf(TINY, "xavier")
    with pytest.raises(ValueError, match='dtype "int8"'):
        nninit.spec_from_hf(TINY, dtype="int8")
    with pytest.raises(TypeError):
        nninit.spec_from_hf(42)
    with pytest.raises(OSError):
        nninit.spec_from_hf("/nonexistent/config.json")
    assert "gpt2" in nninit._hf.MODEL_TYPES and "qwen3_moe" in nninit._hf.MODEL_TYPES
