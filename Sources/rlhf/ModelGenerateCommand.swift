import ArgumentParser
import ChatTemplate
import Foundation
import Model

/// `rlhf model generate`: sample a continuation of a prompt.
struct ModelGenerateCommand: ParsableCommand {
    /// Command name, help and subcommands.
    static let configuration = CommandConfiguration(commandName: "generate", abstract: "Sample a continuation of a prompt.")

    /// Checkpoint directory or GGUF file.
    @Argument(help: "Checkpoint directory or GGUF file.")
    var directory: String

    /// Prompt text.
    @Option(help: "Prompt text.")
    var prompt: String?

    /// The prompt as comma-separated token ids, used as given (no BOS added).
    @Option(help: "The prompt as comma-separated token ids, used as given (no BOS added); instead of --prompt.")
    var tokens: String?

    /// Print JSON {"tokens": [...], "eos": bool} with the new token ids.
    @Flag(help: "Print JSON {\"tokens\": [...], \"eos\": bool} with the new token ids instead of text.")
    var json = false

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

    /// Wrap the prompt in the model's chat template as a user turn, then the assistant prefix.
    @Flag(help: "Wrap the prompt in the model's own chat template (or the built-in chat format when it has none) as a user turn.")
    var chat = false

    /// Checks the arguments before running.
    func validate() throws {
        if temperature < 0 { throw ValidationError("--temperature must be ≥ 0") }
        if !(topP > 0 && topP <= 1) { throw ValidationError("--top-p must be in (0, 1]") }
        if maxNewTokens < 1 { throw ValidationError("--max-new-tokens must be at least 1") }
        if (prompt == nil) == (tokens == nil) { throw ValidationError("give exactly one of --prompt and --tokens") }
        if let tokens { _ = try TokenIDs.parse(tokens) }
        if tokens != nil && chat { throw ValidationError("--chat applies to --prompt; pass templated ids with --tokens") }
    }

    /// Runs the command.
    func run() throws {
        let url = URL(fileURLWithPath: directory)
        let options = SamplingOptions(temperature: temperature, topK: topK, topP: topP, maxNewTokens: maxNewTokens)
        var rng = Xoshiro256(seed: seed)
        if let tokens {
            let model = try Checkpoint.loadAnyModel(at: url)
            let g = try model.generate(prompts: [try TokenIDs.parse(tokens)], options: options, rng: &rng)
            if json {
                print("{\"tokens\": [\(g.tokens[0].map(String.init).joined(separator: ", "))], \"eos\": \(g.reachedEOS[0])}")
            } else {
                print(g.tokens[0].map(String.init).joined(separator: ","))
            }
            return
        }
        let (model, tokenizer, template) = try Checkpoint.loadAny(at: url, withChatTemplate: chat)
        let text = prompt ?? ""
        let ids: [Int32]
        if chat, let template {
            // The model's own template, as transformers' apply_chat_template(add_generation_prompt=True) renders it.
            let message = Value.dict(OrderedDict([("role", .string("user")), ("content", .string(text))]))
            let rendered = try template.render(messages: [message], addGenerationPrompt: true)
            ids = tokenizer.encode(rendered.text, allowSpecial: true)
        } else if chat {
            ids = ChatFormat(tokenizer: tokenizer).encode(prompt: text, response: nil).tokens
        } else {
            ids = [tokenizer.special.bos] + tokenizer.encode(text)
        }
        let g = try model.generate(prompts: [ids], options: options, rng: &rng)
        if json {
            print("{\"tokens\": [\(g.tokens[0].map(String.init).joined(separator: ", "))], \"eos\": \(g.reachedEOS[0])}")
        } else {
            print(tokenizer.decode(g.tokens[0].filter { $0 != tokenizer.special.eos }))
        }
        let sum = g.logProbs[0].reduce(0, +)
        FileHandle.standardError.write(Data("[\(g.tokens[0].count) tokens, eos: \(g.reachedEOS[0]), log-prob \(sum)]\n".utf8))
    }
}
