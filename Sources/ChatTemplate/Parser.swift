/// Builds statements from tokens, following jinja2's grammar for the supported subset.
struct Parser {
    private let tokens: [Token]
    private var index = 0
    /// Current nesting of blocks and sub-expressions; bounded so a hostile template cannot exhaust the stack.
    var depth = 0
    /// The deepest nesting accepted.
    static let maxDepth = 200

    /// Enters one level of nesting; throws past `maxDepth`.
    mutating func enter(at location: SourceLocation) throws {
        depth += 1
        guard depth <= Parser.maxDepth else {
            throw ChatTemplateError.syntax("nesting deeper than \(Parser.maxDepth) levels", at: location)
        }
    }

    /// A parser over `tokens` (which end with `.end`).
    init(tokens: [Token]) {
        self.tokens = tokens
    }

    /// The token at the cursor.
    var current: Token { tokens[index] }
    /// The token after the cursor.
    var next: Token { tokens[min(index + 1, tokens.count - 1)] }

    /// Moves the cursor one token on (never past `.end`).
    mutating func advance() { if index < tokens.count - 1 { index += 1 } }

    /// Whether the current token is the name `word`.
    func isName(_ word: String) -> Bool {
        if case .name(word) = current.kind { return true }
        return false
    }

    /// Whether the current token is the operator `op`.
    func isOp(_ op: String) -> Bool {
        if case .op(op) = current.kind { return true }
        return false
    }

    /// Consumes the operator `op` or throws a syntax error.
    mutating func expectOp(_ op: String) throws {
        guard isOp(op) else { throw ChatTemplateError.syntax("expected '\(op)', found \(describe(current))", at: current.location) }
        advance()
    }

    /// Consumes a name and returns it, or throws a syntax error.
    mutating func expectName() throws -> String {
        guard case let .name(word) = current.kind else {
            throw ChatTemplateError.syntax("expected a name, found \(describe(current))", at: current.location)
        }
        advance()
        return word
    }

    /// Consumes `%}` or throws a syntax error.
    mutating func expectBlockEnd() throws {
        guard current.kind == .blockEnd else {
            throw ChatTemplateError.syntax("expected '%}', found \(describe(current))", at: current.location)
        }
        advance()
    }

    /// A token as quoted in error messages.
    func describe(_ token: Token) -> String {
        switch token.kind {
        case let .text(t): return "text '\(t.prefix(20))'"
        case .variableBegin: return "'{{'"
        case .variableEnd: return "'}}'"
        case .blockBegin: return "'{%'"
        case .blockEnd: return "'%}'"
        case let .name(n): return "'\(n)'"
        case let .string(s): return "string '\(s.prefix(20))'"
        case let .int(i): return "\(i)"
        case let .float(d): return "\(d)"
        case let .op(o): return "'\(o)'"
        case .end: return "the end of the template"
        }
    }

    /// The whole template.
    mutating func parseTemplate() throws -> [Stmt] {
        let (body, _) = try parseBody(until: [])
        return body
    }

    /// Statements up to one of the block tags in `until` (consumed up to and including its name).
    mutating func parseBody(until endTags: Set<String>, opener: (String, SourceLocation)? = nil) throws -> ([Stmt], String?) {
        try enter(at: current.location)
        defer { depth -= 1 }
        var body: [Stmt] = []
        while true {
            let token = current
            switch token.kind {
            case let .text(text):
                body.append(Stmt(kind: .text(text), location: token.location))
                advance()
            case .variableBegin:
                advance()
                let expr = try parseTuple()
                guard current.kind == .variableEnd else {
                    throw ChatTemplateError.syntax("expected '}}', found \(describe(current))", at: current.location)
                }
                advance()
                body.append(Stmt(kind: .output(expr), location: token.location))
            case .blockBegin:
                advance()
                guard case let .name(word) = current.kind else {
                    throw ChatTemplateError.syntax("expected a statement name after '{%', found \(describe(current))", at: current.location)
                }
                if endTags.contains(word) {
                    advance()
                    return (body, word)
                }
                body.append(try parseStatement(word, at: token.location))
            case .end:
                if let opener {
                    let wanted = endTags.sorted().joined(separator: "' or '")
                    throw ChatTemplateError.syntax("'\(opener.0)' opened here is never closed; expected '\(wanted)'", at: opener.1)
                }
                return (body, nil)
            default:
                throw ChatTemplateError.syntax("unexpected \(describe(token))", at: token.location)
            }
        }
    }

