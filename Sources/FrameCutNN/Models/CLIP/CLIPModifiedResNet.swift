/// OpenAI CLIP's RN50 image tower, the "modified ResNet" (open_clip 2.24
/// `open_clip.modified_resnet.ModifiedResNet`, identical to OpenAI CLIP's `model.py`), also
/// loading timm 1.0 `resnet50_clip.openai` checkpoints (`timm.models.byobnet.ByobNet`, converted
/// from OpenAI's by timm's `_convert_openai_clip`), which compute the same function.
///
/// Differences from torchvision's ResNet-50: a stem of three 3x3 convolutions (stride 2, 1, 1;
/// widths `width/2, width/2, width`, each with batch norm and ReLU) and a 2x2 average pool instead
/// of the 7x7 convolution and max pool; anti-aliased downsampling, where a block with stride 2
/// average-pools (2x2) after its 3x3 convolution and its shortcut average-pools before a stride-1
/// 1x1 convolution; and an attention pooling head (`AttentionPool2d`, 32 heads of 64) that maps
/// the 2048-d 7x7 map to the 1024-d image feature of CLIP's joint image-text space: the embedding.
///
/// Names: OpenAI / open_clip (`visual.conv1`, `visual.layer1.0.conv1`, `visual.layer1.0.downsample.0`
/// (conv) / `.1` (bn), `visual.attnpool.{positional_embedding,k_proj,q_proj,v_proj,c_proj}`), as
/// open_clip's `open_clip_pytorch_model.bin` and OpenAI's state dict store them; the text tower's
/// keys of a whole-CLIP file are ignored explicitly (`isTextTower`). A bare image-tower
/// state dict (no `visual.` prefix) loads too. timm: `stem.convN.conv/bn`,
/// `stages.N.M.{shortcut.conv,conv1_1x1,conv2_kxk,conv3_1x1}.{conv,bn}`, `head.{pos_embed,q,k,v,proj}`.
public struct CLIPModifiedResNet: ImageEmbeddingModel {
    public enum KeyNaming: String, Codable, Sendable {
        /// OpenAI CLIP / open_clip state dict names.
        case openai
        /// timm `resnet50_clip` names.
        case timm
    }

    public struct Configuration: Codable, Sendable, Equatable {
        /// Bottleneck blocks per stage.
        public var layers: [Int]
        /// Stem output width (64 for RN50); stage `s` has `width << s` planes, 4x expanded.
        public var width: Int
        public var heads: Int
        /// Width of the projected image feature.
        public var outputDim: Int
        /// Input size the attention pool's position embedding is for.
        public var imageSize: Int
        public var naming: KeyNaming
        /// Prefix of the image tower's keys in an OpenAI-named file (`visual.`, or empty).
        public var prefix: String

        /// CLIP RN50: layers 3, 4, 6, 3, width 64, 32 heads, 1024-d output, 224 px.
        public static let rn50 = Configuration(layers: [3, 4, 6, 3], width: 64, heads: 32, outputDim: 1024, imageSize: 224,
                                               naming: .openai, prefix: "visual.")

        public init(layers: [Int], width: Int, heads: Int, outputDim: Int, imageSize: Int, naming: KeyNaming,
                    prefix: String = "visual.") {
            self.layers = layers
            self.width = width
            self.heads = heads
            self.outputDim = outputDim
            self.imageSize = imageSize
            self.naming = naming
            self.prefix = prefix
        }
    }

    struct Bottleneck: Sendable {
        let conv1: Conv2d, conv2: Conv2d, conv3: Conv2d
        /// Average-pool window of the anti-aliased downsampling (1: none).
        let stride: Int
        let downsample: Conv2d?

        func callAsFunction(_ x: Tensor, context: ComputeContext) -> Tensor {
            var y = conv2(conv1(x, context: context), context: context)
            var shortcut = x
            if stride > 1 {
                y = Pooling.average(y, kernel: stride, stride: stride, context: context)
                shortcut = Pooling.average(x, kernel: stride, stride: stride, context: context)
            }
            let identity = downsample.map { $0(shortcut, context: context) } ?? shortcut
            return conv3(y, residual: identity, context: context)
        }

        /// The same block on activations in the blocked layout (`Conv2d+Blocked.swift`).
        func callAsFunction(_ x: BlockedTensor, context: ComputeContext) -> BlockedTensor {
            var y = conv2(conv1(x, context: context), context: context)
            var shortcut = x
            if stride > 1 {
                y = Pooling.average(y, kernel: stride, context: context)
                shortcut = Pooling.average(x, kernel: stride, context: context)
            }
            let identity = downsample.map { $0(shortcut, context: context) } ?? shortcut
            return conv3(y, residual: identity, context: context)
        }
    }

    public let name: String
    public let configuration: Configuration
    public let embeddingWidth: Int
    let stem: [Conv2d]
    let blocks: [Bottleneck]
    let attentionPool: AttentionPool2d

    /// The naming (and OpenAI prefix) a checkpoint uses, from its keys.
    public static func naming(of source: TensorSource) -> (KeyNaming, prefix: String) {
        if source.shape(of: "stem.conv1.conv.weight") != nil { return (.timm, "") }
        if source.shape(of: "conv1.weight") != nil && source.shape(of: "attnpool.c_proj.weight") != nil { return (.openai, "") }
        return (.openai, "visual.")
    }

