import Foundation
import SafeTensors

/// `adapter_config.json` as PEFT writes it for a LoRA adapter (the fields we read and write).
struct PEFTAdapterConfig: Codable {
    var peftType: String
    var taskType: String?
    var r: Int
    var loraAlpha: Float
    var loraDropout: Float?
    var targetModules: [String]
    var baseModelNameOrPath: String?
    var bias: String?
    var fanInFanOut: Bool?
    var useRslora: Bool?
    var useDora: Bool?
    var inferenceMode: Bool?
    var initLoraWeights: Bool?
    var modulesToSave: [String]?
    var layersToTransform: [Int]?
    var rankPattern: [String: Int]?
    var alphaPattern: [String: Float]?

    enum CodingKeys: String, CodingKey {
        case peftType = "peft_type", taskType = "task_type", r, loraAlpha = "lora_alpha", loraDropout = "lora_dropout"
        case targetModules = "target_modules", baseModelNameOrPath = "base_model_name_or_path", bias
        case fanInFanOut = "fan_in_fan_out", useRslora = "use_rslora", useDora = "use_dora"
        case inferenceMode = "inference_mode", initLoraWeights = "init_lora_weights", modulesToSave = "modules_to_save"
        case layersToTransform = "layers_to_transform", rankPattern = "rank_pattern", alphaPattern = "alpha_pattern"
    }

    /// Writes every key, with `null` for absent optionals, as PEFT does.
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(peftType, forKey: .peftType)
        try c.encode(taskType, forKey: .taskType)
        try c.encode(r, forKey: .r)
        try c.encode(loraAlpha, forKey: .loraAlpha)
        try c.encode(loraDropout, forKey: .loraDropout)
        try c.encode(targetModules, forKey: .targetModules)
        try c.encode(baseModelNameOrPath, forKey: .baseModelNameOrPath)
        try c.encode(bias, forKey: .bias)
        try c.encode(fanInFanOut, forKey: .fanInFanOut)
        try c.encode(useRslora, forKey: .useRslora)
        try c.encode(useDora, forKey: .useDora)
        try c.encode(inferenceMode, forKey: .inferenceMode)
        try c.encode(initLoraWeights, forKey: .initLoraWeights)
        try c.encode(modulesToSave, forKey: .modulesToSave)
        try c.encode(layersToTransform, forKey: .layersToTransform)
        try c.encode(rankPattern ?? [:], forKey: .rankPattern)
        try c.encode(alphaPattern ?? [:], forKey: .alphaPattern)
    }
}

extension LoRAAdapter {
    /// Config file name of a PEFT adapter directory.
    public static let configFileName = "adapter_config.json"
    /// Weights file name of a PEFT adapter directory.
    public static let weightsFileName = "adapter_model.safetensors"

    /// The modules PEFT saves whole beside a sequence-classification adapter (its `modules_to_save`).
    static let classifierModules = ["classifier", "score"]
    /// PEFT's name of the saved scalar head of a SEQ_CLS adapter.
    public static let scoreTensorName = LoRALayout.namePrefix + "score.weight"

    /// Writes `adapter_config.json` and `adapter_model.safetensors` (PEFT tensor names, float32) into
    /// `directory`; `baseModel` goes into `base_model_name_or_path`. Python `peft` loads the result with
    /// `PeftModel.from_pretrained(base, directory)`. With `head`, a scalar-head model this adapter is attached
    /// to, the adapter is saved as PEFT saves a SEQ_CLS task: `modules_to_save` ["classifier", "score"] and the
    /// head as `base_model.model.score.weight`.
    public func save(to directory: URL, baseModel: String, head: LlamaModel? = nil) throws {
        let score = try head.map { model -> [Float] in
            guard model.config.hasScalarHead else {
                throw ModelError.invalidState("an adapter's saved head must be a scalar head (score.weight); the model is a causal LM")
            }
            return try model.parameter(named: "score.weight")
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw ModelError.badFile(path: directory.path, reason: "cannot create directory: \(error.localizedDescription)")
        }
        let file = PEFTAdapterConfig(
            peftType: "LORA", taskType: modelConfig.hasScalarHead ? "SEQ_CLS" : "CAUSAL_LM", r: config.rank,
            loraAlpha: config.alpha, loraDropout: config.dropout, targetModules: config.targets.map(\.rawValue),
            baseModelNameOrPath: baseModel, bias: "none", fanInFanOut: false, useRslora: config.useRSLoRA, useDora: false,
            inferenceMode: true, initLoraWeights: true, modulesToSave: score == nil ? nil : Self.classifierModules,
            layersToTransform: nil, rankPattern: [:],
            alphaPattern: [:])
        try Checkpoint.writeJSON(file, to: directory.appendingPathComponent(Self.configFileName))
        var writer = SafeTensorsWriter()
        for s in layout.slices {
            try writer.add(name: s.name, shape: s.shape,
                           floats: UnsafeBufferPointer(start: parameters.pointer + s.offset, count: s.count), dtype: .F32)
        }
        if let score {
            try score.withUnsafeBufferPointer {
                try writer.add(name: Self.scoreTensorName, shape: [1, modelConfig.hiddenSize], floats: $0, dtype: .F32)
            }
        }
        try writer.write(to: directory.appendingPathComponent(Self.weightsFileName))
    }

    /// Whether the adapter directory saves a scalar head (`modules_to_save` with "score", task SEQ_CLS).
    public static func savesScalarHead(_ directory: URL) throws -> Bool {
        try loadConfig(from: directory).head
    }

