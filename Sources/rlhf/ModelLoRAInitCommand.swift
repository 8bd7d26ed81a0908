import ArgumentParser
import Foundation
import Model

/// `rlhf model lora-init`: write a fresh LoRA adapter for a base model in PEFT's layout.
struct ModelLoRAInitCommand: ParsableCommand {
    /// Command name, help and subcommands.
    static let configuration = CommandConfiguration(
        commandName: "lora-init",
        abstract: "Write a fresh LoRA adapter for a base checkpoint in PEFT's layout (A Kaiming-uniform, B zero).")

    /// Base checkpoint directory or GGUF file.
    @Argument(help: "Base checkpoint directory or GGUF file.")
    var base: String

    /// Output adapter directory.
    @Option(help: "Output adapter directory (adapter_config.json, adapter_model.safetensors).")
    var out: String

    /// LoRA rank r.
    @Option(help: "LoRA rank r.")
    var rank: Int = 8

    /// LoRA alpha (the update is scaled by alpha/r).
    @Option(help: "LoRA alpha; the update is scaled by alpha/r.")
    var alpha: Float = 16

    /// Comma-separated target projections.
    @Option(help: "Comma-separated target projections among q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj.")
    var targets = "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj"

    /// Random seed of A (and of B with --b-std).
    @Option(help: "Random seed of A (and of B with --b-std).")
    var seed: UInt64 = 0

    /// Std of a normal B instead of PEFT's zero B (to test loaders with a non-trivial adapter).
    @Option(help: "Draw B from N(0, std²) instead of zero, e.g. to check other loaders on a non-trivial adapter.")
    var bStd: Float = 0

    /// Std of a random score head, making a SEQ_CLS (reward-model) adapter.
    @Option(help: "Also write a score head drawn from N(0, std²), as PEFT saves a SEQ_CLS (reward-model) adapter; 0: a causal-LM adapter.")
    var scoreStd: Float = 0

    /// The parsed targets.
    private func parsedTargets() throws -> [LoRATarget] {
        try targets.split(separator: ",").map {
            let name = $0.trimmingCharacters(in: .whitespaces)
            guard let t = LoRATarget(rawValue: name) else {
                throw ValidationError("--targets: '\(name)' is not one of "
                    + LoRATarget.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return t
        }
    }

    /// Checks the arguments before running.
    func validate() throws {
        if rank < 1 { throw ValidationError("--rank must be at least 1") }
        if try parsedTargets().isEmpty { throw ValidationError("--targets needs at least one projection") }
        if !(bStd >= 0) { throw ValidationError("--b-std must be ≥ 0") }
        if !(scoreStd >= 0) { throw ValidationError("--score-std must be ≥ 0") }
    }

    /// Runs the command.
    func run() throws {
        let baseURL = URL(fileURLWithPath: base)
        let model = scoreStd > 0 ? try Checkpoint.loadModel(from: baseURL, scalarHead: true) : try Checkpoint.loadAnyModel(at: baseURL)
        if scoreStd > 0 {
            var rng = Xoshiro256(seed: seed ^ 0x5C)
            try model.setParameter(named: "score.weight", to: (0..<model.config.hiddenSize).map { _ in Float(rng.nextNormal() * Double(scoreStd)) })
        }
        let adapter = try LoRAAdapter(config: LoRAConfig(rank: rank, alpha: alpha, targets: try parsedTargets()),
                                      model: model.config, seed: seed)
        if bStd > 0 { adapter.randomizeB(std: bStd, seed: seed ^ 0xB) }
        let url = URL(fileURLWithPath: out)
        try adapter.save(to: url, baseModel: baseURL.standardizedFileURL.path, head: scoreStd > 0 ? model : nil)
        print("wrote LoRA adapter (r \(rank), alpha \(alpha), \(adapter.parameterCount) parameters) to \(url.path)")
    }
}
