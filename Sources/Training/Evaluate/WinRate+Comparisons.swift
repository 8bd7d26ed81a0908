extension WinRate {
    /// One entry per comparison (the same two models and judge in either A/B order are mirror images): the
    /// policy-as-A entry when there is one, else the first recorded; in order of first appearance.
    public static func onePerComparison(_ rates: [WinRate]) -> [WinRate] {
        var chosen: [String: WinRate] = [:]
        var order: [String] = []
        for rate in rates {
            let key = [rate.a, rate.b].sorted().joined(separator: "\u{0}") + "\u{0}" + rate.judge
            if let kept = chosen[key] {
                if kept.a != "policy" && rate.a == "policy" { chosen[key] = rate }
            } else {
                chosen[key] = rate
                order.append(key)
            }
        }
        return order.map { chosen[$0]! }
    }
}
