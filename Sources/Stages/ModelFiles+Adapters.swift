import EngineCore
import Foundation
import Model
import Training

/// A model input as a stage uses it: the model with every adapter of the input merged into its weights.
struct LoadedModel {
    /// A sampler of this model prompting in its own chat template (or `ChatFormat` without one).
    func sampler(batchSize: Int) -> PolicySampler {
        PolicySampler(model: model, renderer: renderer, batchSize: batchSize)
    }

    /// Renders conversations in the base checkpoint's own chat template, or `ChatFormat` without one.
    var renderer: ChatRenderer { ChatRenderer(tokenizer: tokenizer, template: chatTemplate) }

    /// The model (base weights plus the merged adapters; the scalar head of a reward-model adapter).
    let model: LlamaModel
    /// The tokenizer of the base checkpoint.
    let tokenizer: any Tokenizer
    /// The base checkpoint's own chat template, when it has one (nil for the world's byte-tokenizer models).
    let chatTemplate: ModelChatTemplate?
    /// The full checkpoint directory the weights came from.
    let base: URL
    /// The input's adapter directory (its chain under `parent/`), nil when the input is a full checkpoint.
    let adapter: URL?
    /// Content hash of `base` when the input is an adapter (computed to check it; reused when saving).
    let baseHash: ContentHash?
}

/// Where a stage-written adapter came from: `adapter_base.json` beside `adapter_config.json`.
struct AdapterProvenance: Codable, Equatable {
    /// File name inside the adapter directory.
    static let fileName = "adapter_base.json"
    /// Subdirectory holding the adapter merged into the base before this one (itself possibly with a parent).
    static let parentDirectory = "parent"
    /// Content hash (XXH3-128 Merkle, as node keys use) of the full base checkpoint directory.
    var baseHash: String
    /// The base directory as the training node saw it (workspace-relative), for people.
    var basePath: String
    /// Node and kind that wrote the adapter.
    var madeBy: String

    /// JSON keys (snake_case).
    enum CodingKeys: String, CodingKey {
        case baseHash = "base_hash", basePath = "base_path", madeBy = "made_by"
    }
}

extension ModelFiles {
    /// The role naming the full checkpoint under an adapter given as input `role`.
    static func baseRole(_ role: String) -> String { role + "_base" }

    /// The input declarations of model role `role`: the model (checkpoint or adapter directory) and its optional
    /// `role_base` (the full checkpoint under an adapter).
    static func inputs(_ role: String, format: String = "causal LM checkpoint directory", required: Bool = true) -> [InputSpec] {
        [InputSpec(role, required: required, format: format + ", or a PEFT LoRA adapter directory with its base in '\(baseRole(role))'"),
         InputSpec(baseRole(role), required: false, format: "the full checkpoint directory under a LoRA adapter given as '\(role)'")]
    }

    /// Whether `url` is a PEFT adapter directory (adapter_config.json, no config.json).
    static func isAdapter(_ url: URL) -> Bool {
        let manager = FileManager.default
        return manager.fileExists(atPath: url.appendingPathComponent(LoRAAdapter.configFileName).path)
            && !manager.fileExists(atPath: url.appendingPathComponent(Checkpoint.configFileName).path)
    }

    /// Loads input `role`: a full checkpoint as it is, or an adapter directory merged (with its `parent/` chain,
    /// innermost first) into the checkpoint of `role_base`, whose content hash must be the one the adapter recorded.
    ///
    /// With `scalarHead`, a causal-LM input comes as a scalar-head model whose `score.weight` is zero (a reward
    /// model's start); an adapter that saves a score head loads it either way.
    static func loadInput(_ context: StageContext, role: String, scalarHead: Bool = false) throws -> LoadedModel {
        let url = try directory(context, role: role)
        let baseRole = baseRole(role)
        guard isAdapter(url) else {
            if context.inputs[baseRole] != nil {
                throw StagesError.invalidInputs(node: context.node, message: "input '\(role)' is a full checkpoint, so '\(baseRole)' "
                    + "(the base under a LoRA adapter) does not apply; remove it")
            }
            return try reading(url) {
                let model = try Checkpoint.loadModel(from: url, scalarHead: scalarHead)
                let tokenizer = try loadTokenizer(of: url, vocabSize: model.config.vocabSize)
                return LoadedModel(model: model, tokenizer: tokenizer, chatTemplate: try ownTemplate(of: url, tokenizer: tokenizer),
                                   base: url, adapter: nil, baseHash: nil)
            }
        }
        guard let base = context.inputs[baseRole] else {
            throw StagesError.invalidInputs(node: context.node, message: "input '\(role)' is a LoRA adapter directory; wire the full "
                + "checkpoint it was trained on as input '\(baseRole)' (e.g. the import node's model)")
        }
        let hash = try checkBase(base, of: url, context: context, role: role)
        var chain = [url]
        var parent = url.appendingPathComponent(AdapterProvenance.parentDirectory)
        while isAdapter(parent) {
            chain.insert(parent, at: 0)
            parent = parent.appendingPathComponent(AdapterProvenance.parentDirectory)
        }
        let head = try reading(url) { try LoRAAdapter.savesScalarHead(url) }
        let model = try reading(base) { try Checkpoint.loadModel(from: base, scalarHead: head || scalarHead) }
        for directory in chain {
            try reading(directory) {
                try model.attach(try LoRAAdapter.load(from: directory, model: model.config), freezingBase: false)
                model.mergeAdapter()
            }
        }
        if head { try reading(url) { try LoRAAdapter.loadHead(from: url, into: model) } }
        return try reading(base) {
            let tokenizer = try loadTokenizer(of: base, vocabSize: model.config.vocabSize)
            return LoadedModel(model: model, tokenizer: tokenizer, chatTemplate: try ownTemplate(of: base, tokenizer: tokenizer),
                               base: base, adapter: url, baseHash: hash)
        }
    }

