import Foundation

/// Executes parsed statements against a context, producing the rendered text.
final class Interpreter {
    /// Name scopes, innermost last; index 0 holds the globals and the caller's variables.
    var scopes: [[String: Value]]
    /// The text rendered so far.
    var output = ""
    /// UTF-8 byte ranges of `{% generation %}` blocks in `output`.
    var generationSpans: [Range<Int>] = []
    /// The clock behind `strftime_now`.
    let now: Date
    /// The time zone `strftime_now` formats in.
    let timeZone: TimeZone
    /// Nesting of captured output (set blocks, macros); generation spans count only at depth 0.
    private var captureDepth = 0
    /// Active macro calls; bounded so a recursive macro fails cleanly instead of exhausting the stack.
    private var macroDepth = 0
    /// The deepest macro recursion accepted.
    static let maxMacroDepth = 64
    /// The longest string or list an operator may build (in elements), so `'x' * 10**12` fails cleanly.
    static let maxBuiltLength = 50_000_000

    /// What a statement list asks its enclosing loop to do.
    enum Flow {
        case normal, breakLoop, continueLoop
    }

    /// An interpreter with `variables` visible to the template.
    init(variables: [String: Value], now: Date, timeZone: TimeZone) {
        self.now = now
        self.timeZone = timeZone
        scopes = [Interpreter.globals.merging(variables) { $1 }]
    }

    /// Looks up a name from the innermost scope outwards.
    func lookup(_ name: String) -> Value {
        for scope in scopes.reversed() {
            if let v = scope[name] { return v }
        }
        return .undefined("'\(name)' is undefined")
    }

    /// Assigns in the innermost scope (jinja2: loop bodies and macros are scopes, `if` is not).
    func assign(_ name: String, _ value: Value) {
        scopes[scopes.count - 1][name] = value
    }

    /// Runs `statements`, appending to `output`.
    func run(_ statements: [Stmt]) throws -> Flow {
        for stmt in statements {
            let flow = try execute(stmt)
            if flow != .normal { return flow }
        }
        return .normal
    }

    /// The text `statements` render, without touching `output`.
    func capture(_ statements: [Stmt]) throws -> String {
        let saved = output
        output = ""
        captureDepth += 1
        defer {
            captureDepth -= 1
        }
        _ = try run(statements)
        let captured = output
        output = saved
        return captured
    }

    private func execute(_ stmt: Stmt) throws -> Flow {
        switch stmt.kind {
        case let .text(text):
            output += text
        case let .output(expr):
            output += try evaluate(expr).pythonStr
        case let .ifChain(branches, otherwise):
            for (condition, body) in branches where try evaluate(condition).isTruthy {
                return try run(body)
            }
            return try run(otherwise)
        case let .forLoop(targets, iterable, filter, body, otherwise):
            return try runFor(targets: targets, iterable: iterable, filter: filter, body: body, otherwise: otherwise,
                              at: stmt.location)
        case let .set(target, expr):
            try assign(target, try evaluate(expr), at: stmt.location)
        case let .setBlock(target, body):
            try assign(target, .string(try capture(body)), at: stmt.location)
        case .breakLoop:
            return .breakLoop
        case .continueLoop:
            return .continueLoop
        case let .generation(body):
            let start = output.utf8.count
            let flow = try run(body)
            if captureDepth == 0 { generationSpans.append(start..<output.utf8.count) }
            return flow
        case let .macro(name, parameters, body):
            assign(name, .function(makeMacro(name: name, parameters: parameters, body: body)))
        }
        return .normal
    }

    private func assign(_ target: SetTarget, _ value: Value, at location: SourceLocation) throws {
        switch target {
        case let .name(name):
            assign(name, value)
        case let .attribute(objectName, attribute):
            guard case let .object(object) = lookup(objectName), object.assignable else {
                throw ChatTemplateError.render("cannot assign attribute on non-namespace object '\(objectName)'", at: location)
            }
            guard !attribute.hasPrefix("_") else {
                throw ChatTemplateError.render("namespaces cannot store underscore-prefixed attributes ('\(attribute)')", at: location)
            }
            object.attributes[attribute] = value
        case let .names(names):
            let items = try unpack(value, count: names.count, at: location)
            for (name, item) in zip(names, items) { assign(name, item) }
        }
    }

