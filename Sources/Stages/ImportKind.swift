import EngineCore
import Foundation
import GGUF
import Model

/// `import`: an existing checkpoint (e.g. SmolLM2) as the base model: an HF-layout directory or a GGUF file.
///
/// The `checkpoint` input is a `file` node naming the directory or the `.gguf` file. A directory is
/// validated (config fields, every tensor's name and shape, tokenizer files) and copied to `model`, its
/// weights rewritten as one `model.safetensors` in the `dtype` param (f32 by default). A GGUF file is
/// dequantised and written as an HF-layout directory (config.json, model.safetensors in `dtype`,
/// generation_config.json, and tokenizer.json and tokenizer_config.json built from its metadata) that
/// transformers loads. With an `adapter` input (a file node naming a PEFT LoRA adapter directory made for
/// this checkpoint), the adapter is merged into the weights, so the base is the adapted model. `info` says
/// where it came from.
struct ImportKind: StageKind {
    /// `import`.
    let name = "import"
    /// Version 4: GGUF tokenizer.json written by the BPE tokenizer (3: GGUF files; 2: weights rewritten as one
    /// model.safetensors in the dtype param; generation_config.json).
    let version = 4
    /// Imports a checkpoint as the base model.
    let summary = "use an existing Hugging Face checkpoint directory or GGUF file (e.g. SmolLM2) as the base model"
    /// `description`: optional words for `base.txt`.
    static let description = Param.text("description", default: "", "what this checkpoint is, for base.txt")
    /// The declared params.
    var params: [ParamSpec] { [Self.description.spec, CheckpointDTypeParam.param.spec] }
    /// `checkpoint`: a directory or a GGUF file.
    let inputs: [InputSpec]? = [InputSpec("checkpoint", format: "HF causal LM checkpoint directory or GGUF file (a file node)"),
                                InputSpec("adapter", required: false,
                                          format: "PEFT LoRA adapter directory for that checkpoint, merged into its weights (a file node)")]
    /// `model` and `info`.
    let outputs: [String]? = ["model", "info"]

    /// Validates and copies (or converts) the checkpoint.
    func run(_ context: StageContext) throws {
        let params = try checkedParams(context)
        let source = context.inputs["checkpoint"]!
        let dtype = try CheckpointDTypeParam.read(params)
        let description = try params.value(Self.description)
        if Checkpoint.isGGUF(source) {
            try importGGUF(source, dtype: dtype, description: description, context)
            return
        }
        let (model, _) = try ModelFiles.reading(source) { try Checkpoint.load(from: source) }
        guard !model.config.hasScalarHead else {
            throw StagesError.badInput(path: source.path, message: "is a LlamaForSequenceClassification checkpoint; a base model must be a causal LM")
        }
        let merged = try mergeAdapter(into: model, context)
        try FileManager.default.copyItem(at: source, to: context.outputs["model"]!)
        try Checkpoint.replaceWeights(model, in: context.outputs["model"]!, dtype: dtype)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: source.path).sorted()) ?? []
        let info = BaseInfo(origin: "imported from \(context.displayPath(source)) by node '\(context.node)' (kind import v\(version))"
                            + (description.isEmpty ? "" : ": \(description)"),
                            config: model.config, parameterCount: model.parameterCount,
                            details: ["files: \(files.joined(separator: ", "))"] + merged)
        try info.write(to: context.outputs["info"]!)
    }

    /// Merges the `adapter` input, when wired, into `model`'s weights; returns the line for `info` saying so.
    private func mergeAdapter(into model: LlamaModel, _ context: StageContext) throws -> [String] {
        guard let url = context.inputs["adapter"] else { return [] }
        guard ModelFiles.isAdapter(url) else {
            throw StagesError.badInput(path: url.path, message: "is not a PEFT adapter directory (it needs \(LoRAAdapter.configFileName) "
                + "and \(LoRAAdapter.weightsFileName), and no config.json)")
        }
        let adapter = try ModelFiles.reading(url) { try LoRAAdapter.load(from: url, model: model.config) }
        guard !(try ModelFiles.reading(url) { try LoRAAdapter.savesScalarHead(url) }) else {
            throw StagesError.badInput(path: url.path, message: "is a sequence-classification adapter (it saves a score head); "
                + "import takes a causal-LM adapter")
        }
        try ModelFiles.reading(url) { try model.attach(adapter, freezingBase: false) }
        model.mergeAdapter()
        let lora = adapter.config
        return ["adapter: \(context.displayPath(url)) merged (r \(lora.rank), alpha \(lora.alpha), "
                + "\(lora.targets.map(\.rawValue).joined(separator: ", ")))"]
    }

    /// Converts the GGUF file at `source` into the HF-layout `model` output.
    private func importGGUF(_ source: URL, dtype: CheckpointDType, description: String, _ context: StageContext) throws {
        let model: LlamaModel
        let file: GGUFFile
        do {
            file = try GGUFCheckpoint.open(source)
            model = try GGUFCheckpoint.exportHF(file, to: context.outputs["model"]!, dtype: dtype)
        } catch let error as ModelError {
            throw StagesError.badInput(path: source.path, message: "not a usable GGUF checkpoint: \(error.description)")
        }
        let merged = try mergeAdapter(into: model, context)
        if !merged.isEmpty { try Checkpoint.replaceWeights(model, in: context.outputs["model"]!, dtype: dtype) }
        let types = Dictionary(grouping: file.tensors, by: \.type).map { "\($0.value.count) \($0.key.name)" }.sorted()
        let pre = (try? file.string("tokenizer.ggml.pre")) ?? nil
        let info = BaseInfo(origin: "converted from GGUF \(context.displayPath(source)) by node '\(context.node)' "
                            + "(kind import v\(version))" + (description.isEmpty ? "" : ": \(description)"),
                            config: model.config, parameterCount: model.parameterCount,
                            details: ["gguf: version \(file.version), tensors \(types.joined(separator: ", ")), "
                                        + "dequantised and written as \(dtype)",
                                      "tokenizer: byte-level BPE from tokenizer.ggml.* (pre-tokenizer \(pre ?? "default"))"] + merged)
        try info.write(to: context.outputs["info"]!)
    }
}
