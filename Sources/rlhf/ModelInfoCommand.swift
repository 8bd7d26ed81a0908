import ArgumentParser
import Foundation
import GGUF
import Model

/// `rlhf model info`: config, parameter count and tokenizer of a checkpoint.
struct ModelInfoCommand: ParsableCommand {
    /// Command name, help and subcommands.
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Show a checkpoint's config, parameters and tokenizer.")

    /// Checkpoint directory or GGUF file.
    @Argument(help: "Checkpoint directory or GGUF file.")
    var directory: String

    /// Runs the command.
    func run() throws {
        let url = URL(fileURLWithPath: directory)
        if Checkpoint.isGGUF(url) {
            let file = try GGUFCheckpoint.open(url)
            let model = try GGUFCheckpoint.loadModel(file)
            printConfig(model)
            let types = Dictionary(grouping: file.tensors, by: \.type).map { "\($0.value.count) \($0.key.name)" }.sorted()
            print("gguf:          version \(file.version), alignment \(file.alignment), \(file.tensors.count) tensors (\(types.joined(separator: ", ")))")
            let tokens = (try? file.strings("tokenizer.ggml.tokens"))??.count ?? 0
            let merges = (try? file.strings("tokenizer.ggml.merges"))??.count ?? 0
            let kind = (try? file.string("tokenizer.ggml.model")) ?? nil
            let pre = (try? file.string("tokenizer.ggml.pre")) ?? nil
            let c = model.config
            print("tokenizer:     \(kind ?? "none") (pre \(pre ?? "none")) vocab \(tokens), \(merges) merges "
                + "(bos \(c.bosTokenId), eos \(c.eosTokenId), pad \(c.padTokenId))")
            return
        }
        let (model, tokenizer) = try Checkpoint.load(from: url)
        printConfig(model)
        let s = tokenizer.special
        print("tokenizer:     \(type(of: tokenizer)) vocab \(tokenizer.vocabSize) (bos \(s.bos), eos \(s.eos), pad \(s.pad))")
    }

    private func printConfig(_ model: LlamaModel) {
        let c = model.config
        print("architecture:  \(c.architectures.joined(separator: ", "))")
        print("hidden:        \(c.hiddenSize)  intermediate: \(c.intermediateSize)  layers: \(c.numHiddenLayers)")
        print("heads:         \(c.numAttentionHeads) (kv \(c.numKeyValueHeads), head dim \(c.headDim))")
        print("vocab:         \(c.vocabSize)  max positions: \(c.maxPositionEmbeddings)  tied: \(c.tieWordEmbeddings)")
        print("rms eps:       \(c.rmsNormEps)  rope theta: \(c.ropeTheta)")
        print("parameters:    \(model.parameterCount)")
    }
}
