import ChatTemplate
import Foundation
import XCTest

/// The fixtures written by `bench/render_chat_fixtures.py`: real chat templates and jinja2's renders of them.
struct FixtureCases {
    /// One conversation rendered by one template.
    struct Case {
        let template: String
        let conversation: String
        let addGenerationPrompt: Bool
        let specialTokens: [String: String]
        let variables: [String: Value]
        let messages: [Value]
        let expected: String?
        let error: String?
        let errorType: String?
        let generationSpans: [Range<Int>]?

        /// "template/conversation/agp" for failure messages.
        var label: String { "\(template)/\(conversation)/agp=\(addGenerationPrompt)" }
    }

    /// One small template pinning down a Jinja rule.
    struct Snippet {
        let name: String
        let source: String
        let variables: [String: Value]
        let expected: String?
        let error: String?
        let errorType: String?
    }

    let cases: [Case]
    let snippets: [Snippet]
    let templates: [String: ChatTemplate]
    let roleMarkers: [String: [String]]
    let now: Date

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// Loads `Fixtures/cases.json` and parses every template of `Fixtures/templates`.
    static func load() throws -> FixtureCases {
        let text = try String(contentsOf: directory.appendingPathComponent("cases.json"), encoding: .utf8)
        guard case let .dict(root) = try Value.parseJSON(text) else { throw XCTSkip("cases.json is not an object") }
        func string(_ v: Value?) -> String? { if case let .string(s)? = v { return s } else { return nil } }
        func dict(_ v: Value?) -> OrderedDict { if case let .dict(d)? = v { return d } else { return OrderedDict() } }
        func list(_ v: Value?) -> [Value] { v?.sequenceValues ?? [] }
        var cases: [Case] = []
        for item in list(root["cases"]) {
            let c = dict(item)
            let spans = c["generation_spans"].map { list($0).map { pair -> Range<Int> in
                let bounds = list(pair).compactMap { v -> Int? in if case let .int(i) = v { return i } else { return nil } }
                return bounds[0]..<bounds[1]
            } }
            cases.append(Case(template: string(c["template"])!, conversation: string(c["conversation"])!,
                              addGenerationPrompt: c["add_generation_prompt"] == .bool(true),
                              specialTokens: Dictionary(uniqueKeysWithValues: dict(c["special_tokens"]).pairs.map { ($0.0, string($0.1)!) }),
                              variables: Dictionary(uniqueKeysWithValues: dict(c["variables"]).pairs),
                              messages: list(c["messages"]), expected: string(c["expected"]), error: string(c["error"]),
                              errorType: string(c["error_type"]), generationSpans: spans))
        }
        let snippets = list(root["snippets"]).map { item -> Snippet in
            let s = dict(item)
            return Snippet(name: string(s["name"])!, source: string(s["source"])!,
                           variables: Dictionary(uniqueKeysWithValues: dict(s["variables"]).pairs),
                           expected: string(s["expected"]), error: string(s["error"]), errorType: string(s["error_type"]))
        }
        var templates: [String: ChatTemplate] = [:]
        let templateDirectory = directory.appendingPathComponent("templates")
        for file in try FileManager.default.contentsOfDirectory(atPath: templateDirectory.path) where file.hasSuffix(".jinja") {
            let source = try String(contentsOf: templateDirectory.appendingPathComponent(file), encoding: .utf8)
            templates[String(file.dropLast(6))] = try ChatTemplate(source: source)
        }
        let markers = Dictionary(uniqueKeysWithValues: dict(root["role_markers"]).pairs.map { ($0.0, list($0.1).compactMap(string)) })
        let formatter = ISO8601DateFormatter()
        return FixtureCases(cases: cases, snippets: snippets, templates: templates, roleMarkers: markers,
                            now: formatter.date(from: string(root["now_utc"])!)!)
    }
}

extension Value {
    /// The elements of a list or tuple.
    var sequenceValues: [Value]? {
        switch self {
        case let .list(a), let .tuple(a): return a
        default: return nil
        }
    }
}

/// UTC, the zone the fixtures pin `strftime_now` in.
let utc = TimeZone(identifier: "UTC")!
