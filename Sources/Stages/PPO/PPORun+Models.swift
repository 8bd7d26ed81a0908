import EngineCore
import Foundation
import Model
import SafeTensors
import Training

/// The models of a `ppo` node as loaded: the trainer, plus what writing the outputs needs.
struct PPOLoadedModels {
    /// The trainer over the models.
    let trainer: PPOTrainer
    /// The SFT input as loaded (its base and adapter chain, for saving a LoRA policy on top of it).
    let sft: LoadedModel
    /// The `lora` param of the policy (nil: the actor trains every weight).
    let lora: LoRASpec.Setting?
}

extension PPORun {
    /// Loads the models. With `lora`, the actor is the SFT weights with a fresh trainable adapter and the reference is
    /// that adapter switched off; without, the reference is a frozen copy. A LoRA reward model trained on the SFT
    /// weights becomes an adapter and a score head on the actor's base (no second base); any other reward model
    /// loads whole. The critic follows `critic`.
    func loadModels(_ config: PPOConfig) throws -> PPOLoadedModels {
        let params = try Params(context)
        let lora = try LoRASpec.read(params)
        let criticKind = try params.value(PPOParams.declared.critic)
        let sft = try ModelFiles.loadInput(context, role: "sft")
        let actor = sft.model
        let sftPath = try ModelFiles.directory(context, role: "sft").path
        guard !actor.config.hasScalarHead else {
            throw StagesError.badInput(path: sftPath, message: "is a scalar-head model; the `sft` input must be a LlamaForCausalLM checkpoint")
        }
        let reference: PPOReference
        if let lora {
            _ = try LoRAStage.attach(lora, to: actor, seed: context.seed &+ 0x9E37)
            reference = .adapterOff
        } else {
            let copy = try LlamaModel(copying: actor)
            copy.setTrainable(false) { _ in true }
            reference = .model(copy)
        }
        var wholeRewardModel: LlamaModel?
        let rewardModel: PPORewardModel
        if lora != nil, let shared = try sharedRewardAdapter(on: sft) {
            rewardModel = .adapter(shared.adapter, scoreHead: shared.head)
        } else {
            let rm = try loadWholeRewardModel(like: actor, sftPath: sftPath)
            wholeRewardModel = rm
            rewardModel = .model(rm)
        }
        let rmHead: [Float]
        switch rewardModel {
        case .model(let rm): rmHead = try rm.parameter(named: "score.weight")
        case .adapter(_, let head): rmHead = head
        }
        let critic: PPOCriticModel
        switch criticKind {
        case "head":
            critic = .frozenTrunk(valueHead: rmHead)
        case "adapter":
            guard let lora else { throw params.error(PPOParams.declared.critic, "\"adapter\" needs the policy's \"lora\" param (the critic's adapter takes its shape)") }
            critic = .adapter(try LoRAAdapter(config: lora.config, model: actor.config, seed: context.seed &+ 0xC817), valueHead: rmHead)
        default:
            let whole = try loadWholeRewardModel(like: actor, sftPath: sftPath)
            critic = .model(whole)
        }
        wholeRewardModel?.setTrainable(false) { _ in true }
        guard context.inputs["prompts"] != nil else {
            throw StagesError.invalidInputs(node: context.node, message: "missing input 'prompts' (a prompts JSONL file)")
        }
        let prompts = try JSONFiles.prompts(context, role: "prompts")
        // Prompts (system message and earlier turns included) are rendered as SFT trained: a real checkpoint's own chat
        // template, `ChatFormat` for byte models.
        let renderer = sft.renderer
        let encoded = try prompts.map { try renderer.prefix($0.chat) }
        let trainer = try PPOTrainer(config: config, models: PPOModels(actor: actor, reference: reference, rewardModel: rewardModel,
                                                                         critic: critic),
                                     tokenizer: sft.tokenizer, prompts: prompts, encodedPrompts: encoded, seed: context.seed)
        trainer.heldout = try loadHeldout(training: prompts, renderer: renderer, params: params)
        return PPOLoadedModels(trainer: trainer, sft: sft, lora: lora)
    }

    /// The `reward_model` input loaded whole (adapters merged into their base), checked to be a scalar-head model
    /// with the SFT model's vocabulary and special ids.
    private func loadWholeRewardModel(like actor: LlamaModel, sftPath: String) throws -> LlamaModel {
        let rm = try ModelFiles.loadInput(context, role: "reward_model").model
        let rmPath = try ModelFiles.directory(context, role: "reward_model").path
        guard rm.config.hasScalarHead else {
            throw StagesError.badInput(path: rmPath, message: "has no scalar head; the `reward_model` input must be a LlamaForSequenceClassification checkpoint")
        }
        guard rm.config.vocabSize == actor.config.vocabSize, rm.config.eosTokenId == actor.config.eosTokenId,
              rm.config.padTokenId == actor.config.padTokenId else {
            throw StagesError.badInput(path: rmPath, message: "vocabulary or special ids differ from the SFT model at \(sftPath); "
                + "train the reward model from the same tokenizer")
        }
        return rm
    }

    /// The reward model's own adapter and score head when it is a LoRA reward model whose weights below that adapter
    /// are exactly the SFT input's (same base checkpoint, same adapter chain by content); nil otherwise.
    private func sharedRewardAdapter(on sft: LoadedModel) throws -> (adapter: LoRAAdapter, head: [Float])? {
        let url = try ModelFiles.directory(context, role: "reward_model")
        guard ModelFiles.isAdapter(url), let base = context.inputs[ModelFiles.baseRole("reward_model")] else { return nil }
        let hasher = FileHasher()
        func hash(_ u: URL) throws -> String? { try hasher.hash(path: u.path)?.hex }
        guard try hash(base) == hash(sft.base) else { return nil }
        let parent = url.appendingPathComponent(AdapterProvenance.parentDirectory)
        if let sftAdapter = sft.adapter {
            guard ModelFiles.isAdapter(parent), try hash(parent) == hash(sftAdapter) else { return nil }
        } else if ModelFiles.isAdapter(parent) {
            return nil
        }
        return try ModelFiles.reading(url) {
            guard try LoRAAdapter.savesScalarHead(url) else { return nil }
            let config = sft.model.config
            let adapter = try LoRAAdapter.load(from: url, model: config)
            let weights = url.appendingPathComponent(LoRAAdapter.weightsFileName)
            var head = [Float](repeating: 0, count: config.hiddenSize)
            try head.withUnsafeMutableBufferPointer {
                try SafeTensorsFile(contentsOf: weights).copyFloats(LoRAAdapter.scoreTensorName, expectedShape: [1, config.hiddenSize], into: $0)
            }
            return (adapter, head)
        }
    }
}
