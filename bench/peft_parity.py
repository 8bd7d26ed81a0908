"""Checks that Python `peft` and rlhf agree on LoRA adapters in PEFT's layout, both ways.

  bench/.venv/bin/python bench/peft_parity.py [--rlhf .build/debug/rlhf] [--preset small] [--rank 8] [--alpha 16]

In a temporary directory (or --workdir):
1. `rlhf model init` writes a small random base (HF layout) and `rlhf model lora-init --b-std` writes an
   adapter on all seven projections with a non-zero B (a fresh adapter's B is zero, which would prove nothing).
2. transformers loads the base, `PeftModel.from_pretrained` loads our adapter on it, and its logits are
   compared with `rlhf model logits BASE --adapter ADAPTER`.
3. `rlhf model convert BASE --adapter ADAPTER` merges the adapter into full weights; transformers' logits of the
   merged checkpoint are compared with PEFT's.
4. The other way: PEFT makes a random adapter (`init_lora_weights=False`) on q_proj, v_proj and down_proj and
   saves it with `save_pretrained`; rlhf loads it with `--adapter`.
5. Reward models (SEQ_CLS): `rlhf model lora-init --score-std` writes an adapter with a score head in
   `modules_to_save`, as the `reward_model` stage saves a LoRA reward model; PEFT loads it onto
   LlamaForSequenceClassification from the same causal base and its per-position scores are compared with
   `rlhf model logits BASE --adapter`; `rlhf model convert` merges it into a LlamaForSequenceClassification
   checkpoint that transformers loads; and a SEQ_CLS adapter made and saved by PEFT loads in rlhf.
Each check passes when max |Δ| ≤ --tolerance × max |logit| (relative, default 1e-4); the adapter's own effect
(max |adapted − base|) is printed to show the check is not trivial. Exits non-zero when any check fails.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import torch
from peft import LoraConfig, PeftModel, get_peft_model
from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification


def run(args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def rlhf_logits(a, base, tokens, adapter=None):
    extra = ["--adapter", adapter] if adapter else []
    out = json.loads(run([a.rlhf, "model", "logits", base, "--tokens", ",".join(map(str, tokens)), "--json"] + extra))
    return torch.tensor(out["logits"] if "logits" in out else out["values"], dtype=torch.float64)


def hf_scores(model, tokens):
    """Per-position scores of a (PEFT-wrapped) LlamaForSequenceClassification: the score head on every hidden state."""
    inner = model.get_base_model() if isinstance(model, PeftModel) else model
    with torch.no_grad():
        hidden = inner.model(torch.tensor([tokens])).last_hidden_state
        return inner.score(hidden)[0, :, 0].double()


def reward_checks(a, base, work, tokens):
    """Step 5: SEQ_CLS adapters with a score head, both ways, and merged."""
    ours, merged, theirs = (os.path.join(work, n) for n in ("rm-adapter", "rm-merged", "peft-rm-adapter"))
    run([a.rlhf, "model", "lora-init", base, "--out", ours, "--rank", str(a.rank), "--alpha", str(a.alpha),
         "--b-std", str(a.b_std), "--score-std", "0.5", "--seed", "3"])
    print("reward-model adapter_config.json:", json.dumps(json.load(open(os.path.join(ours, "adapter_config.json")))))
    results = []
    hf_rm = AutoModelForSequenceClassification.from_pretrained(base, num_labels=1, dtype=torch.float32).eval()
    peft_rm = PeftModel.from_pretrained(hf_rm, ours).eval()
    peft_values = hf_scores(peft_rm, tokens)
    results.append(compare("our reward-model adapter (score head) in peft vs rlhf --adapter", rlhf_logits(a, base, tokens, ours),
                           peft_values, a.tolerance))
    run([a.rlhf, "model", "convert", base, "--adapter", ours, "--out", merged])
    hf_merged = AutoModelForSequenceClassification.from_pretrained(merged, dtype=torch.float32).eval()
    results.append(compare("rlhf-merged reward model in transformers vs peft", hf_scores(hf_merged, tokens), peft_values, a.tolerance))

    fresh = AutoModelForSequenceClassification.from_pretrained(base, num_labels=1, dtype=torch.float32)
    torch.nn.init.normal_(fresh.score.weight, std=0.5)
    config = LoraConfig(r=4, lora_alpha=12, target_modules=["k_proj", "o_proj", "up_proj"], lora_dropout=0.0,
                        init_lora_weights=False, task_type="SEQ_CLS")
    peft_made = get_peft_model(fresh, config).eval()
    peft_made.save_pretrained(theirs)
    from safetensors import safe_open
    with safe_open(os.path.join(theirs, "adapter_model.safetensors"), "pt") as f:
        heads = [k for k in f.keys() if "score" in k]
    print(f"peft's SEQ_CLS adapter saves the head as {heads}, modules_to_save "
          f"{json.load(open(os.path.join(theirs, 'adapter_config.json')))['modules_to_save']}")
    results.append(compare("peft-saved reward-model adapter in rlhf --adapter vs peft", rlhf_logits(a, base, tokens, theirs),
                           hf_scores(peft_made, tokens), a.tolerance))
    return results


def hf_logits(model, tokens):
    with torch.no_grad():
        return model(torch.tensor([tokens])).logits[0].double()


def compare(name, ours, theirs, tolerance, effect=None):
    diff = (ours - theirs).abs().max().item()
    scale = theirs.abs().max().item()
    rel = diff / max(scale, 1e-30)
    ok = rel <= tolerance
    extra = f"; adapter effect max |Δ| {effect:.3e}" if effect is not None else ""
    print(f"{'PASS' if ok else 'FAIL'} {name}: max |Δ| {diff:.3e}, max |logit| {scale:.3f}, relative {rel:.3e} "
          f"(tolerance {tolerance:g}){extra}")
    return ok


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rlhf", default=".build/debug/rlhf")
    p.add_argument("--preset", default="small")
    p.add_argument("--rank", type=int, default=8)
    p.add_argument("--alpha", type=float, default=16)
    p.add_argument("--b-std", type=float, default=0.05)
    p.add_argument("--tokens", default="256,72,101,108,108,111,44,32,119,111,114,108,100,33,10,87,104,121")
    p.add_argument("--tolerance", type=float, default=1e-4)
    p.add_argument("--workdir")
    a = p.parse_args()
    torch.manual_seed(0)
    work = a.workdir or tempfile.mkdtemp(prefix="peft-parity-")
    base, ours, merged, theirs = (os.path.join(work, n) for n in ("base", "adapter", "merged", "peft-adapter"))
    tokens = [int(t) for t in a.tokens.split(",")]
    run([a.rlhf, "model", "init", "--preset", a.preset, "--seed", "1", "--initializer-range", "0.05", "--out", base])
    run([a.rlhf, "model", "lora-init", base, "--out", ours, "--rank", str(a.rank), "--alpha", str(a.alpha),
         "--b-std", str(a.b_std), "--seed", "2"])
    print(f"peft {__import__('peft').__version__}, torch {torch.__version__}; base {a.preset} in {work}")
    print("adapter_config.json:", json.dumps(json.load(open(os.path.join(ours, "adapter_config.json")))))

    results = []
    hf_base = AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32).eval()
    base_logits = hf_logits(hf_base, tokens)
    results.append(compare("base without adapter", rlhf_logits(a, base, tokens), base_logits, a.tolerance))
    peft_model = PeftModel.from_pretrained(hf_base, ours).eval()
    peft_logits = hf_logits(peft_model, tokens)
    effect = (peft_logits - base_logits).abs().max().item()
    results.append(compare("our adapter in peft vs rlhf --adapter", rlhf_logits(a, base, tokens, ours), peft_logits,
                           a.tolerance, effect))

    run([a.rlhf, "model", "convert", base, "--adapter", ours, "--out", merged])
    hf_merged = AutoModelForCausalLM.from_pretrained(merged, dtype=torch.float32).eval()
    results.append(compare("rlhf-merged checkpoint in transformers vs peft", hf_logits(hf_merged, tokens), peft_logits,
                           a.tolerance))

    fresh = AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32)
    config = LoraConfig(r=4, lora_alpha=12, target_modules=["q_proj", "v_proj", "down_proj"], lora_dropout=0.0,
                        init_lora_weights=False, task_type="CAUSAL_LM")
    peft_made = get_peft_model(fresh, config).eval()
    peft_made.save_pretrained(theirs)
    theirs_logits = hf_logits(peft_made, tokens)
    effect = (theirs_logits - base_logits).abs().max().item()
    results.append(compare("peft-saved adapter in rlhf --adapter vs peft", rlhf_logits(a, base, tokens, theirs),
                           theirs_logits, a.tolerance, effect))
    results += reward_checks(a, base, work, tokens)
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
