import EngineCore

/// The `evaluate` node kind: base, SFT and policy on any eval prompts, judged by every wired judge.
///
/// Inputs `prompts` (eval prompts JSONL), `policy`, `sft`, `base` (causal LMs), and the judges, at least one of:
/// `reward_model`, `world` (gold scores of world prompts), `judge_command` (or param `judge_cmd`), `labels`.
/// Without a reward model the RM scores, RM win rates, reward-hacking signal and RM-ranked samples are absent.
/// Outputs `report` (`final_eval.md`) and `summary` (`final_eval.json`).
struct EvaluateKind: StageKind {
    /// Kind name.
    let name = "evaluate"
    /// Version 10: the KL to SFT reuses the first `kl_samples` of each prompt's judged samples when they were drawn at
    /// temperature 1 and there are enough (the same unbiased estimate from other draws, so other KL figures), greedy
    /// responses carry no RM score (nothing read it), and `sampling_precision` (9: `final_eval.md` lists each win-rate
    /// comparison once; 8: conversational eval prompts (system message,
    /// earlier turns) through the model's chat template, and the reward model optional; 7: every judged response (with its token count) in `final_eval.json` `responses`; 6: the reward-hacking
    /// alarm by task family and scenario, the over-optimisation curve with `snapshots`; 5: judges as inputs, gold only with `world`,
    /// command and label judges, agreement between judges; 4: generation changes in Model; see `GoldenOutputsTests`).
    let version = 10
    /// Final evaluation.
    let summary = "base, SFT and policy on any eval prompts, judged by every wired judge (reward model, world, command, labels), with win rates, judge agreement and position bias"
    /// Sampling for the KL estimate and the bootstrap use the pipeline seed.
    var usesRandomness: Bool { true }
    /// Input roles.
    var inputs: [InputSpec]? {
        [InputSpec("prompts", format: "eval prompts JSONL")] + ModelFiles.inputs("policy") + ModelFiles.inputs("sft") + ModelFiles.inputs("base")
            + ModelFiles.inputs("reward_model", format: "reward model checkpoint directory (scalar head; a judge, optional)", required: false)
            + [InputSpec("snapshots", required: false, format: "a ppo node's `snapshots` directory (scored for the over-optimisation curve)")]
            + JudgeInputs.inputs
    }
    /// Output names.
    var outputs: [String]? { ["report", "summary"] }

    /// The params of an `evaluate` node, each declared once.
    struct Declarations: ParamDeclarations {
        /// Decoding temperature.
        let temperature = Param.number("temperature", default: 0, in: 0...10, "decoding temperature of judged responses (0: greedy)")
        /// Samples per prompt.
        let samplesPerPrompt = Param.integer("samples_per_prompt", default: 1, in: 1...64,
                                             "responses sampled per prompt and model (above 1 only with temperature > 0)")
        /// Longest response.
        let maxNewTokens = Param.integer("max_new_tokens", default: 32, in: 1...4096, "longest response in tokens")
        /// Generation batch.
        let batchSize = Param.integer("batch_size", default: 32, in: 1...4096, "sequences per generation batch")
        /// KL samples.
        let klSamples = Param.integer("kl_samples", default: 1, in: 1...64,
                                      "samples per prompt for the KL to SFT (the first of the judged samples when temperature is 1 and samples_per_prompt is at least this)")
        /// Sampling precision.
        let samplingPrecision = InferencePrecisionParam.param("sampling_precision", pass: "every generation pass (judged, greedy and KL samples)",
                                                              "the KL's log-probs and the reward model's scores stay fp32")
        /// Bootstrap resamples.
        let bootstrapResamples = Param.integer("bootstrap_resamples", default: 1000, in: 10...1_000_000, "bootstrap resamples for the win-rate CIs")
        /// Table rows.
        let tableSize = Param.integer("table_size", default: 5, in: 0...1000, "rows in each sample table")
        /// Hacking tolerance.
        let hackingGoldTolerance = Param.number("hacking_gold_tolerance", default: 0.01, in: 0...1,
                                                "gold gain at or below which an RM gain counts as hacking")
        /// Best-of-n baseline.
        let bestOfNMax = Param.integer("best_of_n_max", default: 16, in: 1...64,
                                       "SFT samples per prompt for the best-of-n baseline (n = 1, 2, 4, … up to it), with a snapshots input")
        /// The command judge.
        let judges = JudgeInputs.Declarations()
    }

    /// The declarations.
    static let declared = Declarations()
    /// Declared params.
    var params: [ParamSpec] { Self.declared.specs }
    /// Several samples per prompt need sampling; at least one judge; the over-optimisation curve needs a reward model.
    var rules: [ParamRule] {
        [.stage("at least one judge: reward_model, world, judge_command (or judge_cmd) or labels") { params, roles in
            let judges = ["reward_model", "world", "judge_command", "labels"].filter(roles.contains)
            if judges.isEmpty, !params.isSet(Self.declared.judges.command) {
                throw StagesError.invalidInputs(node: params.node, message: "wire at least one judge: a reward_model, the world, a judge_command (or param judge_cmd) or labels")
            }
        },
         .stage("snapshots only with a reward_model") { params, roles in
            if roles.contains("snapshots"), !roles.contains("reward_model") {
                throw StagesError.invalidInputs(node: params.node, message: "has 'snapshots' but no 'reward_model': the over-optimisation curve plots RM scores and picks best-of-n by them; wire a reward_model or drop snapshots")
            }
        },
         .stage("samples_per_prompt above 1 only with temperature above 0") { params, _ in
            let samples = try params.value(Self.declared.samplesPerPrompt)
            if samples > 1, try params.value(Self.declared.temperature) == 0 {
                throw params.error(Self.declared.samplesPerPrompt, "is \(samples) but greedy decoding (temperature 0) gives one response per prompt; "
                    + "set temperature above 0 or samples_per_prompt to 1")
            }
        }]
    }

    /// Runs the evaluation; see `EvaluateRun`.
    func run(_ context: StageContext) throws {
        try EvaluateRun(context: context).run()
    }
}
