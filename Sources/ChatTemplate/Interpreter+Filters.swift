import Foundation

extension Interpreter {
    /// The filters this engine implements (jinja2 built-ins used by chat templates, and transformers' `tojson`).
    static let filterNames: Set<String> = [
        "trim", "length", "count", "tojson", "default", "d", "list", "join", "selectattr", "rejectattr", "select",
        "reject", "map", "first", "last", "upper", "lower", "capitalize", "title", "replace", "string", "int",
        "float", "abs", "round", "items", "reverse", "sort", "unique", "safe", "e", "escape", "indent", "min", "max",
        "sum", "attr", "dictsort", "wordcount", "center",
    ]

    /// Applies filter `name` (`value | name(args)`).
    func applyFilter(_ name: String, to value: Value, args: [Value], kwargs: OrderedDict, at location: SourceLocation) throws -> Value {
        let a = Arguments(args: args, kwargs: kwargs, location: location, callee: name)
        func undefinedCheck() throws {
            if case let .undefined(message) = value { throw ChatTemplateError.render(message, at: location) }
        }
        switch name {
        case "trim": return .string(PyString.strip(value.pythonStr, chars: try a.string(0, "chars")))
        case "length", "count":
            switch value {
            case let .string(s): return .int(s.unicodeScalars.count)
            case let .list(x), let .tuple(x): return .int(x.count)
            case let .dict(d): return .int(d.count)
            case .undefined: return .int(0)
            case let .object(o): return .int(o.attributes.count)
            default: throw ChatTemplateError.render("object of type '\(value.typeName)' has no len()", at: location)
            }
        case "tojson": return try toJSON(value, a)
        case "default", "d":
            let fallback = a.optional(0, "default_value") ?? .string("")
            let boolean = a.optional(1, "boolean")?.isTruthy ?? false
            return value.isUndefined || (boolean && !value.isTruthy) ? fallback : value
        case "list": return .list(try iterate(value, at: location))
        case "join":
            var items = try iterate(value, at: location)
            if let attribute = try a.string(1, "attribute") { items = try items.map { try attributePath($0, attribute, at: location) } }
            return .string(items.map(\.pythonStr).joined(separator: try a.string(0, "d") ?? ""))
        case "selectattr", "rejectattr":
            let attribute = try a.string(0, "attr") ?? ""
            return .list(try iterate(value, at: location).filter { item in
                try selectTest(try attributePath(item, attribute, at: location), args: Array(args.dropFirst()), at: location)
                    == (name == "selectattr")
            })
        case "select", "reject":
            return .list(try iterate(value, at: location).filter { try selectTest($0, args: args, at: location) == (name == "select") })
        case "map": return try mapFilter(value, a)
        case "first":
            return try iterate(value, at: location).first ?? .undefined("No first item, sequence was empty.")
        case "last":
            return try iterate(value, at: location).last ?? .undefined("No last item, sequence was empty.")
        case "upper": return .string(value.pythonStr.uppercased())
        case "lower": return .string(value.pythonStr.lowercased())
        case "capitalize": return .string(PyString.capitalize(value.pythonStr))
        case "title": return .string(PyString.title(value.pythonStr))
        case "replace":
            guard let old = try a.string(0, "old"), let new = try a.string(1, "new") else {
                throw ChatTemplateError.render("replace() needs old and new", at: location)
            }
            let count = try a.optional(2, "count").map { v -> Int in
                if case .none = v { return -1 }
                return try a.int(2, "count", default: -1)
            } ?? -1
            return .string(PyString.replace(value.pythonStr, old, new, count: count))
        case "string", "safe": return .string(value.pythonStr)
        case "e", "escape":
            var out = ""
            for c in value.pythonStr.unicodeScalars {
                switch c {
                case "&": out += "&amp;"
                case "<": out += "&lt;"
                case ">": out += "&gt;"
                case "\"": out += "&#34;"
                case "'": out += "&#39;"
                default: out.unicodeScalars.append(c)
                }
            }
            return .string(out)
        case "int":
            let fallback = a.optional(0, "default") ?? .int(0)
            switch value {
            case let .int(i): return .int(i)
            case let .bool(b): return .int(b ? 1 : 0)
            case let .double(d): return d.isFinite && abs(d) < 9.2e18 ? .int(Int(d)) : fallback
            case let .string(s):
                let t = PyString.strip(s, chars: nil).replacingOccurrences(of: "_", with: "")
                if let i = Int(t, radix: try a.int(1, "base", default: 10)) { return .int(i) }
                if let d = Double(t), d.isFinite, abs(d) < 9.2e18 { return .int(Int(d)) }
                return fallback
            default: return fallback
            }
        case "float":
            let fallback = a.optional(0, "default") ?? .double(0)
            if let n = value.number { return .double(n) }
            if case let .string(s) = value, let d = Double(PyString.strip(s, chars: nil)) { return .double(d) }
            return fallback
        case "abs":
            switch value {
            case let .int(i): return .int(abs(i))
            case let .double(d): return .double(abs(d))
            case let .bool(b): return .int(b ? 1 : 0)
            default: throw ChatTemplateError.render("bad operand type for abs(): '\(value.typeName)'", at: location)
            }
        case "round":
            guard let n = value.number else { throw ChatTemplateError.render("round() needs a number, not \(value.typeName)", at: location) }
            let precision = try a.int(0, "precision", default: 0)
            let method = try a.string(1, "method") ?? "common"
            let scale = pow(10, Double(precision))
            let rule: FloatingPointRoundingRule = method == "ceil" ? .up : method == "floor" ? .down : .toNearestOrEven
            return .double((n * scale).rounded(rule) / scale)
        case "items":
            switch value {
            case let .dict(d): return .list(d.pairs.map { .tuple([.string($0.0), $0.1]) })
            case .undefined: return .list([])
            default: throw ChatTemplateError.render("can only get item pairs from a mapping", at: location)
            }
        case "reverse":
            if case let .string(s) = value { return .string(String(scalarsIn: s.unicodeScalars.reversed())) }
            return .list(try iterate(value, at: location).reversed())
        case "sort":
            let attribute = try a.string(2, "attribute")
            let caseSensitive = a.optional(1, "case_sensitive")?.isTruthy ?? false
            let items = try iterate(value, at: location)
            let keys = try items.map { item -> Value in
                let key = try attribute.map { try attributePath(item, $0, at: location) } ?? item
                if !caseSensitive, case let .string(s) = key { return .string(s.lowercased()) }
                return key
            }
            var order = Array(items.indices)
            var failure: Error?
            order.sort { i, j in
                do { return try compare("<", keys[i], keys[j], at: location) } catch { failure = error; return false }
            }
            if let failure { throw failure }
            if a.optional(0, "reverse")?.isTruthy ?? false { order.reverse() }
            return .list(order.map { items[$0] })
        case "unique":
            var seen: [Value] = []
            for item in try iterate(value, at: location) where !seen.contains(where: { $0.pythonEquals(item) }) { seen.append(item) }
            return .list(seen)
        case "indent": return try indent(value.pythonStr, a)
        case "min", "max":
            let items = try iterate(value, at: location)
            guard var best = items.first else { return .undefined("No aggregated item, sequence was empty.") }
            for item in items.dropFirst() where try compare(name == "min" ? "<" : ">", item, best, at: location) { best = item }
            return best
        case "sum":
            var total = a.optional(1, "start") ?? .int(0)
            let attribute = try a.string(0, "attribute")
            for item in try iterate(value, at: location) {
                total = try binary("+", total, try attribute.map { try attributePath(item, $0, at: location) } ?? item, at: location)
            }
            return total
        case "attr":
            try undefinedCheck()
            return try attribute(of: value, try a.string(0, "name") ?? "", at: location)
        case "dictsort":
            guard case let .dict(d) = value else { throw ChatTemplateError.render("dictsort needs a mapping", at: location) }
            return .list(d.pairs.sorted { $0.0.lowercased().unicodeScalars.lexicographicallyPrecedes($1.0.lowercased().unicodeScalars) }
                .map { .tuple([.string($0.0), $0.1]) })
        case "wordcount": return .int(PyString.split(value.pythonStr, sep: nil).count)
        case "center":
            let width = try a.int(0, "width", default: 80)
            let s = value.pythonStr, n = s.unicodeScalars.count
            guard width > n else { return .string(s) }
            let left = (width - n) / 2 + ((width - n) % 2 == 1 && width % 2 == 1 ? 1 : 0)
            return .string(String(repeating: " ", count: left) + s + String(repeating: " ", count: width - n - left))
        default:
            throw ChatTemplateError.unsupported("filter '\(name)'", at: location)
        }
    }

