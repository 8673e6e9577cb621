/// OpenAI CLIP's image tower `VisionTransformer` (openai/CLIP `clip/model.py`; open_clip 2.24
/// `open_clip.transformer.VisionTransformer`, model `ViT-B-32`): a bias-free 32x32 patch
/// convolution, class embedding, position embedding, `ln_pre`, 12 pre-norm residual attention
/// blocks (layer norm eps 1e-5, fused `in_proj` attention, QuickGELU MLP `c_fc`/`c_proj`),
/// `ln_post` on the class token and the projection `proj`. The embedding is the PROJECTED
/// image feature `ln_post(x[:, 0]) @ proj` (512-d), the space CLIP's text tower shares.
///
/// Loads three namings, mapped explicitly from OpenAI's (`remap(key:naming:)`):
/// - OpenAI / open_clip state dicts (`visual.conv1.weight`, `visual.transformer.resblocks.N.attn.in_proj_weight`,
///   `visual.proj`, ...; a whole CLIP checkpoint's text tower, `logit_scale` and other non-`visual.`
///   keys are ignored explicitly; a bare image-tower state dict without `visual.` loads too);
/// - timm `vit_base_patch32_clip_224.openai` (`blocks.N.attn.qkv`, `norm_pre`, `norm`; its `head`
///   is the transposed `proj` with a zero bias, added as stored);
/// - Hugging Face `CLIPVisionModelWithProjection` / `CLIPModel` (`vision_model.*` with separate
///   `q_proj`/`k_proj`/`v_proj`, `visual_projection.weight`; a `CLIPModel`'s `text_model.*`,
///   `text_projection.weight`, `logit_scale` and the `position_ids` buffers are ignored).
/// The weights are OpenAI's, trained with QuickGELU, so every naming runs QuickGELU (timm's
/// plain `vit_base_patch32_clip_224` would use exact GELU; its `_quickgelu` variant matches).
public struct CLIPVisionTransformer: ImageEmbeddingModel {
    public enum KeyNaming: String, Codable, Sendable, CaseIterable {
        case openai
        case timm
        case huggingFace
    }

    public struct Configuration: Codable, Sendable, Equatable {
        public var imageSize: Int
        public var patch: Int
        public var width: Int
        public var depth: Int
        public var heads: Int
        public var mlp: Int
        /// Width of the projected embedding.
        public var projection: Int
        public var naming: KeyNaming
        /// The prefix of the image tower's keys in an OpenAI-named file (`visual.`, or empty).
        public var prefix: String

        /// ViT-B/32 at 224 px, 512-d projection.
        public static let vitB32 = Configuration(imageSize: 224, patch: 32, width: 768, depth: 12, heads: 12, mlp: 3072,
                                                 projection: 512, naming: .openai, prefix: "visual.")

        public init(imageSize: Int, patch: Int, width: Int, depth: Int, heads: Int, mlp: Int, projection: Int,
                    naming: KeyNaming, prefix: String = "visual.") {
            self.imageSize = imageSize
            self.patch = patch
            self.width = width
            self.depth = depth
            self.heads = heads
            self.mlp = mlp
            self.projection = projection
            self.naming = naming
            self.prefix = prefix
        }
    }

    public let name: String
    public let configuration: Configuration
    public let embeddingWidth: Int
    /// Whole runs of images per call: the token-wise layers then share one SGEMM.
    public var embedsImageRuns: Bool { true }
    let embedding: PatchEmbedding
    let preNorm: LayerNorm
    let blocks: [TransformerBlock]
    let postNorm: LayerNorm
    let projection: Linear

    /// The naming (and OpenAI prefix) a checkpoint uses, from its keys.
    public static func naming(of source: TensorSource) -> (KeyNaming, prefix: String) {
        if source.shape(of: "vision_model.embeddings.class_embedding") != nil { return (.huggingFace, "") }
        if source.shape(of: "cls_token") != nil { return (.timm, "") }
        return (.openai, source.shape(of: "class_embedding") != nil && source.shape(of: "visual.class_embedding") == nil ? "" : "visual.")
    }

