import Foundation
import Model

/// The `models/base.txt` note: what the base model is and where it came from.
struct BaseInfo {
    /// One sentence on where the weights came from.
    var origin: String
    /// The model config.
    var config: LlamaConfig
    /// Number of parameters.
    var parameterCount: Int
    /// Further lines (training settings, source paths).
    var details: [String]

    /// The note as text.
    var text: String {
        var lines = ["base model: \(origin)",
                     "architecture: \(config.architectures.joined(separator: ", ")) (HF layout in base/)",
                     "size: \(parameterCount) parameters; hidden \(config.hiddenSize), intermediate \(config.intermediateSize), "
                        + "\(config.numHiddenLayers) layers, \(config.numAttentionHeads) heads / \(config.numKeyValueHeads) KV heads, "
                        + "vocab \(config.vocabSize), context \(config.maxPositionEmbeddings)"]
        lines += details
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes the note.
    func write(to url: URL) throws {
        try Data(text.utf8).write(to: url)
    }
}
