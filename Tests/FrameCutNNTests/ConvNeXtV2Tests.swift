import Foundation
import Testing
import FrameCutIO
@testable import FrameCutNN

/// `numpy.allclose(a, b, rtol, atol)`: every element within `atol + rtol * |b|`.
func allClose(_ a: Tensor, _ b: Tensor, rtol: Double = 1e-4, atol: Double = 1e-4) -> Bool {
    guard a.shape == b.shape else { return false }
    for i in 0..<a.count where abs(Double(a.values[i]) - Double(b.values[i])) > atol + rtol * abs(Double(b.values[i])) {
        return false
    }
    return true
}

/// ConvNeXt V2 Tiny at width / 12, full depth (3, 3, 9, 3), seeded random weights, against
/// Hugging Face `ConvNextV2ForImageClassification` and timm `convnextv2_tiny`
/// (scripts/reference/cnn2_fixtures.py -> Fixtures/models/convnextv2_tiny{,_timm}).
@Suite("Models: ConvNeXt V2 Tiny parity")
struct ConvNeXtV2Tests {
    static func configuration(_ naming: ConvNeXtV2.KeyNaming) -> ConvNeXtV2.Configuration {
        ConvNeXtV2.Configuration(depths: [3, 3, 9, 3], dims: [8, 16, 32, 64], classes: 10, naming: naming)
    }

    @Test("embedding and logits equal the reference (Hugging Face and timm names)", arguments: [
        ("convnextv2_tiny", ConvNeXtV2.KeyNaming.huggingFace), ("convnextv2_tiny_timm", .timm),
    ])
    func parity(fixture: String, naming: ConvNeXtV2.KeyNaming) throws {
        let weights = try ModelFixtures.weights(fixture)
        #expect(ConvNeXtV2.naming(of: weights) == naming)
        let model = try ModelFixtures.load(fixture) { ConvNeXtV2(configuration: Self.configuration(naming), loader: $0) }
        #expect(model.embeddingWidth == 64)
        try ModelFixtures.checkParity(model, fixture: fixture)
        let input = try ModelFixtures.tensor(fixture, "input.npy")
        let context = ComputeContext(threads: 2)
        #expect(allClose(model.embed(input, context: context), try ModelFixtures.tensor(fixture, "embedding.npy")))
        #expect(allClose(try #require(model.classify(input, context: context)), try ModelFixtures.tensor(fixture, "logits.npy")))
    }

    @Test("a ConvNextV2Model saved alone (no convnextv2. prefix, no classifier) loads; the head is optional")
    func baseModel() throws {
        let weights = try ModelFixtures.weights("convnextv2_tiny")
        let base = RenamedSource(source: weights) { key in
            key.hasPrefix("classifier.") ? nil : String(key.dropFirst(key.hasPrefix("convnextv2.") ? "convnextv2.".count : 0))
        }
        #expect(ConvNeXtV2.naming(of: base) == .huggingFaceBase)
        let loader = ParameterLoader(model: "convnextv2_tiny", source: base)
        let model = ConvNeXtV2(configuration: Self.configuration(.huggingFaceBase), loader: loader)
        try loader.finish()
        let input = try ModelFixtures.tensor("convnextv2_tiny", "input.npy")
        #expect(model.classify(input, context: ComputeContext()) == nil)
        #expect(allClose(model.embed(input, context: ComputeContext()), try ModelFixtures.tensor("convnextv2_tiny", "embedding.npy")))
    }

    @Test("full-size key names and shapes equal Hugging Face's and timm's state_dict()")
    func manifests() throws {
        var configuration = ConvNeXtV2.Configuration.tiny
        KeyManifest.compare(KeyManifest.expected { _ = ConvNeXtV2(configuration: configuration, loader: $0) },
                            try KeyManifest.read("hf_convnextv2_tiny"))
        configuration.naming = .timm
        KeyManifest.compare(KeyManifest.expected { _ = ConvNeXtV2(configuration: configuration, loader: $0) },
                            try KeyManifest.read("timm_convnextv2_tiny"))
    }

