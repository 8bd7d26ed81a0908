/// One bad line of a record file: where it is, the first field at fault, and everything wrong with it.
public struct RecordIssue: Codable, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The file name or path as given to the reader.
    public var file: String
    /// 1-based line number.
    public var line: Int
    /// What kind of problem comes first: `invalid_json`, `invalid_utf8`, `line_too_long`, `missing_field`,
    /// `wrong_type`, `empty_string` or `invalid_record`.
    public var kind: String
    /// The first JSON field path at fault (e.g. "prompt", "messages[1].role"), or nil for whole-line problems.
    public var field: String?
    /// What is wrong (every problem of the line), the format the file was read as and the formats accepted.
    public var message: String

    /// Creates an issue.
    public init(file: String, line: Int, kind: String, field: String?, message: String) {
        self.file = file
        self.line = line
        self.kind = kind
        self.field = field
        self.message = message
    }

    /// "file:line: message".
    public var description: String {
        "\(file):\(line): \(message)"
    }
}
