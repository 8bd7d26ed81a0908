import EngineCore

/// The `ppo` node kind: PPO-RLHF of the SFT policy against a frozen reward model (see issue 5).
///
/// Inputs `sft` (causal LM checkpoint), `reward_model` (scalar-head checkpoint), `prompts` (any prompt JSONL),
/// optional `world` (the world judge: gold metrics of world prompts; without it none are reported), optional
/// `heldout_prompts` (prompts never trained on, sampled before the first iteration, every `heldout_every` and after the
/// last; `"type": "heldout"` lines in the metrics for `gate.ppo_guard`; without it the outputs are as before).
/// Outputs `policy` (HF directory, critic in `critic/`), `metrics` (`ppo_train_metrics.jsonl`) and `snapshots` (a directory
/// of policy checkpoints `iter-<k>/` every `snapshot_every` iterations; empty when 0).
struct PPOKind: StageKind {
    /// Kind name.
    let name = "ppo"
    /// Version 8: `old_log_probs` param (rollout: an fp32 rollout's old log-probs are the sampler's own, no scoring
    /// forward for them; the same math, rounded differently), `scoring_precision` param (7: the LM head runs chunked in scoring and the update (no
    /// (B,T,V) logits; the same math, rounded differently), metrics split each iteration's time into rollout, scoring
    /// and update, `lora`, `critic` and `rollout_precision` params; 6: conversational prompts through the SFT model's
    /// chat template for tokenizers without role tokens; 5: each metrics line also has the diagnostics, the reward
    /// split and TRL's metric names (`PPOMetricsLine`); 4: metrics per task family and scenario (`slices`) for
    /// `gate.ppo_guard`, policy `snapshots`; 3: gold metrics only with a `world` judge; prompts in any TRL prompt
    /// format; 2: generation changes in Model).
    let version = 8
    /// PPO-RLHF.
    let summary = "PPO-RLHF of the SFT policy against a frozen reward model (critic initialised from the reward model); gold metrics only with a world judge"
    /// Samples rollouts from the pipeline seed.
    var usesRandomness: Bool { true }
    /// Input roles.
    var inputs: [InputSpec]? {
        ModelFiles.inputs("sft", format: "causal LM checkpoint directory (actor and reference)")
            + ModelFiles.inputs("reward_model", format: "reward model checkpoint directory (scalar head)") + [InputSpec("prompts", format: "prompts JSONL"),
         InputSpec("world", required: false, format: "the world judge: a synth.world output (gold metrics of world prompts)"),
         InputSpec(Self.heldoutRole, required: false,
                   format: "prompts JSONL never trained on (e.g. synth.ppo_heldout_prompts): the policy is sampled on them for held-out lines in the metrics")]
    }
    /// The optional held-out prompt input.
    static let heldoutRole = "heldout_prompts"
    /// Output names.
    var outputs: [String]? { ["policy", "metrics", "snapshots"] }
    /// Declared params (`PPOParams`).
    var params: [ParamSpec] { PPOParams.declared.specs }
    /// Cross-field rules.
    var rules: [ParamRule] { PPOParams.rules }

    /// Runs PPO; see `PPORun`.
    func run(_ context: StageContext) throws {
        try PPORun(context: context).run()
    }
}
