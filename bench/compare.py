"""Runs every benchmark in one go and prints the ratios of the closing note.

Usage: bench/.venv/bin/python bench/compare.py [--rlhf .build/release/rlhf] [--threads 2] [--seconds 10] [--rounds 3]

Each training comparison alternates ours and PyTorch `--rounds` times and reports the median of
each, so a slow spell on a shared machine hits both sides instead of one.
Needs a release build (`swift build -c release`) and the venv (`python3 -m venv bench/.venv &&
bench/.venv/bin/pip install torch transformers`).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def median_run(runs):
    """The run with the median tokens/s."""
    return sorted(runs, key=lambda r: r["tokensPerSecond"])[len(runs) // 2]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rlhf", default=".build/release/rlhf")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--new-tokens", type=int, default=64)
    p.add_argument("--rounds", type=int, default=3)
    a = p.parse_args()
    t = ["--threads", str(a.threads)]
    results = {}
    peak = run_json([a.rlhf, "bench", "sgemm", "--json", "--seconds", "3"] + t)
    results["sgemm"] = peak
    with tempfile.TemporaryDirectory() as tmp:
        for preset in ["tiny", "small"]:
            ckpt = os.path.join(tmp, preset)
            subprocess.run([a.rlhf, "model", "init", "--preset", preset, "--out", ckpt], check=True, capture_output=True)
            rounds = {"ours": [], "torch": []}
            for _ in range(a.rounds):
                rounds["ours"].append(run_json([a.rlhf, "bench", "train", "--preset", preset, "--batch", "8", "--seq", "256",
                                                "--seconds", str(a.seconds), "--json"] + t))
                rounds["torch"].append(run_json([sys.executable, os.path.join(HERE, "torch_train.py"), ckpt, "--batch", "8",
                                                 "--seq", "256", "--seconds", str(a.seconds), "--json"] + t))
            results[f"train_{preset}"] = {side: median_run(runs) for side, runs in rounds.items()}
            results[f"train_{preset}"]["rounds"] = {side: [r["tokensPerSecond"] for r in runs] for side, runs in rounds.items()}
    for kv in [True, False]:
        cmd = [a.rlhf, "bench", "generate", "--preset", "small", "--batch", "16", "--new-tokens", str(a.new_tokens), "--json"] + t
        results[f"generate_kv_{kv}"] = run_json(cmd if kv else cmd + ["--no-kv-cache"])
    print(json.dumps(results, indent=1, sort_keys=True))
    fmt = lambda xs: "/".join(f"{x:.0f}" for x in xs)
    print(f"sgemm peak: {peak['gflops']:.1f} GFLOP/s ({a.threads} threads)")
    for preset in ["tiny", "small"]:
        r = results[f"train_{preset}"]
        print(f"train {preset} B=8 T=256: ours {r['ours']['tokensPerSecond']:.0f} tok/s, torch {r['torch']['tokensPerSecond']:.0f} tok/s, "
              f"ratio {r['ours']['tokensPerSecond'] / r['torch']['tokensPerSecond']:.2f}x; "
              f"ours {r['ours']['gflops']:.1f} GFLOP/s = {100 * r['ours']['gflops'] / peak['gflops']:.0f}% of sgemm peak "
              f"(medians of {a.rounds} alternating rounds: ours {fmt(r['rounds']['ours'])}, torch {fmt(r['rounds']['torch'])})")
    g1, g0 = results["generate_kv_True"], results["generate_kv_False"]
    print(f"generate small B=16 new={a.new_tokens}: KV cache {g1['tokensPerSecond']:.0f} tok/s, "
          f"recompute {g0['tokensPerSecond']:.0f} tok/s, speedup {g1['tokensPerSecond'] / g0['tokensPerSecond']:.1f}x")


if __name__ == "__main__":
    main()
