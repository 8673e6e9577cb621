/// timm's `inception_resnet_v2` (Szegedy et al., Inception-ResNet-v2; 299 px input), with
/// timm's module tree and key names: the stem `conv2d_1a` … `conv2d_4a`, `mixed_5b`, ten
/// `Block35` in `repeat`, `mixed_6a`, twenty `Block17` in `repeat_1`, `mixed_7a`, nine
/// `Block8` in `repeat_2`, the final `block8` (scale 1, no ReLU), `conv2d_7b` and the `classif`
/// head. Every `BasicConv2d` (`.conv` + `.bn`, eps 0.001, ReLU) is one convolution with the
/// batch norm folded in. The embedding is the globally pooled `conv2d_7b` output (1536-d at
/// full width); the `classif` head is optional in the weights and, when present, gives `classify`.
///
/// Two rewrites keep the forward pass lean without changing its result:
/// - a block's residual `relu(conv2d(branches) * scale + x)` runs as one convolution whose
///   weight and bias are pre-multiplied by `scale`, with `x` added and the ReLU applied in its epilogue;
/// - the leading 1x1 convolutions of parallel branches (which all read the same input) run
///   as one merged convolution whose output is then split by channel.
///
/// With oneDNN the activations stay in its blocked layout from the first convolution to the
/// last (`BlockedTensor`, `Conv2d+Blocked`): each branch reads its part of the merged head and
/// writes its output into the concatenation in place (`Conv2d+BlockedSlices`). One body serves
/// both layouts (`LayerActivations`).
public struct InceptionResNetV2: ImageEmbeddingModel {
    public struct Configuration: Codable, Sendable, Equatable {
        /// Channel counts divided by this (1 for the real model; tests use reduced widths). The
        /// 3 image channels and `classes` are not divided; the width of a residual stage is the
        /// sum of its concatenated branches (320, 1088, 2080 divided by the divisor when it
        /// divides every branch width, as 1, 2, 4 and 8 do).
        public var widthDivisor: Int
        public var classes: Int
        /// Residual blocks in `repeat` (Block35), `repeat_1` (Block17) and `repeat_2` (Block8).
        public var repeats: [Int]

        public static let real = Configuration(widthDivisor: 1, classes: 1000)

        public init(widthDivisor: Int, classes: Int, repeats: [Int] = [10, 20, 9]) {
            self.widthDivisor = widthDivisor
            self.classes = classes
            self.repeats = repeats
        }

        private enum CodingKeys: String, CodingKey { case widthDivisor, classes, repeats }

