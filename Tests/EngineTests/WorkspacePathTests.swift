import EngineCore
import Foundation
import XCTest

/// The one workspace-relative path rule, `URL.path(inside:)` (`StageContext.displayPath` and `Workspace.relative` use it).
final class WorkspacePathTests: XCTestCase {
    private let root = URL(fileURLWithPath: "/work/space")

    func testInsidePathsAreRelativeAndStandardised() {
        XCTAssertEqual(URL(fileURLWithPath: "/work/space/data/a.jsonl").path(inside: root), "data/a.jsonl")
        XCTAssertEqual(URL(fileURLWithPath: "/work/space/x/../data/./a.jsonl").path(inside: root), "data/a.jsonl")
        XCTAssertEqual(URL(fileURLWithPath: "/work/space/data/a.jsonl").path(inside: URL(fileURLWithPath: "/work/other/../space/")),
                       "data/a.jsonl")
    }

    func testTheRootItselfAndLookAlikeSiblingsAreNotInside() {
        XCTAssertNil(root.path(inside: root))
        XCTAssertNil(URL(fileURLWithPath: "/work/spaceship/a.txt").path(inside: root))
        XCTAssertNil(URL(fileURLWithPath: "/work/space/../a.txt").path(inside: root))
    }
}
