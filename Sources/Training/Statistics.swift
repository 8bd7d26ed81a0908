import Foundation

/// Small statistics used by the evaluation reports.
public enum Statistics {
    /// Logistic sigmoid.
    public static func sigmoid(_ x: Double) -> Double {
        x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
    }

    /// Mean of `values`, or `ifEmpty` (default 0) when there are none; the one mean of the project.
    public static func mean(_ values: [Double], ifEmpty: Double = 0) -> Double {
        values.isEmpty ? ifEmpty : values.reduce(0, +) / Double(values.count)
    }

    /// Population standard deviation of `values`.
    public static func standardDeviation(_ values: [Double]) -> Double {
        let m = mean(values)
        return mean(values.map { ($0 - m) * ($0 - m) }).squareRoot()
    }

    /// Ranks starting at 1, ties sharing their average rank.
    /// - Complexity: O(n log n).
    public static func ranks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && values[order[j + 1]] == values[order[i]] { j += 1 }
            let average = Double(i + j) / 2 + 1
            for k in i...j { ranks[order[k]] = average }
            i = j + 1
        }
        return ranks
    }

    /// Median: the middle value, or the mean of the two middle values (NaN for an empty array).
    /// - Complexity: O(n log n).
    public static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// Pearson correlation, or nil when it is undefined: arrays of different lengths or shorter than 2,
    /// or a side that is constant (or not finite). Callers choose what undefined reports (0 in a table, NaN in a gate).
    public static func pearson(_ x: [Double], _ y: [Double]) -> Double? {
        guard x.count == y.count, x.count >= 2 else { return nil }
        let mx = mean(x), my = mean(y)
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (a, b) in zip(x, y) {
            sxy += (a - mx) * (b - my)
            sxx += (a - mx) * (a - mx)
            syy += (b - my) * (b - my)
        }
        return sxx > 0 && syy > 0 ? sxy / (sxx * syy).squareRoot() : nil
    }

    /// Spearman rank correlation: Pearson of the tie-averaged `ranks`; nil when undefined (see `pearson`).
    public static func spearman(_ x: [Double], _ y: [Double]) -> Double? {
        pearson(ranks(x), ranks(y))
    }

    /// Point-biserial correlation of a binary `group` with `values` (Pearson with the group as 0/1); nil when undefined.
    public static func pointBiserial(group: [Bool], values: [Double]) -> Double? {
        pearson(group.map { $0 ? 1 : 0 }, values)
    }
}

/// One bin of a reliability table.
struct CalibrationBin: Codable, Equatable {
    /// Lower edge of predicted probability.
    var lower: Double
    /// Upper edge.
    var upper: Double
    /// Predictions in the bin.
    var count: Int
    /// Mean predicted probability.
    var meanPredicted: Double
    /// Observed frequency of the predicted outcome.
    var observed: Double

    /// JSON keys (snake_case).
    enum CodingKeys: String, CodingKey {
        case lower, upper, count
        case meanPredicted = "mean_predicted"
        case observed
    }
}

/// A reliability table and expected calibration error for binary predictions.
public struct Calibration: Codable, Equatable {
    /// Equal-width bins over [0, 1] (empty bins omitted).
    var bins: [CalibrationBin]
    /// ECE: Σ (n_b / N) · |mean predicted − observed|.
    public var ece: Double

    /// Bins `(probability, outcome)` pairs into `binCount` equal-width bins.
    init(_ predictions: [(probability: Double, outcome: Bool)], binCount: Int = 10) {
        var groups = Array(repeating: [(probability: Double, outcome: Bool)](), count: binCount)
        for p in predictions { groups[min(binCount - 1, max(0, Int(p.probability * Double(binCount))))].append(p) }
        bins = []
        var error = 0.0
        for (b, group) in groups.enumerated() where !group.isEmpty {
            let predicted = Statistics.mean(group.map(\.probability))
            let observed = Double(group.filter(\.outcome).count) / Double(group.count)
            bins.append(CalibrationBin(lower: Double(b) / Double(binCount), upper: Double(b + 1) / Double(binCount),
                                       count: group.count, meanPredicted: predicted, observed: observed))
            error += Double(group.count) / Double(max(predictions.count, 1)) * abs(predicted - observed)
        }
        ece = error
    }
}
