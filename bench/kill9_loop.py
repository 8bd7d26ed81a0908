#!/usr/bin/env python3
"""kill -9 loop on the smoke pipeline (issue 17): start a build, SIGKILL it at a random moment,
check the workspace is safe, recover, and compare every output byte for byte with a reference.

Two reference builds tell the deterministic outputs (models, data: byte-identical across builds)
from those that carry timings, run ids or dates (evaluation reports, the HTML page); an output that
mentions a duration counts as timing-bearing even when both builds happened to round it alike.

Checks after each kill: `rlhf verify` clean (store objects, and every materialised output equal to
what its node's current run recorded), SQLite `PRAGMA integrity_check` ok, no partial output: every
deterministic output absent or byte-identical to the reference, every other one absent or complete
(JSON and JSON Lines parse, other files non-empty). Checks after each recovery build: it succeeds,
`rlhf verify` is clean, every deterministic output is byte-identical to the reference and every other
one complete, no `.rlhf-tmp-*`/`.rlhf-old-*` file is left, no process of the killed build lives on.

Usage: bench/kill9_loop.py --rlhf .build/release/rlhf [--iterations 100] [--seed 1]
Standard library only (runs with the system python3)."""

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def tree_digest(path):
    """sha256 of a file, or of a directory's sorted (relative name, file sha256) list; None if absent."""
    if os.path.isfile(path):
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    if os.path.isdir(path):
        entries = []
        for root, _, files in os.walk(path):
            for name in files:
                full = os.path.join(root, name)
                entries.append((os.path.relpath(full, path), tree_digest(full)))
        return hashlib.sha256(json.dumps(sorted(entries)).encode()).hexdigest()
    return None


def outputs_of(workspace):
    """Every workspace path the smoke pipeline's nodes write (declared outputs only)."""
    with open(os.path.join(workspace, "pipeline.json")) as handle:
        pipeline = json.load(handle)
    paths = []
    for node in pipeline["nodes"].values():
        paths.extend(node.get("outputs", {}).values())
    return sorted(paths)


def snapshot(workspace, paths):
    return {path: tree_digest(os.path.join(workspace, path)) for path in paths}


def mentions_timing(path):
    """Whether an output reports a duration (two builds may round it the same by chance)."""
    if os.path.isdir(path):
        return any(mentions_timing(os.path.join(root, name)) for root, _, files in os.walk(path) for name in files)
    with open(path, "rb") as handle:
        data = handle.read()
    return b"seconds" in data or b"time:" in data


def complete(path):
    """Whether a timing-bearing output is whole: JSON and JSON Lines parse, other files are non-empty."""
    if os.path.isdir(path):
        return all(complete(os.path.join(root, name)) for root, _, files in os.walk(path) for name in files)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        if path.endswith(".json"):
            json.loads(data)
        elif path.endswith(".jsonl"):
            for line in data.splitlines():
                if line.strip():
                    json.loads(line)
        return len(data) > 0
    except (OSError, ValueError):
        return False


def check_outputs(workspace, paths, expected, deterministic, when, allow_missing):
    problems = []
    current = snapshot(workspace, paths)
    for path in paths:
        if current[path] is None:
            if not allow_missing:
                problems.append(f"{when}: {path} missing")
        elif path in deterministic:
            if current[path] != expected[path]:
                problems.append(f"{when}: {path} differs from the reference")
        elif not complete(os.path.join(workspace, path)):
            problems.append(f"{when}: {path} is incomplete")
    return problems


def leftovers(workspace):
    found = []
    for root, dirs, files in os.walk(workspace):
        if os.path.relpath(root, workspace).startswith(".rlhf"):
            continue
        for name in files + dirs:
            if name.startswith(".rlhf-tmp-") or name.startswith(".rlhf-old-"):
                found.append(os.path.relpath(os.path.join(root, name), workspace))
    return found


def run(rlhf, workspace, *arguments, timeout=3600):
    return subprocess.run([rlhf, *arguments, "-C", workspace], capture_output=True, text=True, timeout=timeout)


