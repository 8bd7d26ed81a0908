import ChatTemplate
import Foundation

/// A conversation rendered by a checkpoint's chat template and tokenized, with the loss mask of its assistant turns.
public struct TemplateChatEncoding: Sendable, Equatable {
    /// The rendered text.
    public let text: String
    /// UTF-8 byte ranges of `text` the model is trained on (see `ChatTemplate.renderWithAssistantSpans`).
    public let assistantSpans: [Range<Int>]
    /// Token ids of `text`, special tokens spelled by the template encoded as themselves.
    public let tokens: [Int32]
    /// Each token's UTF-8 byte range in `text`.
    public let offsets: [Range<Int>]
    /// 1 on tokens that overlap an assistant span, 0 elsewhere; same length as `tokens`.
    public let lossMask: [Float]

    /// One line of JSON: `{"text", "assistant_spans", "ids", "loss_mask"}`.
    public func jsonLine() throws -> String {
        let value: Value = .dict(OrderedDict([
            ("text", .string(text)),
            ("assistant_spans", .list(assistantSpans.map { .list([.int($0.lowerBound), .int($0.upperBound)]) })),
            ("ids", .list(tokens.map { .int(Int($0)) })),
            ("loss_mask", .list(lossMask.map { .int($0 > 0 ? 1 : 0) })),
        ]))
        return try value.jsonText()
    }
}

extension ModelChatTemplate {
    /// Renders `messages` with this template and tokenizes the text with `tokenizer` (special tokens allowed, as
    /// transformers' `apply_chat_template(tokenize=True)` does); the loss mask marks tokens overlapping an
    /// assistant span.
    public func encode(messages: [Value], addGenerationPrompt: Bool, tokenizer: any Tokenizer,
                       variables: [String: Value] = [:]) throws -> TemplateChatEncoding {
        let rendered = try render(messages: messages, addGenerationPrompt: addGenerationPrompt, variables: variables)
        let encoded = tokenizer.encodeWithOffsets(rendered.text, allowSpecial: true)
        return TemplateChatEncoding(text: rendered.text, assistantSpans: rendered.assistantSpans, tokens: encoded.ids,
                                    offsets: encoded.offsets,
                                    lossMask: ModelChatTemplate.lossMask(tokenOffsets: encoded.offsets, spans: rendered.assistantSpans))
    }
}

extension ModelChatTemplate {
    /// The chat in `ChatFormat`'s terms for the trainers: tokens, loss mask, and as prompt length the tokens
    /// before the last assistant turn's first trained token (all tokens when no assistant turn is trained).
    /// With `addGenerationPrompt` and a chat ending in a user message, the result is a generation prefix.
    public func chatEncoding(_ messages: [ChatMessage], addGenerationPrompt: Bool, tokenizer: any Tokenizer) throws -> ChatEncoding {
        let values = messages.map { Value.dict(OrderedDict([("role", .string($0.role)), ("content", .string($0.content))])) }
        let encoding = try encode(messages: values, addGenerationPrompt: addGenerationPrompt, tokenizer: tokenizer)
        var promptLength = encoding.tokens.count
        if let last = encoding.lossMask.lastIndex(of: 1) {
            promptLength = last
            while promptLength > 0, encoding.lossMask[promptLength - 1] == 1 { promptLength -= 1 }
        }
        return ChatEncoding(tokens: encoding.tokens, lossMask: encoding.lossMask, promptLength: promptLength)
    }
}
