/// An element type of the safetensors format, spelled as in the file header (`"F32"`, `"BF16"`, …).
public enum SafeTensorsDType: String, Sendable, CaseIterable {
    /// IEEE 754 binary32.
    case F32
    /// IEEE 754 binary16.
    case F16
    /// bfloat16: the upper half of a binary32.
    case BF16
    /// IEEE 754 binary64.
    case F64
    /// 8-bit float, 5 exponent bits and 2 mantissa bits.
    case F8_E5M2
    /// 8-bit float, 4 exponent bits and 3 mantissa bits.
    case F8_E4M3
    /// Signed 64-bit integer.
    case I64
    /// Signed 32-bit integer.
    case I32
    /// Signed 16-bit integer.
    case I16
    /// Signed 8-bit integer.
    case I8
    /// Unsigned 64-bit integer.
    case U64
    /// Unsigned 32-bit integer.
    case U32
    /// Unsigned 16-bit integer.
    case U16
    /// Unsigned 8-bit integer.
    case U8
    /// Boolean, one byte per element.
    case BOOL

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .F64, .I64, .U64: return 8
        case .F32, .I32, .U32: return 4
        case .F16, .BF16, .I16, .U16: return 2
        case .F8_E5M2, .F8_E4M3, .I8, .U8, .BOOL: return 1
        }
    }
}
