import Foundation
import SafeTensors

/// Hugging Face layout checkpoints: `config.json`, `model.safetensors` (HF tensor names), tokenizer files.
public enum Checkpoint {
    /// Config file name.
    public static let configFileName = "config.json"
    /// Weights file name.
    public static let weightsFileName = "model.safetensors"

    /// Writes `model` and `tokenizer` into `directory` (created if needed): the weights as `dtype`,
    /// config.json, generation_config.json and the tokenizer files; equal inputs give equal bytes.
    public static func save(_ model: LlamaModel, tokenizer: any Tokenizer, to directory: URL,
                            dtype: CheckpointDType = .f32) throws {
        try saveWeights(model, to: directory, dtype: dtype)
        try tokenizer.save(to: directory)
    }

    /// Writes `model.safetensors` as `dtype`, config.json (whose `torch_dtype` says `dtype`) and
    /// generation_config.json into `directory`, leaving any tokenizer files there alone.
    public static func saveWeights(_ model: LlamaModel, to directory: URL, dtype: CheckpointDType = .f32) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw ModelError.badFile(path: directory.path, reason: "cannot create directory: \(error.localizedDescription)")
        }
        var writer = SafeTensorsWriter()
        for s in model.layout.slices {
            try writer.add(name: s.name, shape: s.shape,
                           floats: UnsafeBufferPointer(start: model.parameters.pointer + s.offset, count: s.count),
                           dtype: dtype.safeTensorsDType)
        }
        try writer.write(to: directory.appendingPathComponent(weightsFileName))
        var config = model.config
        config.torchDtype = dtype.torchName
        try saveConfig(config, to: directory)
        try (model.samplingDefaults ?? SamplingDefaults()).save(config: model.config, to: directory)
    }

    /// Writes `config.json` with sorted keys.
    public static func saveConfig(_ config: LlamaConfig, to directory: URL) throws {
        try writeJSON(config, to: directory.appendingPathComponent(configFileName))
    }

    /// Writes `value` as pretty JSON with sorted keys and a final newline, atomically.
    static func writeJSON<Value: Encodable>(_ value: Value, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            var data = try encoder.encode(value)
            data.append(UInt8(ascii: "\n"))
            try data.write(to: url, options: .atomic)
        } catch {
            throw ModelError.badFile(path: url.path, reason: "cannot write: \(error.localizedDescription)")
        }
    }

    /// Reads and validates `config.json` in `directory`; errors name the JSON field.
    public static func loadConfig(from directory: URL) throws -> LlamaConfig {
        let url = directory.appendingPathComponent(configFileName)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ModelError.badFile(path: url.path, reason: "missing; a checkpoint directory needs config.json")
        }
        let config: LlamaConfig
        do {
            config = try JSONDecoder().decode(LlamaConfig.self, from: data)
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw ModelError.badFile(path: url.path, reason: "missing field \(fieldPath(ctx.codingPath + [key]))")
        } catch let DecodingError.typeMismatch(_, ctx) {
            throw ModelError.badFile(path: url.path, reason: "field \(fieldPath(ctx.codingPath)) has the wrong type: \(ctx.debugDescription)")
        } catch let DecodingError.valueNotFound(_, ctx) {
            throw ModelError.badFile(path: url.path, reason: "field \(fieldPath(ctx.codingPath)) is null")
        } catch let error as ModelError {
            throw ModelError.badFile(path: url.path, reason: error.description)
        } catch {
            throw ModelError.badFile(path: url.path, reason: "not valid JSON: \(error.localizedDescription)")
        }
        do {
            try config.validate()
        } catch let error as ModelError {
            throw ModelError.badFile(path: url.path, reason: error.description)
        }
        return config
    }

    /// Loads the model weights of the checkpoint in `directory` (one `model.safetensors`, or shards listed
    /// by `model.safetensors.index.json`), checking every tensor against the config, and its sampling defaults.
    public static func loadModel(from directory: URL) throws -> LlamaModel {
        try loadModel(from: directory, scalarHead: false)
    }

    /// Loads the weights of `directory` as `loadModel(from:)` does; with `scalarHead`, a causal LM's trunk goes
    /// into a model with a scalar head instead (its LM head is skipped and `score.weight` is left zero, e.g. for
    /// a reward-model adapter's saved head to fill).
    public static func loadModel(from directory: URL, scalarHead: Bool) throws -> LlamaModel {
        var config = try loadConfig(from: directory)
        let converting = scalarHead && !config.hasScalarHead
        if converting { config = config.withScalarHead() }
        let samplingDefaults = try SamplingDefaults.load(from: directory)
        let model = try LlamaModel(config: config)
        model.samplingDefaults = samplingDefaults
        let weights = try WeightFiles(directory: directory)
        let skipped: Set<String> = converting ? ["lm_head.weight"] : []
        let expected = Set(model.layout.slices.map(\.name)).union(skipped)
        if let extra = weights.names.sorted().first(where: { !expected.contains($0) }) {
            throw ModelError.badCheckpoint(path: weights.path(of: extra), reason: "unexpected tensor '\(extra)' for a model "
                + "with architectures \(config.architectures) and tie_word_embeddings \(config.tieWordEmbeddings); "
                + "fix config.json or re-export the weights")
        }
        for s in model.layout.slices where !weights.names.contains(s.name) && !(converting && s.name == "score.weight") {
            throw ModelError.badCheckpoint(path: weights.listingPath, reason: "missing tensor '\(s.name)' (shape \(s.shape)) "
                + "required by config.json")
        }
        try weights.forEachFile { file in
            for s in model.layout.slices {
                guard let info = file.tensors[s.name] else { continue }
                if info.shape != s.shape {
                    throw ModelError.badCheckpoint(path: file.source, reason: "tensor '\(s.name)' has shape \(info.shape) "
                        + "but config.json (hidden_size \(config.hiddenSize), head_dim \(config.headDim), intermediate_size "
                        + "\(config.intermediateSize), heads \(config.numAttentionHeads)/\(config.numKeyValueHeads), "
                        + "vocab_size \(config.vocabSize)) needs \(s.shape)")
                }
                try file.copyFloats(s.name, expectedShape: s.shape,
                                    into: UnsafeMutableBufferPointer(start: model.parameters.pointer + s.offset, count: s.count))
            }
        }
        return model
    }

    /// Loads model and tokenizer from `directory`.
    public static func load(from directory: URL) throws -> (model: LlamaModel, tokenizer: any Tokenizer) {
        let model = try loadModel(from: directory)
        let tokenizer = try TokenizerFiles.load(from: directory)
        if tokenizer.vocabSize > model.config.vocabSize {
            throw ModelError.badCheckpoint(path: directory.path, reason: "tokenizer has \(tokenizer.vocabSize) tokens "
                + "but config.json vocab_size is \(model.config.vocabSize)")
        }
        return (model, tokenizer)
    }

    private static func fieldPath(_ path: [CodingKey]) -> String {
        path.map(\.stringValue).joined(separator: ".")
    }
}
