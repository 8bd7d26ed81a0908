import Foundation

/// A value inside a parsed JSON file together with its JSON path, for error messages that name both.
struct BPEJSONNode {
    /// The value as `JSONSerialization` gives it.
    let value: Any
    /// Its JSON path (`pre_tokenizer.pretokenizers[1].pattern`).
    let path: String
    /// The file it came from.
    let file: String
    /// The value as an object, cast once (casting a large bridged dictionary is not free).
    private let members: [String: Any]?

    /// Parses `data` (the contents of `file`).
    init(parsing data: Data, file: String) throws {
        do {
            value = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw TokenizerError.invalidFile(file: file, path: "", problem: "not valid JSON: \(error.localizedDescription)")
        }
        path = ""
        self.file = file
        members = value as? [String: Any]
    }

    private init(value: Any, path: String, file: String) {
        self.value = value
        self.path = path
        self.file = file
        members = value as? [String: Any]
    }

    private func invalid(_ problem: String, at path: String? = nil) -> TokenizerError {
        .invalidFile(file: file, path: path ?? self.path, problem: problem)
    }

    /// The member `key`, or nil when absent or null.
    func optional(_ key: String) throws -> BPEJSONNode? {
        let childPath = path.isEmpty ? key : "\(path).\(key)"
        guard let object = members else { throw invalid("expected an object") }
        guard let child = object[key], !(child is NSNull) else { return nil }
        return BPEJSONNode(value: child, path: childPath, file: file)
    }

    /// The member `key`; missing or null is an error naming its path.
    func required(_ key: String) throws -> BPEJSONNode {
        guard let child = try optional(key) else {
            throw invalid("required key is missing", at: path.isEmpty ? key : "\(path).\(key)")
        }
        return child
    }

    /// The value as a string.
    func string() throws -> String {
        guard let string = value as? String else { throw invalid("expected a string") }
        return string
    }

    /// The value as an integer.
    func int() throws -> Int {
        guard !(value is String), let number = value as? NSNumber, let int = Int(exactly: number.doubleValue) else {
            throw invalid("expected an integer")
        }
        return int
    }

    /// The value as a Boolean.
    func bool() throws -> Bool {
        guard let bool = value as? Bool else { throw invalid("expected true or false") }
        return bool
    }

    /// The member `key` as a Boolean, or `fallback` when absent.
    func bool(_ key: String, default fallback: Bool) throws -> Bool {
        try optional(key)?.bool() ?? fallback
    }

    /// The elements of an array, each with its path.
    func array() throws -> [BPEJSONNode] {
        guard let array = value as? [Any] else { throw invalid("expected an array") }
        return array.enumerated().map { BPEJSONNode(value: $1, path: "\(path)[\($0)]", file: file) }
    }

    /// The members of an object.
    func object() throws -> [String: Any] {
        guard let object = members else { throw invalid("expected an object") }
        return object
    }

    /// The `type` member of a component object.
    func type() throws -> String {
        try required("type").string()
    }
}
