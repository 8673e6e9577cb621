/// torchvision ResNet with bottleneck blocks (ResNet-50: `[3, 4, 6, 3]`), the v1.5 variant
/// that strides in the 3x3 convolution. timm's `resnet50` uses the same key names.
/// The embedding is the globally pooled output of the last stage (2048-d at full width);
/// the `fc` head is optional in the weights and, when present, gives `classify`.
public struct ResNet: ImageEmbeddingModel {
    public struct Configuration: Codable, Sendable, Equatable {
        public var layers: [Int]
        /// Channel counts divided by this (1 for the real model; tests use reduced widths).
        public var widthDivisor: Int
        public var classes: Int
        public static let resnet50 = Configuration(layers: [3, 4, 6, 3], widthDivisor: 1, classes: 1000)

        public init(layers: [Int], widthDivisor: Int, classes: Int) {
            self.layers = layers
            self.widthDivisor = widthDivisor
            self.classes = classes
        }
    }

    struct Bottleneck: Sendable {
        let conv1: Conv2d, conv2: Conv2d, conv3: Conv2d
        let downsample: Conv2d?

        /// The block on either layout (`LayerActivations`); on the blocked one the residual add
        /// and ReLU are oneDNN post-ops of `conv3`.
        func callAsFunction<A: LayerActivations>(_ x: A, context: ComputeContext) -> A {
            let identity = downsample.map { x.convolved(by: $0, residual: nil, context: context) } ?? x
            let y = x.convolved(by: conv1, residual: nil, context: context).convolved(by: conv2, residual: nil, context: context)
            return y.convolved(by: conv3, residual: identity, context: context)
        }
    }

    public let name: String
    public let configuration: Configuration
    public let embeddingWidth: Int
    let stem: Conv2d
    let blocks: [Bottleneck]
    let fc: Linear?

    /// Builds the network from `loader` (which records and checks every key).
    public init(name: String = "resnet50", configuration: Configuration = .resnet50, loader: ParameterLoader) {
        let d = configuration.widthDivisor
        let expansion = 4
        self.name = name
        self.configuration = configuration
        stem = loader.conv("conv1", 3, 64 / d, kernel: 7, stride: 2, padding: .symmetric(3), bn: "bn1", activation: .relu)
        var inplanes = 64 / d
        var blocks: [Bottleneck] = []
        for (stage, count) in configuration.layers.enumerated() {
            let planes = (64 << stage) / d
            for b in 0..<count {
                let stride = (b == 0 && stage > 0) ? 2 : 1
                let p = "layer\(stage + 1).\(b)"
                let conv1 = loader.conv(p + ".conv1", inplanes, planes, kernel: 1, bn: p + ".bn1", activation: .relu)
                let conv2 = loader.conv(p + ".conv2", planes, planes, kernel: 3, stride: stride, padding: .symmetric(1),
                                        bn: p + ".bn2", activation: .relu)
                let conv3 = loader.conv(p + ".conv3", planes, planes * expansion, kernel: 1, bn: p + ".bn3", activation: .relu)
                var downsample: Conv2d?
                if b == 0 && (stride != 1 || inplanes != planes * expansion) {
                    downsample = loader.conv(p + ".downsample.0", inplanes, planes * expansion, kernel: 1, stride: stride,
                                             bn: p + ".downsample.1")
                }
                blocks.append(Bottleneck(conv1: conv1, conv2: conv2, conv3: conv3, downsample: downsample))
                inplanes = planes * expansion
            }
        }
        self.blocks = blocks
        embeddingWidth = inplanes
        fc = loader.has("fc.weight") || loader.source == nil
            ? loader.linear("fc", inplanes, configuration.classes) : nil
    }

    public func embed(_ images: Tensor, context: ComputeContext) -> Tensor {
        if DNNLConvolution.isEnabled {
            // The whole network in oneDNN's blocked layout: the stem reads the plain image, the
            // last stage's output is converted back once.
            return Pooling.globalAverage(stages(stem.blocked(images, context: context), context: context).tensor())
        }
        return Pooling.globalAverage(stages(stem(images, context: context), context: context))
    }

    /// The max pool and the bottleneck stages on the stem's output.
    private func stages<A: LayerActivations>(_ stemOutput: A, context: ComputeContext) -> A {
        var x = stemOutput.maxPooled(kernel: 3, stride: 2, padding: .symmetric(1), context: context)
        for block in blocks { x = block(x, context: context) }
        return x
    }

    public func classify(_ images: Tensor, context: ComputeContext) -> Tensor? {
        fc.map { $0(embed(images, context: context), context: context) }
    }
}
