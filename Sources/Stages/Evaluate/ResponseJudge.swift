import Foundation
import Model
import World

/// Generates responses to the eval prompts and judges them with the gold verifier and the reward model.
struct ResponseJudge {
    /// Prompt texts.
    let prompts: [String]
    /// Chat prefixes of the prompts.
    let encoded: [[Int32]]
    /// Parsed world tasks (nil for prompts the verifier cannot score).
    let tasks: [WorldTask?]
    /// The shared tokenizer.
    let tokenizer: any Tokenizer
    /// The frozen reward model.
    let rewardModel: LlamaModel
    /// Sequences per generation / scoring batch.
    let batchSize: Int
    /// Longest response.
    let maxNewTokens: Int

    /// One response per prompt from `model` (greedy at temperature 0), judged.
    func respond(_ model: LlamaModel, temperature: Double, seed: UInt64) throws -> [JudgedResponse] {
        let responses = try generate(model, prompts: encoded, temperature: temperature, seed: seed)
        let scores = try ModelScoring.scores(rewardModel, prompts: encoded, responses: responses.map(\.tokens), chunk: batchSize)
        return responses.indices.map { i in
            let text = tokenizer.decode(responses[i].textTokens)
            let gold = tasks[i].map { GoldJudge.score(task: $0, response: text, reachedEOS: responses[i].hasEOS).value }
            return JudgedResponse(prompt: prompts[i], response: text, rmScore: scores[i], gold: gold, reachedEOS: responses[i].hasEOS)
        }
    }

    /// Monte-Carlo KL(model ‖ reference): `samples` responses per prompt at temperature 1, k1 summed per response.
    func klToReference(_ model: LlamaModel, reference: LlamaModel, samples: Int, seed: UInt64) throws -> Double {
        let prefixes = encoded.flatMap { Array(repeating: $0, count: samples) }
        let responses = try generate(model, prompts: prefixes, temperature: 1, seed: seed).map(\.tokens)
        let mine = try ModelScoring.logProbs(model, prompts: prefixes, responses: responses, temperature: 1, chunk: batchSize)
        let theirs = try ModelScoring.logProbs(reference, prompts: prefixes, responses: responses, temperature: 1, chunk: batchSize)
        let sums = zip(mine, theirs).map { KLEstimator.k1.estimate(logProbs: $0, referenceLogProbs: $1).reduce(0, +) }
        return sums.isEmpty ? 0 : sums.reduce(0, +) / Double(sums.count)
    }

    /// Aggregates judged responses of one model.
    func summarise(_ name: String, _ responses: [JudgedResponse], klToSFT: Double) -> ModelEvaluation {
        var byFamily: [String: [Double]] = [:], byScenario: [String: [Double]] = [:]
        for (task, response) in zip(tasks, responses) {
            guard let task, let gold = response.gold else { continue }
            byFamily[task.family.rawValue, default: []].append(gold)
            byScenario[task.scenario.rawValue, default: []].append(gold)
        }
        let gold = responses.compactMap(\.gold)
        let rm = responses.map(\.rmScore)
        return ModelEvaluation(model: name, goldMean: Self.mean(gold), goldByFamily: byFamily.mapValues(Self.mean),
                               goldByScenario: byScenario.mapValues(Self.mean), rmMean: Self.mean(rm), rmStd: Self.std(rm),
                               goldStd: Self.std(gold), lengthMean: Self.mean(responses.map { Double($0.response.count) }),
                               eosFraction: Self.mean(responses.map { $0.reachedEOS ? 1 : 0 }), klToSFT: klToSFT,
                               goldSpreadByFamily: byFamily.mapValues { GoldSpread(std: Self.std($0), count: $0.count) },
                               goldSpreadByScenario: byScenario.mapValues { GoldSpread(std: Self.std($0), count: $0.count) })
    }

    /// Samples in batches with the KV cache and cuts each response at EOS.
    private func generate(_ model: LlamaModel, prompts: [[Int32]], temperature: Double, seed: UInt64) throws -> [TruncatedResponse] {
        var rng = Xoshiro256(seed: seed)
        let options = SamplingOptions(temperature: Float(temperature), maxNewTokens: maxNewTokens, stopAtEOS: true, useKVCache: true)
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

    /// Arithmetic mean (0 when empty).
    static func mean(_ x: [Double]) -> Double { x.isEmpty ? 0 : x.reduce(0, +) / Double(x.count) }

    /// Population standard deviation (0 when empty).
    static func std(_ x: [Double]) -> Double {
        let m = mean(x)
        return x.isEmpty ? 0 : (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count)).squareRoot()
    }
}
