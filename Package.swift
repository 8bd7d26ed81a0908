// swift-tools-version:6.0
import PackageDescription

/// Layers, dependencies pointing down only (see ../shared/DESIGN.md):
///   rlhf (CLI) → CatalogReports → Engine | Report;  rlhf → Benchmarks (bench commands);  Engine → EngineCore | S3;  Report → Stages
///   Stages → EngineCore | Training | TextSimilarity
///   Training → Model | World;  World → TextSimilarity;  Model → Kernels → system modules.
/// Stages and Report hold the node kinds wired to EngineCore's stage protocol. Only Engine (catalog, executor,
/// workspace) and CatalogReports (which read the catalog) sit above GRDB, so a build compiles EngineCore, Training,
/// Charts, TextSimilarity, Stages and Report beside GRDB instead of after Engine.
/// Release builds compile the orchestration targets above GRDB without optimisation. They wait for GRDB's
/// single-threaded whole-module build and sit on the critical path of a fresh `make run`; their run time is
/// catalog and file I/O, while every numeric target below them stays optimised (see bench/RESULTS.md).
let orchestrationSettings: [SwiftSetting] = [.unsafeFlags(["-Onone"], .when(configuration: .release))]

let package = Package(
    name: "rlhf",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "rlhf", targets: ["rlhf"]),
        // For the libFuzzer driver in Fuzz/ (its own package, built by `make fuzz` only).
        .library(name: "FuzzTargets", targets: ["FuzzTargets"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // System modules (Debian packages; `make` installs them).
        .systemLibrary(name: "CXXHash", path: "Sources/CXXHash", pkgConfig: "libxxhash",
                       providers: [.apt(["libxxhash-dev"])]),
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),

        // BF16Kernels: bfloat16 products on AVX-512 BF16 (C intrinsics; Kernels picks them at run time).
        .target(name: "BF16Kernels", cSettings: [.unsafeFlags(["-O3"], .when(configuration: .release))]),
        // Kernels: BLAS-backed float kernels; the only place hot loops use unsafe pointers.
        // Release builds target the building machine's CPU (AVX2 on x86-64), like -march=native:
        // build on the machine that runs the training.
        .target(name: "Kernels", dependencies: ["CBLAS", "BF16Kernels"],
                swiftSettings: [.unsafeFlags(["-Ounchecked", "-target-cpu", "native"], .when(configuration: .release))]),
        // SafeTensors: hardened reader and writer of the safetensors container.
        .target(name: "SafeTensors"),
        // GGUF: hardened lazy reader of llama.cpp's GGUF container and its dequantisers (F16, BF16, Q8_0, Q4_x, K-quants).
        .target(name: "GGUF", dependencies: ["SafeTensors"]),
        // ChatTemplate: the Jinja subset of Hugging Face chat templates, rendered as transformers does. Foundation only.
        .target(name: "ChatTemplate"),
        // Model: LLaMA-architecture transformer, AdamW, sampling, tokenizer, checkpoints.
        .target(name: "Model", dependencies: [
            "Kernels", "SafeTensors", "GGUF", "ChatTemplate",
            .product(name: "RealModule", package: "swift-numerics"),
        ]),
        // EngineCore: pipeline model, loader, planner, hashing, stage protocol and catalog view. No ML, no GRDB.
        .target(name: "EngineCore", dependencies: [
            "CXXHash",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Engine: executor, content store, workspace, SQLite catalog and lineage on EngineCore. No ML.
        .target(name: "Engine", dependencies: [
            "EngineCore", "S3",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: orchestrationSettings),
        // World: the embedded synthetic world (tasks, gold verifiers, generators, annotator).
        .target(name: "World", dependencies: ["TextSimilarity"]),
        // Training: trainers (causal LM, reward model, PPO), sampling and the evaluations that judge them. No Engine.
        .target(name: "Training", dependencies: ["Model", "World"]),
        // Charts: SVG line and bar charts and the XHTML escaping the report shares with them.
        .target(name: "Charts"),
        // TextSimilarity: the one text normalisation (NFKC, look-alike letters, invisible characters), shingles,
        // MinHash LSH, word edits and the eval-leak detector of the gates.
        .target(name: "TextSimilarity"),
        // Stages: built-in ML node kinds and quality gates, implemented on EngineCore's stage protocol. No GRDB.
        .target(name: "Stages", dependencies: ["EngineCore", "Model", "GGUF", "World", "Training", "TextSimilarity"]),
        // Report: the experiment report page and the `report` node kind that renders it from its catalog view. No GRDB.
        .target(name: "Report", dependencies: ["EngineCore", "Stages", "Training", "Charts"]),
        // CatalogReports: `rlhf report` and `rlhf diff`, which read the live catalog through Engine.
        .target(name: "CatalogReports", dependencies: ["Engine", "EngineCore", "Report", "Charts"],
                swiftSettings: orchestrationSettings),
        // S3: a small blocking S3 client (GET, PUT with If-None-Match, HEAD, DELETE) on Foundation's URLSession, signed with
        // AWS Signature Version 4; credentials, region and endpoint as the AWS tools find them (SHA-256/HMAC from swift-crypto).
        .target(name: "S3", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // Benchmarks: the measurements behind `rlhf bench` (model throughput, executor, report, eval-leak gate), kept out of
        // the product modules; only the CLI's bench commands use it.
        .target(name: "Benchmarks", dependencies: ["Kernels", "Model", "Engine", "EngineCore", "Report", "Stages", "Training",
                                                   "TextSimilarity", "World"]),
        // rlhf: the thin command-line front end.
        .executableTarget(name: "rlhf", dependencies: [
            "Engine", "EngineCore", "Stages", "Report", "CatalogReports", "Model", "GGUF", "ChatTemplate", "Benchmarks", "Training",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: orchestrationSettings),

        // FuzzTargets: the fuzzed entry points (pipeline.json, JSONL records, safetensors, config.json), shared by the
        // libFuzzer driver in Fuzz/ and the regression replay of Tests/FuzzCorpus.
        .target(name: "FuzzTargets", dependencies: ["EngineCore", "Stages", "Model", "SafeTensors"]),

        // TestSupport: helpers the test targets share (stage harness, tiny checkpoints and stage contexts, report fixtures
        // and the XHTML parser, finite differences, the repository root). Test code only; nothing in Sources depends on it.
        .target(name: "TestSupport", dependencies: ["Engine", "EngineCore", "Stages", "Report", "Training", "Model", "World",
                                                    .product(name: "Logging", package: "swift-log")],
                path: "Tests/TestSupport"),

        // Test targets mirror the modules (Tests/<Module>Tests); PipelineTests builds whole pipelines end to end.
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "TestSupport"]),
        .testTarget(name: "SafeTensorsTests", dependencies: ["SafeTensors"]),
        .testTarget(name: "EngineTests", dependencies: ["EngineCore", "Engine", "S3"]),
        .testTarget(name: "ModelTests", dependencies: ["Model", "Kernels", "SafeTensors", "GGUF", "ChatTemplate", "TestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "GGUFTests", dependencies: ["GGUF", "SafeTensors"], exclude: ["Fixtures"]),
        .testTarget(name: "WorldTests", dependencies: ["World", "TextSimilarity"]),
        .testTarget(name: "S3Tests", dependencies: ["S3"], exclude: ["Fixtures"]),
        .testTarget(name: "ChatTemplateTests", dependencies: ["ChatTemplate"], exclude: ["Fixtures"]),
        .testTarget(name: "TextSimilarityTests", dependencies: ["TextSimilarity"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Model", "World", "TestSupport"]),
        .testTarget(name: "ChartsTests", dependencies: ["Charts", "TestSupport"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Charts", "Stages", "Training", "TestSupport"]),
        .testTarget(name: "FuzzTargetsTests", dependencies: ["FuzzTargets", "EngineCore", "Model", "SafeTensors", "Stages", "World"]),
        .testTarget(name: "StagesTests", dependencies: ["Stages", "Report", "CatalogReports", "EngineCore", "Engine", "Model", "World",
                                                     "Training", "TextSimilarity", "TestSupport"]),
        .testTarget(name: "PipelineTests", dependencies: ["Stages", "Report", "Charts", "CatalogReports", "EngineCore", "Engine", "Model", "World",
                                                       "Training", "Benchmarks", "TestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
