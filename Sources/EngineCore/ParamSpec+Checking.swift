extension ParamSpec {
    /// Every problem of `value` against this declaration, each located at `path` (or below it for arrays and objects).
    public func issues(in value: JSONValue, path: String) -> [ValidationIssue] {
        guard type.accepts(value) else {
            return [ValidationIssue(path: path, message: "must be \(type.rawValue), found \(value.typeName)")]
        }
        switch value {
        case let .array(items):
            if nonEmpty && items.isEmpty { return [ValidationIssue(path: path, message: "must hold at least one element")] }
            guard let elements else { return [] }
            let element = ParamSpec(name, elements, range: range, allowed: allowed)
            return items.enumerated().flatMap { index, item in element.issues(in: item, path: "\(path)[\(index)]") }
        case let .object(members):
            guard let fields else { return [] }
            let known = Dictionary(fields.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            var found: [ValidationIssue] = []
            for field in fields where field.required && members[field.name] == nil {
                found.append(ValidationIssue(path: "\(path).\(field.name)", message: "missing required \(field.type.rawValue)"))
            }
            for key in members.keys.sorted() {
                if let field = known[key] {
                    found += field.issues(in: members[key]!, path: "\(path).\(key)")
                } else {
                    found.append(ValidationIssue(path: "\(path).\(key)", message: "unknown key; known: \(fields.map(\.name).joined(separator: ", "))"))
                }
            }
            return found
        case let .string(text):
            if let allowed, !allowed.contains(text) {
                return [ValidationIssue(path: path, message: "must be one of \(allowed.joined(separator: ", ")), found \"\(text)\"")]
            }
            return []
        case .int, .double:
            guard let range, let number = value.doubleValue else { return [] }
            if !number.isFinite || !range.contains(number) {
                return [ValidationIssue(path: path, message: "\(Self.text(number)) is outside \(Self.text(range))")]
            }
            return []
        default:
            return []
        }
    }

    /// The type with its constraints, e.g. `number in [0, 1]`, `string: fixed | adaptive`, `array of number in [0, 10]`.
    public var constraintText: String {
        var text = type.rawValue
        if let elements { text += " of \(elements.rawValue)" }
        if let range { text += " in \(Self.text(range))" }
        if let allowed { text += ": " + allowed.joined(separator: " | ") }
        if nonEmpty { text += " (non-empty)" }
        if let fields { text += " with keys " + fields.map(\.name).joined(separator: ", ") }
        return text
    }

    /// The default as shown to people: canonical JSON, the derivation, or "none".
    public var defaultText: String {
        switch defaultValue {
        case .none: return required ? "required" : "none"
        case let .value(value): return value.canonical
        case let .derived(how): return how
        }
    }

    /// A number without a needless ".0" (integral values print as integers).
    public static func text(_ number: Double) -> String {
        if number.isInfinite { return number > 0 ? "inf" : "-inf" }
        if number.rounded() == number && abs(number) < 1e15 { return String(Int64(number)) }
        return String(number)
    }

    /// A closed range as `[low, high]`.
    public static func text(_ range: ClosedRange<Double>) -> String {
        "[\(text(range.lowerBound)), \(text(range.upperBound))]"
    }
}
