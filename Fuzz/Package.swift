// swift-tools-version:6.0
import PackageDescription

/// The libFuzzer driver of rlhf's fuzz targets. A package of its own so that `make run` and `make test` never
/// build it: `make fuzz` (scripts/fuzz.sh) builds it with `--sanitize=fuzzer --sanitize=address` (the link) and
/// `-Xswiftc -sanitize=fuzzer,address`, which gives coverage and ASan to every Swift module it links (swift-driver keeps
/// only the last `-sanitize=` option, so the two SwiftPM options alone left every module without coverage), and runs
/// each target of `FuzzTargets` for FUZZ_SECONDS.
let package = Package(
    name: "rlhf-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "rlhf", path: "..")],
    targets: [
        .executableTarget(name: "rlhf-fuzz", dependencies: [.product(name: "FuzzTargets", package: "rlhf")]),
    ],
    swiftLanguageModes: [.v5]
)
