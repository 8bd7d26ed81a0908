/// Bit-level conversions from 16-bit floats, portable to platforms without `Float16`.
public enum HalfFloat {
    /// The exact `Float` value of an IEEE 754 binary16 bit pattern (NaN payloads kept).
    public static func float(fromBinary16 bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1F
        let mantissa = UInt32(bits & 0x3FF)
        switch exponent {
        case 0:
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
        default:
            return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
        }
    }

    /// The bfloat16 bit pattern nearest to `value` (round to nearest, ties to even, as PyTorch's
    /// `.to(torch.bfloat16)`); NaN stays a quiet NaN with its sign.
    static func bfloat16(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040 }
        let roundingBias = 0x7FFF + ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: (bits &+ roundingBias) >> 16)
    }
}
