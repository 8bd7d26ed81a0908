import XCTest

/// Finite-difference helpers shared by the gradient tests.
package enum GradientCheck {
    /// Deterministic pseudo-random values in [-scale, scale].
    package static func random(_ n: Int, seed: UInt64, scale: Float = 1) -> [Float] {
        var s = seed &* 6364136223846793005 &+ 1442695040888963407
        return (0..<n).map { _ in
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return (Float(s >> 40) / Float(1 << 24) * 2 - 1) * scale
        }
    }

    /// Σ a·b in Double.
    package static func dot(_ a: [Float], _ b: [Float]) -> Double {
        zip(a, b).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }

    /// Compares `analytic` with central differences of `loss` around `x` at the given indices.
    ///
    /// Passes when |analytic − numeric| ≤ atol + rtol·|numeric| for each checked index.
    package static func check(
        _ name: String, x: [Float], analytic: [Float], indices: [Int]? = nil, eps: Float = 1e-2,
        atol: Double = 2e-3, rtol: Double = 2e-2, loss: ([Float]) -> Double,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(x.count, analytic.count, "\(name): gradient size", file: file, line: line)
        var worst = 0.0
        var checked = 0
        for i in indices ?? Array(0..<x.count) {
            var xp = x, xm = x
            xp[i] += eps
            xm[i] -= eps
            let numeric = (loss(xp) - loss(xm)) / Double(2 * eps)
            let err = abs(Double(analytic[i]) - numeric)
            worst = max(worst, err)
            checked += 1
            if err > atol + rtol * abs(numeric) {
                XCTFail("\(name)[\(i)]: analytic \(analytic[i]) vs numeric \(numeric)", file: file, line: line)
                return
            }
        }
        XCTAssertGreaterThan(checked, 0, "\(name): nothing checked", file: file, line: line)
    }
}
