import Foundation
import Model
import Training

extension EvaluateRun {
    /// The over-optimisation curve when a `snapshots` input and a reward model are wired (a rule of the kind): SFT, each PPO snapshot (`iter-<k>/`) and the final
    /// policy scored by gold and RM at the eval temperature against their KL to SFT, beside best-of-n from
    /// `bonJudge.responsesPerPrompt(temperature: 1)` SFT samples per prompt at temperature 1, picked by the RM.
    func overOptimisationCurve(judge: ResponseJudge, bonJudge: ResponseJudge, sft: LlamaModel, evaluations: [ModelEvaluation],
                               temperature: Double, klSamples: Int) throws -> OverOptimisationCurve? {
        guard let directory = context.inputs["snapshots"], judge.rewardModel != nil else { return nil }
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix("iter-") }.sorted()
        var points: [CurvePoint] = []
        if let sftEval = evaluations.first(where: { $0.model == "sft" }), let rm = sftEval.rmMean {
            points.append(CurvePoint(label: "sft", iteration: 0, kl: 0, gold: sftEval.goldMean, rm: rm))
        }
        for (index, name) in names.enumerated() {
            context.progress.message("judging snapshot \(name)")
            let path = directory.appendingPathComponent(name)
            let model = try Checkpoint.loadModel(from: path)
            guard !model.config.hasScalarHead, model.config.vocabSize == sft.config.vocabSize else {
                throw StagesError.badInput(path: path.path, message: "must be a causal LM with the SFT model's vocabulary (\(sft.config.vocabSize) tokens)")
            }
            let sampled = try judge.sample(model, temperature: temperature, seed: context.seed &+ 500 &+ UInt64(index))
            let responses = try judge.judge(sampled)
            let kl = try judge.klToReference(model, reference: sft, samples: klSamples, seed: context.seed &+ 600 &+ UInt64(index),
                                             reusing: sampled)
            let summary = judge.summarise(name, responses, klToSFT: kl, greedy: nil)
            guard let rm = summary.rmMean else { continue }
            points.append(CurvePoint(label: name, iteration: Int(name.dropFirst("iter-".count)), kl: kl, gold: summary.goldMean, rm: rm))
        }
        if let policy = evaluations.first(where: { $0.model == "policy" }), let rm = policy.rmMean {
            points.append(CurvePoint(label: "policy", kl: policy.klToSFT, gold: policy.goldMean, rm: rm))
        }
        context.progress.message("best-of-\(bonJudge.responsesPerPrompt(temperature: 1)) from SFT")
        let samples = try bonJudge.respond(sft, temperature: 1, seed: context.seed &+ 700)
        return OverOptimisationCurve(snapshots: points, bestOfN: BestOfN.points(samples, perPrompt: bonJudge.responsesPerPrompt(temperature: 1)))
    }
}
