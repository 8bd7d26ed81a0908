/// Token embedding lookup.
public enum Embedding {
    /// out (N,C) = table[tokens (N)] with table (V,C).
    public static func forward(
        out: UnsafeMutablePointer<Float>, tokens: UnsafePointer<Int32>, table: UnsafePointer<Float>,
        n: Int, c: Int
    ) {
        for i in 0..<n {
            (out + i * c).update(from: table + Int(tokens[i]) * c, count: c)
        }
    }

    /// dtable (V,C) += scatter of dout (N,C) by tokens (N), in token order (deterministic).
    public static func backward(
        dtable: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, tokens: UnsafePointer<Int32>,
        n: Int, c: Int
    ) {
        for i in 0..<n {
            let row = dtable + Int(tokens[i]) * c
            let g = dout + i * c
            for j in 0..<c { row[j] += g[j] }
        }
    }
}
