/// EfficientNet-Lite0 as the PyPI package `efficientnet-lite-pytorch` builds it (lukemelas-style
/// key names: `_conv_stem`, `_bn0`, `_blocks.N._expand_conv` / `_depthwise_conv` /
/// `_project_conv` with `_bn0/1/2`, `_conv_head`, `_bn1`, `_fc`), ported from TensorFlow: TF
/// "SAME" padding, ReLU6, batch norm eps 1e-3, no squeeze-excitation, stem and head not
/// width-scaled. The embedding is the 1280-d globally pooled head output (before `_fc`).
///
/// SAME padding is computed from each layer's actual input size; the reference fixes it at
/// construction for `image_size` (224), which gives the same pads for 224 px inputs.
public struct EfficientNetLite: ImageEmbeddingModel {
    public struct Stage: Codable, Sendable, Equatable {
        public var repeats: Int
        public var kernel: Int
        public var stride: Int
        public var expandRatio: Int
        public var outChannels: Int
    }

    public struct Configuration: Codable, Sendable, Equatable {
        public var stemChannels: Int
        public var stages: [Stage]
        public var headChannels: Int
        /// Channel counts divided by this (1 for the real model).
        public var widthDivisor: Int
        public var classes: Int
        public var batchNormEps: Double

        /// EfficientNet-Lite0 (width and depth coefficient 1.0, 224 px).
        public static let lite0 = Configuration(
            stemChannels: 32,
            stages: [
                Stage(repeats: 1, kernel: 3, stride: 1, expandRatio: 1, outChannels: 16),
                Stage(repeats: 2, kernel: 3, stride: 2, expandRatio: 6, outChannels: 24),
                Stage(repeats: 2, kernel: 5, stride: 2, expandRatio: 6, outChannels: 40),
                Stage(repeats: 3, kernel: 3, stride: 2, expandRatio: 6, outChannels: 80),
                Stage(repeats: 3, kernel: 5, stride: 1, expandRatio: 6, outChannels: 112),
                Stage(repeats: 4, kernel: 5, stride: 2, expandRatio: 6, outChannels: 192),
                Stage(repeats: 1, kernel: 3, stride: 1, expandRatio: 6, outChannels: 320),
            ],
            headChannels: 1280, widthDivisor: 1, classes: 1000, batchNormEps: 1e-3)
    }

    /// Mobile inverted bottleneck: [expand 1x1] -> depthwise kxk -> project 1x1 (+ input).
    struct MBConv: Sendable {
        let expand: Conv2d?
        let depthwise: Conv2d
        let project: Conv2d
        let skip: Bool

        func callAsFunction(_ x: Tensor, context: ComputeContext) -> Tensor {
            var y = expand.map { $0(x, context: context) } ?? x
            y = depthwise(y, context: context)
            return project(y, residual: skip ? x : nil, context: context)
        }

        /// The same block on activations in the blocked layout (`Conv2d+Blocked.swift`).
        func callAsFunction(_ x: BlockedTensor, context: ComputeContext) -> BlockedTensor {
            var y = expand.map { $0(x, context: context) } ?? x
            y = depthwise(y, context: context)
            return project(y, residual: skip ? x : nil, context: context)
        }
    }

    public let name: String
    public let configuration: Configuration
    public let embeddingWidth: Int
    let stem: Conv2d
    let blocks: [MBConv]
    let head: Conv2d
    let fc: Linear?

    public init(name: String = "efficientnet-lite0", configuration: Configuration = .lite0, loader: ParameterLoader) {
        self.name = name
        self.configuration = configuration
        let d = configuration.widthDivisor, eps = configuration.batchNormEps
        let stemOut = configuration.stemChannels / d
        stem = loader.conv("_conv_stem", 3, stemOut, kernel: 3, stride: 2, padding: .tfSame, bn: "_bn0", bnEps: eps,
                           activation: .relu6)
        var blocks: [MBConv] = []
        var channels = stemOut
        for stage in configuration.stages {
            let out = stage.outChannels / d
            for r in 0..<stage.repeats {
                let p = "_blocks.\(blocks.count)."
                let stride = r == 0 ? stage.stride : 1
                let expanded = channels * stage.expandRatio
                let expand = stage.expandRatio == 1 ? nil
                    : loader.conv(p + "_expand_conv", channels, expanded, kernel: 1, bn: p + "_bn0", bnEps: eps, activation: .relu6)
                let depthwise = loader.conv(p + "_depthwise_conv", expanded, expanded, kernel: stage.kernel, stride: stride,
                                            padding: .tfSame, groups: expanded, bn: p + "_bn1", bnEps: eps, activation: .relu6)
                let project = loader.conv(p + "_project_conv", expanded, out, kernel: 1, bn: p + "_bn2", bnEps: eps)
                blocks.append(MBConv(expand: expand, depthwise: depthwise, project: project, skip: stride == 1 && channels == out))
                channels = out
            }
        }
        self.blocks = blocks
        let headOut = configuration.headChannels / d
        head = loader.conv("_conv_head", channels, headOut, kernel: 1, bn: "_bn1", bnEps: eps, activation: .relu6)
        embeddingWidth = headOut
        fc = loader.source == nil || loader.has("_fc.weight") ? loader.linear("_fc", headOut, configuration.classes) : nil
    }

    public func embed(_ images: Tensor, context: ComputeContext) -> Tensor {
        if DNNLConvolution.isEnabled {
            // The whole network in oneDNN's blocked layout: the stem reads the plain image, the
            // head's output is converted back once.
            var blocked = stem.blocked(images, context: context)
            for block in blocks { blocked = block(blocked, context: context) }
            return Pooling.globalAverage(head(blocked, context: context).tensor())
        }
        var x = stem(images, context: context)
        for block in blocks { x = block(x, context: context) }
        return Pooling.globalAverage(head(x, context: context))
    }

    public func classify(_ images: Tensor, context: ComputeContext) -> Tensor? {
        fc.map { $0(embed(images, context: context), context: context) }
    }
}
