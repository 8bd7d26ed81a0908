"""Runs the benchmarks against PyTorch in one go and prints the ratios of the closing note.

Usage: bench/.venv/bin/python bench/compare.py [--rlhf .build/release/rlhf] [--threads 2] [--seconds 10] [--rounds 3]
       [--sections presets,smollm2,lora,ppo] [--lora 16] [--before OTHER_RLHF] [--no-ppo-full-logits] [--ppo-bf16]
       [--ppo-together]

Sections:
- presets: training of the tiny and small presets at B=8 T=256, and KV-cache vs recompute generation.
- smollm2: a random model at SmolLM2-135M's shapes (`rlhf model init --config`; PyTorch builds a random
  LlamaForCausalLM from the same config.json): a full fine-tuning step at B=4 T=128, forward-only scoring
  (next-token log-probs) at B=4 T=128, and KV-cache sampling of --new-tokens tokens for 16 prompts, with the
  peak resident memory of each process.
- lora: at the same SmolLM2-135M shapes, a LoRA training step at B=4 T=128 with a rank --lora adapter (alpha 32)
  on all seven projections of a frozen base: `rlhf bench train --lora-rank R` with the base in fp32 and with
  `--lora-base-precision bf16` (skipped on CPUs without AVX-512 BF16), against PyTorch with `peft`
  (`torch_train.py --lora R`) with the base in fp32, loaded in bfloat16 (`--base-dtype bf16`) and under bf16
  autocast (`--base-dtype autocast`); the ratios are against the fastest PyTorch setting and against fp32 PyTorch.
- ppo: at the same SmolLM2-135M shapes, one PPO iteration of --ppo-rollouts rollouts (64 random prompt tokens, 64 new
  tokens, minibatches of 4, one epoch, LoRA r=16 alpha=32 on all seven projections, the reference as the adapter
  switched off, a LoRA reward model on the same base, a value head on the frozen trunk): `rlhf bench ppo` against
  bench/torch_ppo.py (transformers + peft, TRL's loop), with the rollout, scoring and update seconds of each, and
  our own full-logits path (`--scoring full-logits`, the scoring before issue 19; --no-ppo-full-logits leaves it
  out) in the same rounds; --ppo-bf16 adds ours in bf16 (rollout, scoring and the update's frozen base) and torch in
  its two bf16 settings (base in bfloat16, fp32 under bf16 autocast: torch_ppo.py --base-dtype), reporting the
  ratios like for like (fp32 to fp32, our bf16 to torch's faster bf16) and fastest to fastest; --before the other binary;
  --ppo-together starts the sides of a round at once instead of in turn (the same load for all on a shared machine).
Each comparison alternates the sides `--rounds` times (ours, PyTorch, and `--before`'s binary if given) and
reports the median of each, so a slow spell on a shared machine hits every side instead of one.
Needs a release build (`swift build -c release`) and the venv with torch and transformers.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

# SmolLM2-135M's config.json fields that decide the shapes and the math.
SMOLLM2_135M = {
    "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 576, "intermediate_size": 1536,
    "num_hidden_layers": 30, "num_attention_heads": 9, "num_key_value_heads": 3, "vocab_size": 49152,
    "max_position_embeddings": 8192, "rms_norm_eps": 1e-5, "rope_theta": 100000.0, "tie_word_embeddings": True,
    "bos_token_id": 1, "eos_token_id": 2, "pad_token_id": 2, "initializer_range": 0.02, "hidden_act": "silu",
    "torch_dtype": "float32",
}


def run_json(cmd):
    """Runs a benchmark command and returns its JSON line, plus the CPU seconds (user + system) the process used and
    the load average around it."""
    before, load = resource.getrusage(resource.RUSAGE_CHILDREN), os.getloadavg()[0]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = json.loads(out.strip().splitlines()[-1])
    r["cpuSeconds"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    r["loadAverage"] = [load, os.getloadavg()[0]]  # 1-minute load average at the start and the end
    return r


def median_run(runs):
    """The run with the median tokens/s."""
    return sorted(runs, key=lambda r: r["tokensPerSecond"])[len(runs) // 2]


def alternate(sides, rounds):
    """Runs each side's command `rounds` times, interleaved; returns {side: {"median": run, "rounds": [tok/s]}}."""
    runs = {side: [] for side in sides}
    for i in range(rounds):
        for side, cmd in sides.items():
            runs[side].append(run_json(cmd))
            r = runs[side][-1]
            print(f"  round {i + 1} {side}: {r['name']} {r['tokensPerSecond']:.1f} tok/s, "
                  f"peak RSS {r.get('peakRSSMegabytes', 0):.0f} MiB", file=sys.stderr, flush=True)
    return {side: {"median": median_run(rs), "rounds": [r["tokensPerSecond"] for r in rs],
                   "peakRSS": [r.get("peakRSSMegabytes", 0) for r in rs]} for side, rs in runs.items()}