    /// Copies the scalar head saved beside the adapter in `directory` into `model`'s `score.weight`.
    public static func loadHead(from directory: URL, into model: LlamaModel) throws {
        let url = directory.appendingPathComponent(weightsFileName)
        let file = try SafeTensorsFile(contentsOf: url)
        guard let slice = model.layout.slice(named: "score.weight") else {
            throw ModelError.invalidState("\(url.path) saves a score head but the model it goes into is a causal LM")
        }
        guard file.tensors[scoreTensorName] != nil else {
            throw ModelError.badCheckpoint(path: url.path, reason: "missing tensor '\(scoreTensorName)' (shape \(slice.shape)) "
                + "that modules_to_save in \(configFileName) promises")
        }
        try file.copyFloats(scoreTensorName, expectedShape: slice.shape,
                            into: UnsafeMutableBufferPointer(start: model.parameters.pointer + slice.offset, count: slice.count))
    }

    /// Reads a PEFT LoRA adapter directory made for a model with `model`'s sizes; errors name the file and
    /// the JSON field or tensor, and say what is supported.
    public static func load(from directory: URL, model: LlamaConfig) throws -> LoRAAdapter {
        let (lora, head) = try loadConfig(from: directory)
        let adapter = try LoRAAdapter(config: lora, model: model)
        let url = directory.appendingPathComponent(weightsFileName)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ModelError.badFile(path: url.path, reason: "missing; a PEFT adapter directory needs \(weightsFileName)")
        }
        let file = try SafeTensorsFile(contentsOf: url)
        let expected = Set(adapter.layout.slices.map(\.name)).union(head ? [scoreTensorName] : [])
        if let extra = file.names.sorted().first(where: { !expected.contains($0) }) {
            throw ModelError.badCheckpoint(path: url.path, reason: "unexpected tensor '\(extra)' for r \(lora.rank) on "
                + "\(lora.targets.map(\.rawValue).joined(separator: ", ")) over \(model.numHiddenLayers) layers; "
                + "only LoRA A/B tensors of the target modules (and a SEQ_CLS adapter's \(scoreTensorName)) are supported")
        }
        for s in adapter.layout.slices {
            guard let info = file.tensors[s.name] else {
                throw ModelError.badCheckpoint(path: url.path, reason: "missing tensor '\(s.name)' (shape \(s.shape)) "
                    + "required by \(configFileName)")
            }
            guard info.shape == s.shape else {
                throw ModelError.badCheckpoint(path: url.path, reason: "tensor '\(s.name)' has shape \(info.shape) but r "
                    + "\(lora.rank) on this base model needs \(s.shape); was the adapter trained on another base?")
            }
            try file.copyFloats(s.name, expectedShape: s.shape,
                                into: UnsafeMutableBufferPointer(start: adapter.parameters.pointer + s.offset, count: s.count))
        }
        return adapter
    }

    /// Reads and checks `adapter_config.json` in `directory`; `head` says it saves a scalar head beside it.
    static func loadConfig(from directory: URL) throws -> (lora: LoRAConfig, head: Bool) {
        let url = directory.appendingPathComponent(configFileName)
        func fail(_ why: String) -> ModelError { .badFile(path: url.path, reason: why) }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw fail("missing; a PEFT adapter directory needs \(configFileName)")
        }
        let file: PEFTAdapterConfig
        do {
            file = try JSONDecoder().decode(PEFTAdapterConfig.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw fail("missing field \(key.stringValue)")
        } catch let DecodingError.typeMismatch(_, ctx) {
            throw fail("field \(ctx.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type "
                + "(target_modules must be a list of names such as [\"q_proj\", \"v_proj\"])")
        } catch {
            throw fail("not a valid adapter config: \(error.localizedDescription)")
        }
        guard file.peftType == "LORA" else { throw fail("peft_type is \(file.peftType); only LORA adapters are supported") }
        if file.useDora == true { throw fail("use_dora is true; DoRA adapters are not supported") }
        if file.fanInFanOut == true { throw fail("fan_in_fan_out is true; LLaMA projections need false") }
        if let bias = file.bias, bias != "none" { throw fail("bias is \"\(bias)\"; only \"none\" is supported") }
        if let layers = file.layersToTransform { throw fail("layers_to_transform is \(layers); only all layers are supported") }
        let saved = Set(file.modulesToSave ?? [])
        let head = saved.contains("score")
        if !saved.isSubset(of: classifierModules) || (head && file.taskType != "SEQ_CLS") || (saved.contains("classifier") && !head) {
            throw fail("modules_to_save \((file.modulesToSave ?? []).sorted()) is not supported; only a SEQ_CLS adapter's "
                + "[\"classifier\", \"score\"] (the scalar head) is")
        }
        if !(file.rankPattern ?? [:]).isEmpty || !(file.alphaPattern ?? [:]).isEmpty {
            throw fail("rank_pattern/alpha_pattern are not supported; use one r and lora_alpha for all modules")
        }
        var targets: [LoRATarget] = []
        for name in file.targetModules {
            guard let t = LoRATarget(rawValue: name) else {
                throw fail("target_modules has \"\(name)\"; supported: "
                    + LoRATarget.allCases.map(\.rawValue).joined(separator: ", "))
            }
            targets.append(t)
        }
        let lora = LoRAConfig(rank: file.r, alpha: file.loraAlpha, targets: targets, dropout: file.loraDropout ?? 0,
                              useRSLoRA: file.useRslora ?? false)
        do { try lora.validate() } catch let error as ModelError { throw fail(error.description) }
        return (lora, head)
    }
}
