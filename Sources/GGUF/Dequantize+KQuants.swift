/// The K-quants: super-blocks of 256 elements in sub-blocks with 6- or 8-bit scales.
extension Dequantize {
    /// Scale and minimum of sub-block `j` (0..<8) from the 12 packed 6-bit bytes at `offset` (`get_scale_min_k4`).
    @inline(__always)
    static func scaleMin(_ bytes: [UInt8], _ offset: Int, _ j: Int) -> (scale: Float, min: Float) {
        if j < 4 {
            return (Float(bytes[offset + j] & 63), Float(bytes[offset + j + 4] & 63))
        }
        let scale = (bytes[offset + j + 4] & 0x0F) | ((bytes[offset + j - 4] >> 6) << 4)
        let min = (bytes[offset + j + 4] >> 4) | ((bytes[offset + j] >> 6) << 4)
        return (Float(scale), Float(min))
    }

    /// The scales and offsets of sub-blocks 2·pair and 2·pair + 1 of a Q4_K/Q5_K super-block: d·sc and dmin·m.
    @inline(__always)
    static func pairScales(_ bytes: [UInt8], _ scales: Int, _ pair: Int, d: Float, dmin: Float)
        -> (d1: Float, min1: Float, d2: Float, min2: Float) {
        let (sc1, m1) = scaleMin(bytes, scales, 2 * pair)
        let (sc2, m2) = scaleMin(bytes, scales, 2 * pair + 1)
        return (d * sc1, dmin * m1, d * sc2, dmin * m2)
    }

    /// Q4_K: f16 d and dmin, 12 bytes of scales, 128 bytes of nibbles; x = d·sc·q − dmin·m per 32 elements.
    static func q4_K(_ bytes: [UInt8], _ out: inout [Float]) {
        let blockBytes = GGMLType.q4_K.typeSize
        for block in 0..<out.count / 256 {
            let base = block * blockBytes
            let d = half(bytes, base)
            let dmin = half(bytes, base + 2)
            let scales = base + 4
            var q = base + 16
            var y = block * 256
            for pair in 0..<4 {
                let (d1, min1, d2, min2) = pairScales(bytes, scales, pair, d: d, dmin: dmin)
                for l in 0..<32 {
                    out[y + l] = d1 * Float(bytes[q + l] & 0x0F) - min1
                    out[y + 32 + l] = d2 * Float(bytes[q + l] >> 4) - min2
                }
                q += 32
                y += 64
            }
        }
    }

    /// Q5_K: as Q4_K plus 32 bytes holding each element's fifth bit.
    static func q5_K(_ bytes: [UInt8], _ out: inout [Float]) {
        let blockBytes = GGMLType.q5_K.typeSize
        for block in 0..<out.count / 256 {
            let base = block * blockBytes
            let d = half(bytes, base)
            let dmin = half(bytes, base + 2)
            let scales = base + 4
            let qh = base + 16
            var ql = base + 48
            var y = block * 256
            for pair in 0..<4 {
                let (d1, min1, d2, min2) = pairScales(bytes, scales, pair, d: d, dmin: dmin)
                let bit1 = UInt8(1) << (2 * pair), bit2 = UInt8(2) << (2 * pair)
                for l in 0..<32 {
                    let high = bytes[qh + l]
                    let low = bytes[ql + l]
                    out[y + l] = d1 * Float((low & 0x0F) + (high & bit1 != 0 ? 16 : 0)) - min1
                    out[y + 32 + l] = d2 * Float((low >> 4) + (high & bit2 != 0 ? 16 : 0)) - min2
                }
                ql += 32
                y += 64
            }
        }
    }

    /// Q6_K: 128 bytes of low nibbles, 64 of 2-bit highs, 16 int8 scales, f16 d; x = d·sc·(q − 32).
    static func q6_K(_ bytes: [UInt8], _ out: inout [Float]) {
        let blockBytes = GGMLType.q6_K.typeSize
        for block in 0..<out.count / 256 {
            let base = block * blockBytes
            let d = half(bytes, base + 208)
            for half128 in 0..<2 {
                let ql = base + 64 * half128
                let qh = base + 128 + 32 * half128
                let sc = base + 192 + 8 * half128
                let y = block * 256 + 128 * half128
                for l in 0..<32 {
                    let s = sc + l / 16
                    let high = bytes[qh + l]
                    let q1 = Int(bytes[ql + l] & 0x0F | (high & 3) << 4) - 32
                    let q2 = Int(bytes[ql + l + 32] & 0x0F | ((high >> 2) & 3) << 4) - 32
                    let q3 = Int(bytes[ql + l] >> 4 | ((high >> 4) & 3) << 4) - 32
                    let q4 = Int(bytes[ql + l + 32] >> 4 | ((high >> 6) & 3) << 4) - 32
                    out[y + l] = d * Float(Int8(bitPattern: bytes[s])) * Float(q1)
                    out[y + l + 32] = d * Float(Int8(bitPattern: bytes[s + 2])) * Float(q2)
                    out[y + l + 64] = d * Float(Int8(bitPattern: bytes[s + 4])) * Float(q3)
                    out[y + l + 96] = d * Float(Int8(bitPattern: bytes[s + 6])) * Float(q4)
                }
            }
        }
    }
}
