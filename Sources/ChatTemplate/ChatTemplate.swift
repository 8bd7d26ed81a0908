import Foundation

/// A parsed Jinja chat template that renders byte for byte as transformers' `apply_chat_template` does.
///
/// transformers renders with jinja2's `ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)`, the
/// `loopcontrols` and `{% generation %}` extensions, its own `tojson` (`ensure_ascii=False`) and the globals
/// `raise_exception`, `strftime_now`, `namespace` and `dict`. This type implements the subset of Jinja that chat
/// templates use; anything else is rejected when the template is parsed, with its line and column.
public struct ChatTemplate: @unchecked Sendable {
    /// The template text as given.
    public let source: String
    /// The parsed statements (immutable after parsing, hence safe to share).
    let statements: [Stmt]

    /// Parses `source`; throws `ChatTemplateError.syntax` or `.unsupported` naming the line and column.
    public init(source: String) throws {
        self.source = source
        var lexer = Lexer(source: source)
        var parser = Parser(tokens: try lexer.tokenize())
        statements = try parser.parseTemplate()
    }

    /// Whether the template marks assistant output with `{% generation %}` blocks.
    public var hasGenerationBlocks: Bool {
        func scan(_ body: [Stmt]) -> Bool {
            body.contains { stmt in
                switch stmt.kind {
                case .generation: return true
                case let .ifChain(branches, otherwise): return branches.contains { scan($0.1) } || scan(otherwise)
                case let .forLoop(_, _, _, body, otherwise): return scan(body) || scan(otherwise)
                case let .setBlock(_, body), let .macro(_, _, body): return scan(body)
                default: return false
                }
            }
        }
        return scan(statements)
    }

    /// Renders with `variables` as the template's context; also returns the UTF-8 byte ranges of the
    /// `{% generation %}` blocks in the output.
    /// - Parameters:
    ///   - now: the time `strftime_now` reports.
    ///   - timeZone: the zone `strftime_now` formats in (transformers uses the local time).
    public func renderTracked(_ variables: [String: Value], now: Date = Date(),
                              timeZone: TimeZone = .current) throws -> (text: String, generationSpans: [Range<Int>]) {
        let interpreter = Interpreter(variables: variables, now: now, timeZone: timeZone)
        interpreter.scopes[0]["strftime_now"] = .function(interpreter.strftimeNow())
        if let provided = variables["strftime_now"] { interpreter.scopes[0]["strftime_now"] = provided }
        _ = try interpreter.run(statements)
        return (interpreter.output, interpreter.generationSpans)
    }

    /// Renders with `variables` as the template's context.
    public func render(_ variables: [String: Value], now: Date = Date(), timeZone: TimeZone = .current) throws -> String {
        try renderTracked(variables, now: now, timeZone: timeZone).text
    }

    /// The context transformers passes: `messages` (keys whose value is None dropped, reasoning fields aliased),
    /// `tools` and `documents` (None unless given), `add_generation_prompt`, then the special tokens and extra
    /// variables (which win over the special tokens).
    public static func context(messages: [Value], addGenerationPrompt: Bool, specialTokens: [String: String] = [:],
                               variables: [String: Value] = [:]) -> [String: Value] {
        var context: [String: Value] = [:]
        for (key, token) in specialTokens { context[key] = .string(token) }
        for (key, value) in variables { context[key] = value }
        context["messages"] = .list(messages.map(normalizedMessage))
        context["add_generation_prompt"] = .bool(addGenerationPrompt)
        if context["tools"] == nil { context["tools"] = Value.none }
        if context["documents"] == nil { context["documents"] = Value.none }
        return context
    }

    /// transformers' message clean-up: drops None values and copies reasoning under `thinking` and `reasoning_content`.
    static func normalizedMessage(_ message: Value) -> Value {
        guard case let .dict(d) = message else { return message }
        var kept = OrderedDict(d.pairs.filter { if case .none = $0.1 { return false } else { return true } })
        let reasoningKeys = ["reasoning_content", "thinking", "reasoning"]
        if let reasoning = reasoningKeys.lazy.compactMap({ kept[$0] }).first {
            var aliased = OrderedDict([("thinking", reasoning)])
            for (k, v) in kept.pairs where k != "thinking" { aliased[k] = v }
            aliased["reasoning_content"] = reasoning
            kept = aliased
        }
        return .dict(kept)
    }

    /// Renders a conversation the way `apply_chat_template(messages, add_generation_prompt=..., tokenize=False)` does.
    public func render(messages: [Value], addGenerationPrompt: Bool, specialTokens: [String: String] = [:],
                       variables: [String: Value] = [:], now: Date = Date(), timeZone: TimeZone = .current) throws -> String {
        try render(ChatTemplate.context(messages: messages, addGenerationPrompt: addGenerationPrompt,
                                        specialTokens: specialTokens, variables: variables), now: now, timeZone: timeZone)
    }
}