    /// Keys of a whole-CLIP checkpoint's text tower and joint head (`transformer.*`,
    /// `token_embedding.*`, `ln_final.*`, `positional_embedding`, `text_projection`, `logit_scale`,
    /// and the `input_resolution` / `context_length` / `vocab_size` entries of OpenAI's file):
    /// ignored on purpose when the image tower's keys carry a prefix. Any other extra key is reported.
    public static func isTextTower(_ key: String) -> Bool {
        ["transformer.", "token_embedding.", "ln_final."].contains { key.hasPrefix($0) }
            || ["positional_embedding", "text_projection", "logit_scale", "input_resolution", "context_length", "vocab_size"].contains(key)
    }

    public init(name: String = "clip-rn50", configuration: Configuration = .rn50, loader: ParameterLoader) {
        self.name = name
        self.configuration = configuration
        let c = configuration, timm = c.naming == .timm, p = c.prefix
        if !timm && !p.isEmpty { loader.ignore(where: Self.isTextTower) }
        /// A convolution with its batch norm (and ReLU when `relu`), OpenAI key `openai` / timm key `timmKey`.
        func convBN(openai: (conv: String, bn: String), timm timmKey: String, _ inChannels: Int, _ outChannels: Int,
                    kernel: Int, stride: Int = 1, relu: Bool) -> Conv2d {
            loader.conv(timm ? timmKey + ".conv" : p + openai.conv, inChannels, outChannels, kernel: kernel, stride: stride,
                        padding: .symmetric(kernel / 2), bn: timm ? timmKey + ".bn" : p + openai.bn, activation: relu ? .relu : .identity)
        }
        let half = c.width / 2
        stem = [
            convBN(openai: ("conv1", "bn1"), timm: "stem.conv1", 3, half, kernel: 3, stride: 2, relu: true),
            convBN(openai: ("conv2", "bn2"), timm: "stem.conv2", half, half, kernel: 3, relu: true),
            convBN(openai: ("conv3", "bn3"), timm: "stem.conv3", half, c.width, kernel: 3, relu: true),
        ]
        var inplanes = c.width
        var blocks: [Bottleneck] = []
        for (stage, count) in c.layers.enumerated() {
            let planes = c.width << stage
            for index in 0..<count {
                let stride = index == 0 && stage > 0 ? 2 : 1
                let o = "layer\(stage + 1).\(index).", t = "stages.\(stage).\(index)."
                let needsDownsample = stride > 1 || inplanes != planes * 4
                // timm's state dict lists the shortcut first, OpenAI's last: ask in file order.
                func shortcut() -> Conv2d {
                    convBN(openai: (o + "downsample.0", o + "downsample.1"), timm: t + "shortcut.conv", inplanes, planes * 4,
                           kernel: 1, relu: false)
                }
                let early = timm && needsDownsample ? shortcut() : nil
                let conv1 = convBN(openai: (o + "conv1", o + "bn1"), timm: t + "conv1_1x1", inplanes, planes, kernel: 1, relu: true)
                let conv2 = convBN(openai: (o + "conv2", o + "bn2"), timm: t + "conv2_kxk", planes, planes, kernel: 3, relu: true)
                let conv3 = convBN(openai: (o + "conv3", o + "bn3"), timm: t + "conv3_1x1", planes, planes * 4, kernel: 1, relu: true)
                let downsample = early ?? (needsDownsample ? shortcut() : nil)
                blocks.append(Bottleneck(conv1: conv1, conv2: conv2, conv3: conv3, stride: stride, downsample: downsample))
                inplanes = planes * 4
            }
        }
        self.blocks = blocks
        let d = inplanes, grid = c.imageSize / 32, tokens = grid * grid + 1
        let positions = loader.tensor(timm ? "head.pos_embed" : p + "attnpool.positional_embedding", [tokens, d])
        let attention: MultiHeadAttention
        if timm {
            let q = loader.linear("head.q", d, d), k = loader.linear("head.k", d, d), v = loader.linear("head.v", d, d)
            attention = MultiHeadAttention(heads: c.heads, query: q, key: k, value: v, output: loader.linear("head.proj", d, c.outputDim))
        } else {
            // OpenAI's module order: k_proj, q_proj, v_proj, c_proj.
            let k = loader.linear(p + "attnpool.k_proj", d, d), q = loader.linear(p + "attnpool.q_proj", d, d)
            let v = loader.linear(p + "attnpool.v_proj", d, d)
            attention = MultiHeadAttention(heads: c.heads, query: q, key: k, value: v,
                                           output: loader.linear(p + "attnpool.c_proj", d, c.outputDim))
        }
        attentionPool = AttentionPool2d(positionalEmbedding: positions, tokens: tokens, attention: attention)
        embeddingWidth = c.outputDim
    }

    public func embed(_ images: Tensor, context: ComputeContext) -> Tensor {
        if DNNLConvolution.isEnabled, let first = stem.first {
            // The whole tower in oneDNN's blocked layout: the first convolution reads the plain
            // image, the last stage's output is converted back once for the attention pool.
            var blocked = first.blocked(images, context: context)
            for conv in stem.dropFirst() { blocked = conv(blocked, context: context) }
            blocked = Pooling.average(blocked, kernel: 2, context: context)
            for block in blocks { blocked = block(blocked, context: context) }
            return attentionPool(blocked.tensor(), context: context)
        }
        var x = images
        for conv in stem { x = conv(x, context: context) }
        x = Pooling.average(x, kernel: 2, stride: 2, context: context)
        for block in blocks { x = block(x, context: context) }
        return attentionPool(x, context: context)
    }

    /// CLIP's image tower has no classifier.
    public func classify(_ images: Tensor, context: ComputeContext) -> Tensor? { nil }
}
