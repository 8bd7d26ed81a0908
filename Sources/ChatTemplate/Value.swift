import Foundation

/// A value inside a template: the Python objects a chat template sees (None, bool, int, float, str,
/// list, tuple, dict) plus Jinja's undefined, namespaces, loop objects and callables.
public enum Value {
    /// A name or attribute that does not exist; prints as "" and is falsy, like jinja2's `Undefined`.
    case undefined(String)
    /// Python `None`.
    case none
    /// Python `bool`.
    case bool(Bool)
    /// Python `int`.
    case int(Int)
    /// Python `float`.
    case double(Double)
    /// Python `str`.
    case string(String)
    /// Python `list`.
    case list([Value])
    /// Python `tuple` (what `dict.items()` yields).
    case tuple([Value])
    /// Python `dict` with insertion order kept.
    case dict(OrderedDict)
    /// A mutable object with attributes: `namespace()` and the `loop` variable.
    case object(TemplateObject)
    /// A function: a global, a filter-like method bound to a value, or a macro.
    case function(TemplateFunction)
}

/// A dictionary that keeps insertion order, like Python's `dict`.
public struct OrderedDict: Equatable {
    /// The keys in insertion order.
    public private(set) var keys: [String] = []
    private var storage: [String: Value] = [:]

    /// An empty dictionary.
    public init() {}

    /// A dictionary of `pairs` in order; a repeated key keeps its first position and last value.
    public init(_ pairs: [(String, Value)]) {
        for (key, value) in pairs { self[key] = value }
    }

    /// The value for `key`, or nil; setting appends new keys at the end.
    public subscript(key: String) -> Value? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    /// The (key, value) pairs in order.
    public var pairs: [(String, Value)] { keys.map { ($0, storage[$0]!) } }

    /// Number of keys.
    public var count: Int { keys.count }

    /// Python equality: same keys with equal values, order ignored.
    public static func == (lhs: OrderedDict, rhs: OrderedDict) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.keys.allSatisfy { key in rhs.storage[key].map { $0.pythonEquals(lhs.storage[key]!) } ?? false }
    }
}

/// A reference object with attributes: a `namespace()` (assignable) or the `loop` variable (read-only).
public final class TemplateObject {
    /// The type name shown when the object is printed.
    let kind: String
    /// Whether `{% set obj.attr = ... %}` may assign to it.
    let assignable: Bool
    /// The attributes in insertion order.
    var attributes: OrderedDict

    /// An object of `kind` with `attributes`.
    init(kind: String, assignable: Bool, attributes: OrderedDict) {
        self.kind = kind
        self.assignable = assignable
        self.attributes = attributes
    }
}

/// A callable value: positional and keyword arguments in, a value out.
public struct TemplateFunction {
    /// The name used in error messages.
    let name: String
    /// The implementation; `location` is where the call is written.
    let call: (_ args: [Value], _ kwargs: OrderedDict, _ location: SourceLocation) throws -> Value
}

extension Value {
    /// Python truthiness: empty containers, zero, None, False and undefined are false.
    var isTruthy: Bool {
        switch self {
        case .undefined, .none: return false
        case let .bool(b): return b
        case let .int(i): return i != 0
        case let .double(d): return d != 0
        case let .string(s): return !s.isEmpty
        case let .list(a), let .tuple(a): return !a.isEmpty
        case let .dict(d): return d.count > 0
        case .object, .function: return true
        }
    }

    /// Whether this is jinja2's undefined.
    var isUndefined: Bool {
        if case .undefined = self { return true }
        return false
    }

    /// The elements when this is a list or tuple.
    var sequence: [Value]? {
        switch self {
        case let .list(a), let .tuple(a): return a
        default: return nil
        }
    }

    /// A number as Double for mixed arithmetic (bool counts as int, as in Python).
    var number: Double? {
        switch self {
        case let .int(i): return Double(i)
        case let .double(d): return d
        case let .bool(b): return b ? 1 : 0
        default: return nil
        }
    }

    /// An integer when this is an int or bool.
    var integer: Int? {
        switch self {
        case let .int(i): return i
        case let .bool(b): return b ? 1 : 0
        default: return nil
        }
    }

