import Foundation
import Model

/// A linear value head v = w·h on final hidden states h (C), with its own AdamW state (no weight decay,
/// global-norm clip 1 on its gradient), for critics that share the actor's trunk.
public final class ValueHead {
    /// The head's weights (C).
    public internal(set) var weights: [Float]
    /// Accumulated gradient (C).
    var gradient: [Float]
    /// AdamW first and second moments (C each).
    var m: [Float], v: [Float]
    /// Optimiser steps taken.
    var step = 0
    /// β1, β2, ε and the gradient-norm clip, as the actor's AdamW.
    private let options = AdamW.Options(weightDecay: 0)

    /// A head with these weights and zero optimiser state.
    init(weights: [Float]) {
        self.weights = weights
        gradient = [Float](repeating: 0, count: weights.count)
        m = gradient
        v = gradient
    }

    /// Width C.
    var width: Int { weights.count }

    /// w·h for each of the `hidden.count / C` rows of `hidden` (rows × C).
    func values(_ hidden: [Float]) -> [Double] {
        let C = width
        return (0..<(hidden.count / C)).map { r in
            var s: Float = 0
            for j in 0..<C { s += weights[j] * hidden[r * C + j] }
            return Double(s)
        }
    }

    /// Accumulates ∂loss/∂w = Σ dvᵣ·hᵣ and returns ∂loss/∂h (rows × C) = dvᵣ·w.
    @discardableResult
    func backward(dValues: [Double], hidden: [Float]) -> [Float] {
        let C = width
        var dHidden = [Float](repeating: 0, count: hidden.count)
        for (r, d) in dValues.enumerated() {
            let g = Float(d)
            for j in 0..<C {
                gradient[j] += g * hidden[r * C + j]
                dHidden[r * C + j] = g * weights[j]
            }
        }
        return dHidden
    }

    /// One AdamW step at `learningRate` (gradient clipped to norm 1), then zeroes the gradient.
    func update(learningRate: Float) throws {
        let norm = gradient.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
        guard norm.isFinite else { throw ModelError.nonFiniteGradient(norm: norm) }
        var factor: Float = 1
        if let clip = options.maxGradNorm, norm > Double(clip) { factor = Float(Double(clip) / (norm + 1e-6)) }
        step += 1
        let c1 = 1 - pow(options.beta1, Float(step)), c2 = 1 - pow(options.beta2, Float(step))
        for j in weights.indices {
            let g = gradient[j] * factor
            m[j] = options.beta1 * m[j] + (1 - options.beta1) * g
            v[j] = options.beta2 * v[j] + (1 - options.beta2) * g * g
            weights[j] -= learningRate * (m[j] / c1) / ((v[j] / c2).squareRoot() + options.eps)
            gradient[j] = 0
        }
    }
}
