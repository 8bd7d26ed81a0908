/// The set of node kinds a build may use, passed to the loader and executor as a value.
/// The CLI merges the built-in kinds with those of the `Stages` and `Report` modules; the engine never imports them.
public struct StageRegistry: Sendable {
    private var kinds: [String: any StageKind]

    /// A registry holding `kinds`; a later kind with the same name replaces an earlier one.
    public init(_ kinds: [any StageKind]) {
        var table: [String: any StageKind] = [:]
        for kind in kinds { table[kind.name] = kind }
        self.kinds = table
    }

    /// The kinds this module implements: `file` and `command`.
    public static let builtIn = StageRegistry([FileKind(), CommandKind()])

    /// This registry plus `extra` (extra kinds win on a name clash).
    public func adding(_ extra: [any StageKind]) -> StageRegistry {
        StageRegistry(Array(kinds.values) + extra)
    }

    /// The kind called `name`, if registered.
    public func kind(named name: String) -> (any StageKind)? {
        kinds[name]
    }

    /// All registered kind names, sorted.
    public var names: [String] {
        kinds.keys.sorted()
    }
}
