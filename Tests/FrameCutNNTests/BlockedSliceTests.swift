import Foundation
import Testing
import FrameCutCore
@testable import FrameCutNN

/// Blocked convolutions reading and writing channel slices in place (`Conv2d+BlockedSlices`) and
/// Inception's branches built on them: the same bits as the copy path (slice copied out, output
/// concatenated by copying), the rest of the target untouched, across threads and batch sizes.
@Suite("oneDNN blocked convolutions on channel slices, Inception's in-place concatenation")
struct BlockedSliceTests {
    static func random(batch: Int, channels: Int, height: Int, width: Int, seed: UInt64) -> BlockedTensor {
        var generator = SeededGenerator(seed: seed)
        let count = batch * channels * height * width
        return BlockedTensor(Tensor(shape: [batch, channels, height, width], values: (0..<count).map { _ in generator.nextFloat() - 0.5 }))
    }

    static func layer(_ cin: Int, _ cout: Int, kernel: (Int, Int), padding: Padding) -> Conv2d {
        var generator = SeededGenerator(seed: 11)
        let weight = (0..<(cout * cin * kernel.0 * kernel.1)).map { _ in (generator.nextFloat() - 0.5) * 0.2 }
        let bias = (0..<cout).map { _ in generator.nextFloat() - 0.5 }
        return Conv2d(inChannels: cin, outChannels: cout, kernel: kernel, padding: padding, weight: weight, bias: bias,
                      activation: .relu)
    }

    @Test("a layer on channels 16..<48 of a tensor, written into channels 32..<64 of another, equals the copy path bit for bit",
          arguments: [[1, 1], [3, 3], [1, 7]])
    func sliceInPlace(_ size: [Int]) throws {
        let kernel = (size[0], size[1])
        guard DNNLConvolution.isEnabled else { return }
        let conv = Self.layer(32, 32, kernel: kernel, padding: .symmetric(kernel.0 / 2, kernel.1 / 2))
        let source = Self.random(batch: 2, channels: 64, height: 9, width: 11, seed: 3)
        let background = Self.random(batch: 2, channels: 80, height: 9, width: 11, seed: 5)
        let expected = conv(source.channels(16..<48))
        for threads in [1, 2, 3] {
            var target = background
            #expect(conv.blockedRun(source, channelOffset: 16, into: &target, at: 32, context: ComputeContext(threads: threads)))
            #expect(target.channels(32..<64).values == expected.values)
            #expect(target.channels(0..<32).values == background.channels(0..<32).values)
            #expect(target.channels(64..<80).values == background.channels(64..<80).values)
        }
        // One image alone gives the same bits as inside the batch.
        let first = BlockedTensor(Tensor(shape: [1, 64, 9, 11], values: Array(source.tensor().values.prefix(64 * 99))))
        var single = BlockedTensor(batch: 1, channels: 32, height: 9, width: 11) { _ in }
        #expect(conv.blockedRun(first, channelOffset: 16, into: &single, at: 0))
        #expect(single.values == Array(expected.values.prefix(single.values.count)))
    }

    @Test("writing a part's channels into a tensor equals concatenation, aligned and unaligned, padding zero")
    func write() {
        let a = Self.random(batch: 2, channels: 20, height: 3, width: 5, seed: 1)
        let b = Self.random(batch: 2, channels: 24, height: 3, width: 5, seed: 2)
        let c = Self.random(batch: 2, channels: 7, height: 3, width: 5, seed: 4)
        let expected = BlockedTensor.concatChannels([a.channels(4..<20), b, c])
        var out = BlockedTensor(batch: 2, channels: 47, height: 3, width: 5) { _ in }
        out.write(a, channels: 4..<20, at: 0)
        out.write(b, at: 16)
        out.write(c, at: 40)
        #expect(out.values == expected.values)
    }

    /// Inception-ResNet-V2 at half width (every branch a multiple of 16 channels, some merged-head
    /// parts not), one block per stage, synthetic weights.
    static func halfWidthModel() throws -> InceptionResNetV2 {
        let configuration = InceptionResNetV2.Configuration(widthDivisor: 2, classes: 10, repeats: [1, 1, 1])
        let dry = ParameterLoader(model: "inception_resnet_v2", source: nil)
        _ = InceptionResNetV2(configuration: configuration, loader: dry)
        let loader = ParameterLoader(model: "inception_resnet_v2", source: SyntheticWeights(expected: dry.expected, seed: 9))
        let model = InceptionResNetV2(configuration: configuration, loader: loader)
        try loader.finish()
        return model
    }

    @Test("Inception's branches written in place equal the split-and-concatenate copy path bit for bit, 1-3 threads")
    func inceptionBranches() throws {
        guard DNNLConvolution.isEnabled else { return }
        let model = try Self.halfWidthModel()
        let stages: [(InceptionResNetV2.Branches, Int, Int)] = [
            (model.mixed5b, 96, 9), (model.repeat0[0].branches, 160, 9), (model.mixed6a, 160, 9),
            (model.repeat1[0].branches, 544, 7), (model.mixed7a, 544, 7), (model.repeat2[0].branches, 1040, 5),
        ]
        for (index, (branches, channels, size)) in stages.enumerated() {
            let x = Self.random(batch: 2, channels: channels, height: size, width: size, seed: UInt64(20 + index))
            let copied = branches(x, context: ComputeContext(), inPlace: false)
            #expect(copied.channels == branches.outChannels)
            for threads in [1, 2, 3] {
                let inPlace = branches(x, context: ComputeContext(threads: threads), inPlace: true)
                #expect(inPlace.values == copied.values, "stage \(index), \(threads) threads")
            }
        }
    }

    @Test("the half-width network's embedding is bit-identical across 1-3 threads and batch sizes")
    func inceptionDeterminism() throws {
        let model = try Self.halfWidthModel()
        var generator = SeededGenerator(seed: 31)
        let images = Tensor(shape: [2, 3, 75, 75], values: (0..<(2 * 3 * 75 * 75)).map { _ in generator.nextFloat() * 4 - 2 })
        let reference = model.embed(images, context: ComputeContext())
        #expect(reference.shape == [2, model.embeddingWidth])
        for threads in [2, 3] { #expect(model.embed(images, context: ComputeContext(threads: threads)).values == reference.values) }
        let first = Tensor(shape: [1, 3, 75, 75], values: Array(images.values.prefix(3 * 75 * 75)))
        #expect(model.embed(first, context: ComputeContext()).values == Array(reference.values.prefix(model.embeddingWidth)))
    }
}
