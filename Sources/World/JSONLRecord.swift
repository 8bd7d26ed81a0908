/// A record type the JSONL reader can validate field by field.
public protocol JSONLRecord: Codable, Sendable {
    /// A short name of the format for messages, e.g. "SFT".
    static var formatName: String { get }
    /// Builds the record from one parsed JSON object, or lists every field problem.
    static func validate(_ object: JSONObjectView) -> Result<Self, JSONLFieldErrors>
}

/// The field problems of one line: (field path, message) pairs.
public struct JSONLFieldErrors: Error, Sendable {
    /// Each problem as a JSON field path (e.g. "messages[1].role") and what is wrong.
    public var problems: [(field: String, message: String)]
}

/// Read access to one JSON object that records every missing or mistyped field it is asked for.
public struct JSONObjectView {
    /// The object's fields.
    let fields: [String: JSONValue]
    /// Path prefix for messages, e.g. "messages[0]." for nested objects.
    let path: String
    /// Problems found so far.
    private(set) var problems: [(field: String, message: String)] = []

    /// Wraps an object's fields.
    init(fields: [String: JSONValue], path: String = "") {
        self.fields = fields
        self.path = path
    }

    /// Whether the object has a (non-null) value for `key`.
    public func has(_ key: String) -> Bool {
        if case .some(let value) = fields[key], value != .null { return true }
        return false
    }

    /// A required non-empty string field; records a problem and returns "" when invalid.
    public mutating func requiredString(_ key: String) -> String {
        guard let value = fields[key], value != .null else {
            problems.append((path + key, "missing required string field"))
            return ""
        }
        guard case .string(let text) = value else {
            problems.append((path + key, "expected a string, found \(value.typeName)"))
            return ""
        }
        if text.isEmpty { problems.append((path + key, "empty string")) }
        return text
    }

    /// An optional string field (absent or null gives nil); integers are accepted when `allowInteger`.
    public mutating func optionalString(_ key: String, allowInteger: Bool = false) -> String? {
        guard let value = fields[key], value != .null else { return nil }
        switch value {
        case .string(let text): return text
        case .number(let number) where allowInteger && number == number.rounded() && abs(number) < 1e15:
            return String(Int64(number))
        default:
            problems.append((path + key, "expected a string, found \(value.typeName)"))
            return nil
        }
    }

    /// A required array of objects; each element is returned as a view with an indexed path.
    mutating func requiredObjectArray(_ key: String) -> [JSONObjectView] {
        guard let value = fields[key], value != .null else {
            problems.append((path + key, "missing required array field"))
            return []
        }
        guard case .array(let items) = value else {
            problems.append((path + key, "expected an array, found \(value.typeName)"))
            return []
        }
        var views: [JSONObjectView] = []
        for (index, item) in items.enumerated() {
            guard case .object(let fields) = item else {
                problems.append(("\(path)\(key)[\(index)]", "expected an object, found \(item.typeName)"))
                continue
            }
            views.append(JSONObjectView(fields: fields, path: "\(path)\(key)[\(index)]."))
        }
        return views
    }

    /// Records a problem found by the caller.
    public mutating func fail(_ key: String, _ message: String) {
        problems.append((path + key, message))
    }

    /// Adds the problems of a nested view.
    mutating func absorb(_ nested: JSONObjectView) {
        problems += nested.problems
    }

    /// `.success(value)` when no problem was recorded, else all problems.
    public func result<R>(_ value: R) -> Result<R, JSONLFieldErrors> {
        problems.isEmpty ? .success(value) : .failure(JSONLFieldErrors(problems: problems))
    }
}

extension SFTRecord: JSONLRecord {
    /// "SFT".
    public static let formatName = "SFT"

    /// Accepts `{"prompt","response"}` or single-turn chat `{"messages":[user, assistant]}`.
    public static func validate(_ object: JSONObjectView) -> Result<SFTRecord, JSONLFieldErrors> {
        var view = object
        guard view.has("messages") else {
            let record = SFTRecord(prompt: view.requiredString("prompt"), response: view.requiredString("response"))
            return view.result(record)
        }
        if view.has("prompt") || view.has("response") {
            view.fail("messages", "use either prompt/response or messages, not both")
        }
        var turns: [(role: String, content: String)] = []
        for var message in view.requiredObjectArray("messages") {
            turns.append((message.requiredString("role"), message.requiredString("content")))
            view.absorb(message)
        }
        if turns.map(\.role) != ["user", "assistant"], view.problems.isEmpty {
            view.fail("messages", "expected exactly one user then one assistant message, found roles "
                      + "[\(turns.map(\.role).joined(separator: ", "))]")
        }
        return view.result(SFTRecord(prompt: turns.first?.content ?? "", response: turns.last?.content ?? ""))
    }
}

extension PreferenceRecord: JSONLRecord {
    /// "preference".
    public static let formatName = "preference"

    /// Requires non-empty prompt, chosen and rejected strings; reason and source are optional strings.
    public static func validate(_ object: JSONObjectView) -> Result<PreferenceRecord, JSONLFieldErrors> {
        var view = object
        let record = PreferenceRecord(prompt: view.requiredString("prompt"), chosen: view.requiredString("chosen"),
                                      rejected: view.requiredString("rejected"),
                                      reason: view.optionalString("reason"), source: view.optionalString("source"))
        return view.result(record)
    }
}

extension PromptRecord: JSONLRecord {
    /// "prompt".
    public static let formatName = "prompt"

    /// Requires a non-empty prompt; id (string or integer), scenario and family are optional.
    public static func validate(_ object: JSONObjectView) -> Result<PromptRecord, JSONLFieldErrors> {
        var view = object
        let prompt = view.requiredString("prompt")
        let id = view.optionalString("id", allowInteger: true)
        var scenario: Scenario?
        if let name = view.optionalString("scenario") {
            scenario = Scenario(rawValue: name)
            if scenario == nil { view.fail("scenario", "expected \"helpfulness\" or \"safety\", found \"\(name)\"") }
        }
        let family = view.optionalString("family")
        return view.result(PromptRecord(prompt: prompt, id: id, scenario: scenario, family: family))
    }
}
