/// torchvision 0.14 `VisionTransformer` (`vit_b_32`, `ViT_B_32_Weights.IMAGENET1K_V1`), which timm
/// 0.9.16 `vit_base_patch32_224` computes identically under its own key names: a 32x32 patch
/// convolution, a class token, learned position embeddings, 12 pre-norm blocks (layer norm eps
/// 1e-6, fused QKV attention, exact-GELU MLP), a final layer norm. The embedding is the class
/// token after the final norm (768-d, the input of `heads.head` / `head`); the head, when the
/// checkpoint has one, gives `classify`.
///
/// Key names map explicitly from timm's (the canonical naming here) with `remap(key:naming:)`:
/// torchvision's current names (`mlp.0`, `mlp.3`) and the legacy ones the released
/// IMAGENET1K_V1 `.pth` holds (`mlp.linear_1`, `mlp.linear_2`, which torchvision renames on load).
public struct VisionTransformer: ImageEmbeddingModel {
    public enum KeyNaming: String, Codable, Sendable, CaseIterable {
        /// torchvision >= 0.14 `state_dict()`: `encoder.layers.encoder_layer_N.mlp.0`.
        case torchvision
        /// The released torchvision `.pth`: `encoder.layers.encoder_layer_N.mlp.linear_1`.
        case torchvisionLegacy
        /// timm `vit_base_patch32_224`: `blocks.N.attn.qkv`, `blocks.N.mlp.fc1`.
        case timm
    }

    public struct Configuration: Codable, Sendable, Equatable {
        public var imageSize: Int
        public var patch: Int
        public var width: Int
        public var depth: Int
        public var heads: Int
        public var mlp: Int
        public var classes: Int
        public var naming: KeyNaming

        /// ViT-B/32 at 224 px, 1000 classes.
        public static let vitB32 = Configuration(imageSize: 224, patch: 32, width: 768, depth: 12, heads: 12, mlp: 3072,
                                                 classes: 1000, naming: .torchvision)

        public init(imageSize: Int, patch: Int, width: Int, depth: Int, heads: Int, mlp: Int, classes: Int, naming: KeyNaming) {
            self.imageSize = imageSize
            self.patch = patch
            self.width = width
            self.depth = depth
            self.heads = heads
            self.mlp = mlp
            self.classes = classes
            self.naming = naming
        }
    }

    public let name: String
    public let configuration: Configuration
    public let embeddingWidth: Int
    /// Whole runs of images per call: the token-wise layers then share one SGEMM.
    public var embedsImageRuns: Bool { true }
    let embedding: PatchEmbedding
    let blocks: [TransformerBlock]
    let norm: LayerNorm
    let head: Linear?

    /// The naming a checkpoint uses, from its keys.
    public static func naming(of source: TensorSource) -> KeyNaming {
        if source.shape(of: "cls_token") != nil { return .timm }
        return source.shape(of: "encoder.layers.encoder_layer_0.mlp.linear_1.weight") != nil ? .torchvisionLegacy : .torchvision
    }

    /// The checkpoint key of `key`, a timm name (`cls_token`, `blocks.3.attn.qkv.weight`, ...).
    public static func remap(key: String, naming: KeyNaming) -> String {
        guard naming != .timm else { return key }
        let fixed = ["cls_token": "class_token", "pos_embed": "encoder.pos_embedding",
                     "patch_embed.proj.weight": "conv_proj.weight", "patch_embed.proj.bias": "conv_proj.bias",
                     "norm.weight": "encoder.ln.weight", "norm.bias": "encoder.ln.bias",
                     "head.weight": "heads.head.weight", "head.bias": "heads.head.bias"]
        if let name = fixed[key] { return name }
        let parts = key.split(separator: ".", maxSplits: 2).map(String.init)
        guard parts.count == 3, parts[0] == "blocks" else { return key }
        let legacy = naming == .torchvisionLegacy
        let inner = [
            "norm1.weight": "ln_1.weight", "norm1.bias": "ln_1.bias", "norm2.weight": "ln_2.weight", "norm2.bias": "ln_2.bias",
            "attn.qkv.weight": "self_attention.in_proj_weight", "attn.qkv.bias": "self_attention.in_proj_bias",
            "attn.proj.weight": "self_attention.out_proj.weight", "attn.proj.bias": "self_attention.out_proj.bias",
            "mlp.fc1.weight": legacy ? "mlp.linear_1.weight" : "mlp.0.weight", "mlp.fc1.bias": legacy ? "mlp.linear_1.bias" : "mlp.0.bias",
            "mlp.fc2.weight": legacy ? "mlp.linear_2.weight" : "mlp.3.weight", "mlp.fc2.bias": legacy ? "mlp.linear_2.bias" : "mlp.3.bias",
        ][parts[2]] ?? parts[2]
        return "encoder.layers.encoder_layer_\(parts[1]).\(inner)"
    }

