import EngineCore
import Foundation

/// The numbers of a JSON artifact (e.g. `rm_eval.json`) by dotted lowercase path, found by name.
struct JSONFigures {
    /// Path (e.g. `heldout.accuracy`) → number.
    let values: [String: Double]

    /// Flattens `value`: every number under objects (arrays are skipped), keyed by dotted path.
    init(_ value: JSONValue) {
        var table: [String: Double] = [:]
        func walk(_ value: JSONValue, _ path: String) {
            switch value {
            case let .object(members):
                for (key, member) in members { walk(member, path.isEmpty ? key.lowercased() : path + "." + key.lowercased()) }
            case .int, .double:
                table[path] = value.doubleValue
            default:
                break
            }
        }
        walk(value, "")
        values = table
    }

    /// Parses the JSON file at `url` (named `file` in errors).
    static func load(_ url: URL, file: String) throws -> JSONFigures {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw StagesError.badInput(path: file, message: "no such file")
        }
        do {
            return JSONFigures(try JSONValue.parse([UInt8](data), file: file))
        } catch {
            throw StagesError.malformed(file: file, line: nil, message: "\(error)")
        }
    }

    /// The first of `names` present as a full path; else the shortest path containing every word of
    /// `all` and none of `none` (path components split on "." and "_").
    func find(_ names: [String], all: [String] = [], none: [String] = []) -> (path: String, value: Double)? {
        for name in names { if let value = values[name] { return (name, value) } }
        guard !all.isEmpty else { return nil }
        let matches = values.keys.filter { path in
            let words = Set(path.split(whereSeparator: { $0 == "." || $0 == "_" }).map(String.init))
            return all.allSatisfy { word in words.contains { $0.hasPrefix(word) } } && !none.contains { word in words.contains { $0.hasPrefix(word) } }
        }
        guard let path = matches.min(by: { ($0.count, $0) < ($1.count, $1) }) else { return nil }
        return (path, values[path]!)
    }
}
