/// An artifact the report shows, as far as it could be read.
enum Loaded<Value> {
    /// No such artifact: the node was never built, or no input supplies it. The text says which.
    case absent(String)
    /// The file exists but could not be read as expected; the text names the file, line and field.
    case unreadable(String)
    /// The parsed content, with where it came from.
    case value(Value, ArtifactOrigin)

    /// The parsed content, if any.
    var value: Value? {
        if case let .value(value, _) = self { return value }
        return nil
    }

    /// The same artifact with its content transformed by `transform`.
    func map<T>(_ transform: (Value) -> T) -> Loaded<T> {
        switch self {
        case let .absent(text): return .absent(text)
        case let .unreadable(text): return .unreadable(text)
        case let .value(value, origin): return .value(transform(value), origin)
        }
    }

    /// Where the content came from, if it was read.
    var origin: ArtifactOrigin? {
        if case let .value(_, origin) = self { return origin }
        return nil
    }
}

/// Where an artifact was read from.
struct ArtifactOrigin: Sendable {
    /// Display path (workspace-relative when known).
    var path: String
    /// Content hash (hex) when known.
    var hash: String?
    /// The node that produced it, when known.
    var node: String?
}
