import Charts
import EngineCore

/// Finds figures and curves in JSON whose exact schema the report does not own (`sft_eval.json`, `rm_eval.json`).
enum JSONFacts {
    /// Keys that name the x of a point in an array of objects.
    static let stepKeys = ["step", "iteration", "iter", "epoch", "x"]

    /// Every numeric scalar that is not inside an array, by dotted path, in path order.
    static func scalars(_ value: JSONValue, _ prefix: String = "") -> [(path: String, value: Double)] {
        switch value {
        case let .object(members):
            return members.keys.sorted().flatMap { scalars(members[$0]!, prefix.isEmpty ? $0 : prefix + "." + $0) }
        case .int, .double:
            return [(prefix, value.doubleValue ?? 0)]
        default:
            return []
        }
    }

    /// Every curve: arrays of numbers (x = 1-based index, or a sibling `steps` array) and arrays of
    /// objects with a step key (one curve per other numeric key).
    static func curves(_ value: JSONValue, _ prefix: String = "") -> [(path: String, points: [ChartPoint])] {
        switch value {
        case let .object(members):
            let steps = (members["steps"] ?? members["step"]).flatMap(numbers)
            return members.keys.sorted().flatMap { key -> [(path: String, points: [ChartPoint])] in
                let path = prefix.isEmpty ? key : prefix + "." + key
                if key == "steps" || key == "step" { return [] }
                if let ys = numbers(members[key]!), ys.count > 1 {
                    let xs = steps?.count == ys.count ? steps! : ys.indices.map { Double($0 + 1) }
                    return [(path, zip(xs, ys).map { ChartPoint(x: $0, y: $1) })]
                }
                return curves(members[key]!, path)
            }
        case let .array(items):
            let objects = items.compactMap(\.objectValue)
            guard objects.count == items.count, objects.count > 1,
                  let stepKey = stepKeys.first(where: { key in objects.allSatisfy { $0[key]?.doubleValue != nil } }) else { return [] }
            let fields = Set(objects.flatMap { $0.keys }).subtracting([stepKey]).sorted()
            return fields.compactMap { field in
                let points = objects.compactMap { object -> ChartPoint? in
                    guard let x = object[stepKey]?.doubleValue, let y = object[field]?.doubleValue else { return nil }
                    return ChartPoint(x: x, y: y)
                }
                return points.isEmpty ? nil : ((prefix.isEmpty ? field : prefix + "." + field), points.sorted { $0.x < $1.x })
            }
        default:
            return []
        }
    }

    /// The first array of objects (depth-first, keys sorted) whose objects all have a key matching
    /// `xWords` and one matching `yWords`; returns the points and the two key names.
    static func pairs(_ value: JSONValue, xWords: [String], yWords: [String]) -> (points: [ChartPoint], x: String, y: String)? {
        switch value {
        case let .object(members):
            for key in members.keys.sorted() {
                if let found = pairs(members[key]!, xWords: xWords, yWords: yWords) { return found }
            }
            return nil
        case let .array(items):
            let objects = items.compactMap(\.objectValue)
            guard !objects.isEmpty, objects.count == items.count else { return nil }
            let keys = Set(objects.flatMap { $0.keys }).sorted()
            func pick(_ words: [String], excluding other: String? = nil) -> String? {
                keys.first { key in key != other && words.contains { key.lowercased().contains($0) } && objects.allSatisfy { $0[key]?.doubleValue != nil } }
            }
            guard let x = pick(xWords), let y = pick(yWords, excluding: x) else { return nil }
            return (objects.map { ChartPoint(x: $0[x]!.doubleValue!, y: $0[y]!.doubleValue!) }, x, y)
        default:
            return nil
        }
    }

    /// The first scalar whose path contains every word of one of `alternatives` (each split on `_`/`.`).
    static func find(_ scalars: [(path: String, value: Double)], _ alternatives: [[String]]) -> (path: String, value: Double)? {
        for words in alternatives {
            if let hit = scalars.first(where: { item in
                let parts = Set(item.path.lowercased().split(whereSeparator: { $0 == "." || $0 == "_" }).map(String.init))
                return words.allSatisfy(parts.contains)
            }) { return hit }
        }
        return nil
    }

    private static func numbers(_ value: JSONValue) -> [Double]? {
        guard case let .array(items) = value, !items.isEmpty else { return nil }
        let values = items.compactMap(\.doubleValue)
        return values.count == items.count ? values : nil
    }
}
