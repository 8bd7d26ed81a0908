import Model

/// One SFT example as the trainer sees it: a conversation whose assistant turns carry the loss, or plain text
/// for language modelling (loss on every token).
public struct SFTExample: Equatable, Sendable {
    /// What the example holds.
    public enum Body: Equatable, Sendable {
        /// An optional system message, then user and assistant turns alternating, ending with the assistant.
        case conversation([ChatMessage])
        /// Plain text (`{"text"}`).
        case text(String)
    }

    /// The example.
    public var body: Body

    /// A single-turn conversation.
    public init(prompt: String, response: String) {
        body = .conversation([ChatMessage(role: "user", content: prompt), ChatMessage(role: "assistant", content: response)])
    }

    /// An example with `body`.
    public init(_ body: Body) {
        self.body = body
    }

    /// The text a split is keyed on: the first user message, or the text itself.
    var splitKey: String {
        switch body {
        case .conversation(let messages): return messages.first { $0.role == "user" }?.content ?? ""
        case .text(let text): return text
        }
    }

    /// Text fields for the gates: `system`, `prompt` (user turns) and `response` (assistant turns), or `text`.
    var textFields: [(name: String, text: String)] {
        switch body {
        case .text(let text):
            return [("text", text)]
        case .conversation(let messages):
            func joined(_ role: String) -> String { messages.filter { $0.role == role }.map(\.content).joined(separator: "\n") }
            let system = messages.first?.role == "system" ? [("system", messages[0].content)] : []
            return system + [("prompt", joined("user")), ("response", joined("assistant"))]
        }
    }
}