    /// Python `==`: numbers compare by value across int, float and bool; containers compare deeply.
    func pythonEquals(_ other: Value) -> Bool {
        switch (self, other) {
        case (.undefined, .undefined), (.none, .none): return true
        case let (.string(a), .string(b)): return a.unicodeScalars.elementsEqual(b.unicodeScalars)
        case let (.list(a), .list(b)), let (.tuple(a), .tuple(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.pythonEquals($1) }
        case let (.dict(a), .dict(b)): return a == b
        case let (.object(a), .object(b)): return a === b
        default:
            if let x = number, let y = other.number { return x == y }
            return false
        }
    }

    /// Python's type name, for error messages.
    public var typeName: String {
        switch self {
        case .undefined: return "Undefined"
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        case .string: return "str"
        case .list: return "list"
        case .tuple: return "tuple"
        case .dict: return "dict"
        case let .object(o): return o.kind
        case .function: return "function"
        }
    }

    /// Python `str(value)`: what `{{ value }}` prints (undefined prints nothing).
    var pythonStr: String {
        switch self {
        case .undefined: return ""
        case let .string(s): return s
        default: return pythonRepr
        }
    }

    /// Python `repr(value)`, used inside printed containers.
    var pythonRepr: String {
        switch self {
        case .undefined: return ""
        case .none: return "None"
        case let .bool(b): return b ? "True" : "False"
        case let .int(i): return String(i)
        case let .double(d): return Value.pythonFloatRepr(d)
        case let .string(s): return Value.pythonStringRepr(s)
        case let .list(a): return "[" + a.map(\.pythonRepr).joined(separator: ", ") + "]"
        case let .tuple(a):
            return a.count == 1 ? "(" + a[0].pythonRepr + ",)" : "(" + a.map(\.pythonRepr).joined(separator: ", ") + ")"
        case let .dict(d):
            return "{" + d.pairs.map { Value.pythonStringRepr($0.0) + ": " + $0.1.pythonRepr }.joined(separator: ", ") + "}"
        case let .object(o):
            let body = o.attributes.pairs.map { Value.pythonStringRepr($0.0) + ": " + $0.1.pythonRepr }.joined(separator: ", ")
            return "<\(o.kind) {\(body)}>"
        case let .function(f): return "<function \(f.name)>"
        }
    }

    /// Python's `repr(float)`: shortest round-trip digits, exponent form outside [1e-4, 1e16).
    static func pythonFloatRepr(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        if d == d.rounded(), abs(d) < 1e16 {
            if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
            return String(Int64(d)) + ".0"
        }
        return "\(d)"
    }

    /// Python's `repr(str)`: single quotes unless the text has a single quote and no double quote.
    static func pythonStringRepr(_ s: String) -> String {
        let quote: Character = s.contains("'") && !s.contains("\"") ? "\"" : "'"
        var out = String(quote)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if Character(scalar) == quote {
                    out += "\\" + String(quote)
                } else if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += String(format: "\\x%02x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out.append(quote)
        return out
    }
}

extension Value {
    /// A value from a JSON-like Foundation object (`JSONSerialization` output or Swift literals).
    /// Dictionaries from Foundation have no order, so their keys are sorted; use `Value.parseJSON` to keep order.
    public init(any: Any?) {
        switch any {
        case nil, is NSNull: self = .none
        case let v as Value: self = v
        case let b as Bool: self = .bool(b)
        case let i as Int: self = .int(i)
        case let d as Double: self = .double(d)
        case let s as String: self = .string(s)
        case let a as [Any?]: self = .list(a.map { Value(any: $0) })
        case let d as [String: Any?]: self = .dict(OrderedDict(d.keys.sorted().map { ($0, Value(any: d[$0]!)) }))
        default: self = .string(String(describing: any!))
        }
    }
}

extension Value: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral {
    /// A string value.
    public init(stringLiteral value: String) { self = .string(value) }
    /// A bool value.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// An int value.
    public init(integerLiteral value: Int) { self = .int(value) }
    /// A list value.
    public init(arrayLiteral elements: Value...) { self = .list(elements) }
    /// A dict value, keys in the order written.
    public init(dictionaryLiteral elements: (String, Value)...) { self = .dict(OrderedDict(elements)) }
    /// Python None.
    public init(nilLiteral: ()) { self = .none }
}