def build_command(rlhf, workspace, extra):
    return [rlhf, "build", "-C", workspace, "--jobs", "2", *extra]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rlhf", default=os.path.join(REPO, ".build/release/rlhf"))
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the workspaces")
    arguments = parser.parse_args()
    rng = random.Random(arguments.seed)
    rlhf = os.path.abspath(arguments.rlhf)
    base = tempfile.mkdtemp(prefix="rlhf-kill9-")
    reference = os.path.join(base, "reference")
    workspace = os.path.join(base, "workspace")
    for directory in (reference, workspace):
        os.makedirs(directory)
        shutil.copy(os.path.join(REPO, "experiments/smoke/pipeline.json"), os.path.join(directory, "pipeline.json"))

    started = time.monotonic()
    result = subprocess.run(build_command(rlhf, reference, []), capture_output=True, text=True)
    full_seconds = time.monotonic() - started
    if result.returncode != 0:
        sys.exit(f"reference build failed:\n{result.stdout}\n{result.stderr}")
    paths = outputs_of(reference)
    expected = snapshot(reference, paths)
    second = os.path.join(base, "reference2")
    os.makedirs(second)
    shutil.copy(os.path.join(REPO, "experiments/smoke/pipeline.json"), os.path.join(second, "pipeline.json"))
    if subprocess.run(build_command(rlhf, second, []), capture_output=True).returncode != 0:
        sys.exit("second reference build failed")
    deterministic = {path for path, digest in snapshot(second, paths).items()
                     if digest == expected[path] and not mentions_timing(os.path.join(reference, path))}
    print(f"byte-identical across two clean builds: {len(deterministic)} of {len(paths)} outputs; "
          f"with timings, run ids or dates: {', '.join(sorted(set(paths) - deterministic))}", flush=True)
    with open(os.path.join(reference, "pipeline.json")) as handle:
        nodes = sorted(json.load(handle)["nodes"])
    print(f"reference build {full_seconds:.1f} s, {len(paths)} outputs, {len(nodes)} nodes", flush=True)

    failures = []
    killed_mid_build = 0
    fresh_starts = 0
    kill_times = []
    for iteration in range(arguments.iterations):
        # The work to interrupt: mostly a forced rerun of a random node and everything below it,
        # sometimes a build from nothing (outputs, store and catalog removed).
        if iteration % 10 == 0:
            for name in os.listdir(workspace):
                if name != "pipeline.json":
                    path = os.path.join(workspace, name)
                    shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
            extra, budget = [], full_seconds
            fresh_starts += 1
        else:
            node = rng.choice(nodes)
            extra, budget = ["--force", node, "--force-downstream"], full_seconds
        delay = rng.uniform(0.02, budget)
        process = subprocess.Popen(build_command(rlhf, workspace, extra), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=False)
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            killed_mid_build += 1
        kill_times.append(delay)
        problems = []
        verify = run(rlhf, workspace, "verify")
        if verify.returncode != 0:
            problems.append("verify after kill: " + (verify.stdout + verify.stderr).strip().replace("\n", " | "))
        catalog = os.path.join(workspace, ".rlhf/catalog.sqlite")
        if os.path.exists(catalog):
            connection = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True)
            integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
            connection.close()
            if integrity != "ok":
                problems.append(f"integrity_check: {integrity}")
        problems += check_outputs(workspace, paths, expected, deterministic, "after kill", allow_missing=True)
        recovery = subprocess.run(build_command(rlhf, workspace, []), capture_output=True, text=True)
        if recovery.returncode != 0:
            problems.append("recovery build failed: " + (recovery.stdout + recovery.stderr).strip()[-400:])
        verify = run(rlhf, workspace, "verify")
        if verify.returncode != 0:
            problems.append("verify after recovery: " + (verify.stdout + verify.stderr).strip().replace("\n", " | "))
        problems += check_outputs(workspace, paths, expected, deterministic, "after recovery", allow_missing=False)
        left = leftovers(workspace)
        if left:
            problems.append(f"temp files left after recovery: {left}")
        orphans = subprocess.run(["pgrep", "-f", f"build -C {workspace}"], capture_output=True, text=True).stdout.split()
        if orphans:
            problems.append(f"processes of the killed build still running: {orphans}")
        status = "ok" if not problems else "FAIL"
        print(f"[{iteration + 1:3}/{arguments.iterations}] {' '.join(extra) or 'from scratch':40} kill at {delay:6.2f} s: {status}", flush=True)
        if problems:
            failures.append((iteration, problems))
            for problem in problems:
                print("      " + problem, flush=True)

    print(f"\n{arguments.iterations} iterations, {killed_mid_build} killed mid-build, {fresh_starts} from scratch, "
          f"kill points {min(kill_times):.2f}-{max(kill_times):.2f} s; {arguments.iterations - len(failures)} safe, {len(failures)} unsafe")
    if not arguments.keep:
        shutil.rmtree(base, ignore_errors=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
