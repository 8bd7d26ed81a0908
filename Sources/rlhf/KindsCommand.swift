import ArgumentParser
import EngineCore
import Foundation

/// `rlhf kinds [KIND] [--json]`: every node kind, or one, from the same declarations the loader checks.
struct KindsCommand: ParsableCommand {
    /// Command name and abstract.
    static let configuration = CommandConfiguration(
        commandName: "kinds",
        abstract: "List the node kinds, or show one: input roles, outputs, params (type, range, default) and rules.")

    /// The kind to show; all kinds when absent.
    @Argument(help: "A kind name, e.g. ppo or gate.schema.")
    var kind: String?

    /// Print JSON instead of text.
    @Flag(help: "Print JSON.")
    var json = false

    /// Prints the list or the one kind.
    func run() throws {
        let registry = KindRegistry.all
        let kinds: [any StageKind]
        if let kind {
            guard let found = registry.kind(named: kind) else {
                throw EngineError.notFound(what: "kind '\(kind)'", hint: "known kinds: \(registry.names.joined(separator: ", "))")
            }
            kinds = [found]
        } else {
            kinds = registry.names.compactMap(registry.kind(named:))
        }
        let descriptions = kinds.map(KindDescription.init)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let data = kind == nil ? try encoder.encode(descriptions) : try encoder.encode(descriptions[0])
            print(String(decoding: data, as: UTF8.self))
        } else if kind != nil {
            print(descriptions[0].text)
        } else {
            let width = (descriptions.map(\.name.count).max() ?? 0) + 2
            for description in descriptions {
                print(description.name.padding(toLength: width, withPad: " ", startingAt: 0) + "v\(description.version)  " + description.summary)
            }
            print("\nrlhf kinds KIND shows a kind's inputs, outputs, params and rules.")
        }
    }
}
