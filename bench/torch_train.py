"""PyTorch CPU eager throughput on the same LLaMA config as `rlhf bench train|score|generate`.

Usage: bench/.venv/bin/python bench/torch_train.py CHECKPOINT_DIR [--mode train|score|generate] --batch 8 --seq 256
       --threads 2 [--seconds 10] [--new-tokens 64] [--lora R [--lora-alpha 32] [--base-dtype fp32|bf16|autocast]] [--json]
CHECKPOINT_DIR holds a config.json (e.g. written by `rlhf model init`); the model gets random weights of
those shapes (speed is compared, not values).
- train: forward, cross-entropy on next tokens, backward, global-norm clip 1.0, AdamW (betas 0.9/0.95,
  weight decay 0.1) — as ours. With --lora R, `peft` wraps the model with a rank-R LoRA adapter on all seven
  projections (q, k, v, o, gate, up, down; dropout 0) and only the adapter trains, as `rlhf bench train --lora-rank R`.
  --base-dtype picks how the frozen base runs (the counterpart of `--lora-base-precision`): fp32; bf16 (the model
  loaded in bfloat16, as `from_pretrained(torch_dtype=torch.bfloat16)` gives, while peft keeps the adapter in fp32,
  its default `autocast_adapter_dtype`; the loss upcasts the logits to fp32); or autocast (fp32 weights, the
  forward under `torch.autocast("cpu", dtype=torch.bfloat16)`, so every matmul runs in bf16 on bf16 copies).
- score: forward only under inference_mode, then the log-prob of every next token (gather minus
  logsumexp over the vocabulary, as TRL's selective_log_softmax) — what a reference model or a KL needs.
- generate: transformers' `generate` with the KV cache, sampling at temperature 1 without top-k, for
  --batch random 16-token prompts and exactly --new-tokens new tokens; tokens/s counts new tokens.
The JSON also carries the process's peak resident memory (ru_maxrss) in MiB.
"""
import argparse
import json
import resource
import time

import torch
from transformers import LlamaConfig, LlamaForCausalLM


def timed(seconds, body):
    """Runs body once to warm up, then for at least `seconds` and two calls; returns (calls, elapsed)."""
    body()
    calls, start = 0, time.perf_counter()
    while True:
        body()
        calls += 1
        if time.perf_counter() - start >= seconds and calls >= 2:
            return calls, time.perf_counter() - start


def main():
    p = argparse.ArgumentParser()
    p.add_argument("checkpoint")
    p.add_argument("--mode", choices=["train", "score", "generate"], default="train")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--seq", type=int, default=256)
    p.add_argument("--new-tokens", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--attn", default="sdpa", help="transformers attn_implementation (sdpa or eager)")
    p.add_argument("--lora", type=int, default=0, help="train a peft LoRA adapter of this rank on all seven projections")
    p.add_argument("--lora-alpha", type=float, default=32)
    p.add_argument("--base-dtype", choices=["fp32", "bf16", "autocast"], default="fp32",
                   help="train mode: the frozen base in fp32, in bfloat16, or fp32 under bf16 autocast")
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    with open(f"{a.checkpoint}/config.json") as f:
        cfg = LlamaConfig(**json.load(f))
    cfg._attn_implementation = a.attn
    model = LlamaForCausalLM(cfg).float()
    if a.base_dtype == "bf16":
        model = model.to(torch.bfloat16)
    tokens = torch.randint(0, 256, (a.batch, a.seq))

    if a.mode == "train":
        lora = ""
        if a.lora:
            from peft import LoraConfig, get_peft_model
            targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
            model = get_peft_model(model, LoraConfig(r=a.lora, lora_alpha=a.lora_alpha, target_modules=targets,
                                                     lora_dropout=0.0, task_type="CAUSAL_LM"))
            trained = sum(p.numel() for p in model.parameters() if p.requires_grad)
            lora = f" LoRA r={a.lora} on 7 projections ({trained} trained, peft {__import__('peft').__version__})"
        model.train()
        params = [p for p in model.parameters() if p.requires_grad]
        opt = torch.optim.AdamW(params, lr=1e-4, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1)

        def step():
            if a.base_dtype == "autocast":
                with torch.autocast("cpu", dtype=torch.bfloat16):
                    out = model(input_ids=tokens, labels=tokens)
            else:
                out = model(input_ids=tokens, labels=tokens)
            out.loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            opt.zero_grad(set_to_none=True)

        calls, elapsed = timed(a.seconds, step)
        produced = a.batch * a.seq * calls
        name = f"torch train B={a.batch} T={a.seq}{lora}" + (f", base {a.base_dtype}" if a.base_dtype != "fp32" else "")
    elif a.mode == "score":
        model.eval()

        def score():
            with torch.inference_mode():
                logits = model(input_ids=tokens).logits[:, :-1]
                picked = logits.gather(-1, tokens[:, 1:, None]).squeeze(-1)
                return picked - torch.logsumexp(logits, dim=-1)

        calls, elapsed = timed(a.seconds, score)
        produced = a.batch * a.seq * calls
        name = f"torch score B={a.batch} T={a.seq}"
    else:
        model.eval()
        prompts = torch.randint(0, 256, (a.batch, 16))
        prompts[:, 0] = cfg.bos_token_id
        mask = torch.ones_like(prompts)

        def generate(n):
            with torch.inference_mode():
                return model.generate(prompts, attention_mask=mask, do_sample=True, temperature=1.0, top_k=0, top_p=1.0,
                                      max_new_tokens=n, min_new_tokens=n, pad_token_id=cfg.pad_token_id)

        generate(2)
        start = time.perf_counter()
        out = generate(a.new_tokens)
        elapsed = time.perf_counter() - start
        calls = a.new_tokens
        produced = (out.shape[1] - prompts.shape[1]) * a.batch
        name = f"torch generate B={a.batch} new={a.new_tokens}"
    r = {"name": name, "iterations": calls, "seconds": elapsed, "tokensPerSecond": produced / elapsed,
         "msPerIteration": elapsed * 1000 / calls, "threads": torch.get_num_threads(), "torch": torch.__version__,
         "attn": a.attn, "baseDtype": a.base_dtype, "peakRSSMegabytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    if a.json:
        print(json.dumps(r, sort_keys=True))
    else:
        print(f"{r['name']}: {calls} iterations in {elapsed:.2f} s, {r['msPerIteration']:.1f} ms/iteration, "
              f"{r['tokensPerSecond']:.0f} tokens/s, {r['threads']} threads, peak RSS {r['peakRSSMegabytes']:.0f} MiB, "
              f"torch {torch.__version__} ({a.attn})")


if __name__ == "__main__":
    main()
