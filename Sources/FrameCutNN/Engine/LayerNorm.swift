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

    /// Normalises every row of `x` (`... x D`): statistics in float64 (as `TensorOps.layerNorm`,
    /// summed in 8 interleaved partial sums), then `(x - mean) / sqrt(var + eps) * weight + bias`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let d = weight.count
        precondition(x.shape.last == d, "LayerNorm: input \(x.shape), expected last dimension \(d)")
        var y = x
        y.values.withUnsafeMutableBufferPointer { v in
            weight.withUnsafeBufferPointer { w in
                bias.withUnsafeBufferPointer { b in
                    for r in 0..<(v.count / max(d, 1)) {
                        let p = v.baseAddress! + r * d
                        let mean = VectorMath.sum(p, count: d) / Double(d)
                        let variance = VectorMath.squaredDeviations(p, count: d, mean: mean) / Double(d)
                        let inv = Float(1 / (variance + eps).squareRoot()), m = Float(mean)
                        for k in 0..<d { p[k] = (p[k] - m) * inv * w[k] + b[k] }
                    }
                }
            }
        }
        return y
    }
}

extension ParameterLoader {
    /// Layer norm `prefix.weight`, `prefix.bias` (`[width]` each), or under other suffixes.
    public func layerNorm(_ prefix: String, _ width: Int, eps: Double, weight: String = ".weight", bias: String = ".bias") -> LayerNorm {
        LayerNorm(weight: tensor(prefix + weight, [width]), bias: tensor(prefix + bias, [width]), eps: eps)
    }
}

