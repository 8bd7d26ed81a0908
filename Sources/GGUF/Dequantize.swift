import SafeTensors

/// Decoding of ggml block formats to `Float`, as llama.cpp's `dequantize_row_*` computes them.
///
/// Every function reads `bytes` (whole blocks, validated by the header) and writes `count` floats.
/// The arithmetic follows ggml's order of operations so results are bit-identical to gguf-py.
enum Dequantize {
    /// `count` elements of `type` decoded from `bytes`, which hold exactly `count / blockSize` blocks.
    /// - Complexity: O(count).
    static func floats(_ type: GGMLType, _ bytes: [UInt8], count: Int) -> [Float] {
        var out = [Float](repeating: 0, count: count)
        switch type {
        case .f32:
            for i in 0..<count { out[i] = Float(bitPattern: u32(bytes, 4 * i)) }
        case .f16:
            for i in 0..<count { out[i] = HalfFloat.float(fromBinary16: u16(bytes, 2 * i)) }
        case .bf16:
            for i in 0..<count { out[i] = Float(bitPattern: UInt32(u16(bytes, 2 * i)) << 16) }
        case .q8_0: q8_0(bytes, &out)
        case .q4_0: q4_0(bytes, &out)
        case .q4_1: q4_1(bytes, &out)
        case .q4_K: q4_K(bytes, &out)
        case .q5_K: q5_K(bytes, &out)
        case .q6_K: q6_K(bytes, &out)
        default: break
        }
        return out
    }

    /// A little-endian uint16 at `offset`.
    @inline(__always)
    static func u16(_ bytes: [UInt8], _ offset: Int) -> UInt16 {
        UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    /// A little-endian uint32 at `offset`.
    @inline(__always)
    static func u32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(u16(bytes, offset)) | UInt32(u16(bytes, offset + 2)) << 16
    }

    /// The binary16 at `offset` as `Float`.
    @inline(__always)
    static func half(_ bytes: [UInt8], _ offset: Int) -> Float {
        HalfFloat.float(fromBinary16: u16(bytes, offset))
    }

    /// Q8_0: blocks of 32 × int8 with one f16 scale: x = q·d.
    static func q8_0(_ bytes: [UInt8], _ out: inout [Float]) {
        let blockBytes = GGMLType.q8_0.typeSize
        for block in 0..<out.count / 32 {
            let base = block * blockBytes
            let d = half(bytes, base)
            for j in 0..<32 {
                out[block * 32 + j] = Float(Int8(bitPattern: bytes[base + 2 + j])) * d
            }
        }
    }

    /// Q4_0: 32 nibbles with one f16 scale: x = (q − 8)·d; low nibbles are elements 0-15, high 16-31.
    static func q4_0(_ bytes: [UInt8], _ out: inout [Float]) {
        let blockBytes = GGMLType.q4_0.typeSize
        for block in 0..<out.count / 32 {
            let base = block * blockBytes
            let d = half(bytes, base)
            for j in 0..<16 {
                let q = bytes[base + 2 + j]
                out[block * 32 + j] = Float(Int(q & 0x0F) - 8) * d
                out[block * 32 + j + 16] = Float(Int(q >> 4) - 8) * d
            }
        }
    }

    /// Q4_1: 32 nibbles with an f16 scale and minimum: x = q·d + m.
    static func q4_1(_ bytes: [UInt8], _ out: inout [Float]) {
        let blockBytes = GGMLType.q4_1.typeSize
        for block in 0..<out.count / 32 {
            let base = block * blockBytes
            let d = half(bytes, base)
            let m = half(bytes, base + 2)
            for j in 0..<16 {
                let q = bytes[base + 4 + j]
                out[block * 32 + j] = Float(q & 0x0F) * d + m
                out[block * 32 + j + 16] = Float(q >> 4) * d + m
            }
        }
    }
}
