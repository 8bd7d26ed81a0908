/// One message of a chat, as in `{"role": "user", "content": "…"}`.
public struct ChatMessage: Codable, Sendable, Equatable {
    /// "system", "user" or "assistant".
    public var role: String
    /// The message text.
    public var content: String

    /// A message with `role` and `content`.
    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// Tokens of a formatted chat with the per-token loss weights for supervised training.
public struct ChatEncoding: Sendable, Equatable {
    /// The token ids.
    public var tokens: [Int32]
    /// 1 on response tokens (assistant content and its closing EOS), 0 elsewhere; same length as `tokens`.
    public var lossMask: [Float]
    /// Number of leading tokens up to and including the last assistant marker: the generation prefix.
    public var promptLength: Int

    /// An encoding with the given parts.
    public init(tokens: [Int32], lossMask: [Float], promptLength: Int) {
        self.tokens = tokens
        self.lossMask = lossMask
        self.promptLength = promptLength
    }
}

/// Turns prompts, responses and chats into tokens with a loss mask.
///
/// Layout: `BOS [<|system|> system] <|user|> prompt <|assistant|> [response EOS]`, with further
/// `<|user|> … <|assistant|> … EOS` turns for longer chats. Only assistant content and the EOS
/// closing it carry loss. Texts are encoded one at a time, so a text never merges with a marker.
public struct ChatFormat: Sendable {
    /// The tokenizer supplying text ids and the special ids.
    public let tokenizer: any Tokenizer

    /// A formatter for `tokenizer`.
    public init(tokenizer: any Tokenizer) {
        self.tokenizer = tokenizer
    }

    /// The Jinja template for `tokenizer_config.json` that renders the same layout in transformers.
    static let jinjaTemplate = "{{ bos_token }}{% for message in messages %}"
        + "{% if message['role'] == 'system' %}{{ '<|system|>' + message['content'] }}"
        + "{% elif message['role'] == 'user' %}{{ '<|user|>' + message['content'] }}"
        + "{% elif message['role'] == 'assistant' %}{{ '<|assistant|>' + message['content'] + eos_token }}"
        + "{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>' }}{% endif %}"

    /// A single turn; with `response == nil` the result is the generation prefix alone.
    public func encode(prompt: String, response: String?, system: String? = nil) -> ChatEncoding {
        var builder = Builder()
        builder.append([tokenizer.special.bos], loss: false)
        if let system {
            builder.append(marker(tokenizer.special.system, SpecialTokens.texts.system) + tokenizer.encode(system), loss: false)
        }
        builder.append(marker(tokenizer.special.user, SpecialTokens.texts.user) + tokenizer.encode(prompt), loss: false)
        builder.append(marker(tokenizer.special.assistant, SpecialTokens.texts.assistant), loss: false)
        let promptLength = builder.tokens.count
        if let response {
            builder.append(tokenizer.encode(response) + [tokenizer.special.eos], loss: true)
        }
        return builder.encoding(promptLength: promptLength)
    }

    /// A chat: an optional leading system message, then user and assistant messages alternating,
    /// starting with user. Loss falls on every assistant message (and its EOS). When the chat ends
    /// with a user message, an assistant marker is appended so the result is a generation prefix.
    public func encode(messages: [ChatMessage]) throws -> ChatEncoding {
        guard !messages.isEmpty else { throw TokenizerError.emptyConversation }
        var builder = Builder()
        builder.append([tokenizer.special.bos], loss: false)
        var promptLength = 0
        var expectUser = true
        for (index, message) in messages.enumerated() {
            switch message.role {
            case "system":
                guard index == 0 else {
                    throw TokenizerError.misplacedRole(index: index, role: message.role,
                                                       expected: expectUser ? "user" : "assistant")
                }
                builder.append(marker(tokenizer.special.system, SpecialTokens.texts.system) + tokenizer.encode(message.content), loss: false)
            case "user", "assistant":
                let isUser = message.role == "user"
                guard isUser == expectUser else {
                    throw TokenizerError.misplacedRole(index: index, role: message.role,
                                                       expected: expectUser ? "user" : "assistant")
                }
                expectUser.toggle()
                if isUser {
                    builder.append(marker(tokenizer.special.user, SpecialTokens.texts.user) + tokenizer.encode(message.content), loss: false)
                } else {
                    builder.append(marker(tokenizer.special.assistant, SpecialTokens.texts.assistant), loss: false)
                    promptLength = builder.tokens.count
                    builder.append(tokenizer.encode(message.content) + [tokenizer.special.eos], loss: true)
                }
            default:
                throw TokenizerError.unknownRole(index: index, role: message.role)
            }
        }
        if !expectUser {
            builder.append(marker(tokenizer.special.assistant, SpecialTokens.texts.assistant), loss: false)
            promptLength = builder.tokens.count
        } else if promptLength == 0 {
            throw TokenizerError.misplacedRole(index: messages.count, role: "(end)", expected: "user")
        }
        return builder.encoding(promptLength: promptLength)
    }

    /// A role marker's id, or its text encoded for tokenizers without role tokens (BPE models, whose
    /// chats should come from their own chat template).
    private func marker(_ id: Int32?, _ text: String) -> [Int32] {
        id.map { [$0] } ?? tokenizer.encode(text)
    }

    /// Accumulates tokens and their loss weights.
    private struct Builder {
        var tokens: [Int32] = []
        var lossMask: [Float] = []

        mutating func append(_ ids: [Int32], loss: Bool) {
            tokens += ids
            lossMask += repeatElement(loss ? 1 : 0, count: ids.count)
        }

        func encoding(promptLength: Int) -> ChatEncoding {
            ChatEncoding(tokens: tokens, lossMask: lossMask, promptLength: promptLength)
        }
    }
}
