import Foundation
import GGUF

/// Loading a model from either kind of checkpoint: an HF directory or a GGUF file.
extension Checkpoint {
    /// Whether `url` is a file starting with the GGUF magic (an HF checkpoint is a directory).
    public static func isGGUF(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            return false
        }
        return GGUFFile.hasMagic(url)
    }

    /// The model in the HF directory or GGUF file at `url` (GGUF weights dequantised to f32).
    public static func loadAnyModel(at url: URL) throws -> LlamaModel {
        isGGUF(url) ? try GGUFCheckpoint.loadModel(from: url) : try loadModel(from: url)
    }
}
