/// PPO's clipped value loss over a flat list of response tokens, with its clip fraction.
struct ValueLoss {
    /// vf_coef · ½ · mean(max((V − R)², (V_clip − R)²)), V_clip = V_old + clip(V − V_old, ±cliprange_value).
    var loss: Double
    /// Fraction of tokens where the clipped error was the larger.
    var clipFraction: Double
    /// ∂loss/∂V per token.
    var gradient: [Double]

    /// Evaluates the loss for current `values`, rollout `oldValues` and GAE `returns`.
    init(values: [Double], oldValues: [Double], returns: [Double], clipRange: Double, coefficient: Double) {
        let n = values.count
        precondition(oldValues.count == n && returns.count == n, "value loss needs parallel arrays")
        var loss = 0.0, clipped = 0
        var gradient = [Double](repeating: 0, count: n)
        let scale = n > 0 ? coefficient / Double(n) : 0
        for i in 0..<n {
            let step = values[i] - oldValues[i]
            let clippedStep = min(max(step, -clipRange), clipRange)
            let clippedValue = oldValues[i] + clippedStep
            let plainError = values[i] - returns[i]
            let clippedError = clippedValue - returns[i]
            if clippedError * clippedError > plainError * plainError {
                clipped += 1
                loss += 0.5 * clippedError * clippedError
                gradient[i] = clippedStep == step ? clippedError * scale : 0
            } else {
                loss += 0.5 * plainError * plainError
                gradient[i] = plainError * scale
            }
        }
        self.loss = loss * scale
        clipFraction = n > 0 ? Double(clipped) / Double(n) : 0
        self.gradient = gradient
    }
}
