import XCTest
final class StagesTestsPlaceholder: XCTestCase { func testModuleLinks() { XCTAssertTrue(true) } }
