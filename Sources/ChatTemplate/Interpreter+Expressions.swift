import Foundation

extension Interpreter {
    /// The value of `expr`.
    func evaluate(_ expr: Expr) throws -> Value {
        let at = expr.location
        switch expr.kind {
        case let .literal(v): return v
        case let .name(name): return lookup(name)
        case let .list(items): return .list(try items.map(evaluate))
        case let .tuple(items): return .tuple(try items.map(evaluate))
        case let .dict(pairs):
            var d = OrderedDict()
            for (k, v) in pairs {
                guard case let .string(key) = try evaluate(k) else {
                    throw ChatTemplateError.unsupported("dict literal keys that are not strings", at: k.location)
                }
                d[key] = try evaluate(v)
            }
            return .dict(d)
        case let .attribute(target, name):
            return try attribute(of: try evaluate(target), name, at: at)
        case let .index(target, key):
            return try item(of: try evaluate(target), try evaluate(key), at: at)
        case let .slice(target, start, stop, step):
            return try slice(try evaluate(target), start: try start.map(evaluate), stop: try stop.map(evaluate),
                             step: try step.map(evaluate), at: at)
        case let .call(target, args, kwargs):
            let callee = try evaluate(target)
            let argValues = try args.map(evaluate)
            let kw = OrderedDict(try kwargs.map { ($0.0, try evaluate($0.1)) })
            switch callee {
            case let .function(f): return try f.call(argValues, kw, at)
            case let .undefined(message): throw ChatTemplateError.render(message, at: at)
            default: throw ChatTemplateError.render("'\(callee.typeName)' object is not callable", at: at)
            }
        case let .filter(target, name, args, kwargs):
            let value = try evaluate(target)
            return try applyFilter(name, to: value, args: try args.map(evaluate),
                                   kwargs: OrderedDict(try kwargs.map { ($0.0, try evaluate($0.1)) }), at: at)
        case let .test(target, name, args, negated):
            let result = try applyTest(name, to: try evaluate(target), args: try args.map(evaluate), at: at)
            return .bool(result != negated)
        case let .unary(op, operand):
            let v = try evaluate(operand)
            switch op {
            case "not": return .bool(!v.isTruthy)
            case "-":
                switch v {
                case let .int(i): return .int(-i)
                case let .bool(b): return .int(b ? -1 : 0)
                case let .double(d): return .double(-d)
                case let .undefined(message): throw ChatTemplateError.render(message, at: at)
                default: throw ChatTemplateError.render("bad operand type for unary -: '\(v.typeName)'", at: at)
                }
            default:
                guard v.number != nil else { throw ChatTemplateError.render("bad operand type for unary +: '\(v.typeName)'", at: at) }
                return v
            }
        case let .binary(op, lhs, rhs):
            let left = try evaluate(lhs)
            switch op {
            case "and": return left.isTruthy ? try evaluate(rhs) : left
            case "or": return left.isTruthy ? left : try evaluate(rhs)
            default: return try binary(op, left, try evaluate(rhs), at: at)
            }
        case let .compare(first, ops):
            var left = try evaluate(first)
            for (op, rhs) in ops {
                let right = try evaluate(rhs)
                guard try compare(op, left, right, at: rhs.location) else { return .bool(false) }
                left = right
            }
            return .bool(true)
        case let .conditional(then, condition, otherwise):
            if try evaluate(condition).isTruthy { return try evaluate(then) }
            return try otherwise.map(evaluate) ?? .undefined("the inline if-expression evaluated to false and no else section was defined")
        }
    }

    /// `obj.name`: a method or attribute first, then the dict key, as jinja2's sandboxed `getattr`.
    func attribute(of obj: Value, _ name: String, at location: SourceLocation) throws -> Value {
        switch obj {
        case let .undefined(message): throw ChatTemplateError.render(message, at: location)
        case let .object(o):
            return o.attributes[name] ?? .undefined("'\(o.kind) object' has no attribute '\(name)'")
        default:
            if let method = try boundMethod(of: obj, name, at: location) { return method }
            if case let .dict(d) = obj { return d[name] ?? .undefined("'dict object' has no attribute '\(name)'") }
            return .undefined("'\(obj.typeName) object' has no attribute '\(name)'")
        }
    }