    @Test("reduced-width or other-family weights are refused, every mismatched key listed")
    func refusesWrongWeights() throws {
        let small = try ModelFixtures.weights("convnextv2_tiny")
        do {
            _ = try ModelCatalog.convNeXtV2Tiny.load(small)
            Issue.record("loaded width/12 weights into ConvNeXt V2 Tiny")
        } catch let error {
            guard case .mismatch(let model, let missing, let unexpected, let misshaped) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(model == "convnextv2-tiny")
            #expect(missing.isEmpty && unexpected.isEmpty)
            #expect(misshaped.contains(WeightShapeMismatch(key: "convnextv2.embeddings.patch_embeddings.weight",
                                                           expected: [96, 3, 4, 4], found: [8, 3, 4, 4])))
            #expect(misshaped.count == 200)  // every tensor (the classifier too: 10 classes, not 1000)
        }
        #expect {
            _ = try ModelCatalog.convNeXtV2Tiny.load(try ModelFixtures.weights("resnet50"))
        } throws: { error in
            let text = "\(error)"
            return text.contains("weights do not match convnextv2-tiny") && text.contains("198 missing (convnextv2.embeddings.patch_embeddings.weight")
                && text.contains("320 unexpected (")
        }
    }

    @Test("GRN: x + bias + weight * x * (||x|| / (mean ||x|| + 1e-6)), per image")
    func grn() {
        // One image, 2 channels of 2 positions: norms 5 and 0 (mean 2.5); a second image scaled by 2.
        let x = Tensor(shape: [2, 2, 1, 2], values: [3, 4, 0, 0, 6, 8, 0, 0])
        let grn = GlobalResponseNorm(channels: 2, weight: [0.5, 2], bias: [0.25, -1])
        let y = grn(x)
        let n0 = Float(5 / (2.5 + 1e-6)), n1 = Float(10 / (5 + 1e-6))
        let expected: [Float] = [3 + 0.25 + 0.5 * 3 * n0, 4 + 0.25 + 0.5 * 4 * n0, -1, -1,
                                 6 + 0.25 + 0.5 * 6 * n1, 8 + 0.25 + 0.5 * 8 * n1, -1, -1]
        for (a, b) in zip(y.values, expected) { #expect(abs(a - b) < 1e-5) }
    }

    @Test("channel layer norm normalises each position over the channels")
    func channelLayerNorm() {
        let x = Tensor(shape: [1, 3, 1, 2], values: [1, 10, 2, 20, 3, 60])
        let y = ChannelLayerNorm(channels: 3, weight: [1, 2, 1], bias: [0, 0, 1], eps: 0)(x, context: ComputeContext(threads: 2))
        let s0 = Float((2.0 / 3).squareRoot())   // position 0: 1, 2, 3
        #expect(abs(y.values[0] - (-1 / s0)) < 1e-5 && abs(y.values[2] - 0) < 1e-5 && abs(y.values[4] - (1 / s0 + 1)) < 1e-5)
        let m1: Float = 30, v1 = Float(((400.0 + 100 + 900) / 3).squareRoot())  // position 1: 10, 20, 60
        #expect(abs(y.values[1] - (10 - m1) / v1) < 1e-5 && abs(y.values[5] - ((60 - m1) / v1 + 1)) < 1e-5)
    }
}

/// A source whose keys are renamed (nil drops a key), for checkpoint layouts derived from a fixture.
struct RenamedSource: TensorSource {
    let source: TensorSource
    let keys: [String]
    private let original: [String: String]

    init(source: TensorSource, rename: (String) -> String?) {
        self.source = source
        var keys: [String] = [], original: [String: String] = [:]
        for key in source.keys {
            if let new = rename(key) {
                keys.append(new)
                original[new] = key
            }
        }
        self.keys = keys
        self.original = original
    }

    func shape(of key: String) -> [Int]? { original[key].flatMap { source.shape(of: $0) } }
    func floats(_ key: String) throws -> [Float] { try source.floats(original[key] ?? key) }
}
