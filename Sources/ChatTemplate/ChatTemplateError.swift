/// Where in a template something happened: 1-based line and column (in Unicode scalars).
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    /// 1-based line.
    public var line: Int
    /// 1-based column, counted in Unicode scalars.
    public var column: Int

    /// A location at `line`:`column`.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// "line L, column C".
    public var description: String { "line \(line), column \(column)" }
}

/// Everything that can go wrong while parsing or rendering a chat template.
public enum ChatTemplateError: Error, Equatable, CustomStringConvertible {
    /// The template text is not valid Jinja (as far as the supported subset goes).
    case syntax(String, at: SourceLocation)
    /// The template uses a Jinja construct this engine does not implement.
    case unsupported(String, at: SourceLocation)
    /// The template called `raise_exception(message)`; `message` is the template's own text.
    case raised(String, at: SourceLocation)
    /// An expression failed at render time (undefined value, wrong type, bad index...).
    case render(String, at: SourceLocation)
    /// A JSON input (messages, context) could not be read.
    case badJSON(String)
    /// The assistant spans of a conversation could not be located by rendering.
    case spans(String)

    /// A one-line explanation naming the template line where there is one.
    public var description: String {
        switch self {
        case let .syntax(message, at): return "chat template syntax error at \(at): \(message)"
        case let .unsupported(message, at):
            return "chat template uses an unsupported construct at \(at): \(message); "
                + "only the Jinja subset of chat templates is implemented"
        case let .raised(message, _): return message
        case let .render(message, at): return "chat template error at \(at): \(message)"
        case let .badJSON(message): return "invalid JSON: \(message)"
        case let .spans(message): return "cannot find the assistant spans: \(message)"
        }
    }

    /// The template location, when the error has one.
    public var location: SourceLocation? {
        switch self {
        case let .syntax(_, at), let .unsupported(_, at), let .raised(_, at), let .render(_, at): return at
        case .badJSON, .spans: return nil
        }
    }
}
