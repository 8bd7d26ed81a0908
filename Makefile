# The two commands a newcomer needs: `make run` and `make test`.
# Both install the missing Debian packages first (a warm machine skips apt).

SYSTEM_PACKAGES := libsqlite3-dev libopenblas-dev libxxhash-dev
# Release builds without debug info (-gnone): a fresh build took 222 s against 232 s with debug info
# (bench/RESULTS.md). Tests add -enable-testing, so switching between `make run` and `make test` rebuilds.
SWIFT_RELEASE   := -c release -Xswiftc -gnone

.PHONY: deps build run test fuzz

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

test: deps
	swift test $(SWIFT_RELEASE) -Xswiftc -enable-testing --disable-swift-testing

# Fuzzing, outside the product and test builds: builds Fuzz/ with libFuzzer and AddressSanitizer and runs each
# target (pipeline.json, JSONL records, safetensors, config.json) for FUZZ_SECONDS; crashes land in
# Tests/FuzzCorpus/<target>/, which `make test` replays.
FUZZ_SECONDS ?= 60
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh
