/// Where a PPO sequence's score comes from (param `reward`).
public enum RewardMode: String, CaseIterable, Sendable {
    /// The reward model's scalar score.
    case rm
    /// Self-play: the mean RM win probability σ(rᵢ − rⱼ) against the other completions of the same prompt.
    case winFraction = "win_fraction"
    /// Critic-free: advantage = return − mean return of the prompt's group (optionally ÷ std).
    case groupBaseline = "group_baseline"
}
