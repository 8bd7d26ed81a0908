/// Positional-or-keyword arguments of a call, read by position and name like a Python signature.
struct Arguments {
    /// Positional arguments.
    let args: [Value]
    /// Keyword arguments.
    let kwargs: OrderedDict
    /// Where the call is written.
    let location: SourceLocation
    /// The callee's name for error messages.
    let callee: String

    /// The argument at `position` or named `name`, or nil when absent.
    func optional(_ position: Int, _ name: String) -> Value? {
        position < args.count ? args[position] : kwargs[name]
    }

    /// The argument at `position` or named `name`; an error naming the call when absent.
    func required(_ position: Int, _ name: String) throws -> Value {
        guard let v = optional(position, name) else {
            throw ChatTemplateError.render("\(callee)() missing required argument '\(name)'", at: location)
        }
        return v
    }

    /// A string argument (or nil when absent or None).
    func string(_ position: Int, _ name: String) throws -> String? {
        guard let v = optional(position, name) else { return nil }
        switch v {
        case .none: return nil
        case let .string(s): return s
        default: throw ChatTemplateError.render("\(callee)() argument '\(name)' must be str, not \(v.typeName)", at: location)
        }
    }

    /// An int argument with a default.
    func int(_ position: Int, _ name: String, default value: Int) throws -> Int {
        guard let v = optional(position, name) else { return value }
        guard let i = v.integer else {
            throw ChatTemplateError.render("\(callee)() argument '\(name)' must be int, not \(v.typeName)", at: location)
        }
        return i
    }
}

extension Interpreter {
    /// A bound method of a str, dict or list (the ones chat templates call), or nil when `name` is none.
    func boundMethod(of obj: Value, _ name: String, at location: SourceLocation) throws -> Value? {
        let body: ((Arguments) throws -> Value)?
        switch obj {
        case let .string(s): body = stringMethod(s, name)
        case let .dict(d): body = try dictMethod(d, name, at: location)
        case let .list(a), let .tuple(a): body = try listMethod(a, name, typeName: obj.typeName, at: location)
        default: body = nil
        }
        guard let body else { return nil }
        let callee = "\(obj.typeName).\(name)"
        return .function(TemplateFunction(name: callee) { args, kwargs, location in
            try body(Arguments(args: args, kwargs: kwargs, location: location, callee: callee))
        })
    }

