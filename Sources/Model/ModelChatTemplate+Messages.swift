import ChatTemplate
import Foundation

extension ModelChatTemplate {
    /// A template from its text, e.g. a GGUF file's `tokenizer.chat_template`; errors name `origin` and the line.
    public init(source: String, origin: String, specialTokens: [String: String]) throws {
        do {
            self.init(template: try ChatTemplate(source: source), origin: origin, specialTokens: specialTokens)
        } catch let error as ChatTemplateError {
            throw ModelError.badFile(path: origin, reason: error.description)
        }
    }

    /// Reads a conversation file: a JSON list of `{"role", "content", …}` messages, or an object with
    /// `"messages"` (and optionally `"tools"`, passed to the template). Key order is kept, as `json.load` keeps it.
    /// - Returns: the messages and the template variables (`tools` when given).
    /// - Throws: `ModelError.badFile` naming the file and the JSON path of the problem.
    public static func readConversation(_ url: URL) throws -> (messages: [Value], variables: [String: Value]) {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ModelError.badFile(path: url.path, reason: "unreadable: \(error.localizedDescription)")
        }
        let root: Value
        do {
            root = try Value.parseJSON(text)
        } catch let error as ChatTemplateError {
            throw ModelError.badFile(path: url.path, reason: error.description)
        }
        var variables: [String: Value] = [:]
        var list: [Value]
        var path = "$"
        switch root {
        case let .list(items): list = items
        case let .dict(d):
            guard case let .list(items)? = d["messages"] else {
                throw ModelError.badFile(path: url.path, reason: "$.messages must be a list of {\"role\", \"content\"} messages")
            }
            list = items
            path = "$.messages"
            if let tools = d["tools"] { variables["tools"] = tools }
        default:
            throw ModelError.badFile(path: url.path, reason: "expected a JSON list of messages or an object with \"messages\"")
        }
        guard !list.isEmpty else { throw ModelError.badFile(path: url.path, reason: "\(path) is empty; give at least one message") }
        for (i, message) in list.enumerated() {
            guard case let .dict(d) = message else {
                throw ModelError.badFile(path: url.path, reason: "\(path)[\(i)] must be an object with \"role\" and \"content\"")
            }
            guard case .string? = d["role"] else {
                throw ModelError.badFile(path: url.path, reason: "\(path)[\(i)].role must be a string such as \"user\"")
            }
        }
        return (list, variables)
    }
}
