import ArgumentParser
import Foundation
import Model

/// `--adapter DIR`: a PEFT LoRA adapter directory applied on top of the loaded base model.
struct AdapterOption: ParsableArguments {
    /// Adapter directory (adapter_config.json + adapter_model.safetensors), or nil for the base alone.
    @Option(help: "A PEFT LoRA adapter directory (adapter_config.json, adapter_model.safetensors) to apply to the base; a SEQ_CLS adapter (modules_to_save score) makes the base a scalar-head model with its saved score head.")
    var adapter: String?

    /// Attaches the adapter (if given) to `model`; errors name the adapter file at fault.
    func apply(to model: LlamaModel) throws {
        guard let adapter else { return }
        let url = URL(fileURLWithPath: adapter)
        try model.attach(try LoRAAdapter.load(from: url, model: model.config), freezingBase: false)
        if model.config.hasScalarHead, try LoRAAdapter.savesScalarHead(url) { try LoRAAdapter.loadHead(from: url, into: model) }
    }

    /// The model of the checkpoint directory or GGUF file at `url` with the adapter attached; a SEQ_CLS adapter
    /// loads the base's trunk under a scalar head (HF directories only).
    func loadModel(at url: URL) throws -> LlamaModel {
        guard let adapter, try LoRAAdapter.savesScalarHead(URL(fileURLWithPath: adapter)) else {
            let model = try Checkpoint.loadAnyModel(at: url)
            try apply(to: model)
            return model
        }
        guard !Checkpoint.isGGUF(url) else {
            throw ValidationError("--adapter \(adapter) saves a score head (SEQ_CLS); give the base as an HF checkpoint directory")
        }
        let model = try Checkpoint.loadModel(from: url, scalarHead: true)
        try apply(to: model)
        return model
    }
}
