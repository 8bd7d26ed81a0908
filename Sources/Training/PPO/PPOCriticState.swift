import Model

/// The critic of a running PPO trainer with its optimiser state.
enum PPOCriticState {
    /// A whole scalar-head model and its AdamW.
    case model(LlamaModel, AdamW)
    /// A value head on the frozen reference trunk.
    case frozenTrunk(ValueHead)
    /// The critic's own adapter on the actor's base (with the AdamW of that adapter) and a value head.
    case adapter(LoRAAdapter, ValueHead, AdamW)

    /// Builds the running critic from its description; heads start at zero unless `copyHead`, in which case a
    /// whole-model critic keeps its (reward model's) head and a shared-trunk one the given head.
    init(_ spec: PPOCriticModel, actor: LlamaModel, copyHead: Bool) throws {
        switch spec {
        case .model(let critic):
            if !copyHead {
                let head = try critic.parameter(named: "score.weight")
                try critic.setParameter(named: "score.weight", to: [Float](repeating: 0, count: head.count))
            }
            self = .model(critic, AdamW(model: critic, options: AdamW.Options(weightDecay: 0)))
        case .frozenTrunk(let head):
            self = .frozenTrunk(ValueHead(weights: copyHead ? head : [Float](repeating: 0, count: head.count)))
        case .adapter(let lora, let head):
            lora.isTrainable = true
            let policy = actor.adapter
            try actor.attach(lora, freezingBase: false)
            let optimizer = AdamW(model: actor, options: AdamW.Options(weightDecay: 0))
            if let policy { try actor.attach(policy, freezingBase: false) } else { actor.detachAdapter() }
            self = .adapter(lora, ValueHead(weights: copyHead ? head : [Float](repeating: 0, count: head.count)), optimizer)
        }
    }

    /// The value head of a shared-trunk critic.
    var head: ValueHead? {
        switch self {
        case .model: return nil
        case .frozenTrunk(let head), .adapter(_, let head, _): return head
        }
    }
}
