import Foundation
import Model
import World

/// Generates responses to the eval prompts and judges them with the gold verifier and the reward model, each when there is one.
public struct ResponseJudge {
    /// Prompt texts.
    let prompts: [String]
    /// Chat prefixes of the prompts.
    let encoded: [[Int32]]
    /// Parsed world tasks (nil for prompts the verifier cannot score).
    public let tasks: [WorldTask?]
    /// The shared tokenizer.
    let tokenizer: any Tokenizer
    /// The frozen reward model (nil: responses carry no RM score).
    public let rewardModel: LlamaModel?
    /// Sequences per generation / scoring batch.
    let batchSize: Int
    /// Longest response.
    let maxNewTokens: Int
    /// Responses sampled per prompt when the temperature is above 0.
    let samplesPerPrompt: Int
    /// Precision of every generation pass (judged, greedy and KL samples); the KL's log-probs and the RM scores stay
    /// fp32. `effective` decides: bf16 on a CPU without AVX-512 BF16 samples in fp32.
    public let samplingPrecision: InferencePrecision

    /// A judge of `prompts` (encoded as chat prefixes, parsed as world tasks where they are ones) with `rewardModel`, if any.
    public init(prompts: [String], encoded: [[Int32]], tasks: [WorldTask?], tokenizer: any Tokenizer, rewardModel: LlamaModel?,
                batchSize: Int, maxNewTokens: Int, samplesPerPrompt: Int, samplingPrecision: InferencePrecision = .fp32) {
        self.prompts = prompts
        self.encoded = encoded
        self.tasks = tasks
        self.tokenizer = tokenizer
        self.rewardModel = rewardModel
        self.batchSize = batchSize
        self.maxNewTokens = maxNewTokens
        self.samplesPerPrompt = samplesPerPrompt
        self.samplingPrecision = samplingPrecision
    }

    /// Responses per prompt at `temperature`: `samplesPerPrompt` samples above 0, one greedy response at 0.
    public func responsesPerPrompt(temperature: Double) -> Int { temperature == 0 ? 1 : samplesPerPrompt }

    /// `responsesPerPrompt(temperature:)` responses per prompt from `model`, judged; one prompt's responses are adjacent.
    /// Without `rewardModelScores` the responses carry no RM score (e.g. greedy responses only the gold judge reads).
    public func respond(_ model: LlamaModel, temperature: Double, seed: UInt64, rewardModelScores: Bool = true) throws -> [JudgedResponse] {
        try judge(sample(model, temperature: temperature, seed: seed), rewardModelScores: rewardModelScores)
    }

    /// `responsesPerPrompt(temperature:)` responses per prompt from `model` in `samplingPrecision`, one prompt's adjacent.
    public func sample(_ model: LlamaModel, temperature: Double, seed: UInt64) throws -> SampledResponses {
        let n = responsesPerPrompt(temperature: temperature)
        let prefixes = encoded.flatMap { Array(repeating: $0, count: n) }
        return SampledResponses(responses: try generate(model, prompts: prefixes, temperature: temperature, seed: seed),
                                temperature: temperature, perPrompt: n)
    }

    /// Judges `sampled` by the gold verifier and, with `rewardModelScores`, the reward model (in fp32).
    public func judge(_ sampled: SampledResponses, rewardModelScores: Bool = true) throws -> [JudgedResponse] {
        let n = sampled.perPrompt, responses = sampled.responses
        let prefixes = encoded.flatMap { Array(repeating: $0, count: n) }
        var scores = [Double?](repeating: nil, count: responses.count)
        if let rewardModel, rewardModelScores {
            scores = try ModelScoring.scores(rewardModel, prompts: prefixes, responses: responses.map(\.tokens), chunk: batchSize).map { $0 }
        }
        return responses.indices.map { i in
            let text = tokenizer.decode(responses[i].textTokens)
            let gold = tasks[i / n].map { GoldJudge.score(task: $0, response: text, reachedEOS: responses[i].hasEOS).value }
            return JudgedResponse(prompt: prompts[i / n], response: text, rmScore: scores[i], gold: gold, reachedEOS: responses[i].hasEOS,
                                  tokens: responses[i].tokens.count)
        }
    }