    private mutating func parseStatement(_ word: String, at location: SourceLocation) throws -> Stmt {
        advance()
        switch word {
        case "for": return try parseFor(at: location)
        case "if": return try parseIf(at: location)
        case "set": return try parseSet(at: location)
        case "break", "continue":
            try expectBlockEnd()
            return Stmt(kind: word == "break" ? .breakLoop : .continueLoop, location: location)
        case "generation":
            try expectBlockEnd()
            let (body, _) = try parseBody(until: ["endgeneration"], opener: (word, location))
            try expectBlockEnd()
            return Stmt(kind: .generation(body), location: location)
        case "macro": return try parseMacro(at: location)
        case "endfor", "endif", "endset", "endmacro", "endgeneration", "else", "elif":
            throw ChatTemplateError.syntax("'\(word)' without a matching opening tag", at: location)
        default:
            throw ChatTemplateError.unsupported("'{% \(word) %}'", at: location)
        }
    }

    private mutating func parseFor(at location: SourceLocation) throws -> Stmt {
        var targets = [try expectName()]
        while isOp(",") {
            advance()
            targets.append(try expectName())
        }
        guard isName("in") else { throw ChatTemplateError.syntax("expected 'in' in for loop, found \(describe(current))", at: current.location) }
        advance()
        let iterable = try parseTuple(withCondition: false)
        var filter: Expr?
        if isName("if") {
            advance()
            filter = try parseExpression()
        }
        if isName("recursive") { throw ChatTemplateError.unsupported("recursive for loops", at: current.location) }
        try expectBlockEnd()
        let (body, end) = try parseBody(until: ["endfor", "else"], opener: ("for", location))
        var otherwise: [Stmt] = []
        try expectBlockEnd()
        if end == "else" {
            (otherwise, _) = try parseBody(until: ["endfor"], opener: ("for", location))
            try expectBlockEnd()
        }
        return Stmt(kind: .forLoop(targets: targets, iterable: iterable, filter: filter, body: body, otherwise: otherwise),
                    location: location)
    }

    private mutating func parseIf(at location: SourceLocation) throws -> Stmt {
        var branches: [(Expr, [Stmt])] = []
        var condition = try parseTuple()
        while true {
            try expectBlockEnd()
            let (body, end) = try parseBody(until: ["elif", "else", "endif"], opener: ("if", location))
            branches.append((condition, body))
            if end == "elif" {
                condition = try parseTuple()
                continue
            }
            try expectBlockEnd()
            var otherwise: [Stmt] = []
            if end == "else" {
                (otherwise, _) = try parseBody(until: ["endif"], opener: ("if", location))
                try expectBlockEnd()
            }
            return Stmt(kind: .ifChain(branches, otherwise: otherwise), location: location)
        }
    }

    private mutating func parseSet(at location: SourceLocation) throws -> Stmt {
        let first = try expectName()
        var target = SetTarget.name(first)
        if isOp(".") {
            advance()
            target = .attribute(first, try expectName())
        } else if isOp(",") {
            var names = [first]
            while isOp(",") {
                advance()
                names.append(try expectName())
            }
            target = .names(names)
        }
        if isOp("=") {
            advance()
            let value = try parseTuple()
            try expectBlockEnd()
            return Stmt(kind: .set(target, value), location: location)
        }
        if isOp("|") { throw ChatTemplateError.unsupported("filtered block assignment", at: current.location) }
        try expectBlockEnd()
        let (body, _) = try parseBody(until: ["endset"], opener: ("set", location))
        try expectBlockEnd()
        return Stmt(kind: .setBlock(target, body: body), location: location)
    }

    private mutating func parseMacro(at location: SourceLocation) throws -> Stmt {
        let name = try expectName()
        try expectOp("(")
        var parameters: [(String, Expr?)] = []
        while !isOp(")") {
            if !parameters.isEmpty { try expectOp(",") }
            if isOp(")") { break }
            let param = try expectName()
            var defaultValue: Expr?
            if isOp("=") {
                advance()
                defaultValue = try parseExpression()
            }
            parameters.append((param, defaultValue))
        }
        advance()
        try expectBlockEnd()
        let (body, _) = try parseBody(until: ["endmacro"], opener: ("macro", location))
        if case .name = current.kind { advance() }
        try expectBlockEnd()
        return Stmt(kind: .macro(name: name, parameters: parameters, body: body), location: location)
    }
}
