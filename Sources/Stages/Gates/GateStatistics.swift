import Training

/// Small statistics used by the length-bias and RM gates.
enum GateStatistics {
    /// Median (NaN for an empty array).
    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// Pearson correlation (NaN when either side is constant or the arrays are shorter than 2).
    static func pearson(_ x: [Double], _ y: [Double]) -> Double {
        guard x.count == y.count, x.count >= 2 else { return .nan }
        let mx = Statistics.mean(x), my = Statistics.mean(y)
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in x.indices {
            sxy += (x[i] - mx) * (y[i] - my)
            sxx += (x[i] - mx) * (x[i] - mx)
            syy += (y[i] - my) * (y[i] - my)
        }
        return sxx == 0 || syy == 0 ? .nan : sxy / (sxx * syy).squareRoot()
    }

    /// Spearman rank correlation: Pearson of the tie-averaged ranks (`Statistics.ranks`); NaN when degenerate.
    static func spearman(_ x: [Double], _ y: [Double]) -> Double {
        pearson(Statistics.ranks(x), Statistics.ranks(y))
    }

    /// Point-biserial correlation of a binary `group` with `values` (Pearson with the 0/1 group).
    static func pointBiserial(group: [Bool], values: [Double]) -> Double {
        pearson(group.map { $0 ? 1 : 0 }, values)
    }
}
