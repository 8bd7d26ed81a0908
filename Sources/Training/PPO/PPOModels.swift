import Model

/// Where PPO's KL reference log-probs come from.
public enum PPOReference {
    /// A separate frozen copy of the SFT model (full fine-tuning of the actor).
    case model(LlamaModel)
    /// The actor's own weights with its LoRA adapter switched off: the SFT model, with no second copy.
    case adapterOff
}

/// The frozen reward model PPO scores rollouts with.
public enum PPORewardModel {
    /// A whole scalar-head checkpoint (LlamaForSequenceClassification).
    case model(LlamaModel)
    /// A LoRA adapter and a score head (C values) on the actor's base: no second base in memory.
    case adapter(LoRAAdapter, scoreHead: [Float])
}

/// The value model of PPO with a critic.
public enum PPOCriticModel {
    /// A whole scalar-head model that trains in full (initialised from the reward model).
    case model(LlamaModel)
    /// A value head (C values) on the frozen reference trunk: only the head trains, and its features are the
    /// reference pass's final hidden states, so the critic costs no forward or backward of its own.
    case frozenTrunk(valueHead: [Float])
    /// The actor's base with the critic's own LoRA adapter and a value head; the adapter and the head train.
    case adapter(LoRAAdapter, valueHead: [Float])
}

/// The models of one PPO run. With a LoRA actor (an adapter attached, base frozen), the reference can be the
/// adapter switched off, and the reward model and the critic can be adapters on the same base.
public struct PPOModels {
    /// The policy being trained (a causal LM, possibly with a trainable LoRA adapter attached).
    public var actor: LlamaModel
    /// The KL reference.
    public var reference: PPOReference
    /// The frozen reward model.
    public var rewardModel: PPORewardModel
    /// The value model; ignored for `group_baseline`.
    public var critic: PPOCriticModel

    /// Collects the models.
    public init(actor: LlamaModel, reference: PPOReference, rewardModel: PPORewardModel, critic: PPOCriticModel) {
        self.actor = actor
        self.reference = reference
        self.rewardModel = rewardModel
        self.critic = critic
    }

    /// Throws `invalidState` when the pieces do not fit together: an adapter-off reference or an adapter
    /// reward model or critic needs a LoRA actor, and every head needs the actor's hidden size.
    func validate() throws {
        let usesBase: Bool
        switch (reference, rewardModel, critic) {
        case (.adapterOff, _, _), (_, .adapter, _), (_, _, .adapter): usesBase = true
        default: usesBase = false
        }
        if usesBase && actor.adapter == nil {
            throw ModelError.invalidState("the reference as the adapter switched off, and reward models or critics as adapters, "
                + "need a LoRA policy (an adapter attached to the actor)")
        }
        let C = actor.config.hiddenSize
        if case .adapter(_, let head) = rewardModel, head.count != C {
            throw ModelError.shapeMismatch(what: "reward model score head", expected: C, got: head.count)
        }
        switch critic {
        case .frozenTrunk(let head), .adapter(_, let head):
            guard head.count == C else { throw ModelError.shapeMismatch(what: "critic value head", expected: C, got: head.count) }
        case .model: break
        }
    }
}
