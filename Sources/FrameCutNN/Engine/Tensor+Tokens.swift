extension Tensor {
    /// Token `index` of every sequence of an `N x T x D` tensor: `N x D` (`x[:, index]`).
    public func classTokens(_ index: Int = 0) -> Tensor {
        precondition(rank == 3 && index < shape[1], "classTokens: \(shape)")
        let t = shape[1], d = shape[2]
        return Tensor(shape: [shape[0], d]) { out in
            for i in 0..<shape[0] {
                for c in 0..<d { out[i * d + c] = values[(i * t + index) * d + c] }
            }
        }
    }

    /// The mean of tokens `from...` of every sequence of an `N x T x D` tensor: `N x D`
    /// (`x[:, from:].mean(dim=1)`, summed in float64).
    public func meanTokens(from: Int) -> Tensor {
        precondition(rank == 3 && from < shape[1], "meanTokens: \(shape)")
        let t = shape[1], d = shape[2], count = Double(t - from)
        return Tensor(shape: [shape[0], d]) { out in
            var sum = [Double](repeating: 0, count: d)
            for i in 0..<shape[0] {
                for c in 0..<d { sum[c] = 0 }
                for r in from..<t {
                    for c in 0..<d { sum[c] += Double(values[(i * t + r) * d + c]) }
                }
                for c in 0..<d { out[i * d + c] = Float(sum[c] / count) }
            }
        }
    }
}

extension TensorOps {
    /// Concatenation of `N x D_i` feature tensors along the features (`torch.cat(dim=1)`).
    public static func concatFeatures(_ parts: [Tensor]) -> Tensor {
        precondition(!parts.isEmpty && parts.allSatisfy { $0.rank == 2 && $0.shape[0] == parts[0].shape[0] }, "concatFeatures: shapes")
        let n = parts[0].shape[0], width = parts.reduce(0) { $0 + $1.shape[1] }
        return Tensor(shape: [n, width]) { out in
            var offset = 0
            for p in parts {
                let d = p.shape[1]
                for i in 0..<n {
                    for c in 0..<d { out[i * width + offset + c] = p.values[i * d + c] }
                }
                offset += d
            }
        }
    }
}
