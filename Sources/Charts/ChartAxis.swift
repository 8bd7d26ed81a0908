import Foundation

/// A linear or base-10 logarithmic scale from data values to pixels, with "nice" tick values.
struct ChartAxis {
    /// Lower data bound (a tick).
    let low: Double
    /// Upper data bound (a tick).
    let high: Double
    /// Tick values from `low` to `high`.
    let ticks: [Double]
    /// Whether positions follow log10 of the value (ticks at 1, 2, 5 × 10^k or whole decades).
    var logarithmic = false

    /// A scale covering `values` with about `count` ticks at 1, 2 or 5 × 10^k steps; `includeZero` forces 0 in.
    init(values: [Double], count: Int = 5, includeZero: Bool = false) {
        let finite = values.filter(\.isFinite)
        var minimum = finite.min() ?? 0
        var maximum = finite.max() ?? 1
        if includeZero {
            minimum = min(minimum, 0)
            maximum = max(maximum, 0)
        }
        if maximum - minimum < 1e-12 {
            let pad = abs(maximum) > 1e-12 ? abs(maximum) * 0.1 : 1
            minimum -= pad
            maximum += pad
        }
        let step = Self.niceStep((maximum - minimum) / Double(max(count, 1)))
        let low = (minimum / step).rounded(.down) * step
        let high = (maximum / step).rounded(.up) * step
        var ticks: [Double] = []
        var tick = low
        while tick <= high + step * 0.5 {
            ticks.append(abs(tick) < step * 1e-9 ? 0 : tick)
            tick += step
        }
        self.low = low
        self.high = high
        self.ticks = ticks
    }

    /// A log10 scale over the positive finite `values` (non-positive ones cannot be placed and are ignored):
    /// from the decade at or below the smallest to the decade at or above the largest, ticks at every decade,
    /// plus 2 and 5 × 10^k when the range spans at most two decades.
    init(logValues values: [Double]) {
        let positive = values.filter { $0.isFinite && $0 > 0 }
        let lowPower = floor(log10(positive.min() ?? 0.1) + 1e-9)
        var highPower = ceil(log10(positive.max() ?? 1) - 1e-9)
        if highPower <= lowPower { highPower = lowPower + 1 }
        let decades = Int(highPower - lowPower)
        var ticks: [Double] = []
        for power in Int(lowPower)...Int(highPower) {
            let base = pow(10, Double(power))
            ticks.append(base)
            if decades <= 2, power < Int(highPower) { ticks += [2 * base, 5 * base] }
        }
        low = pow(10, lowPower)
        high = pow(10, highPower)
        self.ticks = ticks
        logarithmic = true
    }

    /// The fraction (0 at `low`, 1 at `high`) of `value` along the axis (log10 positions on a log axis,
    /// where a non-positive value sits below the bottom).
    func fraction(_ value: Double) -> Double {
        guard logarithmic else { return (value - low) / (high - low) }
        guard value > 0 else { return -0.05 }
        return (log10(value) - log10(low)) / (log10(high) - log10(low))
    }

    /// Tick label text: as few decimals as the step needs (on a log axis, the shortest exact form).
    func label(_ value: Double) -> String {
        if logarithmic {
            let magnitude = abs(value)
            return magnitude >= 1e5 || magnitude < 1e-3 ? String(format: "%.0e", value) : String(format: "%g", value)
        }
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
        let magnitude = max(abs(low), abs(high))
        if magnitude >= 1e5 || (magnitude < 1e-3 && magnitude > 0) { return String(format: "%.3g", value) }
        let power = floor(log10(step) + 1e-9)
        let needsExtra = abs(step / pow(10, power) - 2.5) < 1e-6
        let decimals = max(0, -Int(power) + (needsExtra ? 1 : 0))
        return String(format: "%.\(decimals)f", value)
    }

    /// 1, 2, 2.5 or 5 × 10^k at or above `raw`.
    private static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let power = pow(10, floor(log10(raw)))
        for factor in [1.0, 2.0, 2.5, 5.0, 10.0] where factor * power >= raw * 0.999 { return factor * power }
        return 10 * power
    }
}
