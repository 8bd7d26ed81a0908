import Foundation

extension Interpreter {
    /// The tests this engine implements (`value is name`), jinja2's built-ins.
    static let testNames: Set<String> = [
        "defined", "undefined", "none", "boolean", "true", "false", "integer", "float", "number", "string", "mapping",
        "iterable", "sequence", "callable", "sameas", "equalto", "eq", "ne", "lt", "le", "gt", "ge", "in", "odd",
        "even", "divisibleby", "lower", "upper", "escaped",
    ]

    /// Applies test `name` to `value`.
    func applyTest(_ name: String, to value: Value, args: [Value], at location: SourceLocation) throws -> Bool {
        func arg() throws -> Value {
            guard let first = args.first else { throw ChatTemplateError.render("test '\(name)' needs an argument", at: location) }
            return first
        }
        switch name {
        case "defined": return !value.isUndefined
        case "undefined": return value.isUndefined
        case "none": if case .none = value { return true } else { return false }
        case "boolean": if case .bool = value { return true } else { return false }
        case "true": if case .bool(true) = value { return true } else { return false }
        case "false": if case .bool(false) = value { return true } else { return false }
        case "integer": if case .int = value { return true } else { return false }
        case "float": if case .double = value { return true } else { return false }
        case "number": return value.number != nil
        case "string": if case .string = value { return true } else { return false }
        case "mapping": if case .dict = value { return true } else { return false }
        case "iterable", "sequence":
            switch value {
            case .string, .list, .tuple, .dict, .undefined: return true
            default: return false
            }
        case "callable": if case .function = value { return true } else { return false }
        case "sameas":
            let other = try arg()
            switch (value, other) {
            case (.none, .none): return true
            case let (.bool(x), .bool(y)): return x == y
            case let (.int(x), .int(y)): return x == y
            case let (.string(x), .string(y)): return x == y
            case let (.object(x), .object(y)): return x === y
            default: return false
            }
        case "equalto", "eq": return value.pythonEquals(try arg())
        case "ne": return !value.pythonEquals(try arg())
        case "lt": return try compare("<", value, try arg(), at: location)
        case "le": return try compare("<=", value, try arg(), at: location)
        case "gt": return try compare(">", value, try arg(), at: location)
        case "ge": return try compare(">=", value, try arg(), at: location)
        case "in": return try contains(try arg(), value, at: location)
        case "odd", "even", "divisibleby":
            guard let i = value.integer else { throw ChatTemplateError.render("test '\(name)' needs an integer, not \(value.typeName)", at: location) }
            if name == "odd" { return i % 2 != 0 }
            if name == "even" { return i % 2 == 0 }
            guard let d = try arg().integer, d != 0 else { throw ChatTemplateError.render("divisibleby needs a non-zero integer", at: location) }
            return i % d == 0
        case "lower": return value.pythonStr.lowercased() == value.pythonStr
        case "upper": return value.pythonStr.uppercased() == value.pythonStr
        case "escaped": return false
        default: throw ChatTemplateError.unsupported("test '\(name)'", at: location)
        }
    }

    /// The functions every chat template sees, as transformers' environment sets them up.
    static let globals: [String: Value] = [
        "raise_exception": .function(TemplateFunction(name: "raise_exception") { args, kwargs, location in
            throw ChatTemplateError.raised((args.first ?? kwargs["message"] ?? .none).pythonStr, at: location)
        }),
        "namespace": .function(TemplateFunction(name: "namespace") { args, kwargs, location in
            var attributes = OrderedDict()
            if let first = args.first {
                guard case let .dict(d) = first else { throw ChatTemplateError.render("namespace() takes a mapping or keywords", at: location) }
                attributes = d
            }
            for (k, v) in kwargs.pairs { attributes[k] = v }
            if let bad = attributes.keys.first(where: { $0.hasPrefix("_") }) {
                throw ChatTemplateError.render("namespaces cannot store underscore-prefixed attributes ('\(bad)')", at: location)
            }
            return .object(TemplateObject(kind: "Namespace", assignable: true, attributes: attributes))
        }),
        "dict": .function(TemplateFunction(name: "dict") { args, kwargs, location in
            var d = OrderedDict()
            if let first = args.first {
                guard case let .dict(given) = first else { throw ChatTemplateError.render("dict() takes a mapping or keywords", at: location) }
                d = given
            }
            for (k, v) in kwargs.pairs { d[k] = v }
            return .dict(d)
        }),
        "range": .function(TemplateFunction(name: "range") { args, _, location in
            let ints = try args.map { v -> Int in
                guard let i = v.integer else { throw ChatTemplateError.render("range() needs integers, not \(v.typeName)", at: location) }
                return i
            }
            let (start, stop, step): (Int, Int, Int)
            switch ints.count {
            case 1: (start, stop, step) = (0, ints[0], 1)
            case 2: (start, stop, step) = (ints[0], ints[1], 1)
            case 3: (start, stop, step) = (ints[0], ints[1], ints[2])
            default: throw ChatTemplateError.render("range() takes 1 to 3 arguments", at: location)
            }
            guard step != 0 else { throw ChatTemplateError.render("range() arg 3 must not be zero", at: location) }
            let values = Array(stride(from: start, to: stop, by: step))
            guard values.count <= 100_000 else { throw ChatTemplateError.render("range() is too large for the sandbox", at: location) }
            return .list(values.map { .int($0) })
        }),
    ]

    /// `strftime_now(format)`: the current time formatted with Python's `strftime` directives.
    func strftimeNow() -> TemplateFunction {
        TemplateFunction(name: "strftime_now") { [now, timeZone] args, kwargs, location in
            guard case let .string(format)? = args.first ?? kwargs["format"] else {
                throw ChatTemplateError.render("strftime_now() needs a format string", at: location)
            }
            return .string(try PythonTime.strftime(format, date: now, timeZone: timeZone, at: location))
        }
    }
}

/// Python's `datetime.strftime` for the common directives (C locale).
enum PythonTime {
    /// `format` applied to `date` in `timeZone`; unknown directives are unsupported errors at `location`.
    static func strftime(_ format: String, date: Date, timeZone: TimeZone, at location: SourceLocation) throws -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                      "November", "December"]
        let days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
        let year = c.year!, month = c.month!, day = c.day!, hour = c.hour!, minute = c.minute!, second = c.second!
        let weekday = c.weekday! - 1
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        var out = ""
        var chars = Array(format.unicodeScalars)[...]
        while let ch = chars.popFirst() {
            guard ch == "%", let d = chars.popFirst() else { out.unicodeScalars.append(ch); continue }
            switch d {
            case "d": out += two(day)
            case "m": out += two(month)
            case "Y": out += String(year)
            case "y": out += two(year % 100)
            case "b", "h": out += String(months[month - 1].prefix(3))
            case "B": out += months[month - 1]
            case "a": out += String(days[weekday].prefix(3))
            case "A": out += days[weekday]
            case "H": out += two(hour)
            case "I": out += two(hour % 12 == 0 ? 12 : hour % 12)
            case "p": out += hour < 12 ? "AM" : "PM"
            case "M": out += two(minute)
            case "S": out += two(second)
            case "j":
                let dayOfYear = calendar.ordinality(of: .day, in: .year, for: date) ?? 1
                out += String(repeating: "0", count: 3 - String(dayOfYear).count) + String(dayOfYear)
            case "w": out += String(weekday)
            case "%": out += "%"
            default: throw ChatTemplateError.unsupported("strftime directive '%\(Character(d))'", at: location)
            }
        }
        return out
    }
}
