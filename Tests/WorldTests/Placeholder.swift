import XCTest
final class WorldTestsPlaceholder: XCTestCase { func testModuleLinks() { XCTAssertTrue(true) } }