    /// The checkpoint key of `key`, an OpenAI image-tower name without prefix (`class_embedding`,
    /// `transformer.resblocks.3.attn.in_proj_weight`, ...). Hugging Face's separate projections
    /// are `...attn.in_proj_weight.q` etc. here (the fused tensor's thirds).
    public static func remap(key: String, naming: KeyNaming, prefix: String = "visual.") -> String {
        switch naming {
        case .openai:
            return prefix + key
        case .timm:
            let fixed = ["class_embedding": "cls_token", "positional_embedding": "pos_embed", "proj": "head.weight",
                         "proj.bias": "head.bias", "conv1.weight": "patch_embed.proj.weight"]
            if let name = fixed[key] { return name }
            var k = key.replacingOccurrences(of: "transformer.resblocks.", with: "blocks.")
            for (old, new) in [("ln_pre", "norm_pre"), ("ln_post", "norm"), ("ln_1", "norm1"), ("ln_2", "norm2"),
                               ("attn.in_proj_weight", "attn.qkv.weight"), ("attn.in_proj_bias", "attn.qkv.bias"),
                               ("attn.out_proj", "attn.proj"), ("mlp.c_fc", "mlp.fc1"), ("mlp.c_proj", "mlp.fc2")] {
                k = k.replacingOccurrences(of: old, with: new)
            }
            return k
        case .huggingFace:
            let fixed = ["class_embedding": "vision_model.embeddings.class_embedding",
                         "positional_embedding": "vision_model.embeddings.position_embedding.weight",
                         "conv1.weight": "vision_model.embeddings.patch_embedding.weight", "proj": "visual_projection.weight"]
            if let name = fixed[key] { return name }
            var k = key.replacingOccurrences(of: "transformer.resblocks.", with: "vision_model.encoder.layers.")
            for (old, new) in [("ln_pre", "vision_model.pre_layrnorm"), ("ln_post", "vision_model.post_layernorm"),
                               ("ln_1", "layer_norm1"), ("ln_2", "layer_norm2"), ("attn.out_proj", "self_attn.out_proj"),
                               ("attn.in_proj_weight.q", "self_attn.q_proj.weight"), ("attn.in_proj_weight.k", "self_attn.k_proj.weight"),
                               ("attn.in_proj_weight.v", "self_attn.v_proj.weight"), ("attn.in_proj_bias.q", "self_attn.q_proj.bias"),
                               ("attn.in_proj_bias.k", "self_attn.k_proj.bias"), ("attn.in_proj_bias.v", "self_attn.v_proj.bias"),
                               ("mlp.c_fc", "mlp.fc1"), ("mlp.c_proj", "mlp.fc2")] {
                k = k.replacingOccurrences(of: old, with: new)
            }
            return k
        }
    }

    /// Keys of a whole-CLIP checkpoint that are not part of the image tower, ignored on purpose.
    public static func isIgnored(_ key: String, naming: KeyNaming, prefix: String) -> Bool {
        switch naming {
        case .openai: return !prefix.isEmpty && !key.hasPrefix(prefix)
        case .timm: return false
        case .huggingFace:
            return key.hasPrefix("text_model.") || key == "text_projection.weight" || key == "logit_scale" || key.hasSuffix(".position_ids")
        }
    }