        /// `repeats` may be omitted (the real model's `[10, 20, 9]`).
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(widthDivisor: try c.decode(Int.self, forKey: .widthDivisor),
                      classes: try c.decode(Int.self, forKey: .classes),
                      repeats: try c.decodeIfPresent([Int].self, forKey: .repeats) ?? [10, 20, 9])
        }
    }

    /// What a branch applies to the shared input before its convolutions.
    enum BranchStart: Sendable {
        /// The `index`-th part of the merged leading 1x1 convolution.
        case head(Int)
        /// `AvgPool2d(3, stride 1, padding 1, count_include_pad=False)` (`mixed_5b.branch3.0`).
        case averagePool
        /// `MaxPool2d(3, stride 2)`, no padding (`mixed_6a.branch2`, `mixed_7a.branch3`).
        case maxPool
        /// Nothing: the branch's first convolution reads the input.
        case input
    }

    struct Branch: Sendable {
        let start: BranchStart
        let convs: [Conv2d]
    }

    /// Parallel branches over one input, concatenated along channels (timm's `Mixed_*`, and
    /// the branch part of `Block35/17/8`).
    struct Branches: Sendable {
        /// The branches' leading 1x1 convolutions merged into one (nil when no branch starts with one).
        let head: Conv2d?
        /// Output channels of each merged part, in branch order.
        let headWidths: [Int]
        let branches: [Branch]
        let outChannels: Int

        /// The branches on `x`, concatenated. The output is allocated once and each branch's last
        /// convolution writes into its channels; a branch reads its part of the merged head by
        /// channel range. On blocked activations both happen in place wherever the channels are
        /// whole 16-channel blocks (at full width all are; `Conv2d+BlockedSlices`). With
        /// `inPlace: false` every part is copied out and every output copied in, as a split and
        /// a concatenation would (the same values, bit for bit; for tests).
        func callAsFunction<A: LayerActivations>(_ x: A, context: ComputeContext, inPlace: Bool = true) -> A {
            let merged = head.map { x.convolved(by: $0, residual: nil, context: context) }
            let size = outputSize(height: x.height, width: x.width)
            var out = A.unfilled(batch: x.batch, channels: outChannels, height: size.0, width: size.1)
            var offset = 0
            for branch in branches {
                // The branch's input: channels `range` of `y`.
                var y: A, range: Range<Int>
                switch branch.start {
                case .head(let i):
                    y = merged ?? x   // `.head` branches exist only beside a merged head (`Builder.branches`)
                    let first = headWidths[..<i].reduce(0, +)
                    range = first..<(first + headWidths[i])
                case .averagePool:
                    y = x.averagePooled(kernel: 3, stride: 1, padding: .symmetric(1), countIncludesPadding: false, context: context)
                    range = 0..<y.channels
                case .maxPool:
                    y = x.maxPooled(kernel: 3, stride: 2, padding: .none, context: context)
                    range = 0..<y.channels
                case .input:
                    y = x
                    range = 0..<y.channels
                }
                if !inPlace && range != 0..<y.channels {
                    y = y.channels(range)
                    range = 0..<y.channels
                }
                for conv in branch.convs.dropLast() {
                    y = y.convolved(by: conv, channels: range, context: context)
                    range = 0..<y.channels
                }
                if let last = branch.convs.last {
                    if inPlace {
                        out.write(last, on: y, channels: range, at: offset, context: context)
                    } else {
                        out.write(y.convolved(by: last, channels: range, context: context), channels: nil, at: offset)
                    }
                    offset += last.outChannels
                } else {
                    out.write(y, channels: range, at: offset)
                    offset += range.count
                }
            }
            return out
        }

        /// The output plane for an input of `height x width` (every branch gives the same).
        func outputSize(height: Int, width: Int) -> (Int, Int) {
            guard let branch = branches.first else { return (height, width) }
            var size = (height, width)
            if branch.start == .maxPool { size = ((size.0 - 3) / 2 + 1, (size.1 - 3) / 2 + 1) }
            for conv in branch.convs { size = conv.outputSize(height: size.0, width: size.1) }
            return size
        }
    }

    /// `Block35`, `Block17`, `Block8`: `act(conv2d(cat(branches)) * scale + x)`, the scale
    /// folded into `conv2d` and the add and activation fused into it.
    struct ResidualBlock: Sendable {
        let branches: Branches
        let conv2d: Conv2d

        /// On either layout; on the blocked one the residual add and ReLU are oneDNN post-ops of `conv2d`.
        func callAsFunction<A: LayerActivations>(_ x: A, context: ComputeContext) -> A {
            branches(x, context: context).convolved(by: conv2d, residual: x, context: context)
        }
    }

    public let name: String
    public let configuration: Configuration
    public let embeddingWidth: Int
    let stem: [Conv2d]            // conv2d_1a, conv2d_2a, conv2d_2b
    let stem2: [Conv2d]           // conv2d_3b, conv2d_4a
    let mixed5b: Branches
    let repeat0: [ResidualBlock]  // `repeat`: Block35 x 10
    let mixed6a: Branches
    let repeat1: [ResidualBlock]  // `repeat_1`: Block17 x 20
    let mixed7a: Branches
    let repeat2: [ResidualBlock]  // `repeat_2`: Block8 x 9
    let block8: ResidualBlock
    let conv2d7b: Conv2d
    let classif: Linear?

    /// Builds the network from `loader` (which records and checks every key).
    public init(name: String = "inception-resnet-v2", configuration: Configuration = .real, loader: ParameterLoader) {
        let d = max(configuration.widthDivisor, 1)
        let repeats = configuration.repeats + [Int](repeating: 0, count: max(0, 3 - configuration.repeats.count))
        self.name = name
        self.configuration = configuration
        let b = Builder(loader: loader, divisor: d)

        stem = [b.basic("conv2d_1a", 3, 32, kernel: 3, stride: 2),
                b.basic("conv2d_2a", 32 / d, 32, kernel: 3),
                b.basic("conv2d_2b", 32 / d, 64, kernel: 3, padding: 1)]
        stem2 = [b.basic("conv2d_3b", 64 / d, 80, kernel: 1),
                 b.basic("conv2d_4a", 80 / d, 192, kernel: 3)]
        var width = 192 / d

        // Mixed_5b: 96 | 48 -> 64 (5x5) | 64 -> 96 -> 96 (3x3) | avg pool -> 64.
        mixed5b = b.branches("mixed_5b", width, [
            .init(name: "branch0", start: .input, convs: [.init(96, kernel: 1)]),
            .init(name: "branch1", start: .input, convs: [.init(48, kernel: 1), .init(64, kernel: 5, padding: 2)]),
            .init(name: "branch2", start: .input, convs: [.init(64, kernel: 1), .init(96, kernel: 3, padding: 1),
                                                          .init(96, kernel: 3, padding: 1)]),
            .init(name: "branch3", start: .averagePool, convs: [.init(64, kernel: 1)]),
        ])
        width = mixed5b.outChannels

        // Block35 (35x35 at 299 px): 32 | 32 -> 32 | 32 -> 48 -> 64, up to `width`, scale 0.17.
        repeat0 = (0..<repeats[0]).map { i in
            b.residual("repeat.\(i)", width, scale: 0.17, relu: true, [
                .init(name: "branch0", start: .input, convs: [.init(32, kernel: 1)]),
                .init(name: "branch1", start: .input, convs: [.init(32, kernel: 1), .init(32, kernel: 3, padding: 1)]),
                .init(name: "branch2", start: .input, convs: [.init(32, kernel: 1), .init(48, kernel: 3, padding: 1),
                                                              .init(64, kernel: 3, padding: 1)]),
            ])
        }

        // Mixed_6a: 384 (3x3 s2) | 256 -> 256 -> 384 (s2) | max pool.
        mixed6a = b.branches("mixed_6a", width, [
            .init(name: "branch0", start: .input, convs: [.init(384, kernel: 3, stride: 2)]),
            .init(name: "branch1", start: .input, convs: [.init(256, kernel: 1), .init(256, kernel: 3, padding: 1),
                                                          .init(384, kernel: 3, stride: 2)]),
            .init(name: "branch2", start: .maxPool, convs: []),
        ])
        width = mixed6a.outChannels

        // Block17 (17x17): 192 | 128 -> 160 (1x7) -> 192 (7x1), scale 0.10.
        repeat1 = (0..<repeats[1]).map { i in
            b.residual("repeat_1.\(i)", width, scale: 0.10, relu: true, [
                .init(name: "branch0", start: .input, convs: [.init(192, kernel: 1)]),
                .init(name: "branch1", start: .input, convs: [.init(128, kernel: 1), .init(160, kernel: (1, 7), padding: (0, 3)),
                                                              .init(192, kernel: (7, 1), padding: (3, 0))]),
            ])
        }

        // Mixed_7a: 256 -> 384 (s2) | 256 -> 288 (s2) | 256 -> 288 -> 320 (s2) | max pool.
        mixed7a = b.branches("mixed_7a", width, [
            .init(name: "branch0", start: .input, convs: [.init(256, kernel: 1), .init(384, kernel: 3, stride: 2)]),
            .init(name: "branch1", start: .input, convs: [.init(256, kernel: 1), .init(288, kernel: 3, stride: 2)]),
            .init(name: "branch2", start: .input, convs: [.init(256, kernel: 1), .init(288, kernel: 3, padding: 1),
                                                          .init(320, kernel: 3, stride: 2)]),
            .init(name: "branch3", start: .maxPool, convs: []),
        ])
        width = mixed7a.outChannels

        // Block8 (8x8): 192 | 192 -> 224 (1x3) -> 256 (3x1), scale 0.20; the last one scale 1, no ReLU.
        func block8Branches() -> [BranchSpec] {
            [.init(name: "branch0", start: .input, convs: [.init(192, kernel: 1)]),
             .init(name: "branch1", start: .input, convs: [.init(192, kernel: 1), .init(224, kernel: (1, 3), padding: (0, 1)),
                                                           .init(256, kernel: (3, 1), padding: (1, 0))])]
        }
        repeat2 = (0..<repeats[2]).map { i in b.residual("repeat_2.\(i)", width, scale: 0.20, relu: true, block8Branches()) }
        block8 = b.residual("block8", width, scale: 1, relu: false, block8Branches())

        conv2d7b = b.basic("conv2d_7b", width, 1536, kernel: 1)
        embeddingWidth = 1536 / d
        classif = loader.has("classif.weight") || loader.source == nil
            ? loader.linear("classif", embeddingWidth, configuration.classes) : nil
    }

    public func embed(_ images: Tensor, context: ComputeContext) -> Tensor {
        if DNNLConvolution.isEnabled, let first = stem.first {
            // The whole network in oneDNN's blocked layout: the first convolution reads the plain
            // image, `conv2d_7b`'s output is converted back once for the global pool.
            return Pooling.globalAverage(features(first.blocked(images, context: context), stemDone: 1, context: context).tensor())
        }
        return Pooling.globalAverage(features(images, stemDone: 0, context: context))
    }

    /// `conv2d_7b`'s output, from the output of the first `stemDone` stem convolutions on.
    private func features<A: LayerActivations>(_ input: A, stemDone: Int, context: ComputeContext) -> A {
        var x = input
        for conv in stem.dropFirst(stemDone) { x = x.convolved(by: conv, residual: nil, context: context) }
        x = x.maxPooled(kernel: 3, stride: 2, padding: .none, context: context)       // maxpool_3a
        for conv in stem2 { x = x.convolved(by: conv, residual: nil, context: context) }
        x = x.maxPooled(kernel: 3, stride: 2, padding: .none, context: context)       // maxpool_5a
        x = mixed5b(x, context: context)
        for block in repeat0 { x = block(x, context: context) }
        x = mixed6a(x, context: context)
        for block in repeat1 { x = block(x, context: context) }
        x = mixed7a(x, context: context)
        for block in repeat2 { x = block(x, context: context) }
        x = block8(x, context: context)
        return x.convolved(by: conv2d7b, residual: nil, context: context)
    }

    public func classify(_ images: Tensor, context: ComputeContext) -> Tensor? {
        classif.map { $0(embed(images, context: context), context: context) }
    }
}

