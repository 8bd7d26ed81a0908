/// Chats rendered by a checkpoint's own chat template when it has one, else by `ChatFormat`'s built-in layout.
extension ChatFormat {
    /// A single turn (`response == nil`: the generation prefix) in `template` when given, else in this format.
    public func encode(prompt: String, response: String?, template: ModelChatTemplate?) throws -> ChatEncoding {
        guard let template else { return encode(prompt: prompt, response: response) }
        var messages = [ChatMessage(role: "user", content: prompt)]
        if let response { messages.append(ChatMessage(role: "assistant", content: response)) }
        return try encode(messages: messages, template: template)
    }

    /// A chat in `template` when given (loss on the assistant spans; a generation prefix when the chat ends with a
    /// user message), else in this format.
    public func encode(messages: [ChatMessage], template: ModelChatTemplate?) throws -> ChatEncoding {
        guard let template else { return try encode(messages: messages) }
        guard let last = messages.last else { throw TokenizerError.emptyConversation }
        return try template.chatEncoding(messages, addGenerationPrompt: last.role != "assistant", tokenizer: tokenizer)
    }
}