    /// The checkpoint's own chat template as `ChatRenderer.load` picks it: nil for tokenizers with role tokens (the
    /// world's byte-tokenizer models), which chat in `ChatFormat`.
    private static func ownTemplate(of directory: URL, tokenizer: any Tokenizer) throws -> ModelChatTemplate? {
        try reading(directory) { try ChatRenderer.load(from: directory, tokenizer: tokenizer).template }
    }

    /// The tokenizer files of `directory`, checked against the model's vocabulary.
    private static func loadTokenizer(of directory: URL, vocabSize: Int) throws -> any Tokenizer {
        let tokenizer = try TokenizerFiles.load(from: directory)
        if tokenizer.vocabSize > vocabSize {
            throw ModelError.badCheckpoint(path: directory.path, reason: "tokenizer has \(tokenizer.vocabSize) tokens "
                + "but config.json vocab_size is \(vocabSize)")
        }
        return tokenizer
    }

    /// Hashes `base` and, when the adapter at `adapter` records the base it was trained on, checks they agree.
    private static func checkBase(_ base: URL, of adapter: URL, context: StageContext, role: String) throws -> ContentHash {
        guard let hash = try FileHasher().hash(path: base.path) else {
            throw StagesError.badInput(path: base.path, message: "missing; input '\(baseRole(role))' must be a checkpoint directory")
        }
        let url = adapter.appendingPathComponent(AdapterProvenance.fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return hash }
        let provenance = try JSONFiles.read(AdapterProvenance.self, from: url)
        guard provenance.baseHash == hash.hex else {
            throw StagesError.badInput(path: adapter.path, message: "was trained on the base \(provenance.basePath) with content hash "
                + "\(provenance.baseHash), but input '\(baseRole(role))' (\(context.displayPath(base))) "
                + "has \(hash.hex); wire the checkpoint it was trained on, or rebuild the adapter on this one")
        }
        return hash
    }

    /// Saves `adapter` (trained on top of `input`) into output `name` in PEFT's layout, with `head`'s score head
    /// for a reward model, the base's tokenizer files, `adapter_base.json` and, when `input` was itself an
    /// adapter, a copy of that adapter directory as `parent/`. The base weights are not copied.
    static func saveAdapter(_ adapter: LoRAAdapter, on input: LoadedModel, head: LlamaModel? = nil, kind: any StageKind,
                            _ context: StageContext, output name: String) throws {
        let out = context.outputs[name]!
        let basePath = context.displayPath(input.base)
        let hash: ContentHash
        if let known = input.baseHash {
            hash = known
        } else {
            guard let computed = try FileHasher().hash(path: input.base.path) else {
                throw StagesError.badInput(path: input.base.path, message: "vanished while the node ran")
            }
            hash = computed
        }
        try reading(out) {
            try adapter.save(to: out, baseModel: basePath, head: head)
            try input.tokenizer.save(to: out)
        }
        try copyChatTemplateFiles(from: input.base, to: out)
        let provenance = AdapterProvenance(baseHash: hash.hex, basePath: basePath,
                                           madeBy: "node '\(context.node)' (kind \(kind.name) v\(kind.version))")
        try JSONFiles.write(provenance, to: out.appendingPathComponent(AdapterProvenance.fileName))
        if let parent = input.adapter {
            try FileManager.default.copyItem(at: parent, to: out.appendingPathComponent(AdapterProvenance.parentDirectory))
        }
    }

    /// Copies the base's separate chat-template files (the tokenizer writes tokenizer_config.json, with any
    /// `chat_template` in it, itself), so a directory written from a model renders chats as its base does.
    static func copyChatTemplateFiles(from base: URL, to out: URL) throws {
        for name in ["chat_template.jinja", "chat_template.json"] {
            let source = base.appendingPathComponent(name), target = out.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: source.path), !FileManager.default.fileExists(atPath: target.path) else { continue }
            do {
                try FileManager.default.copyItem(at: source, to: target)
            } catch {
                throw StagesError.badInput(path: source.path, message: "cannot copy to \(target.path): \(error.localizedDescription)")
            }
        }
    }
}