def together(sides, rounds):
    """Like `alternate`, but each round starts every side at once, so on a shared machine all of them see the same
    load (each gets its share of the cores; compare CPU seconds too); per-process CPU seconds come from wait4."""
    runs = {side: [] for side in sides}
    for i in range(rounds):
        load = os.getloadavg()[0]
        files = {side: (tempfile.TemporaryFile("w+"), tempfile.TemporaryFile("w+")) for side in sides}
        pids = {subprocess.Popen(cmd, stdout=files[side][0], stderr=files[side][1]).pid: side for side, cmd in sides.items()}
        usage = {}
        while len(usage) < len(pids):
            pid, status, ru = os.wait4(-1, 0)
            if pid in pids:
                usage[pids[pid]] = (os.waitstatus_to_exitcode(status), ru.ru_utime + ru.ru_stime)
        for side in sides:
            out, err = (f.seek(0) or f.read() for f in files[side])
            if usage[side][0] != 0:
                raise SystemExit(f"{side} failed ({usage[side][0]}): {err[-2000:]}")
            r = json.loads(out.strip().splitlines()[-1])
            r["cpuSeconds"], r["loadAverage"] = usage[side][1], [load, os.getloadavg()[0]]
            runs[side].append(r)
            print(f"  round {i + 1} {side} (together): {r['name']} {r['tokensPerSecond']:.1f} tok/s, "
                  f"CPU {r['cpuSeconds']:.0f} s, peak RSS {r.get('peakRSSMegabytes', 0):.0f} MiB", file=sys.stderr, flush=True)
    return {side: {"median": median_run(rs), "rounds": [r["tokensPerSecond"] for r in rs],
                   "peakRSS": [r.get("peakRSSMegabytes", 0) for r in rs]} for side, rs in runs.items()}


def presets(a, t, results):
    with tempfile.TemporaryDirectory() as tmp:
        for preset in ["tiny", "small"]:
            ckpt = os.path.join(tmp, preset)
            subprocess.run([a.rlhf, "model", "init", "--preset", preset, "--out", ckpt], check=True, capture_output=True)
            sides = {"ours": [a.rlhf, "bench", "train", "--preset", preset, "--batch", "8", "--seq", "256",
                              "--seconds", str(a.seconds), "--json"] + t,
                     "torch": [sys.executable, os.path.join(HERE, "torch_train.py"), ckpt, "--batch", "8", "--seq", "256",
                               "--seconds", str(a.seconds), "--json"] + t}
            results[f"train_{preset}"] = alternate(sides, a.rounds)
    for kv in [True, False]:
        cmd = [a.rlhf, "bench", "generate", "--preset", "small", "--batch", "16", "--new-tokens", str(a.new_tokens), "--json"] + t
        results[f"generate_kv_{kv}"] = run_json(cmd if kv else cmd + ["--no-kv-cache"])


def smollm2_checkpoint(a, tmp):
    """A random checkpoint at SmolLM2-135M's shapes written by `rlhf model init` under `tmp`."""
    cfg = os.path.join(tmp, "config")
    os.makedirs(cfg)
    with open(os.path.join(cfg, "config.json"), "w") as f:
        json.dump(SMOLLM2_135M, f)
    ckpt = os.path.join(tmp, "smollm2")
    subprocess.run([a.rlhf, "model", "init", "--config", cfg, "--out", ckpt], check=True, capture_output=True)
    return ckpt