// MARK: - Building

extension InceptionResNetV2 {
    /// One `BasicConv2d` of a branch, channels at full width.
    struct ConvSpec {
        let out: Int, kernel: (Int, Int), stride: Int, padding: (Int, Int)

        init(_ out: Int, kernel: Int, stride: Int = 1, padding: Int = 0) {
            self.init(out, kernel: (kernel, kernel), stride: stride, padding: (padding, padding))
        }

        init(_ out: Int, kernel: (Int, Int), stride: Int = 1, padding: (Int, Int)) {
            self.out = out
            self.kernel = kernel
            self.stride = stride
            self.padding = padding
        }

        var isPointwise: Bool { kernel == (1, 1) && stride == 1 && padding == (0, 0) }
    }

    struct BranchSpec {
        let name: String
        let start: BranchStart
        let convs: [ConvSpec]
    }

    /// Reads parameters in timm's key order and applies the width divisor.
    struct Builder {
        let loader: ParameterLoader
        let divisor: Int

        /// `prefix.conv` + `prefix.bn` (eps 0.001) + ReLU; `out` at full width, `inChannels` already divided.
        func basic(_ prefix: String, _ inChannels: Int, _ out: Int, kernel: (Int, Int), stride: Int = 1,
                   padding: (Int, Int) = (0, 0)) -> Conv2d {
            loader.conv(prefix + ".conv", inChannels, out / divisor, kernel: kernel, stride: (stride, stride),
                        padding: .symmetric(padding.0, padding.1), bn: prefix + ".bn", bnEps: 1e-3, activation: .relu)
        }