    public init(name: String = "clip-vit-b32", configuration: Configuration = .vitB32, loader: ParameterLoader) {
        self.name = name
        self.configuration = configuration
        let c = configuration, d = c.width, grid = c.imageSize / c.patch, tokens = 1 + grid * grid
        func key(_ k: String) -> String { Self.remap(key: k, naming: c.naming, prefix: c.prefix) }
        func prefix(_ k: String) -> String { key(k + ".weight").dropSuffix(".weight") }
        func conv() -> Conv2d { loader.conv(prefix("conv1"), 3, d, kernel: c.patch, stride: c.patch) }
        var classToken: [Float] = [], positions: [Float] = [], patches: Conv2d?, projection: Linear?
        // Checkpoint order: OpenAI class_embedding, positional_embedding, proj, conv1; timm cls_token,
        // pos_embed, patch_embed (head last); Hugging Face class_embedding, patch_embedding, position_embedding.
        switch c.naming {
        case .openai:
            classToken = loader.tensor(key("class_embedding"), [d])
            positions = loader.tensor(key("positional_embedding"), [tokens, d])
            projection = Self.transposedProjection(loader.tensor(key("proj"), [d, c.projection]), width: d, out: c.projection)
            patches = conv()
        case .timm:
            classToken = loader.tensor(key("class_embedding"), [1, 1, d])
            positions = loader.tensor(key("positional_embedding"), [1, tokens, d])
            patches = conv()
        case .huggingFace:
            classToken = loader.tensor(key("class_embedding"), [d])
            patches = conv()
            positions = loader.tensor(key("positional_embedding"), [tokens, d])
        }
        embedding = PatchEmbedding(projection: patches ?? conv(), classToken: classToken, positions: positions, side: grid,
                                   resampling: .none, defaultGrid: grid)
        preNorm = loader.layerNorm(prefix("ln_pre"), d, eps: 1e-5)
        blocks = (0..<c.depth).map { i in
            let p = "transformer.resblocks.\(i)."
            let projections: TransformerBlock.Keys.Projections = c.naming == .huggingFace
                ? .separate(query: key(p + "attn.in_proj_weight.q").dropSuffix(".weight"),
                            key: key(p + "attn.in_proj_weight.k").dropSuffix(".weight"),
                            value: key(p + "attn.in_proj_weight.v").dropSuffix(".weight"), order: [.key, .value, .query])
                : .fused(weight: key(p + "attn.in_proj_weight"), bias: key(p + "attn.in_proj_bias"))
            let order: [TransformerBlock.Keys.Part] = c.naming == .huggingFace
                ? [.attention, .norm1, .fc1, .fc2, .norm2] : [.norm1, .attention, .norm2, .fc1, .fc2]
            let keys = TransformerBlock.Keys(norm1: prefix(p + "ln_1"), projections: projections, output: prefix(p + "attn.out_proj"),
                                             norm2: prefix(p + "ln_2"), fc1: prefix(p + "mlp.c_fc"), fc2: prefix(p + "mlp.c_proj"),
                                             order: order)
            return loader.transformerBlock(keys, width: d, heads: c.heads, mlp: c.mlp, eps: 1e-5, activation: .quickGelu)
        }
        postNorm = loader.layerNorm(prefix("ln_post"), d, eps: 1e-5)
        switch c.naming {
        case .openai: break
        case .timm: projection = loader.linear("head", d, c.projection)
        case .huggingFace: projection = loader.linear(key("proj").dropSuffix(".weight"), d, c.projection, bias: false)
        }
        self.projection = projection ?? Linear(inFeatures: d, outFeatures: c.projection, weight: [Float](repeating: 0, count: d * c.projection), bias: nil)
        // A whole CLIP checkpoint's other parts (text tower, logit_scale) are ignored on purpose; a file
        // without any image-tower key is another model, whose keys are all reported.
        let wholeCLIP = loader.source?.keys.contains { $0.hasPrefix(c.naming == .huggingFace ? "vision_model." : c.prefix) } ?? false
        if wholeCLIP { loader.ignore { Self.isIgnored($0, naming: c.naming, prefix: c.prefix) } }
        embeddingWidth = c.projection
    }

    /// OpenAI's `proj` (`width x out`, applied as `x @ proj`) as a linear layer (`out x width`).
    static func transposedProjection(_ proj: [Float], width: Int, out: Int) -> Linear {
        var weight = [Float](repeating: 0, count: proj.count)
        for r in 0..<width {
            for c in 0..<out { weight[c * width + r] = proj[r * out + c] }
        }
        return Linear(inFeatures: width, outFeatures: out, weight: weight, bias: nil)
    }

    /// The projected class token. Large batches run in chunks of images (`TokenBatches`); the
    /// last block computes the class token only (`TransformerBlock.classToken`).
    public func embed(_ images: Tensor, context: ComputeContext) -> Tensor {
        let tokens = 1 + (images.height / embedding.patch) * (images.width / embedding.patch)
        return TokenBatches.map(images, imagesPerChunk: TokenBatches.imagesPerChunk(tokensPerImage: tokens)) { chunk in
            var x = preNorm(embedding(chunk, context: context))
            for block in blocks.dropLast() { x = block(x, context: context) }
            if let last = blocks.last { x = last.classToken(x, context: context) }
            return projection.perSequence(postNorm(x.classTokens()), context: context)
        }
    }

    /// CLIP's image tower has no classifier.
    public func classify(_ images: Tensor, context: ComputeContext) -> Tensor? { nil }
}
