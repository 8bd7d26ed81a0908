/// A failed gate a run was built past with `rlhf build --allow-failed-gates GATE`, as recorded in lineage.
public struct GateOverride: Codable, Sendable, Equatable, Hashable {
    /// The overridden gate node.
    public var gateNode: String
    /// The gate's run whose failing verdict was overridden.
    public var gateRun: Int64
    /// The gate's failure message(s) at the time.
    public var message: String

    /// Creates an override entry.
    public init(gateNode: String, gateRun: Int64, message: String) {
        self.gateNode = gateNode
        self.gateRun = gateRun
        self.message = message
    }
}
