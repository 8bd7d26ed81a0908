/// One bad line of a JSONL file: where it is, which field, and what is wrong.
public struct JSONLIssue: Codable, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The file name or path as given to the reader.
    public var file: String
    /// 1-based line number.
    public var line: Int
    /// The JSON field path (e.g. "prompt", "messages[1].role"), or nil for whole-line problems.
    public var field: String?
    /// What is wrong, and where useful how to fix it.
    public var message: String

    /// Creates an issue.
    public init(file: String, line: Int, field: String?, message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    /// "file:line: field: message".
    public var description: String {
        "\(file):\(line): " + (field.map { "\($0): " } ?? "") + message
    }
}
