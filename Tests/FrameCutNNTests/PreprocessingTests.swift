import Testing
@testable import FrameCutNN
