/// Advantage whitening: shift to mean 0 and scale to unit (population) standard deviation.
enum Whitening {
    /// `(x − mean) / (std + eps)`; with `shiftMean == false` the mean is added back after scaling.
    /// - Complexity: O(n).
    static func whiten(_ x: [Double], shiftMean: Bool = true, eps: Double = 1e-8) -> [Double] {
        guard !x.isEmpty else { return [] }
        let mean = Statistics.mean(x)
        let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(x.count)
        let scale = 1 / (variance.squareRoot() + eps)
        return x.map { shiftMean ? ($0 - mean) * scale : ($0 - mean) * scale + mean }
    }
}
