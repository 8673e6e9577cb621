/// DINOv2 ViT-B/14 (facebookresearch/dinov2 `dinov2/models/vision_transformer.py`
/// `DinoVisionTransformer` as hub `dinov2_vitb14` builds it: 518 px position grid (37x37), 14x14
/// patches with bias, 12 pre-norm blocks with layer scale (`ls1`, `ls2`), layer norm eps 1e-6,
/// exact GELU, no registers), and the linear-classifier input of hub `dinov2_vitb14_lc`
/// (`dinov2/hub/classifiers.py` `_LinearClassifierWrapper(layers=4)`).
///
/// Embeddings: `linear4` (default, 3840-d), what the `_lc` model's linear head receives:
/// `get_intermediate_layers(x, n=4, return_class_token=True)` (each of the last four block
/// outputs through the final norm), concatenated as the four class tokens and the mean of the
/// last block's patch tokens; `cls` (768-d), the final-norm class token (`x_norm_clstoken`).
///
/// Position embeddings are resampled to the input's patch grid as the hub's
/// `interpolate_pos_encoding` does (bicubic, `scale_factor = (grid + 0.1) / 37`, antialias off;
/// 16x16 at 224 px), for every naming: Hugging Face `Dinov2Model` (resamples to `size=(g, g)`,
/// no offset) and timm (its own `resample_abs_pos_embed`) compute slightly different positions
/// at 224 px, but the paper ran the hub model.
///
/// Loads hub (`dinov2_vitb14_pretrain.pth`), Hugging Face `facebook/dinov2-base` and timm
/// `vit_base_patch14_dinov2` names, mapped from the hub's with `remap(key:naming:)`. The
/// training-only `mask_token` is ignored. The backbone checkpoints carry no classifier, so
/// `classify` is nil (the `_lc` head ships as a separate file).
public struct DINOv2: ImageEmbeddingModel {
    public enum KeyNaming: String, Codable, Sendable, CaseIterable {
        case hub
        case huggingFace
        case timm
    }

    public enum Embedding: String, Codable, Sendable, CaseIterable {
        /// Class tokens of the last 4 blocks + mean patch token of the last (5 x width).
        case linear4
        /// The final-norm class token (width).
        case cls
    }

    public struct Configuration: Codable, Sendable, Equatable {
        /// The image size the position grid was trained for (518: 37x37 patches).
        public var imageSize: Int
        /// The usual input size, whose resampled positions are computed once (224).
        public var inputSize: Int
        public var patch: Int
        public var width: Int
        public var depth: Int
        public var heads: Int
        public var mlp: Int
        public var embedding: Embedding
        public var naming: KeyNaming

        public static let vitB14 = Configuration(imageSize: 518, inputSize: 224, patch: 14, width: 768, depth: 12, heads: 12,
                                                 mlp: 3072, embedding: .linear4, naming: .hub)

        public init(imageSize: Int, inputSize: Int, patch: Int, width: Int, depth: Int, heads: Int, mlp: Int,
                    embedding: Embedding, naming: KeyNaming) {
            self.imageSize = imageSize
            self.inputSize = inputSize
            self.patch = patch
            self.width = width
            self.depth = depth
            self.heads = heads
            self.mlp = mlp
            self.embedding = embedding
            self.naming = naming
        }
    }

    public let name: String
    public let configuration: Configuration
    public let embeddingWidth: Int
    /// Whole runs of images per call: the token-wise layers then share one SGEMM.
    public var embedsImageRuns: Bool { true }
    let embeddingLayer: PatchEmbedding
    let blocks: [TransformerBlock]
    let norm: LayerNorm

    /// The naming a checkpoint uses, from its keys.
    public static func naming(of source: TensorSource) -> KeyNaming {
        if source.shape(of: "embeddings.cls_token") != nil { return .huggingFace }
        return source.shape(of: "mask_token") != nil || source.shape(of: "blocks.0.ls1.gamma") == nil ? .hub : .timm
    }

