/// The type id of a GGUF metadata value (`gguf_type`).
public enum GGUFValueType: UInt32, Sendable, CaseIterable {
    case uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6, bool = 7
    case string = 8, array = 9, uint64 = 10, int64 = 11, float64 = 12

    /// The smallest number of bytes one value of this type occupies in the file.
    var minimumByteSize: UInt64 {
        switch self {
        case .uint8, .int8, .bool: return 1
        case .uint16, .int16: return 2
        case .uint32, .int32, .float32: return 4
        case .uint64, .int64, .float64, .string: return 8
        case .array: return 12
        }
    }
}

/// One metadata value of a GGUF file. Arrays are homogeneous and may nest.
public enum GGUFValue: Sendable, Equatable {
    case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16), uint32(UInt32), int32(Int32)
    case float32(Float), bool(Bool), string(String), uint64(UInt64), int64(Int64), float64(Double)
    /// An array whose elements all have type `elementType`.
    case array(elementType: GGUFValueType, [GGUFValue])

    /// The value's type id.
    public var type: GGUFValueType {
        switch self {
        case .uint8: return .uint8
        case .int8: return .int8
        case .uint16: return .uint16
        case .int16: return .int16
        case .uint32: return .uint32
        case .int32: return .int32
        case .float32: return .float32
        case .bool: return .bool
        case .string: return .string
        case .uint64: return .uint64
        case .int64: return .int64
        case .float64: return .float64
        case .array: return .array
        }
    }

    /// A short description of the type for messages, e.g. `array of string`.
    public var typeName: String {
        if case let .array(elementType, _) = self { return "array of \(elementType)" }
        return "\(type)"
    }

    /// Any integer value as `Int`, when it fits; nil for other types.
    public var int: Int? {
        switch self {
        case let .uint8(v): return Int(v)
        case let .int8(v): return Int(v)
        case let .uint16(v): return Int(v)
        case let .int16(v): return Int(v)
        case let .uint32(v): return Int(v)
        case let .int32(v): return Int(v)
        case let .uint64(v): return Int(exactly: v)
        case let .int64(v): return Int(exactly: v)
        default: return nil
        }
    }

    /// A float or integer value as `Double`; nil for other types.
    public var double: Double? {
        switch self {
        case let .float32(v): return Double(v)
        case let .float64(v): return v
        default: return int.map(Double.init)
        }
    }

    /// The string, for a string value.
    public var string: String? {
        if case let .string(v) = self { return v }
        return nil
    }

    /// The flag, for a bool value.
    public var bool: Bool? {
        if case let .bool(v) = self { return v }
        return nil
    }

    /// The elements, for an array value.
    public var array: [GGUFValue]? {
        if case let .array(_, v) = self { return v }
        return nil
    }
}
