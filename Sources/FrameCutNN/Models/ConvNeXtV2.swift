/// ConvNeXt V2 as Hugging Face transformers 4.46 `ConvNextV2Model` /
/// `ConvNextV2ForImageClassification` builds it (`facebook/convnextv2-tiny-1k-224`, the paper's
/// choice), also loading timm 0.9 `convnextv2_tiny` checkpoints (`timm.models.convnext.ConvNeXt`
/// with `use_grn=True`, `ls_init_value=None`), which compute the same function.
///
/// Stem: 4x4 stride-4 convolution and a channel layer norm. Stages 2-4 start with a channel layer
/// norm and a 2x2 stride-2 convolution. Block: depthwise 7x7 (padding 3) -> channel layer norm
/// (eps 1e-6) -> pointwise `C -> 4C` (`nn.Linear`, here a 1x1 convolution on NCHW) -> GELU ->
/// global response normalisation -> pointwise `4C -> C` -> + input (drop path is the identity at
/// inference; V2 has no layer scale).
///
/// Embedding: the 768-d spatial mean of the last stage, layer-normed: Hugging Face's
/// `pooler_output` (`layernorm`, eps `layer_norm_eps` = 1e-12) and timm's `forward_head(pre_logits=True)`
/// (`head.norm`, a `LayerNorm2d` with eps 1e-6 on the globally pooled map); each naming uses its
/// own eps. The classifier (`classifier` / `head.fc`) is optional in the weights.
public struct ConvNeXtV2: ImageEmbeddingModel {
    /// The key naming of a checkpoint.
    public enum KeyNaming: String, Codable, Sendable {
        /// `ConvNextV2ForImageClassification` (`convnextv2.` prefix, `classifier.*`): the Hub's files.
        case huggingFace
        /// `ConvNextV2Model` saved alone: the same names without the `convnextv2.` prefix.
        case huggingFaceBase
        /// timm `convnextv2_*` (`stem.0`, `stages.N.blocks.M.conv_dw`, `head.norm`, `head.fc`).
        case timm
    }

    public struct Configuration: Codable, Sendable, Equatable {
        /// Blocks per stage.
        public var depths: [Int]
        /// Channels per stage.
        public var dims: [Int]
        public var classes: Int
        public var naming: KeyNaming

        /// ConvNeXt V2 Tiny: depths 3, 3, 9, 3, widths 96 to 768, ImageNet-1k head.
        public static let tiny = Configuration(depths: [3, 3, 9, 3], dims: [96, 192, 384, 768], classes: 1000, naming: .huggingFace)

        public init(depths: [Int], dims: [Int], classes: Int, naming: KeyNaming) {
            self.depths = depths
            self.dims = dims
            self.classes = classes
            self.naming = naming
        }
    }

    struct Block: Sendable {
        /// The two pointwise layers: packed for the engine's AVX-512 kernel, with the layer norm,
        /// GELU, the response norm and the residual fused around them (`PointwiseConvolution`),
        /// or, where the CPU lacks AVX-512, 1x1 convolutions on OpenBLAS with each step separate.
        enum Pointwise: Sendable {
            case packed(expand: PointwiseConvolution, project: PointwiseConvolution)
            /// `expand` with the GELU fused, `project` with the residual add fused.
            case convolutions(expand: Conv2d, project: Conv2d)
        }

        let depthwise: Conv2d
        let norm: ChannelLayerNorm
        let grn: GlobalResponseNorm
        let pointwise: Pointwise

        func callAsFunction(_ x: Tensor, context: ComputeContext) -> Tensor {
            switch pointwise {
            case .packed(let expand, let project):
                let (hidden, squares) = expand(depthwise(x, context: context), input: .layerNorm(norm), activation: .gelu,
                                               sumsOfSquares: true, context: context)
                let scale = grn.scales(sumsOfSquares: squares ?? [])
                return project(hidden, input: .affine(scale: scale, shift: grn.bias), residual: x, context: context).output
            case .convolutions(let expand, let project):
                let y = norm(depthwise(x, context: context), context: context)
                return project(grn(expand(y, context: context), context: context), residual: x, context: context)
            }
        }
    }

    struct Downsample: Sendable {
        let norm: ChannelLayerNorm
        let conv: Conv2d
    }

    public let name: String
    public let configuration: Configuration
    public let embeddingWidth: Int
    let stem: Conv2d
    let stemNorm: ChannelLayerNorm
    let downsamples: [Downsample?]
    let stages: [[Block]]
    let finalNormWeight: [Float]
    let finalNormBias: [Float]
    let finalNormEps: Double
    let head: Linear?

    /// The key naming a checkpoint uses, from its keys.
    public static func naming(of source: TensorSource) -> KeyNaming {
        if source.shape(of: "stem.0.weight") != nil { return .timm }
        if source.shape(of: "embeddings.patch_embeddings.weight") != nil { return .huggingFaceBase }
        return .huggingFace
    }

