import Foundation
import Testing
import FrameCutIO
@testable import FrameCutNN

/// Reduced-width, full-depth models with seeded random weights, built by the reference code
/// (scripts/reference/nn_fixtures.py -> Fixtures/models/NAME/).
enum ModelFixtures {
    static func folder(_ name: String) -> URL {
        URL(fileURLWithPath: NNFixtures.root.path + "/models/" + name)
    }

    static func tensor(_ name: String, _ file: String) throws -> Tensor {
        let array = try NPYFile.read(contentsOf: URL(fileURLWithPath: folder(name).path + "/" + file))
        return Tensor(shape: array.shape, values: array.floatValues())
    }

    static func weights(_ name: String, _ file: String = "weights.safetensors") throws -> StateDict {
        try StateDict.load(contentsOf: URL(fileURLWithPath: folder(name).path + "/" + file))
    }

    /// Loads the fixture's weights into the model `build` makes, strictly.
    static func load<M>(_ name: String, file: String = "weights.safetensors",
                        _ build: (ParameterLoader) -> M) throws -> M {
        let loader = ParameterLoader(model: name, source: try weights(name, file))
        let model = build(loader)
        try loader.finish()
        return model
    }

    /// Embedding and logits of `model` equal the reference per element (`parityRatio`), on 1, 2 and 3 threads
    /// (bit-identical across thread counts), and each image's embedding does not depend on its batch.
    static func checkParity(_ model: some ImageEmbeddingModel, fixture: String,
                            sourceLocation: SourceLocation = #_sourceLocation) throws {
        let input = try tensor(fixture, "input.npy")
        let embedding = try tensor(fixture, "embedding.npy")
        let logits = try tensor(fixture, "logits.npy")
        var first: Tensor?
        for threads in [1, 2, 3] {
            let context = ComputeContext(threads: threads)
            let e = model.embed(input, context: context)
            // The work partition does not depend on the thread count: bit-identical results.
            if let first { #expect(e == first, "\(fixture): \(threads) threads differ from 1", sourceLocation: sourceLocation) }
            first = first ?? e
            #expect(e.shape == embedding.shape, sourceLocation: sourceLocation)
            #expect(parityRatio(e, embedding) <= 1, "\(fixture) embedding, \(threads) threads: \(parityRatio(e, embedding))",
                    sourceLocation: sourceLocation)
            let l = try #require(model.classify(input, context: context), sourceLocation: sourceLocation)
            #expect(parityRatio(l, logits) <= 1, "\(fixture) logits, \(threads) threads: \(parityRatio(l, logits))",
                    sourceLocation: sourceLocation)
        }
        if let first {
            for threads in [1, 2] {
                let batched = model.embedBatch(input, context: ComputeContext(threads: threads))
                #expect(batched == first, "\(fixture): embedBatch differs from embed", sourceLocation: sourceLocation)
            }
        }
        if input.batch > 1, let first {
            let alone = model.embed(input.slice(batch: 1..<2), context: ComputeContext(threads: 2))
            #expect(alone == first.slice(batch: 1..<2), "\(fixture): an image's embedding depends on its batch", sourceLocation: sourceLocation)
        }
    }
}

@Suite("Models: parity with the reference implementations")
struct ModelParityTests {
    @Test("ResNet-50 (torchvision, width/8) from safetensors F16 and from torch zip .pth")
    func resnet50() throws {
        let configuration = ResNet.Configuration(layers: [3, 4, 6, 3], widthDivisor: 8, classes: 10)
        for file in ["weights.safetensors", "weights.pth"] {
            let model = try ModelFixtures.load("resnet50", file: file) { ResNet(configuration: configuration, loader: $0) }
            #expect(model.embeddingWidth == 256)
            try ModelFixtures.checkParity(model, fixture: "resnet50")
        }
    }
}

