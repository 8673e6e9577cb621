/// A tensor a model expects: its key and shape.
public struct WeightSpec: Equatable, Hashable, Sendable {
    public let key: String
    public let shape: [Int]

    public init(key: String, shape: [Int]) {
        self.key = key
        self.shape = shape
    }
}
