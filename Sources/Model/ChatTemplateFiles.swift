import ChatTemplate
import Foundation

/// A checkpoint's own chat template, with the special-token strings transformers renders it with.
public struct ModelChatTemplate: Sendable {
    /// The parsed template.
    public let template: ChatTemplate
    /// Where the template came from, e.g. `…/chat_template.jinja` or `…/tokenizer_config.json: chat_template`.
    public let origin: String
    /// `bos_token`, `eos_token`, `unk_token`, `sep_token`, `pad_token`, `cls_token`, `mask_token` when set,
    /// as transformers' `special_tokens_map` passes them to the template.
    public let specialTokens: [String: String]

    /// A template with its origin and special tokens.
    public init(template: ChatTemplate, origin: String, specialTokens: [String: String]) {
        self.template = template
        self.origin = origin
        self.specialTokens = specialTokens
    }

    /// The special-token attributes transformers passes to chat templates.
    static let specialTokenKeys = ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"]

    /// Loads the chat template of the Hugging Face directory `directory`, with transformers' precedence:
    /// `chat_template.jinja` (and `additional_chat_templates/*.jinja`) over `tokenizer_config.json`'s
    /// `chat_template`, which is either a string or a list of `{"name", "template"}`. Among named templates,
    /// `name` picks one; otherwise `tool_use` when `tools` is set and present, else `default`.
    /// - Returns: nil when the directory has no chat template.
    /// - Throws: `ModelError.badFile` naming the file, the JSON path or the template line.
    public static func load(from directory: URL, name: String? = nil, tools: Bool = false) throws -> ModelChatTemplate? {
        let configURL = directory.appendingPathComponent("tokenizer_config.json")
        var config = OrderedDict()
        if FileManager.default.fileExists(atPath: configURL.path) {
            let text = try readText(configURL)
            do {
                guard case let .dict(d) = try Value.parseJSON(text) else {
                    throw ModelError.badFile(path: configURL.path, reason: "expected a JSON object at the top level")
                }
                config = d
            } catch let error as ChatTemplateError {
                throw ModelError.badFile(path: configURL.path, reason: error.description)
            }
        }
        var named: [(name: String, source: String, origin: String)] = []
        let fileURL = directory.appendingPathComponent("chat_template.jinja")
        if FileManager.default.fileExists(atPath: fileURL.path) {
            named.append(("default", try readText(fileURL), fileURL.path))
        }
        let extraDirectory = directory.appendingPathComponent("additional_chat_templates")
        if let files = try? FileManager.default.contentsOfDirectory(atPath: extraDirectory.path) {
            for file in files.sorted() where file.hasSuffix(".jinja") {
                let url = extraDirectory.appendingPathComponent(file)
                named.append((String(file.dropLast(6)), try readText(url), url.path))
            }
        }
        if named.isEmpty {
            switch config["chat_template"] {
            case nil, .some(.none): break
            case let .some(.string(source)): named.append(("default", source, configURL.path + ": chat_template"))
            case let .some(.list(items)):
                for (i, item) in items.enumerated() {
                    guard case let .dict(entry) = item, case let .string(n)? = entry["name"], case let .string(source)? = entry["template"] else {
                        throw ModelError.badFile(path: configURL.path,
                                                 reason: "chat_template[\(i)] must be an object with string \"name\" and \"template\"")
                    }
                    named.append((n, source, configURL.path + ": chat_template[\(i)] (\(n))"))
                }
            case let .some(other):
                throw ModelError.badFile(path: configURL.path,
                                         reason: "chat_template must be a string or a list of named templates, not \(other.typeName)")
            }
        }
        guard !named.isEmpty else { return nil }
        let chosen: (name: String, source: String, origin: String)
        if named.count == 1, named[0].name == "default", name == nil {
            chosen = named[0]
        } else if let hit = named.first(where: {
            $0.name == name ?? (tools && named.contains { $0.name == "tool_use" } ? "tool_use" : "default")
        }) {
            chosen = hit
        } else {
            let names = named.map(\.name).sorted().joined(separator: ", ")
            throw ModelError.badFile(path: directory.path, reason: "no chat template named '\(name ?? "default")'; available: \(names)")
        }
        let template: ChatTemplate
        do {
            template = try ChatTemplate(source: chosen.source)
        } catch let error as ChatTemplateError {
            throw ModelError.badFile(path: chosen.origin, reason: error.description)
        }
        return ModelChatTemplate(template: template, origin: chosen.origin, specialTokens: try specialTokens(config, configURL: configURL,
                                                                                                            directory: directory))
    }

    /// The named special tokens of `tokenizer_config.json` (strings or `{"content": …}` objects), falling back
    /// to `special_tokens_map.json` for keys the config lacks.
    private static func specialTokens(_ config: OrderedDict, configURL: URL, directory: URL) throws -> [String: String] {
        var tokens: [String: String] = [:]
        func take(_ d: OrderedDict, from path: String) throws {
            for key in specialTokenKeys where tokens[key] == nil {
                switch d[key] {
                case nil, .some(.none): continue
                case let .some(.string(s)): tokens[key] = s
                case let .some(.dict(token)):
                    guard case let .string(s)? = token["content"] else {
                        throw ModelError.badFile(path: path, reason: "\(key).content must be a string")
                    }
                    tokens[key] = s
                case let .some(other):
                    throw ModelError.badFile(path: path, reason: "\(key) must be a string or an object with \"content\", not \(other.typeName)")
                }
            }
        }
        try take(config, from: configURL.path)
        let mapURL = directory.appendingPathComponent("special_tokens_map.json")
        if FileManager.default.fileExists(atPath: mapURL.path) {
            do {
                if case let .dict(map) = try Value.parseJSON(try readText(mapURL)) { try take(map, from: mapURL.path) }
            } catch let error as ChatTemplateError {
                throw ModelError.badFile(path: mapURL.path, reason: error.description)
            }
        }
        return tokens
    }

    private static func readText(_ url: URL) throws -> String {
        do {
            let data = try Data(contentsOf: url)
            guard let text = String(data: data, encoding: .utf8) else {
                throw ModelError.badFile(path: url.path, reason: "not valid UTF-8")
            }
            return text
        } catch let error as ModelError {
            throw error
        } catch {
            throw ModelError.badFile(path: url.path, reason: "unreadable: \(error.localizedDescription)")
        }
    }

    /// Renders `messages` and returns the text with its assistant spans (UTF-8 byte ranges), as
    /// `ChatTemplate.renderWithAssistantSpans` with this model's special tokens.
    public func render(messages: [Value], addGenerationPrompt: Bool, variables: [String: Value] = [:]) throws -> RenderedChat {
        try template.renderWithAssistantSpans(messages: messages, addGenerationPrompt: addGenerationPrompt,
                                              specialTokens: specialTokens, variables: variables)
    }

    /// Per-token loss weights from token byte ranges and assistant spans: 1 for a token that overlaps a span,
    /// as transformers' `return_assistant_tokens_mask` does (so a token cut by a span edge still counts).
    /// - Complexity: O(tokens + spans); both must be sorted.
    public static func lossMask(tokenOffsets: [Range<Int>], spans: [Range<Int>]) -> [Float] {
        var mask = [Float](repeating: 0, count: tokenOffsets.count)
        var s = 0
        for (i, token) in tokenOffsets.enumerated() {
            while s < spans.count, token.lowerBound >= spans[s].upperBound { s += 1 }
            guard s < spans.count else { break }
            if token.upperBound > spans[s].lowerBound { mask[i] = 1 }
        }
        return mask
    }
}
