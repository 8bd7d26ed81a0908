import XCTest
final class EngineTestsPlaceholder: XCTestCase { func testModuleLinks() { XCTAssertTrue(true) } }
