import Foundation

/// Writes records as JSON Lines deterministically: sorted keys, no slash escaping, one object a line.
public enum JSONLWriter {
    /// Encodes `records`, one JSON object per line, each line ending in "\n".
    public static func encode<R: Encodable>(_ records: [R]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = Data()
        for record in records {
            data.append(try encoder.encode(record))
            data.append(0x0A)
        }
        return data
    }

    /// Writes `records` to `url` atomically (temporary file, then rename).
    /// - Throws: `WorldError.fileAccess` when the file cannot be written.
    public static func write<R: Encodable>(_ records: [R], to url: URL) throws {
        let data = try encode(records)
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw WorldError.fileAccess(path: url.path, reason: error.localizedDescription)
        }
    }
}
