import EngineCore
import Foundation
import World

/// The one reader of JSON Lines record files every stage and gate uses.
///
/// Reads a file as one `RecordFormat` and collects one `RecordIssue` per bad line (naming the file,
/// the line, every problem of it, the format read and the formats accepted) instead of stopping.
/// Never traps on bad input: invalid UTF-8, over-long lines, deep nesting and non-objects are issues.
/// Blank lines are skipped; a trailing "\r" (CRLF files) is ignored; unknown keys are ignored.
package struct RecordReader: Sendable {
    /// Lines longer than this many bytes are reported, not parsed.
    var maxLineBytes: Int
    /// Deeper array/object nesting than this is reported, not parsed.
    var maxNesting: Int

    /// Creates a reader with the given limits (defaults: 1 MiB lines, nesting 32).
    package init(maxLineBytes: Int = 1 << 20, maxNesting: Int = 32) {
        self.maxLineBytes = maxLineBytes
        self.maxNesting = maxNesting
    }

    /// The outcome of reading one file: the good records with their line numbers, and every bad line.
    struct Result: Sendable {
        /// Valid records as (1-based line, record), in file order.
        var records: [(line: Int, record: DataRecord)]
        /// One issue per bad line, in line order.
        var issues: [RecordIssue]

        /// The records, when every line is good and there is at least one.
        /// - Throws: `StagesError.invalidData` listing the bad lines (the first 20) of `file`, or `StagesError.badInput`
        ///   saying `whenEmpty` when the file holds no record.
        func valid(file: String, whenEmpty: String) throws -> [(line: Int, record: DataRecord)] {
            guard issues.isEmpty else {
                let shown = issues.prefix(20).map { "  " + $0.description }.joined(separator: "\n")
                let more = issues.count > 20 ? "\n  … and \(issues.count - 20) more" : ""
                throw StagesError.invalidData("\(file): \(issues.count) bad line(s):\n\(shown)\(more)")
            }
            guard !records.isEmpty else { throw StagesError.badInput(path: file, message: whenEmpty) }
            return records
        }
    }

    /// Reads `url` as `format`; `file` names it in issues (default: the path).
    /// - Throws: `StagesError.badInput` only when the file cannot be read at all.
    func read(_ format: RecordFormat, from url: URL, file: String? = nil) throws -> Result {
        try read(from: url, file: file) { _ in format }
    }

    /// Reads `url`, each line as the format `formatOf` picks (see `read(data:file:formatOf:)`); `file` names it in issues.
    /// - Throws: `StagesError.badInput` only when the file cannot be read at all.
    func read(from url: URL, file: String? = nil, formatOf: ([String: JSONValue]?) -> RecordFormat) throws -> Result {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw StagesError.badInput(path: file ?? url.path, message: "cannot read the file")
        }
        return read(data: data, file: file ?? url.path, formatOf: formatOf)
    }

    /// Reads in-memory JSONL `data` as `format`; `file` names it in issues.
    /// - Complexity: O(bytes).
    func read(_ format: RecordFormat, data: Data, file: String) -> Result {
        read(data: data, file: file) { _ in format }
    }

    /// Reads in-memory JSONL `data`, each line as the format `formatOf` picks from the line's JSON object (nil when the
    /// line is not one), so one file may mix formats (`rlhf model score --pairs`: responses and pairs); `file` names it in issues.
    /// - Complexity: O(bytes).
    func read(data: Data, file: String, formatOf: ([String: JSONValue]?) -> RecordFormat) -> Result {
        var result = Result(records: [], issues: [])
        let bytes = [UInt8](data)
        var lineStart = 0
        var lineNumber = 0
        while lineStart < bytes.count {
            lineNumber += 1
            let newline = bytes[lineStart...].firstIndex(of: 0x0A) ?? bytes.count
            var line = bytes[lineStart..<newline]
            lineStart = newline + 1
            if line.last == 0x0D { line = line.dropLast() }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let object = parseObject(line)
            let format: RecordFormat
            let decoded: Swift.Result<DataRecord, RecordProblems>
            switch object {
            case .success(let members):
                format = formatOf(members)
                decoded = DataRecord.decode(members, as: format)
            case .failure(let failure):
                format = formatOf(nil)
                decoded = .failure(failure)
            }
            switch decoded {
            case .success(let record):
                result.records.append((lineNumber, record))
            case .failure(let failure):
                let first = failure.problems[0]
                let listed = failure.problems.map { $0.field.isEmpty ? $0.message : "\($0.field): \($0.message)" }
                result.issues.append(RecordIssue(
                    file: file, line: lineNumber, kind: first.kind, field: first.field.isEmpty ? nil : first.field,
                    message: listed.joined(separator: "; ") + " (read as \(format.title) data, which accepts \(format.accepted))"))
            }
        }
        return result
    }

    /// Reads `url` as `format` and returns its records; any bad line, or no record at all, throws
    /// `StagesError.invalidData` listing every bad line.
    func records(_ format: RecordFormat, from url: URL, file: String? = nil) throws -> [DataRecord] {
        try numbered(format, from: url, file: file).map(\.record)
    }

    /// `records` with each record's 1-based line in the file (blank lines are skipped, so lines can jump).
    func numbered(_ format: RecordFormat, from url: URL, file: String? = nil) throws -> [(line: Int, record: DataRecord)] {
        let name = file ?? url.path
        return try read(format, from: url, file: name)
            .valid(file: name, whenEmpty: "has no \(format.title) records; it needs at least one line (\(format.accepted))")
    }

    /// The demonstrations of an SFT file with their lines (see `numbered`).
    func numberedSFT(from url: URL, file: String? = nil) throws -> [(line: Int, example: SFTExample)] {
        try numbered(.sft, from: url, file: file).compactMap { if case .sft(let example) = $0.record { return ($0.line, example) }; return nil }
    }

    /// The pairs of a preference file with their lines (see `numbered`).
    func numberedPreferences(from url: URL, file: String? = nil) throws -> [(line: Int, record: PreferenceRecord)] {
        try numbered(.preferences, from: url, file: file).compactMap { if case .preference(let pair) = $0.record { return ($0.line, pair) }; return nil }
    }

    /// The demonstrations of an SFT file (see `records`).
    func sft(from url: URL, file: String? = nil) throws -> [SFTExample] {
        try records(.sft, from: url, file: file).compactMap { if case .sft(let example) = $0 { return example }; return nil }
    }

    /// The pairs of a preference file (see `records`).
    func preferences(from url: URL, file: String? = nil) throws -> [PreferenceRecord] {
        try records(.preferences, from: url, file: file).compactMap { if case .preference(let pair) = $0 { return pair }; return nil }
    }

    /// The prompts of a prompt file (see `records`).
    func prompts(from url: URL, file: String? = nil) throws -> [PromptRecord] {
        try records(.prompts, from: url, file: file).compactMap { if case .prompt(let prompt) = $0 { return prompt }; return nil }
    }

    /// The human verdicts of a label file (see `records`).
    func labels(from url: URL, file: String? = nil) throws -> [JudgeLabel] {
        try records(.labels, from: url, file: file).compactMap { if case .label(let label) = $0 { return label }; return nil }
    }

    /// Checks size, UTF-8 and nesting, then parses the line as one JSON object.
    private func parseObject(_ line: ArraySlice<UInt8>) -> Swift.Result<[String: JSONValue], RecordProblems> {
        func whole(_ kind: String, _ message: String) -> Swift.Result<[String: JSONValue], RecordProblems> {
            .failure(RecordProblems(problems: [RecordProblem(field: "", kind: kind, message: message)]))
        }
        if line.count > maxLineBytes {
            return whole("line_too_long", "line is \(line.count) bytes, over the \(maxLineBytes)-byte limit; split or shorten it")
        }
        if let offset = Self.firstInvalidUTF8(line) {
            return whole("invalid_utf8", "invalid UTF-8 at byte \(offset + 1) of the line; re-encode the file as UTF-8")
        }
        if Self.nestingDepth(line) > maxNesting {
            return whole("invalid_json", "JSON nested deeper than \(maxNesting) levels")
        }
        let value: JSONValue
        do {
            value = try JSONValue.parse(Array(line), file: "")
        } catch let EngineError.invalidJSON(_, _, column, message) {
            return whole("invalid_json", "not valid JSON at column \(column) (\(message)); each line must be one JSON object")
        } catch {
            return whole("invalid_json", "not valid JSON (\(error)); each line must be one JSON object")
        }
        guard case .object(let members) = value else {
            return whole("wrong_type", "expected a JSON object, found \(value.typeName)")
        }
        return .success(members)
    }

    /// The byte offset of the first invalid UTF-8 sequence, or nil when the bytes are valid.
    static func firstInvalidUTF8(_ bytes: ArraySlice<UInt8>) -> Int? {
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded): offset += encoded.count
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }

    /// Maximum array/object nesting depth, ignoring brackets inside strings.
    static func nestingDepth(_ bytes: ArraySlice<UInt8>) -> Int {
        var depth = 0, deepest = 0
        var inString = false, escaped = false
        for byte in bytes {
            if inString {
                if escaped { escaped = false } else if byte == 0x5C { escaped = true } else if byte == 0x22 { inString = false }
                continue
            }
            switch byte {
            case 0x22: inString = true
            case 0x5B, 0x7B: depth += 1; deepest = max(deepest, depth)
            case 0x5D, 0x7D: depth -= 1
            default: break
            }
        }
        return deepest
    }
}
