import XCTest
final class ModelTestsPlaceholder: XCTestCase { func testModuleLinks() { XCTAssertTrue(true) } }
