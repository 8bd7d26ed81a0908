import Foundation

/// Reads and validates JSON Lines files into records, collecting every bad line instead of stopping.
///
/// Never traps on bad input: invalid UTF-8, over-long lines, deep nesting, non-objects, missing or
/// mistyped fields all become `JSONLIssue`s with file, line and field. Blank lines are skipped; a
/// trailing "\r" (CRLF files) is ignored.
public struct JSONLReader: Sendable {
    /// Lines longer than this many bytes are reported, not parsed.
    public var maxLineBytes: Int
    /// Deeper array/object nesting than this is reported, not parsed.
    public var maxNesting: Int

    /// Creates a reader with the given limits (defaults: 1 MiB lines, nesting 32).
    public init(maxLineBytes: Int = 1 << 20, maxNesting: Int = 32) {
        self.maxLineBytes = maxLineBytes
        self.maxNesting = maxNesting
    }

    /// The outcome of reading one file: the good records with their line numbers, and all issues.
    public struct Result<R: JSONLRecord>: Sendable {
        /// Valid records as (1-based line, record), in file order.
        public var records: [(line: Int, record: R)]
        /// Every problem found, in line order.
        public var issues: [JSONLIssue]
    }

    /// Reads `url` and validates every line as `type`.
    /// - Throws: `WorldError.fileAccess` only when the file cannot be read at all.
    public func read<R: JSONLRecord>(_ type: R.Type, from url: URL) throws -> Result<R> {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw WorldError.fileAccess(path: url.path, reason: error.localizedDescription)
        }
        return read(type, data: data, file: url.path)
    }

    /// Reads `url` and returns its records, or throws `WorldError.invalidJSONL` listing every bad line.
    public func readValid<R: JSONLRecord>(_ type: R.Type, from url: URL) throws -> [R] {
        let result = try read(type, from: url)
        guard result.issues.isEmpty else { throw WorldError.invalidJSONL(file: url.path, issues: result.issues) }
        return result.records.map(\.record)
    }

    /// Validates in-memory JSONL `data`; `file` names it in issues.
    /// - Complexity: O(bytes).
    public func read<R: JSONLRecord>(_ type: R.Type, data: Data, file: String) -> Result<R> {
        var result = Result<R>(records: [], issues: [])
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
            switch parseLine(line, as: type) {
            case .success(let record):
                result.records.append((lineNumber, record))
            case .failure(let problems):
                result.issues += problems.problems.map {
                    JSONLIssue(file: file, line: lineNumber, field: $0.field.isEmpty ? nil : $0.field,
                               message: $0.message)
                }
            }
        }
        return result
    }

    /// Checks size, UTF-8 and nesting, parses JSON, then validates fields.
    private func parseLine<R: JSONLRecord>(_ line: ArraySlice<UInt8>, as type: R.Type)
        -> Swift.Result<R, JSONLFieldErrors> {
        func whole(_ message: String) -> Swift.Result<R, JSONLFieldErrors> {
            .failure(JSONLFieldErrors(problems: [("", message)]))
        }
        if line.count > maxLineBytes {
            return whole("line is \(line.count) bytes, over the \(maxLineBytes)-byte limit; split or shorten it")
        }
        if let offset = JSONLReader.firstInvalidUTF8(line) {
            return whole("invalid UTF-8 at byte \(offset + 1) of the line; re-encode the file as UTF-8")
        }
        if JSONLReader.nestingDepth(line) > maxNesting {
            return whole("JSON nested deeper than \(maxNesting) levels")
        }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(line))
        } catch {
            return whole("not valid JSON (\(JSONLReader.summary(of: error))); each line must be one JSON object")
        }
        guard case .object(let fields) = value else {
            return whole("expected a JSON object, found \(value.typeName) (\(R.formatName) format)")
        }
        return R.validate(JSONObjectView(fields: fields))
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

    /// A short description of a decoding error.
    private static func summary(of error: Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            return context.underlyingError.map { "\($0)" } ?? context.debugDescription
        }
        return "\(error)"
    }
}