def lora(a, t, results):
    with tempfile.TemporaryDirectory() as tmp:
        ckpt = smollm2_checkpoint(a, tmp)
        shape = ["--batch", "4", "--seq", "128", "--seconds", str(a.seconds)]
        ours = [a.rlhf, "bench", "train", "--model", ckpt, "--lora-rank", str(a.lora), "--lora-alpha", "32", "--json"] + shape + t
        torch = [sys.executable, os.path.join(HERE, "torch_train.py"), ckpt, "--mode", "train", "--lora", str(a.lora),
                 "--lora-alpha", "32", "--json"] + shape + t
        sides = {"ours": ours}
        if has_bf16():
            sides["ours_bf16"] = ours + ["--lora-base-precision", "bf16"]
        sides.update({"torch": torch, "torch_bf16": torch + ["--base-dtype", "bf16"],
                      "torch_autocast": torch + ["--base-dtype", "autocast"]})
        if a.before:
            sides["before"] = [a.before, "bench", "train", "--model", ckpt, "--lora-rank", str(a.lora), "--json"] + shape + t
        results["smollm2_lora"] = alternate(sides, a.rounds)


def has_bf16():
    """Whether this CPU has AVX-512 BF16 (the flag `rlhf bench train --lora-base-precision bf16` needs)."""
    with open("/proc/cpuinfo") as f:
        return any(line.startswith("flags") and " avx512_bf16" in line for line in f)


def smollm2(a, t, results):
    with tempfile.TemporaryDirectory() as tmp:
        ckpt = smollm2_checkpoint(a, tmp)
        torch_script = [sys.executable, os.path.join(HERE, "torch_train.py"), ckpt]
        for mode, shape in [("train", ["--batch", "4", "--seq", "128"]), ("score", ["--batch", "4", "--seq", "128"]),
                            ("generate", ["--batch", "16", "--new-tokens", str(a.new_tokens)])]:
            timing = [] if mode == "generate" else ["--seconds", str(a.seconds)]
            sides = {"ours": [a.rlhf, "bench", mode, "--model", ckpt, "--json"] + shape + timing + t,
                     "torch": torch_script + ["--mode", mode, "--json"] + shape + timing + t}
            if a.before:
                sides["before"] = [a.before, "bench", mode, "--model", ckpt, "--json"] + shape + timing + t
            results[f"smollm2_{mode}"] = alternate(sides, a.rounds)


