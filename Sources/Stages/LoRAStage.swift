import EngineCore
import Foundation
import Model

/// LoRA training inside a stage: a fresh adapter on the frozen base, and the output it becomes.
enum LoRAStage {
    /// Attaches a fresh adapter of `setting` to `model` and freezes every base tensor, so the optimiser made
    /// afterwards holds moments for A and B only and backward computes no base-weight gradient; the frozen
    /// base's products then run in the setting's `base_precision`.
    static func attach(_ setting: LoRASpec.Setting, to model: LlamaModel, seed: UInt64) throws -> LoRAAdapter {
        let adapter = try LoRAAdapter(config: setting.config, model: model.config, seed: seed)
        try model.attach(adapter, freezingBase: true)
        try model.setBasePrecision(setting.basePrecision)
        return adapter
    }

    /// Writes output `name`: the PEFT adapter directory (with `model`'s score head when `head`), or full weights
    /// when the node trains without LoRA or with `merge` (the adapter is then folded into `model`).
    static func save(_ model: LlamaModel, adapter: LoRAAdapter?, lora: LoRASpec.Setting?, input: LoadedModel, head: Bool = false,
                     kind: any StageKind, _ context: StageContext, output name: String) throws {
        if let adapter, let lora, !lora.merge {
            try ModelFiles.saveAdapter(adapter, on: input, head: head ? model : nil, kind: kind, context, output: name)
            return
        }
        if adapter != nil { model.mergeAdapter() }
        try ModelFiles.save(model, tokenizer: input.tokenizer, context, output: name)
        try ModelFiles.copyChatTemplateFiles(from: input.base, to: context.outputs[name]!)
    }
}