    /// The checkpoint key of `key`, a hub name (`cls_token`, `blocks.3.attn.qkv.weight`, ...).
    /// Hugging Face's separate projections are `blocks.N.attn.qkv.{weight,bias}.{q,k,v}` here.
    public static func remap(key: String, naming: KeyNaming) -> String {
        guard naming == .huggingFace else { return key }
        let fixed = ["cls_token": "embeddings.cls_token", "mask_token": "embeddings.mask_token",
                     "pos_embed": "embeddings.position_embeddings",
                     "patch_embed.proj.weight": "embeddings.patch_embeddings.projection.weight",
                     "patch_embed.proj.bias": "embeddings.patch_embeddings.projection.bias",
                     "norm.weight": "layernorm.weight", "norm.bias": "layernorm.bias"]
        if let name = fixed[key] { return name }
        let parts = key.split(separator: ".", maxSplits: 2).map(String.init)
        guard parts.count == 3, parts[0] == "blocks" else { return key }
        var rest = parts[2]
        for (old, new) in [("attn.qkv.weight.q", "attention.attention.query.weight"), ("attn.qkv.weight.k", "attention.attention.key.weight"),
                           ("attn.qkv.weight.v", "attention.attention.value.weight"), ("attn.qkv.bias.q", "attention.attention.query.bias"),
                           ("attn.qkv.bias.k", "attention.attention.key.bias"), ("attn.qkv.bias.v", "attention.attention.value.bias"),
                           ("attn.proj", "attention.output.dense"), ("ls1.gamma", "layer_scale1.lambda1"), ("ls2.gamma", "layer_scale2.lambda1")] {
            rest = rest.replacingOccurrences(of: old, with: new)
        }
        return "encoder.layer.\(parts[1]).\(rest)"
    }

    public init(name: String = "dinov2-vitb14", configuration: Configuration = .vitB14, loader: ParameterLoader) {
        self.name = name
        self.configuration = configuration
        let c = configuration, d = c.width, side = c.imageSize / c.patch
        func key(_ k: String) -> String { Self.remap(key: k, naming: c.naming) }
        func prefix(_ k: String) -> String { key(k + ".weight").dropSuffix(".weight") }
        // Checkpoint order: hub cls_token, pos_embed, mask_token, patch_embed; HF cls_token, mask_token,
        // position_embeddings, patch_embeddings; timm cls_token, pos_embed, patch_embed.
        let classToken = loader.tensor(key("cls_token"), [1, 1, d])
        let positions = loader.tensor(key("pos_embed"), [1, 1 + side * side, d])
        let projection = loader.conv(prefix("patch_embed.proj"), 3, d, kernel: c.patch, stride: c.patch, bias: true)
        embeddingLayer = PatchEmbedding(projection: projection, classToken: classToken, positions: positions, side: side,
                                        resampling: .bicubicScaleFactor(offset: 0.1), defaultGrid: c.inputSize / c.patch)
        blocks = (0..<c.depth).map { i in
            let p = "blocks.\(i)."
            let projections: TransformerBlock.Keys.Projections = c.naming == .huggingFace
                ? .separate(query: key(p + "attn.qkv.weight.q").dropSuffix(".weight"), key: key(p + "attn.qkv.weight.k").dropSuffix(".weight"),
                            value: key(p + "attn.qkv.weight.v").dropSuffix(".weight"), order: [.query, .key, .value])
                : .fused(weight: key(p + "attn.qkv.weight"), bias: key(p + "attn.qkv.bias"))
            let keys = TransformerBlock.Keys(norm1: prefix(p + "norm1"), projections: projections, output: prefix(p + "attn.proj"),
                                             norm2: prefix(p + "norm2"), fc1: prefix(p + "mlp.fc1"), fc2: prefix(p + "mlp.fc2"),
                                             layerScale1: key(p + "ls1.gamma"), layerScale2: key(p + "ls2.gamma"))
            return loader.transformerBlock(keys, width: d, heads: c.heads, mlp: c.mlp, eps: 1e-6, activation: .gelu)
        }
        norm = loader.layerNorm(prefix("norm"), d, eps: 1e-6)
        let maskToken = key("mask_token")
        loader.ignore { $0 == maskToken }
        embeddingWidth = c.embedding == .linear4 ? 5 * d : d
    }

    /// Large batches run in chunks of images (`TokenBatches`); for the class-token embedding the
    /// last block computes the class token only (`TransformerBlock.classToken`).
    public func embed(_ images: Tensor, context: ComputeContext) -> Tensor {
        let tokens = 1 + (images.height / embeddingLayer.patch) * (images.width / embeddingLayer.patch)
        return TokenBatches.map(images, imagesPerChunk: TokenBatches.imagesPerChunk(tokensPerImage: tokens)) { chunk in
            embedChunk(chunk, context: context)
        }
    }

    private func embedChunk(_ images: Tensor, context: ComputeContext) -> Tensor {
        var x = embeddingLayer(images, context: context)
        guard configuration.embedding == .linear4 else {
            for block in blocks.dropLast() { x = block(x, context: context) }
            if let last = blocks.last { x = last.classToken(x, context: context) }
            return norm(x.classTokens())
        }
        var classTokens: [Tensor] = []
        for (i, block) in blocks.enumerated() {
            x = block(x, context: context)
            if i >= blocks.count - 4 && i < blocks.count - 1 {
                classTokens.append(norm(x.classTokens()))
            }
        }
        let last = norm(x)
        classTokens.append(last.classTokens())
        classTokens.append(last.meanTokens(from: 1))
        return TensorOps.concatFeatures(classTokens)
    }

    public func classify(_ images: Tensor, context: ComputeContext) -> Tensor? { nil }
}