    /// The elements of `value` for tuple unpacking into `count` names.
    func unpack(_ value: Value, count: Int, at location: SourceLocation) throws -> [Value] {
        let items = try iterate(value, at: location)
        guard items.count == count else {
            let how = items.count < count ? "not enough" : "too many"
            throw ChatTemplateError.render("\(how) values to unpack (expected \(count), got \(items.count))", at: location)
        }
        return items
    }

    /// What `for x in value` iterates over: list items, dict keys, string characters; undefined is empty.
    func iterate(_ value: Value, at location: SourceLocation) throws -> [Value] {
        switch value {
        case let .list(a), let .tuple(a): return a
        case let .dict(d): return d.keys.map { .string($0) }
        case let .string(s): return s.unicodeScalars.map { .string(String($0)) }
        case .undefined: return []
        default: throw ChatTemplateError.render("'\(value.typeName)' object is not iterable", at: location)
        }
    }

    private func runFor(targets: [String], iterable: Expr, filter: Expr?, body: [Stmt], otherwise: [Stmt],
                        at location: SourceLocation) throws -> Flow {
        var items = try iterate(try evaluate(iterable), at: iterable.location)
        func bind(_ item: Value) throws {
            if targets.count == 1 {
                assign(targets[0], item)
            } else {
                for (name, v) in zip(targets, try unpack(item, count: targets.count, at: location)) { assign(name, v) }
            }
        }
        if let filter {
            var kept: [Value] = []
            for item in items {
                scopes.append([:])
                defer { scopes.removeLast() }
                try bind(item)
                if try evaluate(filter).isTruthy { kept.append(item) }
            }
            items = kept
        }
        if items.isEmpty { return try run(otherwise) }
        let loop = TemplateObject(kind: "LoopContext", assignable: false, attributes: OrderedDict())
        for (i, item) in items.enumerated() {
            let n = items.count
            loop.attributes = OrderedDict([
                ("index", .int(i + 1)), ("index0", .int(i)), ("revindex", .int(n - i)), ("revindex0", .int(n - i - 1)),
                ("first", .bool(i == 0)), ("last", .bool(i == n - 1)), ("length", .int(n)),
                ("previtem", i > 0 ? items[i - 1] : .undefined("there is no previous item")),
                ("nextitem", i + 1 < n ? items[i + 1] : .undefined("there is no next item")),
                ("depth", .int(1)), ("depth0", .int(0)),
                ("cycle", .function(TemplateFunction(name: "loop.cycle") { args, _, location in
                    guard !args.isEmpty else { throw ChatTemplateError.render("no items for cycling given", at: location) }
                    return args[i % args.count]
                })),
            ])
            scopes.append(["loop": .object(loop)])
            defer { scopes.removeLast() }
            try bind(item)
            if try run(body) == .breakLoop { break }
        }
        return .normal
    }

    private func makeMacro(name: String, parameters: [(String, Expr?)], body: [Stmt]) -> TemplateFunction {
        TemplateFunction(name: name) { [unowned self] args, kwargs, location in
            guard args.count <= parameters.count else {
                throw ChatTemplateError.render("macro '\(name)' takes not more than \(parameters.count) argument(s)", at: location)
            }
            var frame: [String: Value] = [:]
            for (i, (param, defaultExpr)) in parameters.enumerated() {
                if i < args.count {
                    frame[param] = args[i]
                } else if let v = kwargs[param] {
                    frame[param] = v
                } else if let defaultExpr {
                    frame[param] = try self.evaluate(defaultExpr)
                } else {
                    frame[param] = .undefined("parameter '\(param)' was not provided")
                }
            }
            guard self.macroDepth < Interpreter.maxMacroDepth else {
                throw ChatTemplateError.render("macro '\(name)' recursed deeper than \(Interpreter.maxMacroDepth) calls", at: location)
            }
            let saved = self.scopes
            self.scopes = [saved[0], frame]
            self.macroDepth += 1
            defer {
                self.scopes = saved
                self.macroDepth -= 1
            }
            return .string(try self.capture(body))
        }
    }
}
