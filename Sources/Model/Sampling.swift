import RealModule

/// How to pick next tokens.
public struct SamplingOptions: Codable, Equatable, Sendable {
    /// Softmax temperature; 0 means greedy (argmax).
    public var temperature: Float = 1
    /// Keep only the k most likely tokens (0: off).
    public var topK: Int = 0
    /// Keep the smallest set of most likely tokens whose probability reaches p (1: off).
    public var topP: Float = 1
    /// Tokens to generate at most per sequence.
    public var maxNewTokens: Int = 64
    /// Stop a sequence once it samples the EOS token.
    public var stopAtEOS: Bool = true
    /// Use the KV cache (true) or recompute the full forward for every new token (false).
    public var useKVCache: Bool = true

    /// Creates options.
    public init(temperature: Float = 1, topK: Int = 0, topP: Float = 1, maxNewTokens: Int = 64,
                stopAtEOS: Bool = true, useKVCache: Bool = true) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.maxNewTokens = maxNewTokens
        self.stopAtEOS = stopAtEOS
        self.useKVCache = useKVCache
    }

    /// Draws one token from a logits row (V) and returns it with its log-prob under the distribution
    /// actually sampled from (after temperature, top-k, top-p). Greedy returns the argmax with its
    /// log-prob under the untempered softmax.
    public func sample(logits: ArraySlice<Float>, rng: inout Xoshiro256) -> (token: Int32, logProb: Float) {
        let base = logits.startIndex, V = logits.count
        var maxv = -Float.infinity, argmax = 0
        for i in 0..<V where logits[base + i] > maxv { maxv = logits[base + i]; argmax = i }
        if temperature <= 0 {
            var s = 0.0
            for i in 0..<V { s += Double.exp(Double(logits[base + i] - maxv)) }
            return (Int32(argmax), Float(-Double.log(s)))
        }
        var p = (0..<V).map { Double.exp(Double((logits[base + $0] - maxv) / temperature)) }
        var kept = Array(0..<V)
        if (topK > 0 && topK < V) || topP < 1 {
            kept.sort { p[$0] != p[$1] ? p[$0] > p[$1] : $0 < $1 }
            if topK > 0 && topK < V { kept.removeLast(V - topK) }
            if topP < 1 {
                let total = kept.reduce(0.0) { $0 + p[$1] }
                var cum = 0.0, n = 0
                while n < kept.count {
                    cum += p[kept[n]]
                    n += 1
                    if cum >= Double(topP) * total { break }
                }
                kept.removeLast(kept.count - n)
            }
        }
        let total = kept.reduce(0.0) { $0 + p[$1] }
        let u = rng.nextUniform() * total
        var cum = 0.0
        var choice = kept[kept.count - 1]
        for i in kept {
            cum += p[i]
            if u < cum { choice = i; break }
        }
        p[choice] /= total
        return (Int32(choice), Float(Double.log(p[choice])))
    }
}

/// The result of generating from a batch of prompts.
public struct Generation: Sendable, Equatable {
    /// New tokens per prompt (including the EOS token when one was sampled).
    public var tokens: [[Int32]]
    /// Log-prob of each new token under the distribution it was sampled from.
    public var logProbs: [[Float]]
    /// Whether each sequence stopped by sampling EOS.
    public var reachedEOS: [Bool]
}
