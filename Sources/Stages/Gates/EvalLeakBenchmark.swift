import Foundation
import World

/// `rlhf bench eval-leak`: the eval-leak gate's core on generated data (World sets or synthetic text).
public enum EvalLeakBenchmark {
    /// What one benchmark run measured.
    public struct Report: Codable, Sendable {
        /// Training JSONL lines.
        public var trainingLines: Int
        /// Training texts compared (SFT prompt and response count separately).
        public var trainingTexts: Int
        /// Eval prompts.
        public var evalPrompts: Int
        /// Seconds to generate and write the JSONL files.
        public var generateSeconds: Double
        /// Seconds to read and validate the JSONL files.
        public var loadSeconds: Double
        /// Seconds of the gate's core: normalise, index the eval prompts, scan every training text.
        public var coreSeconds: Double
        /// Threads used by the scan.
        public var threads: Int
        /// Leaked pairs found.
        public var leakedPairs: Int
        /// Distinct eval prompts found leaked.
        public var leakedEvalPrompts: Int
        /// Leaks planted by the generator.
        public var plantedLeaks: Int
        /// Planted leaks the gate found (file and line match).
        public var plantedFound: Int
    }

    /// Generates `trainingLines` training lines (60% SFT, 20% preference prompts, 20% PPO prompts) and
    /// `evalCount` eval prompts with `leakFraction` leaked, writes them under `directory`, then times the gate.
    public static func run(trainingLines: Int, evalCount: Int, leakFraction: Double, threads: Int, directory: URL) throws -> Report {
        var clock = ContinuousClock.now
        func lap() -> Double {
            let now = ContinuousClock.now
            let elapsed = now - clock
            clock = now
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        }
        var config = WorldConfig()
        config.sftCount = trainingLines * 6 / 10
        config.preferencePromptCount = trainingLines * 2 / 10
        config.ppoPromptCount = trainingLines - config.sftCount - config.preferencePromptCount
        config.evalCount = evalCount
        config.leakFraction = leakFraction
        let world = try World(config: config)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let files = ["sft": directory.appendingPathComponent("sft_train.jsonl"),
                     "preferences": directory.appendingPathComponent("pref_prompts.jsonl"),
                     "ppo": directory.appendingPathComponent("prompts_ppo.jsonl"),
                     "eval": directory.appendingPathComponent("eval_prompts.jsonl")]
        try JSONLWriter.write(world.sftDemonstrations(), to: files["sft"]!)
        try JSONLWriter.write(world.preferencePrompts(), to: files["preferences"]!)
        try JSONLWriter.write(world.ppoPrompts(), to: files["ppo"]!)
        try JSONLWriter.write(world.evalPrompts(), to: files["eval"]!)
        let planted = try world.leakPlan()
        let generateSeconds = lap()

        let eval = try GateDataset.load(files["eval"]!, role: "eval", format: .prompts, file: "eval_prompts.jsonl")
        let training = try [("sft", DataFormat.sft), ("preferences", .prompts), ("ppo", .prompts)].map { role, format in
            try GateDataset.load(files[role]!, role: role, format: format, file: files[role]!.lastPathComponent)
        }
        let loadSeconds = lap()

        let detector = LeakDetector(evalTexts: eval.records.map { $0.text("prompt") }, ngram: 3, threshold: 0.9, measure: .containment)
        let (texts, sources) = EvalLeakGate.trainingTexts(training)
        let matches = detector.scan(texts, threads: threads)
        let coreSeconds = lap()

        let found = Set(matches.map { "\(training[sources[$0.train].dataset].role):\(sources[$0.train].line)" })
        let roleOf: [LeakTarget: String] = [.sft: "sft", .preference: "preferences", .ppo: "ppo"]
        return Report(trainingLines: training.map(\.records.count).reduce(0, +), trainingTexts: texts.count,
                      evalPrompts: eval.records.count, generateSeconds: generateSeconds, loadSeconds: loadSeconds,
                      coreSeconds: coreSeconds, threads: threads, leakedPairs: matches.count,
                      leakedEvalPrompts: Set(matches.map(\.eval)).count, plantedLeaks: planted.count,
                      plantedFound: planted.filter { found.contains("\(roleOf[$0.target]!):\($0.line)") }.count)
    }
}
