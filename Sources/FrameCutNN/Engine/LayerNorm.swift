/// Layer normalisation parameters over the last dimension (`nn.LayerNorm(D, eps)`).
public struct LayerNorm: Sendable {
    let weight: [Float]
    let bias: [Float]
    public let eps: Double

    public init(weight: [Float], bias: [Float], eps: Double) {
        precondition(weight.count == bias.count, "LayerNorm: \(weight.count) weights, \(bias.count) biases")
        self.weight = weight
        self.bias = bias
        self.eps = eps
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        TensorOps.layerNorm(x, weight: weight, bias: bias, eps: eps)
    }
}

extension ParameterLoader {
    /// Layer norm `prefix.weight`, `prefix.bias` (`[width]` each), or under other suffixes.
    public func layerNorm(_ prefix: String, _ width: Int, eps: Double, weight: String = ".weight", bias: String = ".bias") -> LayerNorm {
        LayerNorm(weight: tensor(prefix + weight, [width]), bias: tensor(prefix + bias, [width]), eps: eps)
    }
}

