import EngineCore

/// The `evaluate` node kind: base, SFT and policy on any eval prompts, judged by every wired judge.
///
/// Inputs `prompts` (eval prompts JSONL), `policy`, `sft`, `base` (causal LMs), `reward_model` (a judge),
/// and optional judges `world` (gold scores of world prompts), `judge_command` (or param `judge_cmd`), `labels`.
/// Outputs `report` (`final_eval.md`) and `summary` (`final_eval.json`).
struct EvaluateKind: StageKind {
    /// Kind name.
    let name = "evaluate"
    /// Version 4: judges as inputs (gold only with `world`), command and label judges, agreement between judges.
    let version = 4
    /// Sampling for the KL estimate and the bootstrap use the pipeline seed.
    var usesRandomness: Bool { true }
    /// Input roles.
    var inputs: [InputSpec]? {
        [InputSpec("prompts"), InputSpec("policy"), InputSpec("sft"), InputSpec("base"), InputSpec("reward_model")] + JudgeInputs.inputs
    }
    /// Output names.
    var outputs: [String]? { ["report", "summary"] }
    /// Declared params.
    var params: [ParamSpec] {
        [
            ParamSpec("temperature", .number, summary: "decoding temperature of judged responses (0: greedy)"),
            ParamSpec("samples_per_prompt", .integer, summary: "responses sampled per prompt and model when temperature > 0"),
            ParamSpec("max_new_tokens", .integer, summary: "longest response"),
            ParamSpec("batch_size", .integer, summary: "sequences per generation batch"),
            ParamSpec("kl_samples", .integer, summary: "samples per prompt for the KL to SFT"),
            ParamSpec("bootstrap_resamples", .integer, summary: "bootstrap resamples for the win-rate CIs"),
            ParamSpec("table_size", .integer, summary: "rows in each sample table"),
            ParamSpec("hacking_gold_tolerance", .number, summary: "gold gain at or below which an RM gain counts as hacking"),
        ] + JudgeInputs.params
    }

    /// Runs the evaluation; see `EvaluateRun`.
    func run(_ context: StageContext) throws {
        try EvaluateRun(context: context).run()
    }
}
