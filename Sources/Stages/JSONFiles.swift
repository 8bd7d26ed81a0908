import Foundation
import World

/// Reading and writing the JSON and JSONL files stages exchange.
enum JSONFiles {
    /// Encodes `value` as pretty, key-sorted JSON with a final newline (equal values give equal bytes).
    static func write<T: Encodable>(_ value: T, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(UInt8(ascii: "\n"))
        try data.write(to: url)
    }

    /// Decodes a JSON file, naming the file and the failing field in errors.
    static func read<T: Decodable>(_ type: T.Type, from url: URL) throws -> T {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw StagesError.badInput(path: url.path, message: "cannot read the file")
        }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as WorldError {
            throw StagesError.badInput(path: url.path, message: error.description)
        } catch let DecodingError.keyNotFound(key, context) {
            throw StagesError.badInput(path: url.path, message: "missing field \(fieldPath(context.codingPath + [key]))")
        } catch let DecodingError.typeMismatch(_, context) {
            throw StagesError.badInput(path: url.path, message: "field \(fieldPath(context.codingPath)) has the wrong type")
        } catch {
            throw StagesError.badInput(path: url.path, message: "not valid JSON: \(error)")
        }
    }

    /// Reads a JSONL file of `type` records; any bad line fails with every issue listed by file, line and field.
    static func readRecords<R: JSONLRecord>(_ type: R.Type, from url: URL) throws -> [R] {
        try readNumberedRecords(type, from: url).map(\.record)
    }

    /// `readRecords` with each record's 1-based line in the file (blank lines are skipped, so lines can jump).
    static func readNumberedRecords<R: JSONLRecord>(_ type: R.Type, from url: URL) throws -> [(line: Int, record: R)] {
        let result: JSONLReader.Result<R>
        do {
            result = try JSONLReader().read(type, from: url)
            guard result.issues.isEmpty else { throw WorldError.invalidJSONL(file: url.path, issues: result.issues) }
        } catch let error as WorldError {
            throw StagesError.invalidData(error.description)
        }
        guard !result.records.isEmpty else {
            throw StagesError.badInput(path: url.path, message: "has no \(R.formatName) records; it needs at least one line")
        }
        return result.records
    }

    /// Writes records as JSON Lines.
    static func writeRecords<R: Encodable>(_ records: [R], to url: URL) throws {
        try JSONLWriter.write(records, to: url)
    }

    private static func fieldPath(_ path: [CodingKey]) -> String {
        path.map(\.stringValue).joined(separator: ".")
    }
}
