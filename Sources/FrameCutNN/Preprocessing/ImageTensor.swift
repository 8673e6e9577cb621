/// A float image tensor in channels-first layout (`C x H x W`), what a model's first layer reads.
public struct ImageTensor: Sendable, Equatable {
    public let channels: Int
    public let height: Int
    public let width: Int
    /// `channels * height * width` values, channel planes one after another.
    public var values: [Float]

    /// A tensor over `values`; nil when their count does not match the shape.
    public init?(channels: Int, height: Int, width: Int, values: [Float]) {
        guard channels >= 0, height >= 0, width >= 0, values.count == channels * height * width else { return nil }
        self.init(trusted: channels, height: height, width: width, values: values)
    }

    /// Internal: `values` has exactly `channels * height * width` elements.
    init(trusted channels: Int, height: Int, width: Int, values: [Float]) {
        self.channels = channels
        self.height = height
        self.width = width
        self.values = values
    }

    public var shape: [Int] { [channels, height, width] }
}
