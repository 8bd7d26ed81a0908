"""Checks that Hugging Face transformers loads our checkpoint and computes our outputs: logits of a
LlamaForCausalLM, or the score (last-token value) of a LlamaForSequenceClassification scalar-head model.

Usage: bench/.venv/bin/python bench/hf_parity.py CHECKPOINT_DIR [--rlhf .build/release/rlhf] [--tokens 256,72,105]
Exits non-zero when the largest absolute difference exceeds --tolerance × max(1, largest |output|), or when
generation_config.json (which every checkpoint we write has) does not load in transformers with the ids of
config.json. Works for any weights dtype we write (`rlhf model init|convert --dtype bf16`).
"""
import argparse
import json
import subprocess
import sys

import torch
from safetensors import safe_open
from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification, GenerationConfig


def check_generation_config(checkpoint, config):
    """transformers reads our generation_config.json and finds the ids of config.json there."""
    generation = GenerationConfig.from_pretrained(checkpoint)
    ids = {k: getattr(generation, k) for k in ("bos_token_id", "eos_token_id", "pad_token_id")}
    expected = {k: config.get(k) for k in ids}
    print(f"generation_config.json: {ids}")
    return ids == expected


def main():
    p = argparse.ArgumentParser()
    p.add_argument("checkpoint")
    p.add_argument("--rlhf", default=".build/release/rlhf")
    p.add_argument("--tokens", default="256,72,101,108,108,111,44,32,119,111,114,108,100,33,257")
    p.add_argument("--tolerance", type=float, default=1e-4, help="relative to max(1, largest |output|)")
    a = p.parse_args()
    ids = [int(t) for t in a.tokens.split(",")]
    out = json.loads(subprocess.run([a.rlhf, "model", "logits", a.checkpoint, "--tokens", a.tokens, "--json"],
                                    check=True, capture_output=True, text=True).stdout)
    with open(f"{a.checkpoint}/config.json") as f:
        config = json.load(f)
    scalar = "LlamaForSequenceClassification" in config["architectures"]
    with safe_open(f"{a.checkpoint}/model.safetensors", "pt") as f:
        dtypes = sorted({str(f.get_slice(k).get_dtype()) for k in f.keys()})
    print(f"weights dtype {dtypes}, torch_dtype {config.get('torch_dtype')}, head_dim {config.get('head_dim')}, "
          f"rope_theta {config.get('rope_theta')}, rope_scaling {config.get('rope_scaling')}")
    ids_ok = check_generation_config(a.checkpoint, config)
    auto = AutoModelForSequenceClassification if scalar else AutoModelForCausalLM
    model = auto.from_pretrained(a.checkpoint, torch_dtype=torch.float32).eval()
    print(f"transformers loaded {type(model).__name__}")
    with torch.no_grad():
        theirs = model(input_ids=torch.tensor([ids])).logits
    if scalar:
        ours = torch.tensor(out["values"][-1:])
        theirs = theirs.reshape(-1)
        same_argmax = True
    else:
        ours = torch.tensor(out["logits"])
        theirs = theirs[0]
        same_argmax = bool((theirs.argmax(-1) == ours.argmax(-1)).all())
    diff = (theirs - ours).abs().max().item()
    scale = theirs.abs().max().item()
    print(f"positions {len(ids)}, outputs {tuple(theirs.shape)}: max |diff| {diff:.3g} (max |value| {scale:.3g}), "
          f"same argmax everywhere: {same_argmax}")
    sys.exit(0 if diff <= a.tolerance * max(1.0, scale) and ids_ok else 1)


if __name__ == "__main__":
    main()