    /// `obj[key]`: dict keys, sequence indices (negative from the end); missing gives undefined.
    func item(of obj: Value, _ key: Value, at location: SourceLocation) throws -> Value {
        switch obj {
        case let .undefined(message): throw ChatTemplateError.render(message, at: location)
        case let .dict(d):
            if case let .string(k) = key {
                if let v = d[k] { return v }
                if let method = try boundMethod(of: obj, k, at: location) { return method }
            }
            return .undefined("'dict object' has no attribute '\(key.pythonStr)'")
        case let .list(a), let .tuple(a):
            guard let i = key.integer else { return .undefined("\(obj.typeName) indices must be integers") }
            let j = i < 0 ? i + a.count : i
            return a.indices.contains(j) ? a[j] : .undefined("\(obj.typeName) object has no element \(i)")
        case let .string(s):
            if case let .string(k) = key { return try attribute(of: obj, k, at: location) }
            guard let i = key.integer else { return .undefined("string indices must be integers") }
            let scalars = Array(s.unicodeScalars)
            let j = i < 0 ? i + scalars.count : i
            return scalars.indices.contains(j) ? .string(String(scalars[j])) : .undefined("str object has no element \(i)")
        case let .object(o):
            if case let .string(k) = key { return o.attributes[k] ?? .undefined("'\(o.kind) object' has no attribute '\(k)'") }
            return .undefined("'\(o.kind) object' has no element \(key.pythonRepr)")
        default:
            return .undefined("'\(obj.typeName) object' has no attribute '\(key.pythonStr)'")
        }
    }

    /// Python slicing of lists, tuples and strings (by code point).
    func slice(_ obj: Value, start: Value?, stop: Value?, step: Value?, at location: SourceLocation) throws -> Value {
        func bound(_ v: Value?) throws -> Int? {
            guard let v else { return nil }
            if case .none = v { return nil }
            guard let i = v.integer else { throw ChatTemplateError.render("slice indices must be integers or None", at: location) }
            return i
        }
        let stepValue = try bound(step) ?? 1
        guard stepValue != 0 else { throw ChatTemplateError.render("slice step cannot be zero", at: location) }
        func indices(count n: Int) throws -> [Int] {
            var lo = try bound(start), hi = try bound(stop)
            if stepValue > 0 {
                var a = lo ?? 0, b = hi ?? n
                if a < 0 { a = max(a + n, 0) } else { a = min(a, n) }
                if b < 0 { b = max(b + n, 0) } else { b = min(b, n) }
                return a < b ? Array(stride(from: a, to: b, by: stepValue)) : []
            }
            if let l = lo { lo = l < 0 ? max(l + n, -1) : min(l, n - 1) }
            if let h = hi { hi = h < 0 ? max(h + n, -1) : min(h, n - 1) }
            let a = lo ?? n - 1, b = hi ?? -1
            return a > b ? Array(stride(from: a, to: b, by: stepValue)) : []
        }
        switch obj {
        case let .list(a): return .list(try indices(count: a.count).map { a[$0] })
        case let .tuple(a): return .tuple(try indices(count: a.count).map { a[$0] })
        case let .string(s):
            let scalars = Array(s.unicodeScalars)
            return .string(String(scalarsIn: try indices(count: scalars.count).map { scalars[$0] }))
        case let .undefined(message): throw ChatTemplateError.render(message, at: location)
        default: throw ChatTemplateError.render("'\(obj.typeName)' object is not subscriptable", at: location)
        }
    }

