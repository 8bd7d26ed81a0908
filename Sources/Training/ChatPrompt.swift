import Model
import World

extension PromptContext {
    /// The whole prompt as chat messages: the system message, the earlier turns, then `user`.
    public func chat(user: String) -> [ChatMessage] {
        messages(user: user).map { ChatMessage(role: $0.role, content: $0.content) }
    }
}

extension PromptRecord {
    /// The prompt as the conversation a model is shown (system and earlier turns included).
    public var chat: [ChatMessage] { context.chat(user: prompt) }
}

extension PreferenceRecord {
    /// The prompt both responses answer, as the conversation a model is shown (system and earlier turns included).
    public var chat: [ChatMessage] { context.chat(user: prompt) }
}
