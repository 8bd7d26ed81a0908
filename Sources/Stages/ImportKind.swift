import EngineCore
import Foundation
import Model

/// `import`: an existing HF-layout checkpoint directory (e.g. SmolLM2) as the base model.
///
/// The `checkpoint` input is a `file` node naming the directory. It is validated (config fields,
/// every tensor's name and shape, tokenizer files) and copied to `model`, its weights rewritten as one
/// `model.safetensors` in the `dtype` param (f32 by default); `info` says where it came from.
struct ImportKind: StageKind {
    /// `import`.
    let name = "import"
    /// Version 2: weights rewritten as one model.safetensors in the dtype param; generation_config.json.
    let version = 2
    /// Imports a checkpoint as the base model.
    let summary = "use an existing Hugging Face checkpoint directory (e.g. SmolLM2) as the base model"
    /// `description`: optional words for `base.txt`.
    static let description = Param.text("description", default: "", "what this checkpoint is, for base.txt")
    /// The declared params.
    var params: [ParamSpec] { [Self.description.spec, CheckpointDTypeParam.param.spec] }
    /// `checkpoint`: a directory.
    let inputs: [InputSpec]? = [InputSpec("checkpoint", format: "HF causal LM checkpoint directory (a file node)")]
    /// `model` and `info`.
    let outputs: [String]? = ["model", "info"]

    /// Validates and copies the checkpoint.
    func run(_ context: StageContext) throws {
        let params = try checkedParams(context)
        let source = context.inputs["checkpoint"]!
        let (model, _) = try ModelFiles.load(context, role: "checkpoint")
        guard !model.config.hasScalarHead else {
            throw StagesError.badInput(path: source.path, message: "is a LlamaForSequenceClassification checkpoint; a base model must be a causal LM")
        }
        try FileManager.default.copyItem(at: source, to: context.outputs["model"]!)
        try Checkpoint.replaceWeights(model, in: context.outputs["model"]!, dtype: try CheckpointDTypeParam.read(params))
        let description = try params.value(Self.description)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: source.path).sorted()) ?? []
        let info = BaseInfo(origin: "imported from \(context.workspace.relativePath(of: source)) by node '\(context.node)' (kind import v\(version))"
                            + (description.isEmpty ? "" : ": \(description)"),
                            config: model.config, parameterCount: model.parameterCount,
                            details: ["files: \(files.joined(separator: ", "))"])
        try info.write(to: context.outputs["info"]!)
    }
}

private extension URL {
    /// `url`'s path relative to this directory when inside it, else its absolute path.
    func relativePath(of url: URL) -> String {
        let root = standardizedFileURL.path + "/"
        let path = url.standardizedFileURL.path
        return path.hasPrefix(root) ? String(path.dropFirst(root.count)) : path
    }
}
