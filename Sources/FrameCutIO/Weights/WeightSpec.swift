/// A tensor a model expects: its key and shape.
public struct WeightSpec: Equatable, Hashable, Sendable {
    /// The tensor's key in the state dict, after the model's key remapping.
    public let key: String
    /// The shape the model needs.
    public let shape: [Int]

    /// A tensor `key` of `shape`.
    public init(key: String, shape: [Int]) {
        self.key = key
        self.shape = shape
    }
}
