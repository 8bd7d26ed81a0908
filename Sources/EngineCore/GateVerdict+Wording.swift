/// How a verdict reads in build output and lineage.
extension GateVerdict {
    /// The verdict, then the severity only when it matters: `passed`, `warning, not blocking`,
    /// `FAILED, blocking` or `FAILED, not blocking`.
    public var wording: String {
        switch status {
        case .pass: return "passed"
        case .warn: return "warning, not blocking"
        case .fail: return blocks ? "FAILED, blocking" : "FAILED, not blocking"
        }
    }

    /// `wording` with the gate name and its message: `gate eval_leakage FAILED, blocking: 3 leaks`.
    public var sentence: String {
        "gate \(gate) \(wording)" + (message.isEmpty ? "" : ": \(message)")
    }
}
