import EngineCore
import Foundation

/// Tolerant readers: a bad artifact becomes an `.unreadable` section naming file, line and field.
enum ArtifactReader {
    /// A whole-file JSON value.
    static func json(_ url: URL, _ origin: ArtifactOrigin) -> Loaded<JSONValue> {
        do {
            let bytes = try [UInt8](Data(contentsOf: url))
            return .value(try JSONValue.parse(bytes, file: origin.path), origin)
        } catch {
            return .unreadable("\(origin.path): \(error)")
        }
    }

    /// A whole-file JSON document decoded as `T`; a missing or mistyped field is named by its JSON path.
    static func decoded<T: Decodable>(_ url: URL, _ origin: ArtifactOrigin, as type: T.Type) -> Loaded<T> {
        do {
            return .value(try JSONDecoder().decode(T.self, from: Data(contentsOf: url)), origin)
        } catch let error as DecodingError {
            return .unreadable("\(origin.path): \(describe(error))")
        } catch {
            return .unreadable("\(origin.path): \(error.localizedDescription)")
        }
    }

    /// JSON Lines decoded as `T`, one value per non-empty line; the first bad line is named.
    static func jsonLines<T: Decodable>(_ url: URL, _ origin: ArtifactOrigin, as type: T.Type) -> Loaded<[T]> {
        guard let data = try? Data(contentsOf: url) else { return .unreadable("\(origin.path): cannot read the file") }
        let decoder = JSONDecoder()
        var values: [T] = []
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { continue }
            do {
                values.append(try decoder.decode(T.self, from: Data(line)))
            } catch let error as DecodingError {
                return .unreadable("\(origin.path):\(lineNumber): \(describe(error))")
            } catch {
                return .unreadable("\(origin.path):\(lineNumber): \(error.localizedDescription)")
            }
        }
        return .value(values, origin)
    }

    /// JSON Lines as generic values.
    static func jsonValues(_ url: URL, _ origin: ArtifactOrigin) -> Loaded<[JSONValue]> {
        guard let data = try? Data(contentsOf: url) else { return .unreadable("\(origin.path): cannot read the file") }
        var values: [JSONValue] = []
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { continue }
            do {
                values.append(try JSONValue.parse([UInt8](line), file: "\(origin.path):\(lineNumber)"))
            } catch {
                return .unreadable("\(origin.path):\(lineNumber): \(error)")
            }
        }
        return .value(values, origin)
    }

    /// A UTF-8 text file.
    static func text(_ url: URL, _ origin: ArtifactOrigin) -> Loaded<String> {
        guard let data = try? Data(contentsOf: url) else { return .unreadable("\(origin.path): cannot read the file") }
        return .value(String(decoding: data, as: UTF8.self), origin)
    }

    /// "missing field `x` at a.b[2]" style text for a decoding error.
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [CodingKey]) -> String {
            let text = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.isEmpty ? "$" : "$" + text
        }
        switch error {
        case let .keyNotFound(key, context): return "missing field \"\(key.stringValue)\" at \(path(context.codingPath))"
        case let .typeMismatch(type, context): return "field \(path(context.codingPath)) is not a \(type)"
        case let .valueNotFound(type, context): return "field \(path(context.codingPath)) is null, expected \(type)"
        case let .dataCorrupted(context): return "invalid JSON at \(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
