import ArgumentParser
import Foundation
import Model

/// `rlhf model info`: config, parameter count and tokenizer of a checkpoint.
struct ModelInfoCommand: ParsableCommand {
    /// Command name, help and subcommands.
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Show a checkpoint's config, parameters and tokenizer.")

    /// Checkpoint directory.
    @Argument(help: "Checkpoint directory.")
    var directory: String

    /// Runs the command.
    func run() throws {
        let (model, tokenizer) = try Checkpoint.load(from: URL(fileURLWithPath: directory))
        let c = model.config
        print("architecture:  \(c.architectures.joined(separator: ", "))")
        print("hidden:        \(c.hiddenSize)  intermediate: \(c.intermediateSize)  layers: \(c.numHiddenLayers)")
        print("heads:         \(c.numAttentionHeads) (kv \(c.numKeyValueHeads), head dim \(c.headDim))")
        print("vocab:         \(c.vocabSize)  max positions: \(c.maxPositionEmbeddings)  tied: \(c.tieWordEmbeddings)")
        print("rms eps:       \(c.rmsNormEps)  rope theta: \(c.ropeTheta)")
        print("parameters:    \(model.parameterCount)")
        let s = tokenizer.special
        print("tokenizer:     \(type(of: tokenizer)) vocab \(tokenizer.vocabSize) (bos \(s.bos), eos \(s.eos), pad \(s.pad))")
    }
}
