import Foundation

/// One fuzzed entry point: bytes in, a value or a thrown error out, never a crash. The libFuzzer driver
/// (`Fuzz/`, `make fuzz`) and the regression replay (`FuzzTargetsTests`) call the same `run`.
public struct FuzzTarget: Sendable {
    /// Name on the command line and directory name of its corpora (`Tests/FuzzCorpus/<name>/`).
    public let name: String
    /// What the input bytes are.
    public let summary: String
    /// Feeds one input to the entry point; throws what the entry point throws.
    public let run: @Sendable (Data) throws -> Void

    /// A target called `name` that feeds its input to `run`.
    public init(_ name: String, _ summary: String, run: @escaping @Sendable (Data) throws -> Void) {
        self.name = name
        self.summary = summary
        self.run = run
    }
}

/// Every fuzz target. To fuzz another reader, add a `FuzzTarget` here: the driver and the replay pick it up.
public enum FuzzTargets {
    /// The targets, by name.
    public static let all: [FuzzTarget] = [pipeline, records, safetensors, config]

    /// The target called `name`, if any.
    public static func named(_ name: String) -> FuzzTarget? {
        all.first { $0.name == name }
    }
}
