import FrameCutIO

/// Named tensors a model can be loaded from (a checkpoint's state dict).
public protocol TensorSource {
    /// Every key in file order.
    var keys: [String] { get }
    /// The shape of `key`, nil when absent.
    func shape(of key: String) -> [Int]?
    /// The values of `key` as float32.
    func floats(_ key: String) throws -> [Float]
}

/// Hands a model builder its parameters by key and shape, and checks strictly: every
/// requested tensor present with the requested shape, every tensor in the source used
/// (or declared ignorable by the model). Builders ask for every tensor first and receive
/// zeros for problems; `finish()` then reports all problems at once.
///
/// Every value must be finite and every batch-norm variance non-negative: a NaN or infinite
/// weight, or a negative `running_var`, is an error naming the tensor and the element (checked
/// here, at load, for every model), never a NaN embedding.
///
/// Without a source (a "dry run") it only records what the model expects: the model's key
/// manifest, compared in tests with the reference `state_dict()`.
public final class ParameterLoader {
    /// One expected tensor: key and shape.
    public typealias Expected = WeightSpec

    let model: String
    public let source: TensorSource?
    /// Maps a model key (in the model's canonical naming) to the key used in the source.
    let remap: (String) -> String
    /// Source keys that may stay unused (removed heads, auxiliary outputs).
    let ignorable: (String) -> Bool
    public private(set) var expected: [Expected] = []
    private var used = Set<String>()
    private var missing: [String] = []
    private var misshaped: [(key: String, expected: [Int], found: [Int])] = []
    private var unreadable: [(key: String, error: WeightFileError)] = []

    public init(model: String, source: TensorSource?, remap: @escaping (String) -> String = { $0 },
                ignorable: @escaping (String) -> Bool = { _ in false }) {
        self.model = model
        self.source = source
        self.remap = remap
        self.ignorable = ignorable
    }

    /// Whether the source has `key` (always false in a dry run). For optional parts such as a head.
    public func has(_ key: String) -> Bool {
        source?.shape(of: remap(key)) != nil
    }

    /// The values of `key`, which must have `shape` (zeros when it is missing or misshaped).
    public func tensor(_ key: String, _ shape: [Int]) -> [Float] {
        expected.append(Expected(key: key, shape: shape))
        let count = shape.reduce(1, *)
        guard let source else { return [Float](repeating: 0, count: count) }
        let fileKey = remap(key)
        guard let found = source.shape(of: fileKey) else {
            missing.append(fileKey)
            return [Float](repeating: 0, count: count)
        }
        used.insert(fileKey)
        guard found == shape else {
            misshaped.append((fileKey, shape, found))
            return [Float](repeating: 0, count: count)
        }
        do {
            let values = try source.floats(fileKey)
            guard values.count == count else {
                unreadable.append((fileKey, .inconsistentTensor(file: model, key: fileKey, reason: "\(values.count) values for shape \(shape)")))
                return [Float](repeating: 0, count: count)
            }
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                let what = values[bad].isNaN ? "NaN" : "infinite (\(values[bad]))"
                unreadable.append((fileKey, .inconsistentTensor(file: model, key: fileKey, reason: "element \(bad) is \(what); weights must be finite")))
                return [Float](repeating: 0, count: count)
            }
            if Self.isVariance(key), let channel = values.firstIndex(where: { $0 < 0 }) {
                unreadable.append((fileKey, .inconsistentTensor(file: model, key: fileKey,
                                                                reason: "channel \(channel) has negative variance \(values[channel]); a batch-norm variance cannot be negative")))
                return [Float](repeating: 0, count: count)
            }
            return values
        } catch let error as WeightFileError {
            unreadable.append((fileKey, error))
            return [Float](repeating: 0, count: count)
        } catch {
            unreadable.append((fileKey, .inconsistentTensor(file: model, key: fileKey, reason: "\(error)")))
            return [Float](repeating: 0, count: count)
        }
    }

    /// Whether a model key holds a batch-norm variance (which must not be negative).
    static func isVariance(_ key: String) -> Bool {
        key.hasSuffix("running_var") || key.hasSuffix("moving_variance")
    }

    /// Marks `key` as expected and used without reading it (e.g. `num_batches_tracked`).
    public func accept(_ key: String, _ shape: [Int]) {
        expected.append(Expected(key: key, shape: shape))
        guard let source else { return }
        let fileKey = remap(key)
        if source.shape(of: fileKey) == nil { missing.append(fileKey) } else { used.insert(fileKey) }
    }

    /// Throws `WeightFileError.mismatch` listing every missing, unexpected and misshaped tensor
    /// (or the first tensor that could not be decoded).
    public func finish() throws(WeightFileError) {
        guard let source else { return }
        if let first = unreadable.first { throw first.error }
        let unexpected = source.keys.filter { !used.contains($0) && !ignorable($0) }
        if !missing.isEmpty || !unexpected.isEmpty || !misshaped.isEmpty {
            throw .mismatch(model: model, missing: missing, unexpected: unexpected,
                            misshaped: misshaped.map { WeightShapeMismatch(key: $0.key, expected: $0.expected, found: $0.found) })
        }
    }
}

