import EngineCore
import Model

/// One problem of a record line: the field path, the problem kind (see `RecordIssue.kind`) and what is wrong.
struct RecordProblem: Equatable, Sendable {
    /// JSON field path, "" for the whole line.
    var field: String
    /// Problem kind.
    var kind: String
    /// What is wrong.
    var message: String
}

/// Read access to one JSON object that records every missing or mistyped field it is asked for.
struct RecordFields {
    /// The object's members.
    let members: [String: JSONValue]
    /// Problems found so far, in the order found.
    private(set) var problems: [RecordProblem] = []

    /// Wraps an object's members.
    init(_ members: [String: JSONValue]) {
        self.members = members
    }

    /// Whether the object has a non-null value for `key`.
    func has(_ key: String) -> Bool {
        if let value = members[key], value != .null { return true }
        return false
    }

    /// Records a problem.
    mutating func fail(_ field: String, _ kind: String, _ message: String) {
        problems.append(RecordProblem(field: field, kind: kind, message: message))
    }

    /// A required non-empty string; records a problem and returns "" when invalid.
    mutating func requiredString(_ key: String) -> String {
        guard let value = members[key], value != .null else {
            fail(key, "missing_field", "missing required string field")
            return ""
        }
        return string(value, at: key) ?? ""
    }

    /// A non-empty string `value` found at `path`, or nil with a problem recorded.
    mutating func string(_ value: JSONValue, at path: String) -> String? {
        guard case .string(let text) = value else {
            fail(path, "wrong_type", "expected a string, found \(value.typeName)")
            return nil
        }
        if text.isEmpty { fail(path, "empty_string", "empty string") }
        return text
    }

    /// An optional string (absent or null gives nil); integers are accepted when `allowInteger`.
    mutating func optionalString(_ key: String, allowInteger: Bool = false) -> String? {
        guard let value = members[key], value != .null else { return nil }
        if case .string(let text) = value { return text }
        if allowInteger, let number = value.intValue { return String(number) }
        fail(key, "wrong_type", "expected a string\(allowInteger ? " or an integer" : ""), found \(value.typeName)")
        return nil
    }

    /// An optional finite number (absent or null gives nil).
    mutating func optionalNumber(_ key: String) -> Double? {
        guard let value = members[key], value != .null else { return nil }
        guard let number = value.doubleValue, number.isFinite else {
            fail(key, "wrong_type", "expected a number, found \(value.typeName)")
            return nil
        }
        return number
    }

    /// A required field that is a string or a list of `{"role","content"}` messages; nil with a problem when invalid.
    mutating func textOrMessages(_ key: String) -> TextOrMessages? {
        guard let value = members[key], value != .null else {
            fail(key, "missing_field", "missing required field (a string or a list of messages)")
            return nil
        }
        switch value {
        case .string:
            return string(value, at: key).map(TextOrMessages.text)
        case .array(let items):
            return messages(items, at: key).map(TextOrMessages.messages)
        default:
            fail(key, "wrong_type", "expected a string or a list of messages, found \(value.typeName)")
            return nil
        }
    }

    /// A non-empty list of messages with roles system, user or assistant; nil with problems when invalid.
    mutating func messages(_ items: [JSONValue], at path: String) -> [ChatMessage]? {
        guard !items.isEmpty else {
            fail(path, "empty_string", "empty message list")
            return nil
        }
        var messages: [ChatMessage] = []
        let before = problems.count
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            guard case .object(let fields) = item else {
                fail(itemPath, "wrong_type", "expected a {\"role\",\"content\"} object, found \(item.typeName)")
                continue
            }
            var role = "", content = ""
            if let value = fields["role"], value != .null { role = string(value, at: itemPath + ".role") ?? "" } else {
                fail(itemPath + ".role", "missing_field", "missing required string field")
            }
            if let value = fields["content"], value != .null { content = string(value, at: itemPath + ".content") ?? "" } else {
                fail(itemPath + ".content", "missing_field", "missing required string field")
            }
            if !role.isEmpty, !["system", "user", "assistant"].contains(role) {
                fail(itemPath + ".role", "invalid_record", "role must be \"system\", \"user\" or \"assistant\", found \"\(role)\"")
            }
            messages.append(ChatMessage(role: role, content: content))
        }
        return problems.count == before ? messages : nil
    }

    /// Checks the chat order of `messages` at `path`: an optional leading system message, then user and
    /// assistant alternating from user. Returns false with a problem when the order is wrong.
    mutating func checkOrder(_ messages: [ChatMessage], at path: String) -> Bool {
        var expectUser = true
        for (index, message) in messages.enumerated() {
            if message.role == "system" {
                if index == 0 { continue }
                fail("\(path)[\(index)].role", "invalid_record", "a system message may only come first")
                return false
            }
            guard (message.role == "user") == expectUser else {
                fail("\(path)[\(index)].role", "invalid_record",
                     "expected a \(expectUser ? "user" : "assistant") message, found \"\(message.role)\"; turns alternate user, assistant")
                return false
            }
            expectUser.toggle()
        }
        return true
    }
}

/// A field that may be written as a string or as a message list.
enum TextOrMessages: Equatable {
    /// A plain string.
    case text(String)
    /// `{"role","content"}` messages.
    case messages([ChatMessage])
}
