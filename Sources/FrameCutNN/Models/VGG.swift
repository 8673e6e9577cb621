/// torchvision VGG with batch norm (VGG19-BN: configuration "E"). Loads torchvision key names
/// (`features.N.*`, `classifier.{0,3,6}.*`) and timm's (`features.N.*`, `pre_logits.fc{1,2}.*`
/// stored as 7x7 / 1x1 convolutions, `head.fc.*`), which hold the same numbers.
///
/// Embedding: by default "fc7", the 4096-d output of the second classifier layer after its ReLU
/// (the classifier minus its last layer); optionally the 25088-d flattened 7x7 pooled features
/// (the whole classifier removed). For 224 px inputs torchvision's and timm's heads compute the
/// same function; this implementation follows torchvision (adaptive average pool to 7x7, then
/// linear layers), which timm's `ConvMlp` equals whenever the feature map is at most 7x7.
public struct VGG: ImageEmbeddingModel {
    public enum Embedding: String, Codable, Sendable, CaseIterable {
        /// 4096-d output of the second fully connected layer (after ReLU).
        case fc7
        /// 25088-d flattened output of the 7x7 adaptive average pool.
        case pool
    }

    public enum KeyNaming: String, Codable, Sendable {
        case torchvision
        case timm
    }

    public struct Configuration: Codable, Sendable, Equatable {
        /// Convolution widths, 0 for a 2x2 max pool.
        public var features: [Int]
        public var widthDivisor: Int
        public var classes: Int
        public var embedding: Embedding
        public var naming: KeyNaming

        public static let vgg19BN = Configuration(
            features: [64, 64, 0, 128, 128, 0, 256, 256, 256, 256, 0, 512, 512, 512, 512, 0, 512, 512, 512, 512, 0],
            widthDivisor: 1, classes: 1000, embedding: .fc7, naming: .torchvision)

        public init(features: [Int], widthDivisor: Int, classes: Int, embedding: Embedding, naming: KeyNaming) {
            self.features = features
            self.widthDivisor = widthDivisor
            self.classes = classes
            self.embedding = embedding
            self.naming = naming
        }
    }

    enum Layer: Sendable {
        case conv(Conv2d)
        case maxPool
    }

    public let name: String
    public let configuration: Configuration
    public let embeddingWidth: Int
    let layers: [Layer]
    let fc6: Linear?
    let fc7: Linear?
    let head: Linear?

    /// The key naming a checkpoint uses, from its keys.
    public static func naming(of source: TensorSource) -> KeyNaming {
        source.shape(of: "pre_logits.fc1.weight") != nil ? .timm : .torchvision
    }

    public init(name: String = "vgg19-bn", configuration: Configuration = .vgg19BN, loader: ParameterLoader) {
        self.name = name
        self.configuration = configuration
        let d = configuration.widthDivisor
        var layers: [Layer] = []
        var channels = 3, index = 0
        for width in configuration.features {
            if width == 0 {
                layers.append(.maxPool)
                index += 1
            } else {
                let out = width / d
                layers.append(.conv(loader.conv("features.\(index)", channels, out, kernel: 3, padding: .symmetric(1), bias: true,
                                                bn: "features.\(index + 1)", activation: .relu)))
                channels = out
                index += 3
            }
        }
        self.layers = layers
        let pooled = channels * 49, hidden = 4096 / d
        let timm = configuration.naming == .timm
        let keys = timm ? ["pre_logits.fc1", "pre_logits.fc2", "head.fc"] : ["classifier.0", "classifier.3", "classifier.6"]
        // timm stores fc1 as a 7x7 convolution and fc2 as a 1x1 one: the same values in the same order.
        func dense(_ key: String, _ inFeatures: Int, _ outFeatures: Int, convShape: [Int], activation: Activation) -> Linear {
            let w = loader.tensor(key + ".weight", timm ? convShape : [outFeatures, inFeatures])
            return Linear(inFeatures: inFeatures, outFeatures: outFeatures, weight: w, bias: loader.tensor(key + ".bias", [outFeatures]),
                          activation: activation)
        }
        let wantsHead = loader.source == nil || loader.has(keys[2] + ".weight")
        if configuration.embedding == .fc7 || wantsHead {
            fc6 = dense(keys[0], pooled, hidden, convShape: [hidden, channels, 7, 7], activation: .relu)
            fc7 = dense(keys[1], hidden, hidden, convShape: [hidden, hidden, 1, 1], activation: .relu)
        } else {
            fc6 = nil
            fc7 = nil
        }
        head = wantsHead ? loader.linear(keys[2], hidden, configuration.classes) : nil
        embeddingWidth = configuration.embedding == .fc7 ? hidden : pooled
    }

    /// The flattened 7x7 pooled features.
    func pooledFeatures(_ images: Tensor, context: ComputeContext) -> Tensor {
        if DNNLConvolution.isEnabled, case .conv(let first)? = layers.first {
            // Every convolution in oneDNN's blocked layout (conv + folded batch norm + ReLU one
            // fused kernel, Winograd on the 3x3 layers), max pooling on the blocks; the first
            // layer reads the plain image, the last map is converted back once for the head.
            var x = first.blocked(images, context: context)
            for layer in layers.dropFirst() {
                switch layer {
                case .conv(let conv): x = conv(x, context: context)
                case .maxPool: x = Pooling.max(x, kernel: 2, stride: 2, context: context)
                }
            }
            return Pooling.adaptiveAverage(x.tensor(), outHeight: 7, outWidth: 7, context: context).flattened()
        }
        var x = images
        for layer in layers {
            switch layer {
            case .conv(let conv): x = conv(x, context: context)
            case .maxPool: x = Pooling.max(x, kernel: 2, stride: 2, context: context)
            }
        }
        return Pooling.adaptiveAverage(x, outHeight: 7, outWidth: 7, context: context).flattened()
    }

    public func embed(_ images: Tensor, context: ComputeContext) -> Tensor {
        let pooled = pooledFeatures(images, context: context)
        guard configuration.embedding == .fc7, let fc6, let fc7 else { return pooled }
        let flops = 2 * Double(images.batch * (fc6.inFeatures * fc6.outFeatures + fc7.inFeatures * fc7.outFeatures))
        return context.profiled(.fullyConnected, flops: flops) { fc7(fc6(pooled, context: context), context: context) }
    }

    public func classify(_ images: Tensor, context: ComputeContext) -> Tensor? {
        guard let fc6, let fc7, let head else { return nil }
        return head(fc7(fc6(pooledFeatures(images, context: context), context: context), context: context), context: context)
    }
}
