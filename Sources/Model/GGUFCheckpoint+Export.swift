import Foundation
import GGUF

/// Converting a GGUF file into a Hugging Face-layout checkpoint directory that transformers loads.
extension GGUFCheckpoint {
    /// Writes `config.json`, `model.safetensors` (HF names and layout, weights as `dtype`),
    /// `generation_config.json`, `tokenizer.json` and `tokenizer_config.json` (special tokens, chat template)
    /// for the GGUF `file` into `directory` (created if needed); returns the loaded model.
    public static func exportHF(_ file: GGUFFile, to directory: URL, dtype: CheckpointDType = .f32) throws -> LlamaModel {
        let model = try loadModel(file)
        let (tokenizer, tokenizerConfig) = try GGUFTokenizerExport.files(file, config: model.config)
        try Checkpoint.saveWeights(model, to: directory, dtype: dtype)
        for (name, text) in [(TokenizerFiles.tokenizerFileName, tokenizer), (TokenizerFiles.configFileName, tokenizerConfig)] {
            let url = directory.appendingPathComponent(name)
            do {
                try Data(text.utf8).write(to: url, options: .atomic)
            } catch {
                throw ModelError.badFile(path: url.path, reason: "cannot write: \(error.localizedDescription)")
            }
        }
        return model
    }
}
