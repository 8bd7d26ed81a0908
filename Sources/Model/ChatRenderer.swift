import ChatTemplate
import Foundation

/// Turns conversations into a model's tokens: through the checkpoint's own chat template for real models, through
/// `ChatFormat`'s role-marker layout for tokenizers with role tokens (the byte tokenizer of the world's models).
///
/// Every prompt is a conversation: an optional system message, then user and assistant turns alternating from user,
/// ending with the user. A single-turn prompt is the one-message case, so a model sees one layout for all its data.
/// - Byte tokenizer (`ChatFormat`): `BOS [<|system|> system] (<|user|> u <|assistant|> a EOS)* <|user|> prompt
///   <|assistant|>`: every role keeps its own marker token, and earlier assistant turns close with EOS as trained.
/// - Chat template (`ModelChatTemplate`): the template's render with `add_generation_prompt`, as transformers'
///   `apply_chat_template` makes it, special tokens spelled in the text encoded as themselves.
/// A response is appended to the generation prefix as its tokens and EOS, exactly what sampling produces, so the
/// reward model scores in training the sequences PPO later shows it.
public struct ChatRenderer: Sendable {
    /// The tokenizer.
    public let tokenizer: any Tokenizer
    /// The checkpoint's chat template; nil renders through `ChatFormat`.
    public let template: ModelChatTemplate?

    /// A renderer for `tokenizer` with `template` (nil: `ChatFormat`).
    public init(tokenizer: any Tokenizer, template: ModelChatTemplate? = nil) {
        self.tokenizer = tokenizer
        self.template = template
    }

    /// The renderer of the checkpoint directory `directory` loaded with `tokenizer`: `ChatFormat` when the tokenizer
    /// has role tokens, else the directory's chat template, else `ChatFormat` with role markers spelled as text.
    /// - Throws: `ModelError.badFile` naming the template file when the template does not parse.
    public static func load(from directory: URL, tokenizer: any Tokenizer) throws -> ChatRenderer {
        if tokenizer.special.hasRoleMarkers { return ChatRenderer(tokenizer: tokenizer) }
        return ChatRenderer(tokenizer: tokenizer, template: try ModelChatTemplate.load(from: directory))
    }

    /// The generation prefix of a prompt conversation ending with a user message.
    /// - Throws: `TokenizerError` for a misordered conversation, `ModelError.badFile` when the template fails.
    public func prefix(_ messages: [ChatMessage]) throws -> [Int32] {
        guard let template else { return try ChatFormat(tokenizer: tokenizer).encode(messages: messages).tokens }
        do {
            return try template.encode(messages: Self.values(messages), addGenerationPrompt: true, tokenizer: tokenizer).tokens
        } catch let error as ChatTemplateError {
            throw ModelError.badFile(path: template.origin, reason: error.description)
        }
    }

    /// The prompt's generation prefix followed by `response` and EOS, with the loss mask on the response and EOS.
    public func encode(prompt messages: [ChatMessage], response: String) throws -> ChatEncoding {
        let prefix = try prefix(messages)
        let answer = tokenizer.encode(response) + [tokenizer.special.eos]
        return ChatEncoding(tokens: prefix + answer, lossMask: [Float](repeating: 0, count: prefix.count) + [Float](repeating: 1, count: answer.count),
                            promptLength: prefix.count)
    }

    /// A whole conversation ending with an assistant message, the loss on its assistant turns (for SFT).
    public func encode(conversation messages: [ChatMessage]) throws -> ChatEncoding {
        guard let template else { return try ChatFormat(tokenizer: tokenizer).encode(messages: messages) }
        do {
            return try template.chatEncoding(messages, addGenerationPrompt: false, tokenizer: tokenizer)
        } catch let error as ChatTemplateError {
            throw ModelError.badFile(path: template.origin, reason: error.description)
        }
    }

    /// Messages as the template's `{"role","content"}` values.
    private static func values(_ messages: [ChatMessage]) -> [Value] {
        messages.map { Value.dict(OrderedDict([("role", .string($0.role)), ("content", .string($0.content))])) }
    }
}