    /// `item.a.b` through subscripts, as jinja2's attribute getters for `selectattr`, `map` and `join`.
    func attributePath(_ item: Value, _ path: String, at location: SourceLocation) throws -> Value {
        var v = item
        for part in PyString.split(path, sep: ".") {
            v = try self.item(of: v, Int(part).map { .int($0) } ?? .string(part), at: location)
        }
        return v
    }

    /// The test of `select`-like filters: the named test with arguments, or truthiness when none is named.
    private func selectTest(_ value: Value, args: [Value], at location: SourceLocation) throws -> Bool {
        guard let first = args.first else { return value.isTruthy }
        guard case let .string(test) = first else { throw ChatTemplateError.render("test name must be a string", at: location) }
        guard Interpreter.testNames.contains(test) else { throw ChatTemplateError.unsupported("test '\(test)'", at: location) }
        return try applyTest(test, to: value, args: Array(args.dropFirst()), at: location)
    }

    private func mapFilter(_ value: Value, _ a: Arguments) throws -> Value {
        let items = try iterate(value, at: a.location)
        if let attribute = try a.string(99, "attribute") {
            let fallback = a.kwargs["default"]
            return .list(try items.map { item in
                let v = try attributePath(item, attribute, at: a.location)
                if v.isUndefined, let fallback { return fallback }
                return v
            })
        }
        guard case let .string(filter)? = a.args.first else { return .list(items) }
        guard Interpreter.filterNames.contains(filter) else { throw ChatTemplateError.unsupported("filter '\(filter)'", at: a.location) }
        return .list(try items.map { try applyFilter(filter, to: $0, args: Array(a.args.dropFirst()), kwargs: OrderedDict(), at: a.location) })
    }

