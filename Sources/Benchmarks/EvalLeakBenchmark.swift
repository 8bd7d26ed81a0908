import Foundation
import Stages
import TextSimilarity
import World

/// `rlhf bench eval-leak`: the eval-leak gate's core on generated synthetic text (the World's templated
/// parameter spaces hold far fewer than 100k distinct prompts).
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
    /// `evalCount` eval prompts of synthetic text with `leakFraction` of the eval prompts planted in training
    /// sets (exact, reworded, embedded in turn), writes them under `directory`, then times the gate.
    public static func run(trainingLines: Int, evalCount: Int, leakFraction: Double, threads: Int, directory: URL) throws -> Report {
        var clock = ContinuousClock.now
        func lap() -> Double {
            let now = ContinuousClock.now
            let elapsed = now - clock
            clock = now
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        }
        var text = SyntheticText(seed: 42)
        let sftCount = trainingLines * 6 / 10, prefCount = trainingLines * 2 / 10
        var sets: [String: [[String: String]]] = [
            "sft": (0..<sftCount).map { _ in ["prompt": text.sentence(8...20), "response": text.sentence(10...40)] },
            "preferences": (0..<prefCount).map { _ in ["prompt": text.sentence(8...20)] },
            "ppo": (0..<(trainingLines - sftCount - prefCount)).map { _ in ["prompt": text.sentence(8...20)] },
            "eval": (0..<evalCount).map { _ in ["prompt": text.sentence(8...20)] },
        ]
        var planted: [(role: String, line: Int)] = []
        let targets = ["sft", "preferences", "ppo"]
        for i in 0..<Int((leakFraction * Double(evalCount)).rounded()) {
            let prompt = sets["eval"]![i]["prompt"]!
            let role = targets[(i / 3) % targets.count]
            let line = text.index(below: sets[role]!.count)
            guard !planted.contains(where: { $0 == (role, line + 1) }) else { continue }
            sets[role]![line]["prompt"] = [prompt, text.reword(prompt), "quick question: \(prompt) thanks!"][i % 3]
            planted.append((role, line + 1))
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let files = Dictionary(uniqueKeysWithValues: sets.keys.map { ($0, directory.appendingPathComponent("\($0).jsonl")) })
        for (role, records) in sets { try JSONLWriter.write(records, to: files[role]!) }
        let generateSeconds = lap()

        let eval = try GateDataset.load(files["eval"]!, role: "eval", format: .prompts, file: "eval.jsonl")
        let training = try [("sft", RecordFormat.sft), ("preferences", .prompts), ("ppo", .prompts)].map { role, format in
            try GateDataset.load(files[role]!, role: role, format: format, file: "\(role).jsonl")
        }
        let loadSeconds = lap()

        let detector = LeakDetector(evalTexts: eval.records.map { $0.text("prompt") }, ngram: 3, threshold: 0.9, measure: .containment)
        let (texts, sources) = EvalLeakGate.trainingTexts(training)
        let matches = detector.scan(texts, threads: threads)
        let coreSeconds = lap()

        let found = Set(matches.map { "\(training[sources[$0.train].dataset].role):\(sources[$0.train].line)" })
        return Report(trainingLines: training.map(\.records.count).reduce(0, +), trainingTexts: texts.count,
                      evalPrompts: eval.records.count, generateSeconds: generateSeconds, loadSeconds: loadSeconds,
                      coreSeconds: coreSeconds, threads: threads, leakedPairs: matches.count,
                      leakedEvalPrompts: Set(matches.map(\.eval)).count, plantedLeaks: planted.count,
                      plantedFound: planted.filter { found.contains("\($0.role):\($0.line)") }.count)
    }
}