        func basic(_ prefix: String, _ inChannels: Int, _ out: Int, kernel: Int, stride: Int = 1, padding: Int = 0) -> Conv2d {
            basic(prefix, inChannels, out, kernel: (kernel, kernel), stride: stride, padding: (padding, padding))
        }

        /// The branches of `prefix` over an input of `inChannels`. Single-convolution branches are
        /// named `prefix.branchN`, sequences `prefix.branchN.i` (after a pooling layer, from `.1`).
        func branches(_ prefix: String, _ inChannels: Int, _ specs: [BranchSpec]) -> Branches {
            var heads: [Conv2d] = []
            var branches: [Branch] = []
            var outChannels = 0
            for spec in specs {
                let first = spec.start == .averagePool ? 1 : 0
                let single = spec.convs.count == 1 && spec.start == .input
                var width = inChannels
                var convs: [Conv2d] = []
                for (i, c) in spec.convs.enumerated() {
                    let p = single ? "\(prefix).\(spec.name)" : "\(prefix).\(spec.name).\(first + i)"
                    convs.append(basic(p, width, c.out, kernel: c.kernel, stride: c.stride, padding: c.padding))
                    width = c.out / divisor
                }
                var start = spec.start
                if start == .input, let c = spec.convs.first, c.isPointwise {
                    start = .head(heads.count)
                    heads.append(convs.removeFirst())
                }
                branches.append(Branch(start: start, convs: convs))
                outChannels += width
            }
            return Branches(head: mergedPointwise(heads), headWidths: heads.map(\.outChannels),
                            branches: branches, outChannels: outChannels)
        }

