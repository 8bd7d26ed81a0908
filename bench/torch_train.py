"""PyTorch CPU eager training throughput on the same LLaMA config as `rlhf bench train`.

Usage: bench/.venv/bin/python bench/torch_train.py CHECKPOINT_DIR --batch 8 --seq 256 --threads 2 [--seconds 10] [--json]
CHECKPOINT_DIR holds the config.json written by `rlhf model init`. Each step: forward, cross-entropy on
next tokens, backward, global-norm clip 1.0, AdamW (betas 0.9/0.95, weight decay 0.1) — as ours.
"""
import argparse
import json
import time

import torch
from transformers import LlamaConfig, LlamaForCausalLM


def main():
    p = argparse.ArgumentParser()
    p.add_argument("checkpoint")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--seq", type=int, default=256)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--attn", default="sdpa", help="transformers attn_implementation (sdpa or eager)")
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    with open(f"{a.checkpoint}/config.json") as f:
        cfg = LlamaConfig(**json.load(f))
    cfg._attn_implementation = a.attn
    model = LlamaForCausalLM(cfg).float().train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1)
    tokens = torch.randint(0, 256, (a.batch, a.seq))

    def step():
        out = model(input_ids=tokens, labels=tokens)
        out.loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)

    step()
    steps, start = 0, time.perf_counter()
    while True:
        step()
        steps += 1
        if time.perf_counter() - start >= a.seconds and steps >= 2:
            break
    elapsed = time.perf_counter() - start
    r = {"name": f"torch train B={a.batch} T={a.seq}", "iterations": steps, "seconds": elapsed,
         "tokensPerSecond": a.batch * a.seq * steps / elapsed, "msPerIteration": elapsed * 1000 / steps,
         "threads": torch.get_num_threads(), "torch": torch.__version__, "attn": a.attn}
    if a.json:
        print(json.dumps(r, sort_keys=True))
    else:
        print(f"{r['name']}: {steps} steps in {elapsed:.2f} s, {r['msPerIteration']:.1f} ms/step, "
              f"{r['tokensPerSecond']:.0f} tokens/s, {r['threads']} threads, torch {torch.__version__} ({a.attn})")


if __name__ == "__main__":
    main()
