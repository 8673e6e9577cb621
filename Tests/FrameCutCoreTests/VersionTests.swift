import Testing
@testable import FrameCutCore

@Test func versionIsSemantic() {
    #expect(FrameCutVersion.string.split(separator: ".").count == 3)
}