    /// Monte-Carlo KL(model ‖ reference): `samples` responses per prompt at temperature 1, k1 summed per response, the
    /// log-probs in fp32. With `reusing` (responses of `model` from `sample`) at temperature 1 and at least `samples`
    /// per prompt, the first `samples` of each prompt serve (the same distribution, so the same unbiased estimate);
    /// otherwise fresh ones are sampled with `seed`.
    public func klToReference(_ model: LlamaModel, reference: LlamaModel, samples: Int, seed: UInt64,
                              reusing sampled: SampledResponses? = nil) throws -> Double {
        let prefixes = encoded.flatMap { Array(repeating: $0, count: samples) }
        let responses: [[Int32]]
        if let reused = sampled?.firstResponses(samples, atTemperature: 1) {
            responses = reused
        } else {
            responses = try generate(model, prompts: prefixes, temperature: 1, seed: seed).map(\.tokens)
        }
        let mine = try ModelScoring.logProbs(model, prompts: prefixes, responses: responses, temperature: 1, chunk: batchSize)
        let theirs = try ModelScoring.logProbs(reference, prompts: prefixes, responses: responses, temperature: 1, chunk: batchSize)
        let sums = zip(mine, theirs).map { KLEstimator.k1.estimate(logProbs: $0, referenceLogProbs: $1).reduce(0, +) }
        return Statistics.mean(sums)
    }

    /// Aggregates judged responses of one model (from `respond`, so one prompt's responses are adjacent).
    ///
    /// Gold statistics are over per-prompt means, so several samples of one prompt count as one
    /// observation in the spreads; RM, length and EOS statistics are over all responses.
    public func summarise(_ name: String, _ responses: [JudgedResponse], klToSFT: Double, greedy: [JudgedResponse]?) -> ModelEvaluation {
        let (gold, byFamily, byScenario) = goldGroups(responses)
        let rm = responses.compactMap(\.rmScore)
        return ModelEvaluation(model: name, goldMean: gold.isEmpty ? nil : Statistics.mean(gold), goldByFamily: byFamily.mapValues { Statistics.mean($0) },
                               goldByScenario: byScenario.mapValues { Statistics.mean($0) }, greedyGold: greedy.map(greedySummary),
                               rmMean: rm.isEmpty ? nil : Statistics.mean(rm), rmStd: rm.isEmpty ? nil : Self.std(rm),
                               goldStd: gold.isEmpty ? nil : Self.std(gold), lengthMean: Statistics.mean(responses.map { Double($0.response.count) }),
                               eosFraction: Statistics.mean(responses.map { $0.reachedEOS ? 1 : 0 }), klToSFT: klToSFT,
                               goldSpreadByFamily: byFamily.mapValues { GoldSpread(std: Self.std($0), count: $0.count) },
                               goldSpreadByScenario: byScenario.mapValues { GoldSpread(std: Self.std($0), count: $0.count) })
    }

    /// Gold means of greedy responses (one per prompt), overall, per family and per scenario.
    private func greedySummary(_ responses: [JudgedResponse]) -> GreedyGold {
        let (gold, byFamily, byScenario) = goldGroups(responses)
        return GreedyGold(goldMean: Statistics.mean(gold), goldByFamily: byFamily.mapValues { Statistics.mean($0) },
                          goldByScenario: byScenario.mapValues { Statistics.mean($0) })
    }

    /// Per-prompt mean gold scores of verifiable prompts: all of them, and grouped by family and scenario.
    private func goldGroups(_ responses: [JudgedResponse]) -> (all: [Double], byFamily: [String: [Double]], byScenario: [String: [Double]]) {
        var all: [Double] = [], byFamily: [String: [Double]] = [:], byScenario: [String: [Double]] = [:]
        let n = max(1, responses.count / max(1, tasks.count))
        for (index, task) in tasks.enumerated() {
            let golds = responses[min(index * n, responses.count)..<min((index + 1) * n, responses.count)].compactMap(\.gold)
            guard let task, !golds.isEmpty else { continue }
            let gold = Statistics.mean(golds)
            all.append(gold)
            byFamily[task.family.rawValue, default: []].append(gold)
            byScenario[task.scenario.rawValue, default: []].append(gold)
        }
        return (all, byFamily, byScenario)
    }

    /// Samples in batches with the KV cache in `samplingPrecision` (bf16 from one weight snapshot for every batch) and
    /// cuts each response at EOS; `model` is back in fp32 afterwards.
    private func generate(_ model: LlamaModel, prompts: [[Int32]], temperature: Double, seed: UInt64) throws -> [TruncatedResponse] {
        var rng = Xoshiro256(seed: seed)
        let options = SamplingOptions(temperature: Float(temperature), maxNewTokens: maxNewTokens, stopAtEOS: true, useKVCache: true)
        model.inferencePrecision = samplingPrecision
        defer { model.inferencePrecision = .fp32 }
        return try model.withPinnedInferenceWeights {
            var result: [TruncatedResponse] = []
            var start = 0
            while start < prompts.count {
                let end = min(start + batchSize, prompts.count)
                let generation = try model.generate(prompts: Array(prompts[start..<end]), options: options, rng: &rng)
                result += generation.tokens.map { TruncatedResponse(tokens: $0, eos: model.config.eosTokenId) }
                start = end
            }
            return result
        }
    }

    /// Population standard deviation (0 when empty).
    static func std(_ x: [Double]) -> Double {
        let m = Statistics.mean(x)
        return x.isEmpty ? 0 : (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count)).squareRoot()
    }
}