    private func stringMethod(_ s: String, _ name: String) -> ((Arguments) throws -> Value)? {
        let scalars = Array(s.unicodeScalars)
        func affix(_ a: Arguments, suffix: Bool) throws -> Value {
            let arg = try a.required(0, suffix ? "suffix" : "prefix")
            let candidates: [Value] = arg.sequence ?? [arg]
            for candidate in candidates {
                guard case let .string(p) = candidate else {
                    throw ChatTemplateError.render("\(a.callee) first arg must be str or a tuple of str", at: a.location)
                }
                let ps = Array(p.unicodeScalars)
                if ps.count <= scalars.count, (suffix ? Array(scalars.suffix(ps.count)) : Array(scalars.prefix(ps.count))) == ps {
                    return .bool(true)
                }
            }
            return .bool(false)
        }
        switch name {
        case "strip", "lstrip", "rstrip":
            return { a in .string(PyString.strip(s, chars: try a.string(0, "chars"), leading: name != "rstrip", trailing: name != "lstrip")) }
        case "split":
            return { a in .list(PyString.split(s, sep: try a.string(0, "sep"), maxSplit: try a.int(1, "maxsplit", default: -1)).map { .string($0) }) }
        case "rsplit":
            return { a in
                let sep = try a.string(0, "sep"), maxSplit = try a.int(1, "maxsplit", default: -1)
                guard maxSplit >= 0 else { return .list(PyString.split(s, sep: sep).map { .string($0) }) }
                let reversed = String(scalarsIn: scalars.reversed())
                let parts = PyString.split(reversed, sep: sep.map { String(scalarsIn: $0.unicodeScalars.reversed()) }, maxSplit: maxSplit)
                return .list(parts.reversed().map { .string(String(scalarsIn: $0.unicodeScalars.reversed())) })
            }
        case "splitlines": return { _ in .list(PyString.splitLines(s).map { .string($0) }) }
        case "startswith": return { a in try affix(a, suffix: false) }
        case "endswith": return { a in try affix(a, suffix: true) }
        case "upper": return { _ in .string(s.uppercased()) }
        case "lower": return { _ in .string(s.lowercased()) }
        case "title": return { _ in .string(PyString.title(s)) }
        case "capitalize": return { _ in .string(PyString.capitalize(s)) }
        case "replace":
            return { a in
                guard let old = try a.string(0, "old"), let new = try a.string(1, "new") else {
                    throw ChatTemplateError.render("str.replace() needs old and new", at: a.location)
                }
                return .string(PyString.replace(s, old, new, count: try a.int(2, "count", default: -1)))
            }
        case "find", "index", "rfind", "rindex":
            return { a in
                let needle = Array((try a.string(0, "sub") ?? "").unicodeScalars)
                let hit = name.hasPrefix("r") ? PyString.rfind(needle, in: scalars) : PyString.find(needle, in: scalars)
                if hit == nil, name.hasSuffix("index") { throw ChatTemplateError.render("substring not found", at: a.location) }
                return .int(hit ?? -1)
            }
        case "count":
            return { a in
                let needle = Array((try a.string(0, "sub") ?? "").unicodeScalars)
                guard !needle.isEmpty else { return .int(scalars.count + 1) }
                var n = 0, i = 0
                while let hit = PyString.find(needle, in: scalars, from: i) { n += 1; i = hit + needle.count }
                return .int(n)
            }
        case "join":
            return { a in
                let items = try self.iterate(try a.required(0, "iterable"), at: a.location)
                return .string(try items.map { item -> String in
                    guard case let .string(t) = item else {
                        throw ChatTemplateError.render("sequence item: expected str instance, \(item.typeName) found", at: a.location)
                    }
                    return t
                }.joined(separator: s))
            }
        case "removeprefix", "removesuffix":
            return { a in
                let affixText = Array((try a.string(0, name == "removeprefix" ? "prefix" : "suffix") ?? "").unicodeScalars)
                if name == "removeprefix", scalars.starts(with: affixText) { return .string(String(scalarsIn: scalars.dropFirst(affixText.count))) }
                if name == "removesuffix", !affixText.isEmpty, Array(scalars.suffix(affixText.count)) == affixText {
                    return .string(String(scalarsIn: scalars.dropLast(affixText.count)))
                }
                return .string(s)
            }
        case "isdigit": return { _ in .bool(!scalars.isEmpty && scalars.allSatisfy { $0.properties.numericType == .decimal || $0.properties.numericType == .digit }) }
        case "isalpha": return { _ in .bool(!scalars.isEmpty && scalars.allSatisfy { $0.properties.isAlphabetic }) }
        case "isspace": return { _ in .bool(!scalars.isEmpty && scalars.allSatisfy { $0.isPythonSpace }) }
        case "isupper": return { _ in .bool(s.uppercased() == s && s.lowercased() != s) }
        case "islower": return { _ in .bool(s.lowercased() == s && s.uppercased() != s) }
        default: return nil
        }
    }

    private func dictMethod(_ d: OrderedDict, _ name: String, at location: SourceLocation) throws -> ((Arguments) throws -> Value)? {
        switch name {
        case "items": return { _ in .list(d.pairs.map { .tuple([.string($0.0), $0.1]) }) }
        case "keys": return { _ in .list(d.keys.map { .string($0) }) }
        case "values": return { _ in .list(d.pairs.map(\.1)) }
        case "get":
            return { a in
                let key = try a.required(0, "key")
                guard case let .string(k) = key else { return a.optional(1, "default") ?? .none }
                return d[k] ?? a.optional(1, "default") ?? .none
            }
        case "copy": return { _ in .dict(d) }
        case "update", "pop", "popitem", "setdefault", "clear":
            throw ChatTemplateError.render("access to attribute '\(name)' of 'dict' object is unsafe.", at: location)
        default: return nil
        }
    }

    private func listMethod(_ a: [Value], _ name: String, typeName: String, at location: SourceLocation) throws -> ((Arguments) throws -> Value)? {
        switch name {
        case "index":
            return { args in
                let needle = try args.required(0, "value")
                guard let i = a.firstIndex(where: { $0.pythonEquals(needle) }) else {
                    throw ChatTemplateError.render("\(needle.pythonRepr) is not in list", at: args.location)
                }
                return .int(i)
            }
        case "count":
            return { args in
                let needle = try args.required(0, "value")
                return .int(a.filter { $0.pythonEquals(needle) }.count)
            }
        case "append", "extend", "insert", "pop", "remove", "reverse", "sort", "clear":
            throw ChatTemplateError.render("access to attribute '\(name)' of '\(typeName)' object is unsafe.", at: location)
        default: return nil
        }
    }
}
