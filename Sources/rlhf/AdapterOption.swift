import ArgumentParser
import Foundation
import Model

/// `--adapter DIR`: a PEFT LoRA adapter directory applied on top of the loaded base model.
struct AdapterOption: ParsableArguments {
    /// Adapter directory (adapter_config.json + adapter_model.safetensors), or nil for the base alone.
    @Option(help: "A PEFT LoRA adapter directory (adapter_config.json, adapter_model.safetensors) to apply to the base.")
    var adapter: String?

    /// Attaches the adapter (if given) to `model`; errors name the adapter file at fault.
    func apply(to model: LlamaModel) throws {
        guard let adapter else { return }
        try model.attach(try LoRAAdapter.load(from: URL(fileURLWithPath: adapter), model: model.config), freezingBase: false)
    }
}
