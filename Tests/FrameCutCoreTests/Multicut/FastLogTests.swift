import Foundation
import Testing
@testable import FrameCutCore

@Test("FastLog matches Foundation's log over the range the cost transform uses")
func fastLogMatchesFoundation() {
    var worst = 0.0
    var x = 1e-6
    while x < 1e6 {
        worst = max(worst, abs(FastLog.log(x) - Foundation.log(x)))
        x *= 1.000123
    }
    for x in [1.0, 2.0, 0.5, 1.4142135623730951, 1.4142135623730950, 1e-5 / (1 - 1e-5), (1 - 1e-5) / 1e-5] {
        worst = max(worst, abs(FastLog.log(x) - Foundation.log(x)))
    }
    #expect(worst < 1e-13, "largest error \(worst)")
}
