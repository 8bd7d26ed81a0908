"""Checks that Hugging Face transformers loads our checkpoint and computes our outputs: logits of a
LlamaForCausalLM, or the score (last-token value) of a LlamaForSequenceClassification scalar-head model.

Usage: bench/.venv/bin/python bench/hf_parity.py CHECKPOINT_DIR [--rlhf .build/release/rlhf] [--tokens 256,72,105]
Exits non-zero when the largest absolute difference exceeds --tolerance × max(1, largest |output|).
"""
import argparse
import json
import subprocess
import sys

import torch
from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification


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
        scalar = "LlamaForSequenceClassification" in json.load(f)["architectures"]
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
    sys.exit(0 if diff <= a.tolerance * max(1.0, scale) else 1)


if __name__ == "__main__":
    main()