        /// A residual block: its branches, then `prefix.conv2d` (1x1 with bias) back to `width`
        /// channels, pre-scaled by `scale`, adding the block input and applying ReLU when `relu`.
        func residual(_ prefix: String, _ width: Int, scale: Double, relu: Bool, _ specs: [BranchSpec]) -> ResidualBlock {
            let branches = branches(prefix, width, specs)
            let cin = branches.outChannels
            var weight = loader.tensor(prefix + ".conv2d.weight", [width, cin, 1, 1])
            var bias = loader.tensor(prefix + ".conv2d.bias", [width])
            if scale != 1 {
                for i in weight.indices { weight[i] = Float(Double(weight[i]) * scale) }
                for i in bias.indices { bias[i] = Float(Double(bias[i]) * scale) }
            }
            let conv2d = Conv2d(inChannels: cin, outChannels: width, kernel: (1, 1), weight: weight, bias: bias,
                                activation: relu ? .relu : .identity)
            return ResidualBlock(branches: branches, conv2d: conv2d)
        }

        /// 1x1 stride-1 convolutions over the same input stacked into one (nil for none, the
        /// convolution itself for one). They share the activation (ReLU) and have folded biases.
        func mergedPointwise(_ convs: [Conv2d]) -> Conv2d? {
            guard let first = convs.first else { return nil }
            if convs.count == 1 { return first }
            return Conv2d(inChannels: first.inChannels, outChannels: convs.reduce(0) { $0 + $1.outChannels }, kernel: (1, 1),
                          weight: convs.flatMap(\.weight), bias: convs.flatMap(\.bias), activation: first.activation)
        }
    }
}

extension InceptionResNetV2.BranchStart: Equatable {}
