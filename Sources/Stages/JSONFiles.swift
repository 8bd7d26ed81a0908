import EngineCore
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

    /// The prompts of input `role` (any format the record reader accepts; bad lines fail with file and line).
    static func prompts(_ context: StageContext, role: String) throws -> [PromptRecord] {
        let url = try input(context, role: role)
        return try RecordReader().prompts(from: url, file: context.displayPath(url))
    }

    /// The preference pairs of input `role`.
    static func preferences(_ context: StageContext, role: String) throws -> [PreferenceRecord] {
        let url = try input(context, role: role)
        return try RecordReader().preferences(from: url, file: context.displayPath(url))
    }

    /// The preference pairs of input `role` with their lines.
    static func numberedPreferences(_ context: StageContext, role: String) throws -> [(line: Int, record: PreferenceRecord)] {
        let url = try input(context, role: role)
        return try RecordReader().numberedPreferences(from: url, file: context.displayPath(url))
    }

    /// The SFT examples of input `role` with their lines.
    static func sft(_ context: StageContext, role: String) throws -> [(line: Int, example: SFTExample)] {
        let url = try input(context, role: role)
        return try RecordReader().numberedSFT(from: url, file: context.displayPath(url))
    }

    /// The path of input `role`, or an error naming the missing role.
    static func input(_ context: StageContext, role: String) throws -> URL {
        guard let url = context.inputs[role] else {
            throw StagesError.invalidInputs(node: context.node, message: "missing input '\(role)'; add it under inputs")
        }
        return url
    }

    /// Writes records as JSON Lines.
    static func writeRecords<R: Encodable>(_ records: [R], to url: URL) throws {
        try JSONLWriter.write(records, to: url)
    }

    private static func fieldPath(_ path: [CodingKey]) -> String {
        path.map(\.stringValue).joined(separator: ".")
    }
}
