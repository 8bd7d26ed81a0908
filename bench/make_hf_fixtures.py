"""Writes the Hugging Face checkpoint fixtures of Tests/ModelTests/Fixtures/hf with transformers itself.

- theta100k/: a tiny random LlamaForCausalLM with rope_theta 100,000 (transformers 5's
  `rope_parameters.rope_theta`), weights in bf16, and expected_logits.json computed by transformers in
  float32 from those bf16 weights. A wrong θ in the RoPE tables fails the Swift test that compares them.
- headdim_llama3/: head_dim 16 with hidden_size 32 and 4 heads (q/o projections 64 wide), RoPE scaling
  of type llama3, weights in f16 split into shards by model.safetensors.index.json, and its logits.
- llama3_inv_freq.json: inverse frequencies from transformers' `_compute_llama3_parameters` for the
  Llama 3.1 and 3.2 settings and for headdim_llama3's config.

Usage: bench/.venv/bin/python bench/make_hf_fixtures.py [OUT_DIR]   (default Tests/ModelTests/Fixtures/hf)
"""
import json
import os
import shutil
import sys

import torch
from transformers import LlamaConfig, LlamaForCausalLM
from transformers.modeling_rope_utils import _compute_llama3_parameters

TOKENS = [[1, 5, 9, 17, 33, 2, 40, 41, 42, 43, 60, 61, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
           21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 50, 51]]


def tiny_model(seed, **kw):
    torch.manual_seed(seed)
    config = LlamaConfig(vocab_size=64, hidden_size=32, intermediate_size=48, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
                         rms_norm_eps=1e-5, bos_token_id=1, eos_token_id=2, pad_token_id=0,
                         tie_word_embeddings=False, initializer_range=0.2, **kw)
    model = LlamaForCausalLM(config).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.copy_(1 + 0.1 * torch.randn_like(p))
    return model


def write(model, out, dtype, **save_kw):
    shutil.rmtree(out, ignore_errors=True)
    model.to(dtype).save_pretrained(out, **save_kw)
    # Expected logits from the stored (rounded) weights, computed in float32.
    reloaded = LlamaForCausalLM.from_pretrained(out, dtype=torch.float32).eval()
    with torch.no_grad():
        logits = reloaded(input_ids=torch.tensor(TOKENS)).logits[0]
    with open(os.path.join(out, "expected_logits.json"), "w") as f:
        json.dump({"tokens": TOKENS[0], "logits": [[float(x) for x in row] for row in logits]}, f)
    return reloaded


def inv_freq(**kw):
    config = LlamaConfig(**kw)
    return [float(x) for x in _compute_llama3_parameters(config, "cpu")[0]]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "Tests/ModelTests/Fixtures/hf"
    os.makedirs(out, exist_ok=True)
    write(tiny_model(1, rope_parameters={"rope_type": "default", "rope_theta": 100_000.0}),
          os.path.join(out, "theta100k"), torch.bfloat16)
    scaling = {"rope_type": "llama3", "rope_theta": 10_000.0, "factor": 8.0, "low_freq_factor": 1.0,
               "high_freq_factor": 4.0, "original_max_position_embeddings": 16}
    model = write(tiny_model(2, head_dim=16, rope_parameters=dict(scaling)), os.path.join(out, "headdim_llama3"),
                  torch.float16, max_shard_size="20KB")
    cases = {
        "llama3.1": dict(hidden_size=4096, num_attention_heads=32, max_position_embeddings=131072,
                         rope_parameters={"rope_type": "llama3", "rope_theta": 500_000.0, "factor": 8.0,
                                          "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                                          "original_max_position_embeddings": 8192}),
        "llama3.2": dict(hidden_size=2048, num_attention_heads=32, max_position_embeddings=131072,
                         rope_parameters={"rope_type": "llama3", "rope_theta": 500_000.0, "factor": 32.0,
                                          "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                                          "original_max_position_embeddings": 8192}),
        "headdim_llama3": dict(hidden_size=32, num_attention_heads=4, head_dim=16, max_position_embeddings=64,
                               rope_parameters=dict(scaling)),
    }
    result = {}
    for name, kw in cases.items():
        result[name] = {"config": {k: v for k, v in kw.items()}, "inv_freq": inv_freq(**kw)}
    assert result["headdim_llama3"]["inv_freq"] == [float(x) for x in model.model.rotary_emb.inv_freq]
    with open(os.path.join(out, "llama3_inv_freq.json"), "w") as f:
        json.dump(result, f, indent=1)
    for root, _, files in os.walk(out):
        for name in sorted(files):
            print(os.path.join(root, name), os.path.getsize(os.path.join(root, name)))


if __name__ == "__main__":
    main()