def ppo(a, t, results):
    with tempfile.TemporaryDirectory() as tmp:
        ckpt = smollm2_checkpoint(a, tmp)
        shape = ["--rollouts", str(a.ppo_rollouts), "--prompt-length", "64", "--new-tokens", "64", "--minibatch", "4",
                 "--epochs", "1", "--scoring-chunk", "8", "--rank", "16", "--warmup", str(a.ppo_warmup), "--json"]
        ours = [a.rlhf, "bench", "ppo", "--model", ckpt] + shape + t
        sides = {"ours": ours, "torch": [sys.executable, os.path.join(HERE, "torch_ppo.py"), ckpt] + shape + t}
        if a.before:
            sides["before"] = [a.before, "bench", "ppo", "--model", ckpt] + shape + t
        if a.ppo_full_logits:
            sides["ours_full_logits"] = ours + ["--scoring", "full-logits"]
        if a.ppo_bf16 and has_bf16():
            sides["ours_bf16"] = ours + ["--rollout-precision", "bf16", "--scoring-precision", "bf16", "--base-precision", "bf16"]
            sides["torch_bf16"] = sides["torch"] + ["--base-dtype", "bf16"]
            sides["torch_autocast"] = sides["torch"] + ["--base-dtype", "autocast"]
        results["ppo"] = (together if a.ppo_together else alternate)(sides, a.ppo_rounds)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rlhf", default=".build/release/rlhf")
    p.add_argument("--before", help="another rlhf binary (e.g. the previous commit's) to time in the same rounds")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--new-tokens", type=int, default=64)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--sections", default="presets,smollm2", help="comma-separated: presets, smollm2, lora, ppo")
    p.add_argument("--lora", type=int, default=16, help="LoRA rank of the lora section")
    p.add_argument("--ppo-rollouts", type=int, default=64)
    p.add_argument("--ppo-rounds", type=int, default=1, help="rounds of the ppo section (an iteration takes minutes)")
    p.add_argument("--ppo-warmup", type=int, default=1, help="untimed PPO iterations before the timed one")
    p.add_argument("--ppo-full-logits", action=argparse.BooleanOptionalAction, default=True,
                   help="also time our full-logits path in the ppo section")
    p.add_argument("--ppo-together", action="store_true",
                   help="start the ppo sides at once in each round (same load for all on a shared machine) instead of in turn")
    p.add_argument("--ppo-bf16", action="store_true",
                   help="on CPUs with AVX-512 BF16, also time ours in bf16 (rollout, scoring and frozen base: --rollout-precision,"
                        " --scoring-precision and --base-precision bf16) and torch with the base in bfloat16 and under bf16 autocast")
    a = p.parse_args()
    t = ["--threads", str(a.threads)]
    sections = a.sections.split(",")
    results = {"sgemm": run_json([a.rlhf, "bench", "sgemm", "--json", "--seconds", "3"] + t)}
    if "presets" in sections:
        presets(a, t, results)
    if "smollm2" in sections:
        smollm2(a, t, results)
    if "lora" in sections:
        lora(a, t, results)
    if "ppo" in sections:
        ppo(a, t, results)
    print(json.dumps(results, indent=1, sort_keys=True))
    fmt = lambda xs: "/".join(f"{x:.0f}" for x in xs)
    peak = results["sgemm"]
    print(f"sgemm peak: {peak['gflops']:.1f} GFLOP/s ({a.threads} threads)")
    if "presets" in sections:
        for preset in ["tiny", "small"]:
            r = results[f"train_{preset}"]
            ours, torch = r["ours"]["median"], r["torch"]["median"]
            print(f"train {preset} B=8 T=256: ours {ours['tokensPerSecond']:.0f} tok/s, torch {torch['tokensPerSecond']:.0f} tok/s, "
                  f"ratio {ours['tokensPerSecond'] / torch['tokensPerSecond']:.2f}x; "
                  f"ours {ours['gflops']:.1f} GFLOP/s = {100 * ours['gflops'] / peak['gflops']:.0f}% of sgemm peak "
                  f"(medians of {a.rounds} alternating rounds: ours {fmt(r['ours']['rounds'])}, torch {fmt(r['torch']['rounds'])})")
        g1, g0 = results["generate_kv_True"], results["generate_kv_False"]
        print(f"generate small B=16 new={a.new_tokens}: KV cache {g1['tokensPerSecond']:.0f} tok/s, "
              f"recompute {g0['tokensPerSecond']:.0f} tok/s, speedup {g1['tokensPerSecond'] / g0['tokensPerSecond']:.1f}x")
    if "smollm2" in sections:
        for mode, what in [("train", "fine-tuning step B=4 T=128"), ("score", "scoring B=4 T=128"),
                           ("generate", f"KV-cache sampling B=16 new={a.new_tokens}")]:
            r = results[f"smollm2_{mode}"]
            ours, torch = r["ours"]["median"]["tokensPerSecond"], r["torch"]["median"]["tokensPerSecond"]
            line = (f"smollm2-135m {what}: ours {ours:.1f} tok/s, torch {torch:.1f} tok/s, ratio {ours / torch:.2f}x; "
                    f"peak RSS ours {max(r['ours']['peakRSS']):.0f} MiB, torch {max(r['torch']['peakRSS']):.0f} MiB "
                    f"(rounds: ours {fmt(r['ours']['rounds'])}, torch {fmt(r['torch']['rounds'])}")
            if "before" in r:
                before = r["before"]["median"]["tokensPerSecond"]
                line += f", before {fmt(r['before']['rounds'])}; before median {before:.1f} tok/s, " \
                        f"{ours / before:.2f}x from before, peak RSS before {max(r['before']['peakRSS']):.0f} MiB"
            print(line + f"); path: {r['ours']['median'].get('path', '?')}")
    if "lora" in sections:
        print_lora(results, a)
    if "ppo" in sections:
        print_ppo(results, a.ppo_rounds)



