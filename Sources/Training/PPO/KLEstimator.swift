import Foundation

/// Per-token estimators of KL(π ‖ π_ref) from the log-probs of the sampled token (Schulman's k1 and k3).
public enum KLEstimator: String, Sendable, CaseIterable {
    /// k1 = log π − log π_ref: unbiased, can be negative per token.
    case k1
    /// k3 = (r − 1) − log r with r = π_ref / π: unbiased and never negative.
    case k3

    /// The estimate for one token sampled from π.
    func estimate(logProb: Double, referenceLogProb: Double) -> Double {
        switch self {
        case .k1:
            return logProb - referenceLogProb
        case .k3:
            let logRatio = referenceLogProb - logProb
            return exp(logRatio) - 1 - logRatio
        }
    }

    /// Estimates per token for parallel arrays of log-probs.
    func estimate(logProbs: [Double], referenceLogProbs: [Double]) -> [Double] {
        zip(logProbs, referenceLogProbs).map { estimate(logProb: $0, referenceLogProb: $1) }
    }
}