@Suite("Models: wrong weights are refused with every problem listed")
struct WrongWeightsTests {
    @Test("reduced-width weights into the full-size ResNet-50: every mis-shaped key is named")
    func misshaped() throws {
        let weights = try ModelFixtures.weights("resnet50")
        do {
            _ = try ModelCatalog.resnet50.load(weights)
            Issue.record("loaded width/8 weights into ResNet-50")
        } catch let error {
            guard case .mismatch(let model, let missing, let unexpected, let misshaped) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(model == "resnet50")
            #expect(missing.isEmpty && unexpected.isEmpty)
            #expect(misshaped.contains(WeightShapeMismatch(key: "conv1.weight", expected: [64, 3, 7, 7], found: [8, 3, 7, 7])))
            #expect(misshaped.count == 320 - 53)  // every tensor but the 53 scalar num_batches_tracked
            #expect(error.description.contains("mis-shaped"))
        }
    }

    @Test("another architecture's weights: missing and unexpected keys are listed")
    func otherModel() throws {
        let weights = try ModelFixtures.weights("vgg19_bn")
        #expect {
            _ = try ModelCatalog.efficientNetLite0.load(weights)
        } throws: { error in
            let text = "\(error)"
            return text.contains("weights do not match efficientnet-lite0") && text.contains("missing (") && text.contains("unexpected (")
        }
    }
}

@Suite("Models: VGG19-BN parity")
struct VGGParityTests {
    /// The fixtures' configuration: width/16, 10 classes.
    static var fixtureConfiguration: VGG.Configuration {
        var configuration = VGG.Configuration.vgg19BN
        configuration.widthDivisor = 16
        configuration.classes = 10
        return configuration
    }

    @Test("VGG19-BN (torchvision names, BF16 weights): fc7 embedding, pooled embedding, logits")
    func torchvision() throws {
        var configuration = Self.fixtureConfiguration
        let model = try ModelFixtures.load("vgg19_bn") { VGG(configuration: configuration, loader: $0) }
        #expect(model.embeddingWidth == 256)
        try ModelFixtures.checkParity(model, fixture: "vgg19_bn")
        configuration.embedding = .pool
        let pooledModel = try ModelFixtures.load("vgg19_bn") { VGG(configuration: configuration, loader: $0) }
        #expect(pooledModel.embeddingWidth == 32 * 49)
        let input = try ModelFixtures.tensor("vgg19_bn", "input.npy")
        let pooled = pooledModel.embed(input, context: ComputeContext(threads: 2))
        #expect(parityRatio(pooled, try ModelFixtures.tensor("vgg19_bn", "embedding_pool.npy")) <= 1)
    }

    @Test("VGG19-BN (timm names: pre_logits as convolutions, head.fc)")
    func timm() throws {
        let weights = try ModelFixtures.weights("vgg19_bn_timm")
        #expect(VGG.naming(of: weights) == .timm)
        var configuration = Self.fixtureConfiguration
        configuration.naming = .timm
        let model = try ModelFixtures.load("vgg19_bn_timm") { VGG(configuration: configuration, loader: $0) }
        try ModelFixtures.checkParity(model, fixture: "vgg19_bn_timm")
    }
}

@Suite("Models: EfficientNet-Lite0 parity (random weights, width/8)")
struct EfficientNetLiteParityTests {
    /// The fixture's configuration: width/8, 10 classes.
    static var fixtureConfiguration: EfficientNetLite.Configuration {
        var configuration = EfficientNetLite.Configuration.lite0
        configuration.widthDivisor = 8
        configuration.classes = 10
        return configuration
    }

    @Test("EfficientNet-Lite0 (efficientnet_lite_pytorch, TF SAME, depthwise, ReLU6)")
    func lite0() throws {
        let model = try ModelFixtures.load("efficientnet_lite0") { EfficientNetLite(configuration: Self.fixtureConfiguration, loader: $0) }
        #expect(model.embeddingWidth == 160)
        try ModelFixtures.checkParity(model, fixture: "efficientnet_lite0")
    }
}