def print_lora(results, a):
    """The lora section's closing lines: each side's median, rounds and peak RSS, and the ratios."""
    r = results["smollm2_lora"]
    fmt = lambda xs: "/".join(f"{x:.0f}" for x in xs)
    tok = {side: r[side]["median"]["tokensPerSecond"] for side in r}
    names = {"ours": "ours fp32 base", "ours_bf16": "ours bf16 base", "torch": "torch+peft fp32",
             "torch_bf16": "torch+peft bf16 base", "torch_autocast": "torch+peft fp32 under bf16 autocast",
             "before": "before"}
    print(f"smollm2-135m LoRA r={a.lora} (7 projections) training step B=4 T=128, medians of {a.rounds} alternating rounds:")
    for side in r:
        print(f"  {names.get(side, side):36s} {tok[side]:7.1f} tok/s  (rounds {fmt(r[side]['rounds'])}; "
              f"peak RSS {max(r[side]['peakRSS']):.0f} MiB)")
    best = max((s for s in r if s.startswith("torch")), key=lambda s: tok[s])
    for side in [s for s in ["ours", "ours_bf16"] if s in r]:
        print(f"  {names[side]}: {tok[side] / tok[best]:.2f}x the fastest PyTorch ({names[best]}), "
              f"{tok[side] / tok['torch']:.2f}x torch+peft fp32")
    if "ours_bf16" in r:
        print(f"  path of ours bf16: {r['ours_bf16']['median'].get('path', '?')}")


def print_ppo(results, rounds):
    """The ppo section's closing lines: seconds per iteration in three parts, the ratio, and peak memory."""
    r = results["ppo"]
    line = {}
    for side in r:
        m = r[side]["median"]
        line[side] = (f"{m['msPerIteration'] / 1000:.1f} s/iteration (rollout {m['rolloutSeconds']:.1f} s, scoring "
                      f"{m['scoringSeconds']:.1f} s, update {m['updateSeconds']:.1f} s), peak RSS {max(r[side]['peakRSS']):.0f} MiB, "
                      f"process CPU {m.get('cpuSeconds', 0):.0f} s, load {m['loadAverage'][0]:.1f}→{m['loadAverage'][1]:.1f}")
    ours, torch = r["ours"]["median"], r["torch"]["median"]
    print(f"smollm2-135m PPO iteration (LoRA r=16): ours {line['ours']}; torch+peft {line['torch']}; "
          f"ratio {torch['msPerIteration'] / ours['msPerIteration']:.2f}x (medians of {rounds} round(s))")
    if "before" in r:
        before = r["before"]["median"]
        print(f"  before (--before binary): {line['before']}; ours is {before['msPerIteration'] / ours['msPerIteration']:.2f}x "
              f"faster than before; torch / before {torch['msPerIteration'] / before['msPerIteration']:.2f}x")
    if "ours_full_logits" in r:
        full = r["ours_full_logits"]["median"]
        print(f"  ours with full (B,T,V) logits in scoring and update: {line['ours_full_logits']}; chunked head is "
              f"{full['scoringSeconds'] / ours['scoringSeconds']:.2f}x faster in scoring, "
              f"{full['updateSeconds'] / ours['updateSeconds']:.2f}x in the update")
    if "ours_bf16" in r:
        ms = {side: r[side]["median"]["msPerIteration"] for side in r}
        names = {"ours_bf16": "ours bf16 (rollout, scoring, frozen base)", "torch_bf16": "torch+peft base in bfloat16",
                 "torch_autocast": "torch+peft fp32 under bf16 autocast"}
        for side in ["ours_bf16", "torch_bf16", "torch_autocast"]:
            print(f"  {names[side]}: {line[side]}")
        torch_bf16 = min(["torch_bf16", "torch_autocast"], key=lambda s: ms[s])
        ours_best = min(["ours", "ours_bf16"], key=lambda s: ms[s])
        torch_best = min(["torch", "torch_bf16", "torch_autocast"], key=lambda s: ms[s])
        print(f"  like for like: fp32 {ms['torch'] / ms['ours']:.2f}x; bf16 {ms[torch_bf16] / ms['ours_bf16']:.2f}x "
              f"(ours bf16 against {names[torch_bf16]}); fastest to fastest {ms[torch_best] / ms[ours_best]:.2f}x "
              f"({ours_best} against {torch_best})")
        print(f"  path of ours bf16: {r['ours_bf16']['median'].get('path', '?')}")


if __name__ == "__main__":
    main()
