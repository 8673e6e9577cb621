import CBLAS
import FrameCutCore

/// `y = x W^T + b` over the last dimension (PyTorch `nn.Linear`), with optional batch norm
/// (1-D, folded) and a fused activation.
public struct Linear: Sendable {
    public let inFeatures: Int
    public let outFeatures: Int
    public let activation: Activation
    /// `out x in`, PyTorch layout; empty once packed (`packed` holds the weight then).
    let plainWeight: [Float]
    let bias: [Float]
    /// `Wᵀ` packed for the AVX-512 kernel (`packedForTokens()`), nil on the OpenBLAS path.
    let packed: PackedMatrix?

    public init(inFeatures: Int, outFeatures: Int, weight: [Float], bias: [Float]?, activation: Activation = .identity) {
        precondition(weight.count == inFeatures * outFeatures, "Linear: weight count \(weight.count) != \(inFeatures * outFeatures)")
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        plainWeight = weight
        self.bias = bias ?? [Float](repeating: 0, count: outFeatures)
        self.activation = activation
        packed = nil
    }

    private init(_ layer: Linear, packed: PackedMatrix) {
        inFeatures = layer.inFeatures
        outFeatures = layer.outFeatures
        activation = layer.activation
        plainWeight = []
        bias = layer.bias
        self.packed = packed
    }

    /// `out x in`, PyTorch layout (unpacked again from `packed` for a packed layer, which does not
    /// keep a second copy).
    var weight: [Float] { packed?.transposed() ?? plainWeight }

    /// This layer with its weight packed once for the engine's AVX-512 matrix product
    /// (`PackedMatrix`), which `perSequence` and `callAsFunction` then use: faster than OpenBLAS on
    /// the transformers' token matrices (no repacking of the weight per call) and bit-identical
    /// for any row count. The unpacked weight is dropped. Unchanged where the CPU lacks AVX-512.
    public func packedForTokens() -> Linear {
        guard packed == nil, let matrix = PackedMatrix(transposing: plainWeight, rows: outFeatures, columns: inFeatures) else { return self }
        return Linear(self, packed: matrix)
    }

    /// Applies the layer to every row of `x` (`... x inFeatures`).
    public func callAsFunction(_ x: Tensor, context: ComputeContext = ComputeContext()) -> Tensor {
        precondition(x.shape.last == inFeatures, "Linear: input \(x.shape), expected last dimension \(inFeatures)")
        let rows = x.count / inFeatures
        var shape = x.shape
        shape[shape.count - 1] = outFeatures
        if packed != nil { return perSequence(x.reshaped([rows, inFeatures]), context: context).reshaped(shape) }
        return Tensor(shape: shape) { out in
            let dst = SendablePointer(out.baseAddress!)
            x.values.withUnsafeBufferPointer { xs in
                plainWeight.withUnsafeBufferPointer { ws in
                    let xp = UncheckedSendable(xs.baseAddress!), wp = UncheckedSendable(ws.baseAddress!)
                    context.withSingleThreadedBLAS {
                        // Split the output features (weights are the large operand) into fixed parts.
                        let parts = max(1, min(ComputeContext.partitions, outFeatures / 64))
                        context.forEach(parts) { part in
                            let cols = (outFeatures * part / parts)..<(outFeatures * (part + 1) / parts)
                            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(cols.count), Int32(inFeatures),
                                        1, xp.value, Int32(inFeatures), wp.value + cols.lowerBound * inFeatures, Int32(inFeatures),
                                        0, dst.base + cols.lowerBound, Int32(outFeatures))
                            for r in 0..<rows {
                                let p = dst.base + r * outFeatures + cols.lowerBound
                                for k in 0..<cols.count { p[k] += bias[cols.lowerBound + k] }
                                activation.apply(p, count: cols.count)
                            }
                        }
                    }
                }
            }
        }
    }
}
