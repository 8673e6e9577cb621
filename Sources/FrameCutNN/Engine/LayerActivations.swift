import FrameCutCore

/// Image activations a network's blocks run on, in either layout: plain NCHW (`Tensor`, the
/// path without oneDNN, `FRAMECUT_ONEDNN=0`) or oneDNN's blocked `nChw16c` (`BlockedTensor`).
/// A block written once against this protocol (ResNet's bottleneck, Inception's branches and
/// residual blocks) serves both; each layout supplies its own convolution, pooling and channel
/// slicing, the blocked one reading and writing whole-block channel slices in place.
protocol LayerActivations: Sendable {
    var batch: Int { get }
    var channels: Int { get }
    var height: Int { get }
    var width: Int { get }

    /// Storage for `batch x channels x height x width` activations that the caller fills completely
    /// (padding, where the layout has any, is zero).
    static func unfilled(batch: Int, channels: Int, height: Int, width: Int) -> Self

    /// `conv` (its bias and activation fused) on these activations, `residual` added before the activation.
    func convolved(by conv: Conv2d, residual: Self?, context: ComputeContext) -> Self

    /// `conv` on channels `range` (exactly `conv.inChannels` of them).
    func convolved(by conv: Conv2d, channels range: Range<Int>, context: ComputeContext) -> Self

    /// `nn.MaxPool2d(kernel, stride, padding)`.
    func maxPooled(kernel: Int, stride: Int, padding: Padding, context: ComputeContext) -> Self

    /// `nn.AvgPool2d(kernel, stride, padding, count_include_pad:)`.
    func averagePooled(kernel: Int, stride: Int, padding: Padding, countIncludesPadding: Bool, context: ComputeContext) -> Self

    /// Channels `range` as activations of their own.
    func channels(_ range: Range<Int>) -> Self

    /// Copies channels `range` of `part` (same batch and plane; all of them when nil) into
    /// channels `offset ..< offset + range.count`.
    mutating func write(_ part: Self, channels range: Range<Int>?, at offset: Int)

    /// Writes `conv` on channels `range` of `source` into channels `offset ..< offset + conv.outChannels`.
    mutating func write(_ conv: Conv2d, on source: Self, channels range: Range<Int>, at offset: Int, context: ComputeContext)
}

extension Tensor: LayerActivations {
    static func unfilled(batch: Int, channels: Int, height: Int, width: Int) -> Tensor {
        Tensor(shape: [batch, channels, height, width]) { _ in }
    }

    func convolved(by conv: Conv2d, residual: Tensor?, context: ComputeContext) -> Tensor {
        conv(self, residual: residual, context: context)
    }

    func convolved(by conv: Conv2d, channels range: Range<Int>, context: ComputeContext) -> Tensor {
        conv(range == 0..<channels ? self : self.channels(range), context: context)
    }

    func maxPooled(kernel: Int, stride: Int, padding: Padding, context: ComputeContext) -> Tensor {
        Pooling.max(self, kernel: kernel, stride: stride, padding: padding, context: context)
    }

    func averagePooled(kernel: Int, stride: Int, padding: Padding, countIncludesPadding: Bool, context: ComputeContext) -> Tensor {
        Pooling.average(self, kernel: kernel, stride: stride, padding: padding, countIncludesPadding: countIncludesPadding,
                        context: context)
    }

    func channels(_ range: Range<Int>) -> Tensor {
        precondition(rank == 4 && range.lowerBound >= 0 && range.upperBound <= channels && !range.isEmpty,
                     "Tensor: channels \(range) of \(shape)")
        var part = Tensor.unfilled(batch: batch, channels: range.count, height: height, width: width)
        part.write(self, channels: range, at: 0, into: 0..<range.count)
        return part
    }

    mutating func write(_ part: Tensor, channels range: Range<Int>?, at offset: Int) {
        let range = range ?? 0..<part.channels
        write(part, channels: range, at: offset, into: offset..<(offset + range.count))
    }

    mutating func write(_ conv: Conv2d, on source: Tensor, channels range: Range<Int>, at offset: Int, context: ComputeContext) {
        write(source.convolved(by: conv, channels: range, context: context), channels: nil, at: offset)
    }

    /// Copies channels `range` of `part` into channels `target` (as many) of every image.
    private mutating func write(_ part: Tensor, channels range: Range<Int>, at offset: Int, into target: Range<Int>) {
        precondition(rank == 4 && part.rank == 4 && part.batch == batch && part.height == height && part.width == width
                     && range.lowerBound >= 0 && range.upperBound <= part.channels && target.upperBound <= channels,
                     "Tensor: writing channels \(range) of \(part.shape) at \(offset) into \(shape)")
        let plane = height * width, c = channels, partChannels = part.channels, n = batch
        values.withUnsafeMutableBufferPointer { dst in
            part.values.withUnsafeBufferPointer { src in
                guard let d = dst.baseAddress, let s = src.baseAddress else { return }
                for image in 0..<n {
                    (d + (image * c + target.lowerBound) * plane)
                        .update(from: s + (image * partChannels + range.lowerBound) * plane, count: range.count * plane)
                }
            }
        }
    }
}

extension BlockedTensor: LayerActivations {
    static func unfilled(batch: Int, channels: Int, height: Int, width: Int) -> BlockedTensor {
        BlockedTensor(batch: batch, channels: channels, height: height, width: width) { _ in }
    }

    func convolved(by conv: Conv2d, residual: BlockedTensor?, context: ComputeContext) -> BlockedTensor {
        conv(self, residual: residual, context: context)
    }

    /// Reads the channels in place when they are whole blocks (`Conv2d+BlockedSlices`), else from a copy.
    func convolved(by conv: Conv2d, channels range: Range<Int>, context: ComputeContext) -> BlockedTensor {
        if range == 0..<channels { return conv(self, context: context) }
        if Self.isBlockSlice(offset: range.lowerBound, count: range.count, of: channels) {
            let size = conv.outputSize(height: height, width: width)
            var out = BlockedTensor.unfilled(batch: batch, channels: conv.outChannels, height: size.0, width: size.1)
            if conv.blockedRun(self, channelOffset: range.lowerBound, into: &out, at: 0, context: context) { return out }
        }
        return conv(self.channels(range), context: context)
    }

    func maxPooled(kernel: Int, stride: Int, padding: Padding, context: ComputeContext) -> BlockedTensor {
        Pooling.max(self, kernel: kernel, stride: stride, padding: padding, context: context)
    }

    func averagePooled(kernel: Int, stride: Int, padding: Padding, countIncludesPadding: Bool,
                       context: ComputeContext) -> BlockedTensor {
        Pooling.average(self, kernel: kernel, stride: stride, padding: padding, countIncludesPadding: countIncludesPadding,
                        context: context)
    }

    /// Writes the layer's output straight into the channels when both slices are whole blocks
    /// (`Conv2d+BlockedSlices`), else computes it and copies it in.
    mutating func write(_ conv: Conv2d, on source: BlockedTensor, channels range: Range<Int>, at offset: Int,
                        context: ComputeContext) {
        if Self.isBlockSlice(offset: range.lowerBound, count: range.count, of: source.channels)
            && Self.isBlockSlice(offset: offset, count: conv.outChannels, of: channels)
            && conv.blockedRun(source, channelOffset: range.lowerBound, into: &self, at: offset, context: context) { return }
        write(source.convolved(by: conv, channels: range, context: context), channels: nil, at: offset)
    }
}
