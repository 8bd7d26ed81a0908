// swift-tools-version:6.0
import PackageDescription

/// The libFuzzer driver of rlhf's fuzz targets. A package of its own so that `make run` and `make test` never
/// build it: `make fuzz` (scripts/fuzz.sh) builds it with `--sanitize=fuzzer --sanitize=address`, which
/// instruments every module it links, and runs each target of `FuzzTargets` for FUZZ_SECONDS.
let package = Package(
    name: "rlhf-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "rlhf", path: "..")],
    targets: [
        .executableTarget(name: "rlhf-fuzz", dependencies: [.product(name: "FuzzTargets", package: "rlhf")]),
    ],
    swiftLanguageModes: [.v5]
)
