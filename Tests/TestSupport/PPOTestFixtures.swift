import Foundation
import Logging
import Model
import World
import Engine
import EngineCore
import Training

/// Tiny checkpoints, prompt files and contexts for driving the `ppo` and `evaluate` stages directly.
package enum PPOTestFixtures {
    /// A 1-layer causal LM over the byte vocabulary.
    package static var config: LlamaConfig {
        LlamaConfig(hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 1, numAttentionHeads: 2,
                    numKeyValueHeads: 1, maxPositionEmbeddings: 256)
    }

    /// A fresh temporary directory.
    package static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ppo-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes a random SFT checkpoint, a random reward model and a world prompt file under `root/inputs`.
    package static func writeInputs(in root: URL, promptCount: Int = 12) throws -> [String: URL] {
        let inputs = root.appendingPathComponent("inputs")
        let sft = inputs.appendingPathComponent("sft")
        let rm = inputs.appendingPathComponent("reward_model")
        let prompts = inputs.appendingPathComponent("prompts.jsonl")
        try Checkpoint.save(try LlamaModel(config: config, seed: 1), tokenizer: ByteTokenizer(), to: sft)
        var rmConfig = config.withScalarHead()
        rmConfig.initializerRange = 0.2
        try Checkpoint.save(try LlamaModel(config: rmConfig, seed: 2), tokenizer: ByteTokenizer(), to: rm)
        var world = WorldConfig()
        world.ppoPromptCount = promptCount
        try JSONLWriter.write(try World(config: world).ppoPrompts(), to: prompts)
        return ["sft": sft, "reward_model": rm, "prompts": prompts]
    }

    /// A stand-in for the world node's output, wired as the `world` judge input (the gold verifier needs only its presence).
    package static func worldJudgeFile(in root: URL) throws -> URL {
        let url = root.appendingPathComponent("inputs/world.json")
        try Data("{}\n".utf8).write(to: url)
        return url
    }

    /// A context for `node` in `workspace` whose outputs go to a fresh directory.
    package static func context(node: String, workspace: URL, inputs: [String: URL], outputs: [String], params: [String: JSONValue],
                        seed: UInt64 = 7) throws -> StageContext {
        let out = workspace.appendingPathComponent("out-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        return StageContext(node: node, workspace: workspace, inputs: inputs,
                            outputs: Dictionary(uniqueKeysWithValues: outputs.map { ($0, out.appendingPathComponent($0)) }),
                            params: params, seed: seed, logger: Logger(label: "test"), metrics: MetricsSink(),
                            progress: ProgressReporter(label: node, isTerminal: false), scratch: out.appendingPathComponent("scratch"))
    }

    /// Reads the iteration lines of a metrics file written by the `ppo` stage (held-out lines skipped).
    package static func metrics(_ url: URL) throws -> [PPOIterationMetrics] {
        try fileLines(url).compactMap(\.iteration)
    }

    /// Reads every line of a metrics file written by the `ppo` stage.
    package static func fileLines(_ url: URL) throws -> [PPOMetricsFileLine] {
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(PPOMetricsFileLine.self, from: Data($0.utf8)) }
    }
}
