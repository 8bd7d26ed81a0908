import EngineCore

/// Something that carries one param declaration (lets `ParamDeclarations` find params of any Swift type).
protocol DeclaredParam: Sendable {
    /// The engine's declaration.
    var spec: ParamSpec { get }
}

/// A param declared once: its name, type, default, range, allowed values and summary (the engine's
/// `ParamSpec`, checked at load and listed by `rlhf kinds`) plus how to read it as a Swift `Value`.
struct Param<Value: Sendable>: DeclaredParam {
    /// The engine's declaration.
    let spec: ParamSpec
    /// The default, or nil when the param has none or a derived one.
    let fallback: Value?
    /// Decodes a value that passed the declaration's checks.
    let read: @Sendable (JSONValue) -> Value?
}

extension Param where Value == Int {
    /// An integer in `range` with a static default (nil: `derived` says how the run computes it, or none).
    static func integer(_ name: String, default fallback: Int?, derived: String? = nil, in range: ClosedRange<Int>,
                        _ summary: String) -> Param {
        Param(spec: ParamSpec(name, .integer, default: defaultValue(fallback.map { .int(Int64($0)) }, derived),
                              range: Double(range.lowerBound)...Double(range.upperBound), summary: summary),
              fallback: fallback, read: { $0.intValue.map { Int($0) } })
    }
}

extension Param where Value == Double {
    /// A number in `range` with a static default (nil: `derived` says how the run computes it, or none).
    static func number(_ name: String, default fallback: Double?, derived: String? = nil, in range: ClosedRange<Double>,
                       _ summary: String) -> Param {
        Param(spec: ParamSpec(name, .number, default: defaultValue(fallback.map { .double($0) }, derived), range: range, summary: summary),
              fallback: fallback, read: { $0.doubleValue })
    }
}

extension Param where Value == Bool {
    /// `true` or `false`.
    static func flag(_ name: String, default fallback: Bool, _ summary: String) -> Param {
        Param(spec: ParamSpec(name, .bool, default: .value(.bool(fallback)), summary: summary), fallback: fallback, read: { $0.boolValue })
    }
}

extension Param where Value == String {
    /// Free text (nil default: `derived` says how the run computes it, or none).
    static func text(_ name: String, default fallback: String?, derived: String? = nil, _ summary: String) -> Param {
        Param(spec: ParamSpec(name, .string, default: defaultValue(fallback.map { .string($0) }, derived), summary: summary),
              fallback: fallback, read: { $0.stringValue })
    }

    /// One of `choices`.
    static func choice(_ name: String, default fallback: String, among choices: [String], _ summary: String) -> Param {
        Param(spec: ParamSpec(name, .string, default: .value(.string(fallback)), allowed: choices, summary: summary),
              fallback: fallback, read: { $0.stringValue })
    }
}

extension Param where Value == [Double] {
    /// A non-empty array of numbers in `range`.
    static func numbers(_ name: String, default fallback: [Double], in range: ClosedRange<Double>, _ summary: String) -> Param {
        Param(spec: ParamSpec(name, .array, default: .value(.array(fallback.map { .double($0) })), range: range, elements: .number,
                              nonEmpty: true, summary: summary),
              fallback: fallback, read: { value in
                  guard case let .array(items) = value else { return nil }
                  let numbers = items.compactMap(\.doubleValue)
                  return numbers.count == items.count ? numbers : nil
              })
    }
}

extension Param where Value == [String] {
    /// A non-empty array of strings, each one of `choices`.
    static func strings(_ name: String, default fallback: [String], among choices: [String], _ summary: String) -> Param {
        Param(spec: ParamSpec(name, .array, default: .value(.array(fallback.map { .string($0) })), allowed: choices, elements: .string,
                              nonEmpty: true, summary: summary),
              fallback: fallback, read: { value in
                  guard case let .array(items) = value else { return nil }
                  let strings = items.compactMap(\.stringValue)
                  return strings.count == items.count ? strings : nil
              })
    }
}

extension Param where Value == [String: JSONValue] {
    /// An object whose keys are declared by `fields` (nil: any keys; the kind's rules check them).
    static func object(_ name: String, fields: [ParamSpec]?, derived: String? = nil, _ summary: String) -> Param {
        Param(spec: ParamSpec(name, .object, default: derived.map { .derived($0) } ?? .value(.object([:])), fields: fields, summary: summary),
              fallback: [:], read: { $0.objectValue })
    }
}

extension Param where Value == JSONValue {
    /// A param read as raw JSON (for configs another module decodes, such as `WorldConfig`).
    static func json(_ spec: ParamSpec) -> Param {
        let fallback: JSONValue?
        if case let .value(value) = spec.defaultValue { fallback = value } else { fallback = nil }
        return Param(spec: spec, fallback: fallback, read: { $0 })
    }
}

extension Param where Value: RawRepresentable & CaseIterable, Value.RawValue == String {
    /// One of an enum's raw values, read as the enum.
    static func choice(_ name: String, default fallback: Value, _ summary: String) -> Param {
        Param(spec: ParamSpec(name, .string, default: .value(.string(fallback.rawValue)), allowed: Value.allCases.map(\.rawValue),
                              summary: summary),
              fallback: fallback, read: { $0.stringValue.flatMap(Value.init(rawValue:)) })
    }
}

/// `.value` when there is a static default, `.derived` when the run computes one, else `.none`.
private func defaultValue(_ value: JSONValue?, _ derived: String?) -> ParamDefault {
    if let value { return .value(value) }
    return derived.map { .derived($0) } ?? .none
}

/// A group of params declared as stored properties (of type `Param` or nested groups); `specs` lists
/// them in declaration order, so a kind's declared list can never miss a param it reads.
protocol ParamDeclarations: Sendable {}

extension ParamDeclarations {
    /// Every param of the group, nested groups flattened, in declaration order.
    var specs: [ParamSpec] {
        Mirror(reflecting: self).children.flatMap { child -> [ParamSpec] in
            if let param = child.value as? any DeclaredParam { return [param.spec] }
            if let group = child.value as? any ParamDeclarations { return group.specs }
            return []
        }
    }
}
