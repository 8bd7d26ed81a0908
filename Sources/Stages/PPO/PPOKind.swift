import EngineCore

/// The `ppo` node kind: PPO-RLHF of the SFT policy against a frozen reward model (see issue 5).
///
/// Inputs `sft` (causal LM checkpoint), `reward_model` (scalar-head checkpoint), `prompts` (any prompt JSONL),
/// optional `world` (the world judge: gold metrics of world prompts; without it none are reported).
/// Outputs `policy` (HF directory, critic in `critic/`) and `metrics` (`ppo_train_metrics.jsonl`).
struct PPOKind: StageKind {
    /// Kind name.
    let name = "ppo"
    /// Version 2: gold metrics only with a `world` judge; prompts in any TRL prompt format.
    let version = 2
    /// Samples rollouts from the pipeline seed.
    var usesRandomness: Bool { true }
    /// Input roles.
    var inputs: [InputSpec]? { [InputSpec("sft"), InputSpec("reward_model"), InputSpec("prompts"), InputSpec("world", required: false)] }
    /// Output names.
    var outputs: [String]? { ["policy", "metrics"] }
    /// Declared params (see `PPOConfig` for meanings and defaults).
    var params: [ParamSpec] {
        [
            ParamSpec("iterations", .integer, summary: "PPO iterations"),
            ParamSpec("prompts_per_iteration", .integer, summary: "distinct prompts per rollout"),
            ParamSpec("samples_per_prompt", .integer, summary: "completions per prompt (k)"),
            ParamSpec("minibatch_size", .integer, summary: "sequences per minibatch"),
            ParamSpec("ppo_epochs", .integer, summary: "passes over each rollout"),
            ParamSpec("learning_rate", .number, summary: "actor learning rate"),
            ParamSpec("critic_learning_rate", .number, summary: "critic learning rate"),
            ParamSpec("cliprange", .number, summary: "policy ratio clip"),
            ParamSpec("cliprange_value", .number, summary: "value clip"),
            ParamSpec("vf_coef", .number, summary: "value loss weight"),
            ParamSpec("entropy_coef", .number, summary: "entropy bonus weight"),
            ParamSpec("gamma", .number, summary: "discount"),
            ParamSpec("lambda", .number, summary: "GAE lambda"),
            ParamSpec("whiten_advantages", .bool, summary: "whiten GAE advantages"),
            ParamSpec("kl_estimator", .string, summary: "k1 or k3"),
            ParamSpec("kl_coef", .number, summary: "initial or fixed beta"),
            ParamSpec("kl_control", .string, summary: "fixed or adaptive"),
            ParamSpec("kl_target", .number, summary: "adaptive target KL per sequence"),
            ParamSpec("kl_horizon", .number, summary: "adaptive controller horizon in sequences"),
            ParamSpec("reward", .string, summary: "rm, win_fraction or group_baseline"),
            ParamSpec("group_normalise", .bool, summary: "group_baseline divides by the group std"),
            ParamSpec("temperature", .number, summary: "sampling temperature"),
            ParamSpec("max_new_tokens", .integer, summary: "longest response"),
            ParamSpec("missing_eos_penalty", .number, summary: "added to the score without EOS"),
            ParamSpec("critic_head", .string, summary: "zero or copy the RM head into the critic"),
            ParamSpec("checkpoint_every", .integer, summary: "resumable snapshot interval"),
            ParamSpec("scoring_chunk", .integer, summary: "sequences per scoring forward"),
            ParamSpec("measure_cache_speedup", .bool, summary: "also time the first rollout without the KV cache"),
        ]
    }

    /// Runs PPO; see `PPORun`.
    func run(_ context: StageContext) throws {
        try PPORun(context: context).run()
    }
}
