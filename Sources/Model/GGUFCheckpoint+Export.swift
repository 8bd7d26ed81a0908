import Foundation
import GGUF

/// Converting a GGUF file into a Hugging Face-layout checkpoint directory that transformers loads.
extension GGUFCheckpoint {
    /// Writes `config.json`, `model.safetensors` (HF names and layout, weights as `dtype`),
    /// `generation_config.json`, `tokenizer.json` (the BPE tokenizer of the `tokenizer.ggml.*` metadata) and
    /// `tokenizer_config.json` (special tokens, BOS/EOS flags, chat template) for the GGUF `file` into
    /// `directory` (created if needed); returns the loaded model.
    public static func exportHF(_ file: GGUFFile, to directory: URL, dtype: CheckpointDType = .f32) throws -> LlamaModel {
        let model = try loadModel(file)
        let tokenizer = try BPETokenizer(gguf: file)
        let config = try tokenizerConfig(file, maxLength: model.config.maxPositionEmbeddings)
        try Checkpoint.saveWeights(model, to: directory, dtype: dtype)
        try tokenizer.save(to: directory)
        try TokenizerFiles.write([(TokenizerFiles.configFileName, config)], to: directory)
        return model
    }

    /// `tokenizer_config.json`: the special token texts, `add_bos_token`/`add_eos_token` and `tokenizer.chat_template`.
    static func tokenizerConfig(_ file: GGUFFile, maxLength: Int) throws -> Data {
        do {
            let tokens = try file.strings("tokenizer.ggml.tokens") ?? []
            var config: [String: Any] = [
                "add_bos_token": try file.bool("tokenizer.ggml.add_bos_token") ?? false,
                "add_eos_token": try file.bool("tokenizer.ggml.add_eos_token") ?? false,
                "clean_up_tokenization_spaces": false, "model_max_length": maxLength,
                "tokenizer_class": "PreTrainedTokenizerFast",
            ]
            for (name, key) in [("bos_token", "bos_token_id"), ("eos_token", "eos_token_id"), ("pad_token", "padding_token_id"),
                                ("unk_token", "unknown_token_id")] {
                guard let id = try file.int("tokenizer.ggml.\(key)") else { continue }
                guard tokens.indices.contains(id) else {
                    throw ModelError.badCheckpoint(path: file.source, reason: "tokenizer.ggml.\(key) \(id) is outside the "
                        + "vocabulary of \(tokens.count) tokens")
                }
                config[name] = tokens[id]
            }
            if let template = try file.string("tokenizer.chat_template") { config["chat_template"] = template }
            var data = try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
            data.append(UInt8(ascii: "\n"))
            return data
        } catch let error as GGUFError {
            throw ModelError.badCheckpoint(path: file.source, reason: error.description)
        }
    }
}