    /// transformers' `tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)`.
    private func toJSON(_ value: Value, _ a: Arguments) throws -> Value {
        let ensureASCII = a.optional(0, "ensure_ascii")?.isTruthy ?? false
        var indent: String?
        switch a.optional(1, "indent") {
        case nil, .some(.none): indent = nil
        case let .some(.string(s)): indent = s
        case let .some(v):
            guard let n = v.integer else { throw ChatTemplateError.render("tojson indent must be an int or a string", at: a.location) }
            indent = String(repeating: " ", count: max(0, n))
        }
        var separators: (String, String)?
        if let s = a.optional(2, "separators"), let pair = s.sequence {
            guard pair.count == 2, case let .string(item) = pair[0], case let .string(key) = pair[1] else {
                throw ChatTemplateError.render("tojson separators must be two strings", at: a.location)
            }
            separators = (item, key)
        }
        do {
            let text = try value.jsonDumps(indent: indent, separators: separators, sortKeys: a.optional(3, "sort_keys")?.isTruthy ?? false)
            guard ensureASCII else { return .string(text) }
            var out = ""
            for unit in text.utf16 {
                if unit < 0x80 { out.unicodeScalars.append(Unicode.Scalar(unit)!) } else { out += String(format: "\\u%04x", unit) }
            }
            return .string(out)
        } catch let error as JSONDumpError {
            throw ChatTemplateError.render("Object of type \(error.typeName) is not JSON serializable", at: a.location)
        }
    }

    /// jinja2's `indent(s, width=4, first=False, blank=False)`.
    private func indent(_ text: String, _ a: Arguments) throws -> Value {
        let indention: String
        if case let .string(s)? = a.optional(0, "width") { indention = s } else {
            indention = String(repeating: " ", count: max(0, try a.int(0, "width", default: 4)))
        }
        let first = a.optional(1, "first")?.isTruthy ?? false
        let blank = a.optional(2, "blank")?.isTruthy ?? false
        var lines = PyString.splitLines(text + "\n")
        var result: String
        if blank {
            result = lines.joined(separator: "\n" + indention)
        } else {
            result = lines.isEmpty ? "" : lines.removeFirst()
            if !lines.isEmpty { result += "\n" + lines.map { $0.isEmpty ? $0 : indention + $0 }.joined(separator: "\n") }
        }
        if first { result = indention + result }
        return .string(result)
    }
}
