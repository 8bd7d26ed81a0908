"""A TRL-style PPO iteration in PyTorch + peft on the same LLaMA config as `rlhf bench ppo`, for the speed ratio.

Usage: bench/.venv/bin/python bench/torch_ppo.py CHECKPOINT_DIR [--rollouts 64] [--prompt-length 64] [--new-tokens 64]
       [--minibatch 4] [--epochs 1] [--scoring-chunk 8] [--rank 16] [--threads 2] [--iterations 1] [--warmup 1]
       [--base-dtype fp32|bf16|autocast] [--json]
CHECKPOINT_DIR holds a config.json (e.g. written by `rlhf model init --config`); the model gets random weights of
those shapes (speed is compared, not values). One base model carries two LoRA adapters (r, alpha = 2r, all seven
projections, as `rlhf bench ppo`): "policy" (trained) and "reward" (frozen, random B, with a score head). Each
iteration does what TRL's PPOTrainer does, with the same lean choices as ours:
- rollout: `generate` with the KV cache under the policy adapter, sampling at temperature 1 without top-k, for
  --rollouts random prompts at once, keeping the logits of every step (`output_scores`, as TRL's `batch_generation`);
  responses are cut after the first EOS;
- scoring, --scoring-chunk sequences at a time under torch.no_grad: the policy's old log-probs of the response tokens
  from the generation's logits (TRL's selective log-softmax; like TRL, no policy forward), the reference's (full
  logits, then the selective log-softmax) with the adapter disabled (`disable_adapter`),
  whose final hidden states also feed the value head (a critic on the frozen trunk), and the reward model's score
  (the "reward" adapter's final hidden state at the last real token times the score head);
- per-token rewards −β·KL (k1) plus the score at the last token, GAE (γ 1, λ 0.95), whitened advantages;
- update: --epochs passes over shuffled minibatches of --minibatch: forward with the policy adapter, clipped
  surrogate (ε 0.2), entropy for the statistics, backward, global-norm clip 1.0, AdamW on the adapter; the value
  head's clipped value loss and its own AdamW step on the cached features.
--base-dtype picks how the frozen base runs in every part (as torch_train.py's): fp32; bf16 (the base cast to
bfloat16, as `from_pretrained(torch_dtype=torch.bfloat16)` gives, peft keeping both adapters in fp32, its default
`autocast_adapter_dtype`); or autocast (fp32 weights, generation, scoring and the update's forward under
`torch.autocast("cpu", dtype=torch.bfloat16)`). Log-softmaxes, the heads and the losses take fp32 copies of the
logits and hidden states.
Times are per part (rollout, scoring, update), averaged over --iterations after --warmup untimed ones. The JSON
also carries the process's peak resident memory (ru_maxrss) in MiB.
"""
import argparse
import contextlib
import json
import resource
import time

import torch
from peft import LoraConfig, get_peft_model
from transformers import LlamaConfig, LlamaForCausalLM

TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def selective_log_softmax(logits, tokens):
    """log softmax(logits)[tokens], row by row (TRL's helper: gather minus logsumexp)."""
    return logits.gather(-1, tokens[..., None]).squeeze(-1) - torch.logsumexp(logits, dim=-1)