    public init(name: String = "vit-b32", configuration: Configuration = .vitB32, loader: ParameterLoader) {
        self.name = name
        self.configuration = configuration
        let c = configuration, d = c.width, grid = c.imageSize / c.patch
        func key(_ k: String) -> String { Self.remap(key: k, naming: c.naming) }
        // Checkpoint order: torchvision lists class_token, conv_proj, pos_embedding; timm cls_token, pos_embed, patch_embed.
        let classToken: [Float], positions: [Float], projection: Conv2d
        let positionShape = [1, 1 + grid * grid, d]
        func conv() -> Conv2d {
            loader.conv(key("patch_embed.proj.weight").dropSuffix(".weight"), 3, d, kernel: c.patch, stride: c.patch, bias: true)
        }
        classToken = loader.tensor(key("cls_token"), [1, 1, d])
        if c.naming == .timm {
            positions = loader.tensor(key("pos_embed"), positionShape)
            projection = conv()
        } else {
            projection = conv()
            positions = loader.tensor(key("pos_embed"), positionShape)
        }
        embedding = PatchEmbedding(projection: projection, classToken: classToken, positions: positions, side: grid,
                                   resampling: .none, defaultGrid: grid)
        blocks = (0..<c.depth).map { i in
            let p = "blocks.\(i)."
            let keys = TransformerBlock.Keys(norm1: key(p + "norm1.weight").dropSuffix(".weight"),
                                             projections: .fused(weight: key(p + "attn.qkv.weight"), bias: key(p + "attn.qkv.bias")),
                                             output: key(p + "attn.proj.weight").dropSuffix(".weight"),
                                             norm2: key(p + "norm2.weight").dropSuffix(".weight"),
                                             fc1: key(p + "mlp.fc1.weight").dropSuffix(".weight"),
                                             fc2: key(p + "mlp.fc2.weight").dropSuffix(".weight"))
            return loader.transformerBlock(keys, width: d, heads: c.heads, mlp: c.mlp, eps: 1e-6, activation: .gelu)
        }
        norm = loader.layerNorm(key("norm.weight").dropSuffix(".weight"), d, eps: 1e-6)
        head = loader.source == nil || loader.has(key("head.weight"))
            ? loader.linear(key("head.weight").dropSuffix(".weight"), d, c.classes) : nil
        embeddingWidth = d
    }

    /// The class token after the final norm. Large batches run in chunks of images
    /// (`TokenBatches`); the last block computes the class token only (`TransformerBlock.classToken`).
    public func embed(_ images: Tensor, context: ComputeContext) -> Tensor {
        let tokens = 1 + (images.height / configuration.patch) * (images.width / configuration.patch)
        return TokenBatches.map(images, imagesPerChunk: TokenBatches.imagesPerChunk(tokensPerImage: tokens)) { chunk in
            var x = embedding(chunk, context: context)
            for block in blocks.dropLast() { x = block(x, context: context) }
            if let last = blocks.last { x = last.classToken(x, context: context) }
            return norm(x.classTokens())
        }
    }

    public func classify(_ images: Tensor, context: ComputeContext) -> Tensor? {
        head.map { $0.perSequence(embed(images, context: context), context: context) }
    }
}
