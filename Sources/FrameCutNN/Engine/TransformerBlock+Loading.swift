extension TransformerBlock {
    /// Where a checkpoint keeps one block's tensors, and in which order its `state_dict()` lists them.
    public struct Keys: Sendable {
        /// The attention's input projections.
        public enum Projections: Sendable {
            /// One `[3D, D]` weight (query, key, value rows) and its `[3D]` bias: torch `in_proj_weight`, timm `qkv`.
            case fused(weight: String, bias: String)
            /// Three `D -> D` linear layers (prefixes of `.weight` / `.bias`), listed in checkpoint order.
            case separate(query: String, key: String, value: String, order: [Role])
        }

        /// One of the separate projections.
        public enum Role: Sendable { case query, key, value }

        /// The parts of a block, to list them in checkpoint order.
        public enum Part: Sendable { case norm1, attention, layerScale1, norm2, fc1, fc2, layerScale2 }

        public var norm1: String
        public var projections: Projections
        /// The attention's output projection (prefix of `.weight` / `.bias`).
        public var output: String
        public var norm2: String
        public var fc1: String
        public var fc2: String
        /// Full keys of the layer-scale vectors (DINOv2), nil without layer scale.
        public var layerScale1: String?
        public var layerScale2: String?
        /// Checkpoint order of the parts (`.attention` covers the projections and the output projection).
        public var order: [Part]

        public init(norm1: String, projections: Projections, output: String, norm2: String, fc1: String, fc2: String,
                    layerScale1: String? = nil, layerScale2: String? = nil,
                    order: [Part] = [.norm1, .attention, .layerScale1, .norm2, .fc1, .fc2, .layerScale2]) {
            self.norm1 = norm1
            self.projections = projections
            self.output = output
            self.norm2 = norm2
            self.fc1 = fc1
            self.fc2 = fc2
            self.layerScale1 = layerScale1
            self.layerScale2 = layerScale2
            self.order = order
        }
    }
}

extension ParameterLoader {
    /// A pre-norm transformer block of `width` channels, `heads` heads and an MLP of `mlp` hidden
    /// units with `activation`, read from `keys` in the checkpoint's order.
    public func transformerBlock(_ keys: TransformerBlock.Keys, width d: Int, heads: Int, mlp: Int, eps: Double,
                                 activation: Activation) -> TransformerBlock {
        var norm1: LayerNorm?, norm2: LayerNorm?, attention: MultiHeadAttention?, fc1: Linear?, fc2: Linear?
        var scale1: [Float]?, scale2: [Float]?
        for part in keys.order {
            switch part {
            case .norm1: norm1 = layerNorm(keys.norm1, d, eps: eps)
            case .norm2: norm2 = layerNorm(keys.norm2, d, eps: eps)
            case .fc1: fc1 = linear(keys.fc1, d, mlp, activation: activation)
            case .fc2: fc2 = linear(keys.fc2, mlp, d)
            case .layerScale1: scale1 = keys.layerScale1.map { tensor($0, [d]) }
            case .layerScale2: scale2 = keys.layerScale2.map { tensor($0, [d]) }
            case .attention:
                switch keys.projections {
                case .fused(let weight, let bias):
                    let w = tensor(weight, [3 * d, d]), b = tensor(bias, [3 * d])
                    attention = MultiHeadAttention(heads: heads, inProjectionWeight: w, inProjectionBias: b, output: linear(keys.output, d, d))
                case .separate(let query, let key, let value, let order):
                    var projections: [TransformerBlock.Keys.Role: Linear] = [:]
                    for role in order {
                        projections[role] = linear(role == .query ? query : role == .key ? key : value, d, d)
                    }
                    let zero = Linear(inFeatures: d, outFeatures: d, weight: [Float](repeating: 0, count: d * d), bias: nil)
                    attention = MultiHeadAttention(heads: heads, query: projections[.query] ?? zero, key: projections[.key] ?? zero,
                                                   value: projections[.value] ?? zero, output: linear(keys.output, d, d))
                }
            }
        }
        let unitNorm = LayerNorm(weight: [Float](repeating: 1, count: d), bias: [Float](repeating: 0, count: d), eps: eps)
        let zeroAttention = MultiHeadAttention(heads: heads, inProjectionWeight: [Float](repeating: 0, count: 3 * d * d), inProjectionBias: nil,
                                               output: Linear(inFeatures: d, outFeatures: d, weight: [Float](repeating: 0, count: d * d), bias: nil))
        return TransformerBlock(norm1: norm1 ?? unitNorm, attention: attention ?? zeroAttention, layerScale1: scale1,
                                norm2: norm2 ?? unitNorm,
                                fc1: fc1 ?? Linear(inFeatures: d, outFeatures: mlp, weight: [Float](repeating: 0, count: d * mlp), bias: nil),
                                fc2: fc2 ?? Linear(inFeatures: mlp, outFeatures: d, weight: [Float](repeating: 0, count: d * mlp), bias: nil),
                                layerScale2: scale2)
    }
}
