/// An expression with the place it was written.
struct Expr {
    /// The expression forms of the supported Jinja subset.
    indirect enum Kind {
        case literal(Value)
        case name(String)
        case list([Expr])
        case tuple([Expr])
        case dict([(Expr, Expr)])
        case attribute(Expr, String)
        case index(Expr, Expr)
        case slice(Expr, start: Expr?, stop: Expr?, step: Expr?)
        case call(Expr, args: [Expr], kwargs: [(String, Expr)])
        case filter(Expr, name: String, args: [Expr], kwargs: [(String, Expr)])
        case test(Expr, name: String, args: [Expr], negated: Bool)
        case unary(String, Expr)
        case binary(String, Expr, Expr)
        case compare(Expr, [(String, Expr)])
        case conditional(then: Expr, condition: Expr, otherwise: Expr?)
    }
    /// The form.
    let kind: Kind
    /// Where it starts in the template.
    let location: SourceLocation
}

/// The target of `{% set %}`: a name, a namespace attribute, or several names unpacked from a sequence.
enum SetTarget {
    case name(String)
    case attribute(String, String)
    case names([String])
}

/// A template statement with the place it was written.
struct Stmt {
    /// The statement forms of the supported Jinja subset.
    indirect enum Kind {
        case text(String)
        case output(Expr)
        case ifChain([(Expr, [Stmt])], otherwise: [Stmt])
        case forLoop(targets: [String], iterable: Expr, filter: Expr?, body: [Stmt], otherwise: [Stmt])
        case set(SetTarget, Expr)
        case setBlock(SetTarget, body: [Stmt])
        case breakLoop
        case continueLoop
        case generation([Stmt])
        case macro(name: String, parameters: [(String, Expr?)], body: [Stmt])
    }
    /// The form.
    let kind: Kind
    /// Where its tag (or text) starts.
    let location: SourceLocation
}
