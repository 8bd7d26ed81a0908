/// One metric of a run in a line: first, last, min and max, each with its step (`rlhf show`).
public struct MetricSummary: Codable, Sendable, Equatable {
    /// Metric name.
    public var name: String
    /// Number of recorded points.
    public var points: Int
    /// Value and step of the first point.
    public var first: Double
    /// Step of the first point.
    public var firstStep: Int
    /// Value of the last point.
    public var last: Double
    /// Step of the last point.
    public var lastStep: Int
    /// Smallest value.
    public var min: Double
    /// Step of the smallest value (the first such step).
    public var minStep: Int
    /// Largest value.
    public var max: Double
    /// Step of the largest value (the first such step).
    public var maxStep: Int

    /// One summary per metric name of `points`, in name order; points of one name are ordered by step.
    /// - Complexity: O(n log n) in the number of points.
    public static func summarize(_ points: [MetricPoint]) -> [MetricSummary] {
        Dictionary(grouping: points, by: \.name).sorted { $0.key < $1.key }.compactMap { name, series in
            let ordered = series.sorted { $0.step < $1.step }
            guard let first = ordered.first, let last = ordered.last else { return nil }
            var low = first, high = first
            for point in ordered.dropFirst() {
                if point.value < low.value { low = point }
                if point.value > high.value { high = point }
            }
            return MetricSummary(name: name, points: ordered.count, first: first.value, firstStep: first.step, last: last.value, lastStep: last.step,
                                 min: low.value, minStep: low.step, max: high.value, maxStep: high.step)
        }
    }
}
