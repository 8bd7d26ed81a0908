extension Parser {
    /// An expression, or a tuple when commas separate several (as in `{{ a, b }}` or `set x = 1, 2`).
    mutating func parseTuple(withCondition: Bool = true) throws -> Expr {
        let location = current.location
        let first = try parseExpression(withCondition: withCondition)
        guard isOp(",") else { return first }
        var items = [first]
        while isOp(",") {
            advance()
            if current.kind == .blockEnd || current.kind == .variableEnd || isOp(")") { break }
            items.append(try parseExpression(withCondition: withCondition))
        }
        return Expr(kind: .tuple(items), location: location)
    }

    /// One expression: `a if c else b` down to primaries.
    mutating func parseExpression(withCondition: Bool = true) throws -> Expr {
        try enter(at: current.location)
        defer { depth -= 1 }
        return withCondition ? try parseConditional() : try parseOr()
    }

    private mutating func parseConditional() throws -> Expr {
        var expr = try parseOr()
        while isName("if") {
            let location = current.location
            advance()
            let condition = try parseOr()
            var otherwise: Expr?
            if isName("else") {
                advance()
                otherwise = try parseConditional()
            }
            expr = Expr(kind: .conditional(then: expr, condition: condition, otherwise: otherwise), location: location)
        }
        return expr
    }

    private mutating func parseOr() throws -> Expr {
        var left = try parseAnd()
        while isName("or") {
            let location = current.location
            advance()
            left = Expr(kind: .binary("or", left, try parseAnd()), location: location)
        }
        return left
    }

    private mutating func parseAnd() throws -> Expr {
        var left = try parseNot()
        while isName("and") {
            let location = current.location
            advance()
            left = Expr(kind: .binary("and", left, try parseNot()), location: location)
        }
        return left
    }

    private mutating func parseNot() throws -> Expr {
        if isName("not") {
            let location = current.location
            try enter(at: location)
            defer { depth -= 1 }
            advance()
            return Expr(kind: .unary("not", try parseNot()), location: location)
        }
        return try parseCompare()
    }

    private mutating func parseCompare() throws -> Expr {
        let location = current.location
        let first = try parseMath1()
        var ops: [(String, Expr)] = []
        while true {
            if case let .op(op) = current.kind, ["==", "!=", "<", ">", "<=", ">="].contains(op) {
                advance()
                ops.append((op, try parseMath1()))
            } else if isName("in") {
                advance()
                ops.append(("in", try parseMath1()))
            } else if isName("not"), case .name("in") = next.kind {
                advance()
                advance()
                ops.append(("notin", try parseMath1()))
            } else {
                break
            }
        }
        return ops.isEmpty ? first : Expr(kind: .compare(first, ops), location: location)
    }

    private mutating func parseMath1() throws -> Expr {
        var left = try parseConcat()
        while case let .op(op) = current.kind, op == "+" || op == "-" {
            let location = current.location
            advance()
            left = Expr(kind: .binary(op, left, try parseConcat()), location: location)
        }
        return left
    }

    private mutating func parseConcat() throws -> Expr {
        var left = try parseMath2()
        while isOp("~") {
            let location = current.location
            advance()
            left = Expr(kind: .binary("~", left, try parseMath2()), location: location)
        }
        return left
    }

    private mutating func parseMath2() throws -> Expr {
        var left = try parsePow()
        while case let .op(op) = current.kind, ["*", "/", "//", "%"].contains(op) {
            let location = current.location
            advance()
            left = Expr(kind: .binary(op, left, try parsePow()), location: location)
        }
        return left
    }

    private mutating func parsePow() throws -> Expr {
        var left = try parseUnary()
        while isOp("**") {
            let location = current.location
            advance()
            left = Expr(kind: .binary("**", left, try parseUnary()), location: location)
        }
        return left
    }

    private mutating func parseUnary(withFilter: Bool = true) throws -> Expr {
        let location = current.location
        var node: Expr
        if isOp("-") || isOp("+") {
            try enter(at: location)
            defer { depth -= 1 }
            let sign = isOp("-") ? "-" : "+"
            advance()
            node = Expr(kind: .unary(sign, try parseUnary(withFilter: false)), location: location)
        } else {
            node = try parsePrimary()
        }
        node = try parsePostfix(node)
        if withFilter { node = try parseFilterExpr(node) }
        return node
    }

    private mutating func parsePrimary() throws -> Expr {
        let token = current
        let location = token.location
        switch token.kind {
        case let .name(word):
            advance()
            switch word {
            case "true", "True": return Expr(kind: .literal(.bool(true)), location: location)
            case "false", "False": return Expr(kind: .literal(.bool(false)), location: location)
            case "none", "None": return Expr(kind: .literal(.none), location: location)
            default: return Expr(kind: .name(word), location: location)
            }
        case var .string(text):
            advance()
            while case let .string(more) = current.kind {
                text += more
                advance()
            }
            return Expr(kind: .literal(.string(text)), location: location)
        case let .int(i):
            advance()
            return Expr(kind: .literal(.int(i)), location: location)
        case let .float(d):
            advance()
            return Expr(kind: .literal(.double(d)), location: location)
        case .op("("):
            advance()
            if isOp(")") {
                advance()
                return Expr(kind: .tuple([]), location: location)
            }
            let inner = try parseTuple()
            try expectOp(")")
            return inner
        case .op("["):
            advance()
            var items: [Expr] = []
            while !isOp("]") {
                if !items.isEmpty { try expectOp(",") }
                if isOp("]") { break }
                items.append(try parseExpression())
            }
            advance()
            return Expr(kind: .list(items), location: location)
        case .op("{"):
            advance()
            var pairs: [(Expr, Expr)] = []
            while !isOp("}") {
                if !pairs.isEmpty { try expectOp(",") }
                if isOp("}") { break }
                let key = try parseExpression()
                try expectOp(":")
                pairs.append((key, try parseExpression()))
            }
            advance()
            return Expr(kind: .dict(pairs), location: location)
        default:
            throw ChatTemplateError.syntax("unexpected \(describe(token)) in an expression", at: location)
        }
    }

    private mutating func parsePostfix(_ start: Expr) throws -> Expr {
        var node = start
        while true {
            let location = current.location
            if isOp(".") {
                advance()
                switch current.kind {
                case let .name(attr):
                    advance()
                    node = Expr(kind: .attribute(node, attr), location: location)
                case let .int(i):
                    advance()
                    node = Expr(kind: .index(node, Expr(kind: .literal(.int(i)), location: location)), location: location)
                default:
                    throw ChatTemplateError.syntax("expected an attribute name after '.'", at: location)
                }
            } else if isOp("[") {
                advance()
                node = try parseSubscript(node, at: location)
            } else if isOp("(") {
                node = try parseCall(node)
            } else {
                return node
            }
        }
    }

    private mutating func parseSubscript(_ target: Expr, at location: SourceLocation) throws -> Expr {
        var start: Expr?
        if !isOp(":") {
            start = try parseExpression()
            if isOp("]") {
                advance()
                return Expr(kind: .index(target, start!), location: location)
            }
        }
        try expectOp(":")
        var stop: Expr?, step: Expr?
        if !isOp("]"), !isOp(":") { stop = try parseExpression() }
        if isOp(":") {
            advance()
            if !isOp("]") { step = try parseExpression() }
        }
        try expectOp("]")
        return Expr(kind: .slice(target, start: start, stop: stop, step: step), location: location)
    }

    private mutating func parseCallArguments() throws -> ([Expr], [(String, Expr)]) {
        try expectOp("(")
        var args: [Expr] = []
        var kwargs: [(String, Expr)] = []
        while !isOp(")") {
            if !args.isEmpty || !kwargs.isEmpty { try expectOp(",") }
            if isOp(")") { break }
            if isOp("*") || isOp("**") { throw ChatTemplateError.unsupported("*args and **kwargs in calls", at: current.location) }
            if case let .name(key) = current.kind, case .op("=") = next.kind {
                advance()
                advance()
                kwargs.append((key, try parseExpression()))
            } else {
                guard kwargs.isEmpty else {
                    throw ChatTemplateError.syntax("positional argument after a keyword argument", at: current.location)
                }
                args.append(try parseExpression())
            }
        }
        advance()
        return (args, kwargs)
    }

    private mutating func parseCall(_ target: Expr) throws -> Expr {
        let location = current.location
        let (args, kwargs) = try parseCallArguments()
        return Expr(kind: .call(target, args: args, kwargs: kwargs), location: location)
    }

    private mutating func parseFilterExpr(_ start: Expr) throws -> Expr {
        var node = start
        while true {
            let location = current.location
            if isOp("|") {
                advance()
                var name = try expectName()
                while isOp(".") {
                    advance()
                    name += "." + (try expectName())
                }
                guard Interpreter.filterNames.contains(name) else { throw ChatTemplateError.unsupported("filter '\(name)'", at: location) }
                var args: [Expr] = [], kwargs: [(String, Expr)] = []
                if isOp("(") { (args, kwargs) = try parseCallArguments() }
                node = Expr(kind: .filter(node, name: name, args: args, kwargs: kwargs), location: location)
            } else if isName("is") {
                advance()
                var negated = false
                if isName("not") {
                    advance()
                    negated = true
                }
                var name = try expectName()
                while isOp(".") {
                    advance()
                    name += "." + (try expectName())
                }
                guard Interpreter.testNames.contains(name) else { throw ChatTemplateError.unsupported("test '\(name)'", at: location) }
                var args: [Expr] = []
                if isOp("(") {
                    let (positional, kwargs) = try parseCallArguments()
                    guard kwargs.isEmpty else { throw ChatTemplateError.unsupported("keyword arguments to tests", at: location) }
                    args = positional
                } else if startsTestArgument {
                    args = [try parsePostfix(try parsePrimary())]
                }
                node = Expr(kind: .test(node, name: name, args: args, negated: negated), location: location)
            } else if isOp("(") {
                node = try parseCall(node)
            } else {
                return node
            }
        }
    }

    /// jinja2 takes a bare argument after a test name (`is divisibleby 3`) unless it is `else`, `or` or `and`.
    private var startsTestArgument: Bool {
        switch current.kind {
        case let .name(word): return !["else", "or", "and"].contains(word)
        case .string, .int, .float, .op("["), .op("{"): return true
        default: return false
        }
    }
}
