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
            let pre = (try? file.string("tokenizer.ggml.pre")) ?? nil
            printTokenizer(try BPETokenizer(gguf: file), note: " (tokenizer.ggml.*, pre-tokenizer \(pre ?? "gpt2"))")
            return
        }
        let (model, tokenizer) = try Checkpoint.load(from: url)
        printConfig(model)
        printTokenizer(tokenizer, note: "")
    }

    private func printTokenizer(_ tokenizer: any Tokenizer, note: String) {
        let s = tokenizer.special
        print("tokenizer:     \(type(of: tokenizer)) vocab \(tokenizer.vocabSize) (bos \(s.bos), eos \(s.eos), pad \(s.pad))\(note)")
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
