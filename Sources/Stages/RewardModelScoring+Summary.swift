import Foundation
import Training

extension RewardModelScoring {
    /// Aggregates of a scored file: mean score, and for pairs the accuracy (chosen above rejected) and mean margin.
    public struct Summary: Codable, Sendable, Equatable {
        /// Items scored.
        public var items: Int
        /// Mean single-response score (nil without single responses).
        public var meanScore: Double?
        /// Pairs scored.
        public var pairs: Int
        /// Fraction of pairs whose chosen response scores higher (nil without pairs).
        public var accuracy: Double?
        /// Mean chosen − rejected margin (nil without pairs).
        public var meanMargin: Double?

        /// The summary of `results`.
        public init(_ results: [Result]) {
            items = results.count
            let scores = results.compactMap(\.score), margins = results.compactMap(\.margin)
            meanScore = scores.isEmpty ? nil : Statistics.mean(scores)
            pairs = margins.count
            accuracy = margins.isEmpty ? nil : Double(margins.filter { $0 > 0 }.count) / Double(margins.count)
            meanMargin = margins.isEmpty ? nil : Statistics.mean(margins)
        }

        /// JSON keys.
        enum CodingKeys: String, CodingKey {
            case items, pairs, accuracy
            case meanScore = "mean_score"
            case meanMargin = "mean_margin"
        }

        /// One line for the terminal.
        public var line: String {
            var parts = ["\(items) item\(items == 1 ? "" : "s")"]
            if let meanScore { parts.append(String(format: "mean score %.4f", meanScore)) }
            if let accuracy, let meanMargin { parts.append(String(format: "%d pairs: chosen above rejected %.1f%%, mean margin %.4f", pairs, accuracy * 100, meanMargin)) }
            return parts.joined(separator: "; ")
        }
    }
}
