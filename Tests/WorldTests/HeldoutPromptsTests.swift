import TextSimilarity
import XCTest
@testable import World

/// `World.ppoHeldoutPrompts`: the PPO prompts' distribution without any of their prompts, deterministic, and no
/// change to any other set.
final class HeldoutPromptsTests: XCTestCase {
    func testHeldOutPromptsAreDisjointFromPPOAndEvalAndFollowTheMix() throws {
        var config = WorldConfig()
        config.seed = 7
        config.ppoPromptCount = 300
        let world = try World(config: config)
        let heldout = try world.ppoHeldoutPrompts(count: 150)
        XCTAssertEqual(heldout.count, 150)
        XCTAssertEqual(heldout.first?.id, "heldout-0001")
        let ppo = Set(try world.ppoPrompts().map { TextNormalization.key($0.prompt) })
        let eval = Set(try world.evalPrompts().map { TextNormalization.key($0.prompt) })
        let keys = heldout.map { TextNormalization.key($0.prompt) }
        XCTAssertEqual(Set(keys).count, keys.count, "no duplicates")
        XCTAssertTrue(ppo.isDisjoint(with: keys), "no PPO training prompt")
        XCTAssertTrue(eval.isDisjoint(with: keys), "no eval prompt")
        XCTAssertTrue(try heldout.allSatisfy { !world.isEvalRegion(try WorldTask(parsing: $0.prompt)) }, "the training region")
        let expected = Dictionary(uniqueKeysWithValues: world.familyCounts(total: 150).filter { $0.count > 0 }.map { ($0.family.rawValue, $0.count) })
        XCTAssertEqual(Dictionary(grouping: heldout, by: { $0.family ?? "" }).mapValues(\.count), expected)
        XCTAssertEqual(try world.ppoHeldoutPrompts(count: 150), heldout, "deterministic")
    }
}