def set_trainable(model, adapter):
    """Only the named adapter's LoRA matrices train (set_adapter marks the active adapter trainable)."""
    for name, p in model.named_parameters():
        p.requires_grad_(f".{adapter}." in name and "lora_" in name)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("checkpoint")
    p.add_argument("--rollouts", type=int, default=64)
    p.add_argument("--prompt-length", type=int, default=64)
    p.add_argument("--new-tokens", type=int, default=64)
    p.add_argument("--minibatch", type=int, default=4)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--scoring-chunk", type=int, default=8)
    p.add_argument("--rank", type=int, default=16)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--iterations", type=int, default=1)
    p.add_argument("--warmup", type=int, default=1, help="untimed iterations first")
    p.add_argument("--attn", default="sdpa", help="transformers attn_implementation (sdpa or eager)")
    p.add_argument("--base-dtype", choices=["fp32", "bf16", "autocast"], default="fp32",
                   help="the frozen base in fp32, in bfloat16, or fp32 under bf16 autocast")
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    with open(f"{a.checkpoint}/config.json") as f:
        cfg = LlamaConfig(**json.load(f))
    cfg._attn_implementation = a.attn
    base = LlamaForCausalLM(cfg).float()
    if a.base_dtype == "bf16":
        base = base.to(torch.bfloat16)
    bf16 = lambda: torch.autocast("cpu", dtype=torch.bfloat16) if a.base_dtype == "autocast" else contextlib.nullcontext()
    lora = LoraConfig(r=a.rank, lora_alpha=2 * a.rank, target_modules=TARGETS, lora_dropout=0.0, task_type="CAUSAL_LM")
    model = get_peft_model(base, lora, adapter_name="policy")
    model.add_adapter("reward", lora)
    with torch.no_grad():
        for name, w in model.named_parameters():
            if ".reward." in name and "lora_B" in name:
                w.normal_(0, 0.02)
    model.set_adapter("policy")
    set_trainable(model, "policy")
    trunk = model.base_model.model.model  # the LlamaModel under the LM head (adapters act inside it)
    C = cfg.hidden_size
    score_head = torch.nn.Linear(C, 1, bias=False)
    value_head = torch.nn.Linear(C, 1, bias=False)
    with torch.no_grad():
        score_head.weight.normal_(0, 0.02)
        value_head.weight.zero_()
    score_head.requires_grad_(False)
    policy_params = [w for w in model.parameters() if w.requires_grad]
    opt = torch.optim.AdamW(policy_params, lr=1e-5, betas=(0.9, 0.95), eps=1e-8, weight_decay=0)
    vopt = torch.optim.AdamW(value_head.parameters(), lr=1e-5, betas=(0.9, 0.95), eps=1e-8, weight_decay=0)
    prompts = torch.randint(3, min(cfg.vocab_size, 256), (a.rollouts, a.prompt_length))
    prompts = torch.cat([torch.full((a.rollouts, 1), cfg.bos_token_id), prompts], dim=1)
    P = prompts.shape[1]
    eos, pad = cfg.eos_token_id, cfg.pad_token_id
    beta, clip, clip_v, vf_coef, gamma, lam = 0.05, 0.2, 0.2, 0.1, 1.0, 0.95

    def iteration():
        t0 = time.perf_counter()
        model.eval()
        with torch.no_grad(), bf16():
            generated = model.generate(input_ids=prompts, attention_mask=torch.ones_like(prompts), do_sample=True,
                                       temperature=1.0, top_k=0, top_p=1.0, max_new_tokens=a.new_tokens, pad_token_id=pad,
                                       return_dict_in_generate=True, output_scores=True)
        out = generated.sequences
        step_logits = torch.stack(generated.scores, 1).float()  # (B,R,V): TRL's `logitss`, the sampler's logits at each step
        del generated
        responses = out[:, P:]
        R = responses.shape[1]
        is_eos = responses == eos
        first = torch.where(is_eos.any(1), is_eos.float().argmax(1), torch.full((a.rollouts,), R - 1))
        mask = torch.arange(R)[None, :] <= first[:, None]  # response tokens up to and including the first EOS
        seq_mask = torch.cat([torch.ones_like(prompts, dtype=torch.bool), mask], dim=1)
        t1 = time.perf_counter()
        logprobs, ref_logprobs, values, scores = [], [], [], []
        features = []
        with torch.no_grad():
            for i in range(0, a.rollouts, a.scoring_chunk):
                seq, att, resp = out[i:i + a.scoring_chunk], seq_mask[i:i + a.scoring_chunk].long(), responses[i:i + a.scoring_chunk]
                logprobs.append(selective_log_softmax(step_logits[i:i + a.scoring_chunk], resp))
                with model.disable_adapter(), bf16():
                    hidden = trunk(input_ids=seq, attention_mask=att).last_hidden_state
                    logits = model.base_model.model.lm_head(hidden)[:, P - 1:-1].float()
                hidden = hidden.float()
                ref_logprobs.append(selective_log_softmax(logits, resp))
                del logits
                h = hidden[:, P - 1:-1]
                features.append(h)
                values.append(value_head(h).squeeze(-1))
                model.set_adapter("reward")
                with bf16():
                    hidden = trunk(input_ids=seq, attention_mask=att).last_hidden_state.float()
                model.set_adapter("policy")
                last = att.sum(1) - 1
                scores.append(score_head(hidden[torch.arange(seq.shape[0]), last]).squeeze(-1))
        del step_logits
        set_trainable(model, "policy")
        logprobs, ref_logprobs = torch.cat(logprobs), torch.cat(ref_logprobs)
        values, scores, features = torch.cat(values), torch.cat(scores), torch.cat(features)
        kl = (logprobs - ref_logprobs) * mask
        rewards = -beta * kl
        rewards[torch.arange(a.rollouts), first] += scores
        advantages = torch.zeros_like(rewards)
        last_gae = torch.zeros(a.rollouts)
        vals = values * mask
        for t in reversed(range(R)):
            next_value = vals[:, t + 1] if t + 1 < R else torch.zeros(a.rollouts)
            delta = rewards[:, t] + gamma * next_value - vals[:, t]
            last_gae = delta + gamma * lam * last_gae
            advantages[:, t] = last_gae
        advantages = advantages * mask
        returns = advantages + vals
        m = advantages[mask]
        advantages = (advantages - m.mean()) / (m.std() + 1e-8) * mask
        t2 = time.perf_counter()
        model.train()
        for _ in range(a.epochs):
            order = torch.randperm(a.rollouts)
            for i in range(0, a.rollouts, a.minibatch):
                idx = order[i:i + a.minibatch]
                mb_mask = mask[idx]
                with bf16():
                    logits = model(input_ids=out[idx], attention_mask=seq_mask[idx].long()).logits[:, P - 1:-1].float()
                new_logprobs = selective_log_softmax(logits, responses[idx])
                with torch.no_grad():
                    probs = torch.softmax(logits, dim=-1)
                    entropy = torch.logsumexp(logits, dim=-1) - (probs * logits).sum(-1)
                ratio = torch.exp(new_logprobs - logprobs[idx])
                pg = torch.max(-advantages[idx] * ratio, -advantages[idx] * torch.clamp(ratio, 1 - clip, 1 + clip))
                pg_loss = (pg * mb_mask).sum() / mb_mask.sum()
                pg_loss.backward()
                torch.nn.utils.clip_grad_norm_(policy_params, 1.0)
                opt.step()
                opt.zero_grad(set_to_none=True)
                v = value_head(features[idx]).squeeze(-1)
                v_clipped = values[idx] + torch.clamp(v - values[idx], -clip_v, clip_v)
                vf = torch.max((v - returns[idx]) ** 2, (v_clipped - returns[idx]) ** 2)
                vf_loss = vf_coef * 0.5 * (vf * mb_mask).sum() / mb_mask.sum()
                vf_loss.backward()
                torch.nn.utils.clip_grad_norm_(value_head.parameters(), 1.0)
                vopt.step()
                vopt.zero_grad(set_to_none=True)
                del logits, probs, entropy
        t3 = time.perf_counter()
        return t1 - t0, t2 - t1, t3 - t2, mask.sum().item()

    for _ in range(a.warmup):
        iteration()
    parts = [iteration() for _ in range(max(a.iterations, 1))]
    n = len(parts)
    rollout, scoring, update = (sum(x[k] for x in parts) / n for k in range(3))
    seconds = sum(x[0] + x[1] + x[2] for x in parts)
    tokens = sum(x[3] for x in parts)
    r = {"name": f"torch ppo rollouts={a.rollouts} prompt={a.prompt_length} new={a.new_tokens} mb={a.minibatch} "
                 f"epochs={a.epochs} lora r={a.rank} critic=head base={a.base_dtype}",
         "iterations": n, "seconds": seconds, "tokensPerSecond": tokens / seconds, "msPerIteration": seconds * 1000 / n,
         "rolloutSeconds": rollout, "scoringSeconds": scoring, "updateSeconds": update,
         "responseLengthMean": tokens / n / a.rollouts, "threads": torch.get_num_threads(), "torch": torch.__version__,
         "attn": a.attn, "baseDtype": a.base_dtype, "peakRSSMegabytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    if a.json:
        print(json.dumps(r, sort_keys=True))
    else:
        print(f"{r['name']}: {r['msPerIteration'] / 1000:.2f} s/iteration (rollout {rollout:.2f} s, scoring {scoring:.2f} s, "
              f"update {update:.2f} s), {r['tokensPerSecond']:.0f} response tokens/s, {r['threads']} threads, "
              f"peak RSS {r['peakRSSMegabytes']:.0f} MiB, torch {torch.__version__} ({a.attn})")


if __name__ == "__main__":
    main()
