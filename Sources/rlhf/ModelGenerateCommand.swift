import ArgumentParser
import Foundation
import Model

/// `rlhf model generate`: sample a continuation of a prompt.
struct ModelGenerateCommand: ParsableCommand {
    /// Command name, help and subcommands.
    static let configuration = CommandConfiguration(commandName: "generate", abstract: "Sample a continuation of a prompt.")

    /// Checkpoint directory.
    @Argument(help: "Checkpoint directory.")
    var directory: String

    /// Prompt text.
    @Option(help: "Prompt text.")
    var prompt: String

    /// Sampling temperature (0 = greedy).
    @Option(help: "Sampling temperature (0 = greedy).")
    var temperature: Float = 1

    /// Keep only the k most likely tokens (0 = off).
    @Option(help: "Keep only the k most likely tokens (0 = off).")
    var topK: Int = 0

    /// Nucleus sampling mass (1 = off).
    @Option(help: "Nucleus sampling mass (1 = off).")
    var topP: Float = 1

    /// Maximum number of new tokens.
    @Option(help: "Maximum number of new tokens.")
    var maxNewTokens: Int = 64

    /// Random seed.
    @Option(help: "Random seed.")
    var seed: UInt64 = 0

    /// Wrap the prompt in the chat format (user turn, then assistant).
    @Flag(help: "Wrap the prompt in the chat format (user turn, then assistant).")
    var chat = false

    /// Checks the arguments before running.
    func validate() throws {
        if temperature < 0 { throw ValidationError("--temperature must be ≥ 0") }
        if !(topP > 0 && topP <= 1) { throw ValidationError("--top-p must be in (0, 1]") }
        if maxNewTokens < 1 { throw ValidationError("--max-new-tokens must be at least 1") }
    }

    /// Runs the command.
    func run() throws {
        let (model, tokenizer) = try Checkpoint.load(from: URL(fileURLWithPath: directory))
        let tokens = chat ? ChatFormat(tokenizer: tokenizer).encode(prompt: prompt, response: nil).tokens
                          : [tokenizer.special.bos] + tokenizer.encode(prompt)
        var rng = Xoshiro256(seed: seed)
        let options = SamplingOptions(temperature: temperature, topK: topK, topP: topP, maxNewTokens: maxNewTokens)
        let g = try model.generate(prompts: [tokens], options: options, rng: &rng)
        let text = tokenizer.decode(g.tokens[0].filter { $0 != tokenizer.special.eos })
        print(text)
        let sum = g.logProbs[0].reduce(0, +)
        FileHandle.standardError.write(Data("[\(g.tokens[0].count) tokens, eos: \(g.reachedEOS[0]), log-prob \(sum)]\n".utf8))
    }
}
