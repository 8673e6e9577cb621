/// Seeded random parameters with a model's exact keys and shapes, for benchmarks and tests that
/// need a full-size model but no real checkpoint: convolution and linear weights uniform in
/// `±sqrt(3 / fan_in)`, batch norm at identity (weight 1, bias 0, mean 0, variance 1).
public struct SyntheticWeights: TensorSource {
    private let shapes: [String: [Int]]
    public let keys: [String]
    private let seed: UInt64

    public init(expected: [ParameterLoader.Expected], seed: UInt64 = 0) {
        keys = expected.map(\.key)
        shapes = Dictionary(expected.map { ($0.key, $0.shape) }, uniquingKeysWith: { first, _ in first })
        self.seed = seed
    }

    public func shape(of key: String) -> [Int]? { shapes[key] }

    public func floats(_ key: String) throws -> [Float] {
        let shape = shapes[key] ?? []
        let count = shape.reduce(1, *)
        if key.hasSuffix("running_var") || (shape.count == 1 && key.hasSuffix(".weight")) {
            return [Float](repeating: 1, count: count)
        }
        if shape.count <= 1 { return [Float](repeating: 0, count: count) }
        let fanIn = shape.dropFirst().reduce(1, *)
        let bound = Float((3.0 / Double(fanIn)).squareRoot())
        var state = seed &+ UInt64(truncatingIfNeeded: key.utf8.reduce(5381) { ($0 &* 33) &+ Int($1) })
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return (Float(state >> 40) / Float(1 << 24) * 2 - 1) * bound
        }
    }
}

extension ModelDescriptor {
    /// The full-size model with seeded random weights (for timing; its outputs mean nothing).
    public func synthetic(options: ModelOptions = ModelOptions(), seed: UInt64 = 0) -> any ImageEmbeddingModel {
        let source = SyntheticWeights(expected: expectedParameters(options: options), seed: seed)
        let loader = ParameterLoader(model: id, source: source)
        return build(loader, source, options)
    }
}
