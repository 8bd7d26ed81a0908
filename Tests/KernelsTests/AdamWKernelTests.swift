import XCTest
@testable import Kernels
import TestSupport

/// The vectorised AdamW kernel against the scalar formula, including its scalar tail.
final class AdamWKernelTests: XCTestCase {
    func testUpdateMatchesTheScalarFormulaScalesTheGradientAndZeroesIt() {
        let n = 21 // two eight-lane vectors and a five-element scalar tail
        var params = GradientCheck.random(n, seed: 31), grads = GradientCheck.random(n, seed: 32)
        var m = GradientCheck.random(n, seed: 33), v = GradientCheck.random(n, seed: 34).map { $0 * $0 }
        let s = AdamWKernel.Step(learningRate: 0.01, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, t: 3,
                                 gradientScale: 0.25)
        let c1 = 1 - powf(s.beta1, 3), c2 = 1 - powf(s.beta2, 3)
        var want = params, wantM = m, wantV = v
        for i in 0..<n {
            let g = grads[i] * s.gradientScale
            wantM[i] = s.beta1 * m[i] + (1 - s.beta1) * g
            wantV[i] = s.beta2 * v[i] + (1 - s.beta2) * g * g
            let update = (wantM[i] / c1) / ((wantV[i] / c2).squareRoot() + s.eps)
            want[i] -= s.learningRate * (update + s.weightDecay * want[i])
        }
        AdamWKernel.update(params: &params, grads: &grads, m: &m, v: &v, n: n, step: s)
        XCTAssertEqual(params, want)
        XCTAssertEqual(m, wantM)
        XCTAssertEqual(v, wantV)
        XCTAssertEqual(grads, [Float](repeating: 0, count: n), "the update consumes the gradient")
    }
}
