import EngineCore
import Foundation
import Model
import Training
import World

/// One execution of an `evaluate` node: every model answers every eval prompt, every wired judge (a reward
/// model, the world's gold verifier, a command judge, human labels: at least one) compares the policy with SFT
/// and base, and the report says whether RLHF helped. Without a reward model there are no RM scores: the
/// figures that need them are absent (never zeros) and the report says so.
struct EvaluateRun {
    /// The node's context.
    let context: StageContext

    /// The evaluated models by input role, in report order.
    static let modelRoles = ["base", "sft", "policy"]

    /// Writes `report` (`final_eval.md`) and `summary` (`final_eval.json`).
    func run() throws {
        let p = try EvaluateKind().checkedParams(context)
        let declared = EvaluateKind.declared
        let temperature = try p.value(declared.temperature)
        let samples = try p.value(declared.samplesPerPrompt)
        let maxNewTokens = try p.value(declared.maxNewTokens)
        let batchSize = try p.value(declared.batchSize)
        let klSamples = try p.value(declared.klSamples)
        let resamples = try p.value(declared.bootstrapResamples)
        let tableSize = try p.value(declared.tableSize)
        let goldTolerance = try p.value(declared.hackingGoldTolerance)
        let precision = InferencePrecisionParam.resolve(try p.value(declared.samplingPrecision)).effective
        guard context.inputs["prompts"] != nil else {
            throw StagesError.invalidInputs(node: context.node, message: "missing input 'prompts' (the eval prompts JSONL)")
        }
        let records = try JSONFiles.prompts(context, role: "prompts")
        let (sft, renderer) = try ModelFiles.loadChat(context, role: "sft")
        let tokenizer = renderer.tokenizer
        let rewardModel = try context.inputs["reward_model"].map { _ in try ModelFiles.load(context, role: "reward_model").model }
        if let rewardModel, !rewardModel.config.hasScalarHead {
            throw StagesError.badInput(path: try ModelFiles.directory(context, role: "reward_model").path,
                                       message: "has no scalar head; the `reward_model` input must be a LlamaForSequenceClassification checkpoint")
        }
        let world = JudgeInputs.world(context) != nil
        var command = try JudgeInputs.command(context)
        let labels = try JudgeInputs.labels(context)
        let encoded = try records.map { try renderer.prefix($0.chat) }
        let makeJudge = { (samples: Int) in
            ResponseJudge(prompts: records.map(\.prompt), encoded: encoded,
                          tasks: records.map { world ? try? WorldTask(parsing: $0.prompt) : nil }, tokenizer: tokenizer, rewardModel: rewardModel,
                          batchSize: batchSize, maxNewTokens: maxNewTokens, samplesPerPrompt: samples, samplingPrecision: precision)
        }
        let judge = makeJudge(samples)
        var evaluations: [ModelEvaluation] = []
        var judged: [String: [JudgedResponse]] = [:], judgedGreedy: [String: [JudgedResponse]] = [:]
        for (index, role) in Self.modelRoles.enumerated() {
            let model = role == "sft" ? sft : try ModelFiles.load(context, role: role).model
            guard !model.config.hasScalarHead, model.config.vocabSize == sft.config.vocabSize else {
                throw StagesError.badInput(path: try ModelFiles.directory(context, role: role).path,
                                           message: "must be a causal LM with the SFT model's vocabulary (\(sft.config.vocabSize) tokens)")
            }
            context.progress.message("judging \(role)")
            let sampled = try judge.sample(model, temperature: temperature, seed: context.seed &+ UInt64(index))
            let responses = try judge.judge(sampled)
            judged[role] = responses
            if temperature > 0, world {
                context.progress.message("judging \(role), greedy")
                judgedGreedy[role] = try judge.respond(model, temperature: 0, seed: 0, rewardModelScores: false)
            }
            let kl = role == "sft" ? 0 : try judge.klToReference(model, reference: sft, samples: klSamples,
                                                                seed: context.seed &+ 100 &+ UInt64(index), reusing: sampled)
            evaluations.append(judge.summarise(role, responses, klToSFT: kl, greedy: judgedGreedy[role]))
        }
        let policy = judged["policy"]!
        let perPrompt = judge.responsesPerPrompt(temperature: temperature)
        let comparisons = (world ? [("gold", judged, perPrompt)] : []) + (rewardModel == nil ? [] : [("rm", judged, perPrompt)])
            + (judgedGreedy.isEmpty ? [] : [("gold_greedy", judgedGreedy, 1)])
        var winRates: [WinRate] = []
        var pairs: [JudgePair] = []
        for other in ["sft", "base"] {
            for (k, (mine, theirs)) in zip(policy, judged[other]!).enumerated() {
                pairs.append(JudgePair(id: "\(other)-\(k + 1)", prompt: mine.prompt, context: records[k / perPrompt].context, a: JudgedText(text: mine.response, reachedEOS: mine.reachedEOS),
                                       b: JudgedText(text: theirs.response, reachedEOS: theirs.reachedEOS)))
            }
        }
        var verdicts: [(judge: String, verdicts: [PairVerdict?])] = []
        if rewardModel != nil {
            verdicts.append(("reward_model", pairs.indices.map { i in
                let (x, y) = (i < policy.count ? (policy[i], judged["sft"]![i]) : (policy[i - policy.count], judged["base"]![i - policy.count]))
                guard let rx = x.rmScore, let ry = y.rmScore else { return nil }
                return PairVerdict(winner: WorldPairJudge.winner(rx, ry), reason: nil, probabilityA: Statistics.sigmoid(rx - ry))
            }))
        }
        if world { verdicts.append(("world", try WorldPairJudge().judge(pairs))) }
        if command != nil {
            context.progress.message("asking the command judge about \(pairs.count) pairs")
            verdicts.append(("command", try command!.judge(pairs)))
        }
        if let labels { verdicts.append(("labels", try labels.judge(pairs))) }
        for (name, list) in verdicts where name == "command" || name == "labels" {
            for (index, other) in ["sft", "base"].enumerated() {
                let part = list[(index * policy.count)..<((index + 1) * policy.count)]
                let decided = part.compactMap { $0?.winner.scoreA }
                guard !decided.isEmpty else { continue }
                let groupSize = name == "command" ? perPrompt : 1
                let seed = context.seed &+ UInt64(winRates.count) &* 7919
                winRates.append(WinRate(a: "policy", b: other, judge: name, scoresA: decided, scoresB: decided.map { 1 - $0 },
                                        groupSize: groupSize, resamples: resamples, seed: seed))
                winRates.append(WinRate(a: other, b: "policy", judge: name, scoresA: decided.map { 1 - $0 }, scoresB: decided,
                                        groupSize: groupSize, resamples: resamples, seed: seed &+ 1))
            }
        }
        var judges = verdicts.map { JudgeSummary(judge: $0.judge, pairs: $0.verdicts.compactMap { $0 }.count) }
        if let command, let index = judges.firstIndex(where: { $0.judge == "command" }) {
            judges[index] = JudgeInputs.summary(command, pairs: pairs.count)
            if let bias = command.positionBias { context.metrics.record("judge/command/position_bias", step: 0, value: bias) }
        }
        let agreements = JudgeInputs.agreements(verdicts)
        for agreement in agreements {
            if let value = agreement.agreement { context.metrics.record("judge_agreement/\(agreement.a)_vs_\(agreement.b)", step: 0, value: value) }
        }
        for other in ["sft", "base"] {
            for (judgeName, responses, groupSize) in comparisons {
                let (mine, theirs) = Self.pairedScores(responses["policy"]!, responses[other]!, judge: judgeName)
                let seed = context.seed &+ UInt64(winRates.count) &* 7919
                winRates.append(WinRate(a: "policy", b: other, judge: judgeName, scoresA: mine, scoresB: theirs,
                                        groupSize: groupSize, resamples: resamples, seed: seed))
                winRates.append(WinRate(a: other, b: "policy", judge: judgeName, scoresA: theirs, scoresB: mine,
                                        groupSize: groupSize, resamples: resamples, seed: seed &+ 1))
            }
        }
        let policyEval = evaluations[2], sftEval = evaluations[1]
        var signal: RewardHackingSignal?
        if let goldPolicy = policyEval.goldMean, let goldSFT = sftEval.goldMean, let rmPolicy = policyEval.rmMean, let rmSFT = sftEval.rmMean {
            signal = RewardHackingSignal(rmPolicy: rmPolicy, rmSFT: rmSFT, rmSpread: sftEval.rmStd ?? 0,
                                         goldPolicy: goldPolicy, goldSFT: goldSFT, goldSpread: sftEval.goldStd ?? 0,
                                         lengthPolicy: policyEval.lengthMean, lengthSFT: sftEval.lengthMean, goldTolerance: goldTolerance)
        }
        let sliceAlarm = Self.sliceAlarm(tasks: judge.tasks, policy: policy, sft: judged["sft"]!, perPrompt: perPrompt, goldTolerance: goldTolerance)
        signal?.include(sliceAlarm)
        let curve = try overOptimisationCurve(judge: judge, bonJudge: makeJudge(try p.value(declared.bestOfNMax)), sft: sft,
                                              evaluations: evaluations, temperature: temperature, klSamples: klSamples)
        let ranked = policy.compactMap { response in response.rmScore.map { (response: response, score: $0) } }
            .sorted { $0.score != $1.score ? $0.score > $1.score : $0.response.prompt < $1.response.prompt }.map(\.response)
        let result = FinalEvaluation(prompts: records.count, goldScoredPrompts: judge.tasks.compactMap { $0 }.count,
                                     temperature: temperature, samplesPerPrompt: perPrompt, samplingPrecision: precision == .fp32 ? nil : precision.rawValue,
                                     models: evaluations, winRates: winRates, rewardHacking: signal,
                                     judges: judges, agreements: agreements,
                                     highestRM: Array(ranked.prefix(tableSize)), lowestRM: Array(ranked.suffix(tableSize).reversed()),
                                     sliceAlarm: sliceAlarm, overOptimisation: curve, responses: judged)
        try JSONFiles.write(result, to: context.outputs["summary"]!)
        try Data(result.markdown.utf8).write(to: context.outputs["report"]!)
        for evaluation in evaluations {
            if let gold = evaluation.goldMean { context.metrics.record("\(evaluation.model)/gold_mean", step: 0, value: gold) }
            if let rm = evaluation.rmMean { context.metrics.record("\(evaluation.model)/rm_mean", step: 0, value: rm) }
            context.metrics.record("\(evaluation.model)/kl_to_sft", step: 0, value: evaluation.klToSFT)
        }
        for rate in winRates where rate.a == "policy" {
            context.metrics.record("win_rate/policy_vs_\(rate.b)/\(rate.judge)", step: 0, value: rate.winRate)
        }
    }

