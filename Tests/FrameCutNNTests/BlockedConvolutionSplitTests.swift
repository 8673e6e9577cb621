import Foundation
import Testing
import FrameCutCore
@testable import FrameCutNN

/// How blocked convolutions split for threads at batch 1 (`Conv2d+Blocked.swift`): one part per
/// 16-channel block up to `ComputeContext.partitions` (a 24-channel layer gets two), the residual
/// copied into the output inside each part (the caller's residual left untouched); results equal
/// the plain path and are bit-identical for 1, 2 and 3 threads and inside a batch.
@Suite("oneDNN blocked convolutions: parts per layer and the residual copy")
struct BlockedConvolutionSplitTests {
    typealias Shape = DNNLConvolutionTests.Shape

    /// EfficientNet-Lite0's second-stage projection (two channel blocks, the last half padding)
    /// and a one-block layer.
    static let shapes: [Shape] = [
        Shape(name: "1x1 144 -> 24", cin: 144, cout: 24, kernel: (1, 1), stride: 1, padding: .none, height: 14, width: 13),
        Shape(name: "1x1 32 -> 16", cin: 32, cout: 16, kernel: (1, 1), stride: 1, padding: .none, height: 12, width: 12),
    ]

    @Test("part counts follow the channel blocks, never the threads")
    func partCounts() {
        let counts = [8, 16, 24, 32, 40, 64, 96, 1280].map { DNNLBlockedConvolution.partCount(outChannels: $0) }
        #expect(counts == [1, 1, 2, 2, 3, 4, 4, 4])
    }

    @Test("split layers equal the plain path, leave the residual untouched, and are bit-identical across threads and batch",
          arguments: shapes)
    func splitLayer(_ s: Shape) throws {
        guard DNNLConvolution.isEnabled else { return }
        let fast = DNNLConvolutionTests.layer(s, oneDNN: true), plain = DNNLConvolutionTests.layer(s, oneDNN: false)
        let x = DNNLConvolutionTests.input(s, batch: 3), r = BlockedConvolutionTests.residual(s, batch: 3)
        let (oh, ow) = fast.outputSize(height: s.height, width: s.width)
        let g = ConvGeometry(inChannels: s.cin, height: s.height, width: s.width, kernelH: 1, kernelW: 1, strideH: 1, strideW: 1,
                             padTop: 0, padLeft: 0, outHeight: oh, outWidth: ow)
        let plan = try #require(fast.blocked?.plan(for: g, padBottom: 0, padRight: 0, sum: true))
        #expect(plan.blocks.count == DNNLBlockedConvolution.partCount(outChannels: s.cout))
        let residual = BlockedTensor(r), before = residual.values
        let summed = fast(BlockedTensor(x), residual: residual).tensor()
        #expect(residual.values == before, "\(s.name): the residual was modified")
        #expect(relativeError(summed, plain(x, residual: r)) < 1e-5, "\(s.name): \(relativeError(summed, plain(x, residual: r)))")
        let one = BlockedTensor(x.slice(batch: 1..<2)), rOne = BlockedTensor(r.slice(batch: 1..<2))
        let reference = fast(one, residual: rOne).tensor()
        for threads in [1, 2, 3] {
            let context = ComputeContext(threads: threads)
            #expect(fast(one, residual: rOne, context: context).tensor() == reference, "\(s.name), \(threads) threads")
            #expect(fast(BlockedTensor(x), residual: residual, context: context).tensor().slice(batch: 1..<2) == reference,
                    "\(s.name), batch 3, \(threads) threads")
        }
    }
}
