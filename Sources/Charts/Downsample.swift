/// Thinning of long series for drawing; summary figures always use the full data.
enum Downsample {
    /// Largest-Triangle-Three-Buckets: keeps `threshold` points (first and last included) that preserve
    /// the visual shape of `points`, which must be sorted by x. Returns `points` when it is short enough.
    /// - Complexity: O(n).
    static func lttb(_ points: [ChartPoint], threshold: Int) -> [ChartPoint] {
        guard threshold >= 3, points.count > threshold else { return points }
        var sampled: [ChartPoint] = [points[0]]
        sampled.reserveCapacity(threshold)
        let bucketSize = Double(points.count - 2) / Double(threshold - 2)
        var anchor = 0
        for bucket in 0..<(threshold - 2) {
            let start = Int(Double(bucket) * bucketSize) + 1
            let end = min(Int(Double(bucket + 1) * bucketSize) + 1, points.count - 1)
            let nextStart = end
            let nextEnd = min(Int(Double(bucket + 2) * bucketSize) + 1, points.count)
            var averageX = 0.0, averageY = 0.0
            for point in points[nextStart..<max(nextEnd, nextStart + 1)] {
                averageX += point.x
                averageY += point.y
            }
            let count = Double(max(nextEnd - nextStart, 1))
            averageX /= count
            averageY /= count
            let a = points[anchor]
            var best = start, bestArea = -1.0
            for index in start..<max(end, start + 1) {
                let p = points[index]
                let area = abs((a.x - averageX) * (p.y - a.y) - (a.x - p.x) * (averageY - a.y))
                if area > bestArea {
                    bestArea = area
                    best = index
                }
            }
            sampled.append(points[best])
            anchor = best
        }
        sampled.append(points[points.count - 1])
        return sampled
    }
}