    /// Arithmetic and concatenation with Python's rules.
    func binary(_ op: String, _ a: Value, _ b: Value, at location: SourceLocation) throws -> Value {
        if op == "~" { return .string(a.pythonStr + b.pythonStr) }
        if case let .undefined(message) = a { throw ChatTemplateError.render(message, at: location) }
        if case let .undefined(message) = b { throw ChatTemplateError.render(message, at: location) }
        func typeError() -> ChatTemplateError {
            if op == "+", case .string = a {
                return .render("can only concatenate str (not \"\(b.typeName)\") to str", at: location)
            }
            if op == "+", case .list = a {
                return .render("can only concatenate list (not \"\(b.typeName)\") to list", at: location)
            }
            return .render("unsupported operand type(s) for \(op): '\(a.typeName)' and '\(b.typeName)'", at: location)
        }
        if op == "*", let n = b.integer ?? a.integer, n > 0 {
            let unit: Int
            switch (a, b) {
            case let (.string(s), _), let (_, .string(s)): unit = s.unicodeScalars.count
            case let (.list(l), _), let (_, .list(l)): unit = l.count
            default: unit = 0
            }
            guard unit.multipliedReportingOverflow(by: n).partialValue <= Interpreter.maxBuiltLength,
                  !unit.multipliedReportingOverflow(by: n).overflow else {
                throw ChatTemplateError.render("repetition would build \(unit) × \(n) elements; the limit is \(Interpreter.maxBuiltLength)",
                                               at: location)
            }
        }
        switch (op, a, b) {
        case let ("+", .string(x), .string(y)): return .string(x + y)
        case let ("+", .list(x), .list(y)): return .list(x + y)
        case let ("+", .tuple(x), .tuple(y)): return .tuple(x + y)
        case let ("*", .string(x), _) where b.integer != nil: return .string(String(repeating: x, count: max(0, b.integer!)))
        case let ("*", _, .string(y)) where a.integer != nil: return .string(String(repeating: y, count: max(0, a.integer!)))
        case let ("*", .list(x), _) where b.integer != nil:
            return .list(Array(repeatElement(x, count: max(0, b.integer!)).joined()))
        default: break
        }
        if let x = a.integer, let y = b.integer {
            switch op {
            case "+": let (r, o) = x.addingReportingOverflow(y); if !o { return .int(r) }
            case "-": let (r, o) = x.subtractingReportingOverflow(y); if !o { return .int(r) }
            case "*": let (r, o) = x.multipliedReportingOverflow(by: y); if !o { return .int(r) }
            case "/":
                guard y != 0 else { throw ChatTemplateError.render("division by zero", at: location) }
                return .double(Double(x) / Double(y))
            case "//", "%":
                guard y != 0 else { throw ChatTemplateError.render("integer division or modulo by zero", at: location) }
                var q = x / y
                if (x % y != 0) && ((x < 0) != (y < 0)) { q -= 1 }
                return .int(op == "//" ? q : x - q * y)
            case "**":
                if y >= 0, x == 0 || x == 1 || x == -1 { return .int(x == -1 && y % 2 == 1 ? -1 : (x == 0 && y > 0 ? 0 : 1)) }
                if y >= 0 {
                    var r = 1
                    for _ in 0..<y {
                        let (m, o) = r.multipliedReportingOverflow(by: x)
                        guard !o else { throw ChatTemplateError.render("integer power overflows", at: location) }
                        r = m
                    }
                    return .int(r)
                }
                return .double(pow(Double(x), Double(y)))
            default: break
            }
            throw ChatTemplateError.render("integer overflow in '\(op)'", at: location)
        }
        guard let x = a.number, let y = b.number else { throw typeError() }
        switch op {
        case "+": return .double(x + y)
        case "-": return .double(x - y)
        case "*": return .double(x * y)
        case "/":
            guard y != 0 else { throw ChatTemplateError.render("float division by zero", at: location) }
            return .double(x / y)
        case "//", "%":
            guard y != 0 else { throw ChatTemplateError.render("float modulo", at: location) }
            let q = (x / y).rounded(.down)
            return .double(op == "//" ? q : x - q * y)
        case "**": return .double(pow(x, y))
        default: throw typeError()
        }
    }

    /// One comparison of a chain (`==`, `<`, `in`, ...).
    func compare(_ op: String, _ a: Value, _ b: Value, at location: SourceLocation) throws -> Bool {
        switch op {
        case "==": return a.pythonEquals(b)
        case "!=": return !a.pythonEquals(b)
        case "in": return try contains(b, a, at: location)
        case "notin": return try !contains(b, a, at: location)
        default:
            let order: Bool
            switch (a, b) {
            case let (.string(x), .string(y)):
                let xs = Array(x.unicodeScalars).map(\.value), ys = Array(y.unicodeScalars).map(\.value)
                order = try orderHolds(op, xs.lexicographicallyPrecedes(ys), xs == ys, at: location)
            default:
                guard let x = a.number, let y = b.number else {
                    if case let .undefined(message) = a { throw ChatTemplateError.render(message, at: location) }
                    if case let .undefined(message) = b { throw ChatTemplateError.render(message, at: location) }
                    throw ChatTemplateError.render("'\(op)' not supported between instances of '\(a.typeName)' and '\(b.typeName)'",
                                                   at: location)
                }
                order = try orderHolds(op, x < y, x == y, at: location)
            }
            return order
        }
    }

    private func orderHolds(_ op: String, _ less: Bool, _ equal: Bool, at location: SourceLocation) throws -> Bool {
        switch op {
        case "<": return less
        case "<=": return less || equal
        case ">": return !less && !equal
        case ">=": return !less
        default: throw ChatTemplateError.render("unknown comparison '\(op)'", at: location)
        }
    }

    /// Python `needle in haystack`.
    func contains(_ haystack: Value, _ needle: Value, at location: SourceLocation) throws -> Bool {
        switch haystack {
        case let .string(s):
            guard case let .string(n) = needle else {
                throw ChatTemplateError.render("'in <string>' requires string as left operand, not \(needle.typeName)", at: location)
            }
            return PyString.find(Array(n.unicodeScalars), in: Array(s.unicodeScalars)) != nil
        case let .list(a), let .tuple(a): return a.contains { $0.pythonEquals(needle) }
        case let .dict(d):
            guard case let .string(k) = needle else { return false }
            return d[k] != nil
        case .undefined: return false
        default: throw ChatTemplateError.render("argument of type '\(haystack.typeName)' is not iterable", at: location)
        }
    }
}

extension Value: Equatable {
    /// Python equality (see `pythonEquals`).
    public static func == (lhs: Value, rhs: Value) -> Bool { lhs.pythonEquals(rhs) }
}