extension ParameterLoader {
    /// Batch-norm parameters under `prefix` (`.weight`, `.bias`, `.running_mean`, `.running_var`,
    /// and `.num_batches_tracked` where the checkpoint convention has it).
    public func batchNorm(_ prefix: String, _ channels: Int, eps: Double, tracksBatches: Bool = true) -> BatchNormParameters {
        let p = BatchNormParameters(weight: tensor(prefix + ".weight", [channels]),
                                    bias: tensor(prefix + ".bias", [channels]),
                                    runningMean: tensor(prefix + ".running_mean", [channels]),
                                    runningVar: tensor(prefix + ".running_var", [channels]),
                                    eps: eps)
        if tracksBatches && (source == nil || has(prefix + ".num_batches_tracked")) {
            accept(prefix + ".num_batches_tracked", [])
        }
        return p
    }

    /// A convolution `prefix.weight` (+ `prefix.bias` when `bias`), with batch norm `bn` folded in.
    public func conv(_ prefix: String, _ inChannels: Int, _ outChannels: Int, kernel: (Int, Int), stride: (Int, Int) = (1, 1),
                     padding: Padding = .none, groups: Int = 1, bias: Bool = false,
                     bn: String? = nil, bnEps: Double = 1e-5, activation: Activation = .identity) -> Conv2d {
        let w = tensor(prefix + ".weight", [outChannels, inChannels / groups, kernel.0, kernel.1])
        let b = bias ? tensor(prefix + ".bias", [outChannels]) : nil
        let norm = bn.map { batchNorm($0, outChannels, eps: bnEps) }
        return Conv2d(inChannels: inChannels, outChannels: outChannels, kernel: kernel, stride: stride, padding: padding,
                      groups: groups, weight: w, bias: b, batchNorm: norm, activation: activation)
    }

    /// A square-kernel convolution.
    public func conv(_ prefix: String, _ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1,
                     padding: Padding = .none, groups: Int = 1, bias: Bool = false,
                     bn: String? = nil, bnEps: Double = 1e-5, activation: Activation = .identity) -> Conv2d {
        conv(prefix, inChannels, outChannels, kernel: (kernel, kernel), stride: (stride, stride), padding: padding,
             groups: groups, bias: bias, bn: bn, bnEps: bnEps, activation: activation)
    }

    /// A linear layer `prefix.weight` `[out, in]` and `prefix.bias`.
    public func linear(_ prefix: String, _ inFeatures: Int, _ outFeatures: Int, bias: Bool = true,
                       activation: Activation = .identity) -> Linear {
        Linear(inFeatures: inFeatures, outFeatures: outFeatures, weight: tensor(prefix + ".weight", [outFeatures, inFeatures]),
               bias: bias ? tensor(prefix + ".bias", [outFeatures]) : nil, activation: activation)
    }
}
