/// A float image tensor in channels-first layout (`C x H x W`), what a model's first layer reads.
public struct ImageTensor: Sendable, Equatable {
    public let channels: Int
    public let height: Int
    public let width: Int
    /// `channels * height * width` values, channel planes one after another.
    public var values: [Float]

    public init(channels: Int, height: Int, width: Int, values: [Float]) {
        precondition(values.count == channels * height * width, "ImageTensor: value count does not match the shape")
        self.channels = channels
        self.height = height
        self.width = width
        self.values = values
    }

    public var shape: [Int] { [channels, height, width] }
}
