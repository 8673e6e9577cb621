/// A shape disagreement found by ``StateDict/validate(expected:modelName:ignoring:)``.
public struct WeightShapeMismatch: Equatable, Hashable, Sendable {
    /// The tensor's key.
    public let key: String
    /// The shape the model needs.
    public let expected: [Int]
    /// The shape the file holds.
    public let found: [Int]

    /// A mismatch of `key`: the model expects `expected`, the file holds `found`.
    public init(key: String, expected: [Int], found: [Int]) {
        self.key = key
        self.expected = expected
        self.found = found
    }
}