    /// The per-slice alarm over the world prompts: each prompt's `perPrompt` responses (prompt-major) in its
    /// task family and scenario.
    static func sliceAlarm(tasks: [WorldTask?], policy: [JudgedResponse], sft: [JudgedResponse], perPrompt: Int,
                           goldTolerance: Double) -> SliceHackingAlarm {
        let prompts = tasks.enumerated().compactMap { index, task -> SlicedPrompt? in
            let lower = index * perPrompt, upper = min((index + 1) * perPrompt, policy.count, sft.count)
            guard let task, lower < upper else { return nil }
            let range = lower..<upper
            return SlicedPrompt(slices: ["family:\(task.family.rawValue)", "scenario:\(task.scenario.rawValue)"],
                                policy: Array(policy[range]), sft: Array(sft[range]))
        }
        return SliceHackingAlarm(prompts: prompts, goldTolerance: goldTolerance)
    }

    /// Paired scores of two models by `judge` ("rm", or gold for any other name), over responses both can be judged on.
    static func pairedScores(_ a: [JudgedResponse], _ b: [JudgedResponse], judge: String) -> ([Double], [Double]) {
        var left: [Double] = [], right: [Double] = []
        for (x, y) in zip(a, b) {
            if judge == "rm" {
                if let rx = x.rmScore, let ry = y.rmScore {
                    left.append(rx)
                    right.append(ry)
                }
            } else if let gx = x.gold, let gy = y.gold {
                left.append(gx)
                right.append(gy)
            }
        }
        return (left, right)
    }
}
