import Foundation
import GGUF
import SafeTensors

/// Converting a GGUF file into a Hugging Face-layout checkpoint directory that transformers loads.
extension GGUFCheckpoint {
    /// Writes `config.json`, `model.safetensors` (f32, HF names and layout), `tokenizer.json`,
    /// `tokenizer_config.json` (special tokens, chat template) and `generation_config.json` for the GGUF
    /// `file` into `directory` (created if needed); returns the loaded model.
    public static func exportHF(_ file: GGUFFile, to directory: URL) throws -> LlamaModel {
        let model = try loadModel(file)
        let (tokenizer, tokenizerConfig) = try GGUFTokenizerExport.files(file, config: model.config)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw ModelError.badFile(path: directory.path, reason: "cannot create directory: \(error.localizedDescription)")
        }
        var writer = SafeTensorsWriter()
        for s in model.layout.slices {
            try writer.add(name: s.name, shape: s.shape,
                           floats: UnsafeBufferPointer(start: model.parameters.pointer + s.offset, count: s.count))
        }
        try writer.write(to: directory.appendingPathComponent(Checkpoint.weightsFileName))
        try Checkpoint.saveConfig(model.config, to: directory)
        for (name, text) in [(TokenizerFiles.tokenizerFileName, tokenizer), (TokenizerFiles.configFileName, tokenizerConfig),
                             ("generation_config.json", GGUFTokenizerExport.generationConfig(model.config))] {
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
