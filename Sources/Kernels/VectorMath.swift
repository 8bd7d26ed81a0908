/// Eight-lane float helpers for the elementwise kernels: loads, stores and a polynomial exp.
enum VectorMath {
    /// Lanes per vector.
    static let width = 8

    /// Eight floats starting at `p` (no alignment needed).
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    /// Stores eight floats starting at `p` (no alignment needed).
    @inline(__always)
    static func store(_ v: SIMD8<Float>, to p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
    }

    /// eˣ per lane, relative error about 2e-7 (Cody–Waite reduction, degree-6 Taylor polynomial).
    ///
    /// Inputs below −87.3 give 0, inputs above 88.37 give +∞ (the float range's ends) and NaN stays NaN.
    /// `@_transparent` because `@inline(__always)` left it an out-of-line call that passes the vector in
    /// two halves (measured: 13% of the attention forward).
    @_transparent
    static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        // Compare-and-replace, not `clamped`: the generic pointwise min/max are not specialised here.
        var clamped = x
        clamped.replace(with: -87.3, where: x .< -87.3)
        clamped.replace(with: 88.37, where: x .> 88.37)
        // n = round(x / ln 2) through the 1.5·2²³ shifter, whose low mantissa bits then hold n.
        let shifter = SIMD8<Float>(repeating: 12_582_912)
        let shifted = clamped * 1.442_695_04 + shifter
        let n = shifted - shifter
        let r = clamped - n * 0.693_145_75 - n * 1.428_606_8e-6
        // Horner steps as fused multiply-adds (Swift does not contract `p * r + c`): measured 10–15% faster.
        var p = SIMD8<Float>(repeating: 1.0 / 720)
        p = SIMD8(repeating: 1.0 / 120).addingProduct(p, r)
        p = SIMD8(repeating: 1.0 / 24).addingProduct(p, r)
        p = SIMD8(repeating: 1.0 / 6).addingProduct(p, r)
        p = SIMD8(repeating: 0.5).addingProduct(p, r)
        p = SIMD8(repeating: 1).addingProduct(p, r)
        p = SIMD8(repeating: 1).addingProduct(p, r)
        let bits = (unsafeBitCast(shifted, to: SIMD8<UInt32>.self) &<< 23) &+ (127 &<< 23)
        var result = p * unsafeBitCast(bits, to: SIMD8<Float>.self)
        result.replace(with: 0, where: x .< -87.3)
        result.replace(with: .infinity, where: x .> 88.37)
        result.replace(with: x, where: x .!= x)
        return result
    }

    /// eˣ for one float through the vector path, so scalar tails round the same way as vector bodies.
    @inline(__always)
    static func exp(_ x: Float) -> Float { exp(SIMD8(repeating: x))[0] }

    /// Applies `exp(x − shift)` to x (N) in place and returns the sum of the results.
    static func expShiftedInPlace(_ x: UnsafeMutablePointer<Float>, count n: Int, shift: Float) -> Float {
        var acc = SIMD8<Float>(repeating: 0)
        var i = 0
        while i + width <= n {
            let e = exp(load(x + i) - shift)
            store(e, to: x + i)
            acc += e
            i += width
        }
        var sum = acc.sum()
        while i < n {
            let e = exp(x[i] - shift)
            x[i] = e
            sum += e
            i += 1
        }
        return sum
    }

    /// Σ a[j]·b[j] over `count` floats.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var acc = SIMD8<Float>(repeating: 0)
        var j = 0
        while j + width <= count {
            acc += load(a + j) * load(b + j)
            j += width
        }
        var s = acc.sum()
        while j < count {
            s += a[j] * b[j]
            j += 1
        }
        return s
    }

    /// Largest of x (N); −∞ when N is 0.
    ///
    /// Never inlined: inlined into the attention forward, the loop below was re-vectorised into a chain of
    /// 128-bit shuffles and blends (a quarter of that kernel's own time); out of line it is one `vmaxps`.
    @inline(never)
    static func maximum(_ x: UnsafePointer<Float>, count n: Int) -> Float {
        var acc = SIMD8<Float>(repeating: -.infinity)
        var i = 0
        while i + width <= n {
            let v = load(x + i)
            // Lane by lane, which compiles to one vmaxps; `replace(with:where:)` became a chain of 128-bit blends.
            for k in 0..<width { acc[k] = v[k] > acc[k] ? v[k] : acc[k] }
            i += width
        }
        var m = acc.max()
        while i < n {
            m = Swift.max(m, x[i])
            i += 1
        }
        return m
    }

    /// Σ exp(x − shift) over x (N), without writing.
    static func sumExpShifted(_ x: UnsafePointer<Float>, count n: Int, shift: Float) -> Float {
        var acc = SIMD8<Float>(repeating: 0)
        var i = 0
        while i + width <= n {
            acc += exp(load(x + i) - shift)
            i += width
        }
        var sum = acc.sum()
        while i < n {
            sum += exp(x[i] - shift)
            i += 1
        }
        return sum
    }

    /// out (N) = x (N) · factor.
    static func scale(_ x: UnsafePointer<Float>, by factor: Float, into out: UnsafeMutablePointer<Float>, count n: Int) {
        var i = 0
        while i + width <= n {
            store(load(x + i) * factor, to: out + i)
            i += width
        }
        while i < n {
            out[i] = x[i] * factor
            i += 1
        }
    }

    /// Copies `count` floats from x to out (non-overlapping), eight lanes at a time.
    @inline(__always)
    static func copy(_ x: UnsafePointer<Float>, to out: UnsafeMutablePointer<Float>, count n: Int) {
        var i = 0
        while i + width <= n {
            store(load(x + i), to: out + i)
            i += width
        }
        while i < n {
            out[i] = x[i]
            i += 1
        }
    }
}