    /// The checkpoint keys of each part in one naming.
    struct Keys {
        let naming: KeyNaming
        var prefix: String { naming == .huggingFace ? "convnextv2." : "" }
        var stem: String { naming == .timm ? "stem.0" : prefix + "embeddings.patch_embeddings" }
        var stemNorm: String { naming == .timm ? "stem.1" : prefix + "embeddings.layernorm" }
        func downsample(_ stage: Int, _ part: Int) -> String {
            naming == .timm ? "stages.\(stage).downsample.\(part)" : prefix + "encoder.stages.\(stage).downsampling_layer.\(part)"
        }
        func block(_ stage: Int, _ index: Int, _ part: String) -> String {
            if naming == .timm {
                let name = ["dwconv": "conv_dw", "layernorm": "norm", "pwconv1": "mlp.fc1", "grn": "mlp.grn", "pwconv2": "mlp.fc2"][part] ?? part
                return "stages.\(stage).blocks.\(index).\(name)"
            }
            return prefix + "encoder.stages.\(stage).layers.\(index).\(part)"
        }
        var finalNorm: String { naming == .timm ? "head.norm" : prefix + "layernorm" }
        var head: String { naming == .timm ? "head.fc" : "classifier" }
        /// Hugging Face stores GRN parameters as `[1, 1, 1, C]`, timm as `[C]`.
        func grnShape(_ channels: Int) -> [Int] { naming == .timm ? [channels] : [1, 1, 1, channels] }
    }

    public init(name: String = "convnextv2-tiny", configuration: Configuration = .tiny, loader: ParameterLoader) {
        precondition(configuration.depths.count == configuration.dims.count && !configuration.dims.isEmpty,
                     "ConvNeXtV2: \(configuration.depths.count) depths for \(configuration.dims.count) widths")
        self.name = name
        self.configuration = configuration
        let keys = Keys(naming: configuration.naming)
        let dims = configuration.dims
        func layerNorm(_ key: String, _ channels: Int) -> ChannelLayerNorm {
            ChannelLayerNorm(channels: channels, weight: loader.tensor(key + ".weight", [channels]),
                             bias: loader.tensor(key + ".bias", [channels]), eps: 1e-6)
        }
        /// The pointwise layers, packed where the CPU has AVX-512 (the unpacked weights then dropped).
        func pointwise(_ dim: Int, expand: (weight: [Float], bias: [Float]), project: (weight: [Float], bias: [Float])) -> Block.Pointwise {
            if let packedExpand = PointwiseConvolution(inChannels: dim, outChannels: 4 * dim, weight: expand.weight, bias: expand.bias),
               let packedProject = PointwiseConvolution(inChannels: 4 * dim, outChannels: dim, weight: project.weight, bias: project.bias) {
                return .packed(expand: packedExpand, project: packedProject)
            }
            return .convolutions(expand: Conv2d(inChannels: dim, outChannels: 4 * dim, kernel: (1, 1), weight: expand.weight,
                                                bias: expand.bias, activation: .gelu),
                                 project: Conv2d(inChannels: 4 * dim, outChannels: dim, kernel: (1, 1), weight: project.weight,
                                                 bias: project.bias))
        }
        stem = loader.conv(keys.stem, 3, dims[0], kernel: 4, stride: 4, bias: true)
        stemNorm = layerNorm(keys.stemNorm, dims[0])
        var downsamples: [Downsample?] = []
        var stages: [[Block]] = []
        var channels = dims[0]
        for (stage, depth) in configuration.depths.enumerated() {
            let dim = dims[stage]
            if stage > 0 {
                downsamples.append(Downsample(norm: layerNorm(keys.downsample(stage, 0), channels),
                                              conv: loader.conv(keys.downsample(stage, 1), channels, dim, kernel: 2, stride: 2, bias: true)))
            } else {
                downsamples.append(nil)
            }
            channels = dim
            stages.append((0..<depth).map { index in
                let key = { (part: String) in keys.block(stage, index, part) }
                let depthwise = loader.conv(key("dwconv"), dim, dim, kernel: 7, padding: .symmetric(3), groups: dim, bias: true)
                let norm = layerNorm(key("layernorm"), dim)
                // Loaded in `state_dict()` order: pwconv1, grn, pwconv2.
                let expand = (weight: loader.tensor(key("pwconv1") + ".weight", [4 * dim, dim]),
                              bias: loader.tensor(key("pwconv1") + ".bias", [4 * dim]))
                let grn = GlobalResponseNorm(channels: 4 * dim, weight: loader.tensor(key("grn") + ".weight", keys.grnShape(4 * dim)),
                                             bias: loader.tensor(key("grn") + ".bias", keys.grnShape(4 * dim)))
                let project = (weight: loader.tensor(key("pwconv2") + ".weight", [dim, 4 * dim]),
                               bias: loader.tensor(key("pwconv2") + ".bias", [dim]))
                return Block(depthwise: depthwise, norm: norm, grn: grn, pointwise: pointwise(dim, expand: expand, project: project))
            })
        }
        self.downsamples = downsamples
        self.stages = stages
        finalNormWeight = loader.tensor(keys.finalNorm + ".weight", [channels])
        finalNormBias = loader.tensor(keys.finalNorm + ".bias", [channels])
        finalNormEps = configuration.naming == .timm ? 1e-6 : 1e-12
        embeddingWidth = channels
        head = loader.source == nil || loader.has(keys.head + ".weight") ? loader.linear(keys.head, channels, configuration.classes) : nil
    }

    public func embed(_ images: Tensor, context: ComputeContext) -> Tensor {
        var x = stemNorm(stem(images, context: context), context: context)
        for (downsample, blocks) in zip(downsamples, stages) {
            if let downsample { x = downsample.conv(downsample.norm(x, context: context), context: context) }
            for block in blocks { x = block(x, context: context) }
        }
        return TensorOps.layerNorm(Pooling.globalAverage(x), weight: finalNormWeight, bias: finalNormBias, eps: finalNormEps)
    }

    public func classify(_ images: Tensor, context: ComputeContext) -> Tensor? {
        head.map { $0(embed(images, context: context), context: context) }
    }
}
