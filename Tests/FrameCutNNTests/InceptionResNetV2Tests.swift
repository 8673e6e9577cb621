import Foundation
import Testing
import FrameCutIO
@testable import FrameCutNN

@Suite("Models: InceptionResNetV2 (timm inception_resnet_v2)")
struct InceptionResNetV2Tests {
    static let fixtureConfiguration = InceptionResNetV2.Configuration(widthDivisor: 8, classes: 10)

    @Test("parity with timm at width/8 (safetensors F16), 1 and 2 threads")
    func parity() throws {
        let model = try ModelFixtures.load("inception_resnet_v2") {
            InceptionResNetV2(configuration: Self.fixtureConfiguration, loader: $0)
        }
        #expect(model.embeddingWidth == 192)
        #expect(model.name == "inception-resnet-v2")
        try ModelFixtures.checkParity(model, fixture: "inception_resnet_v2")
    }

    @Test("dry run at full width gives timm's state_dict keys and shapes, in order")
    func keyManifest() throws {
        let loader = ParameterLoader(model: "inception_resnet_v2", source: nil)
        let model = InceptionResNetV2(configuration: .real, loader: loader)
        #expect(model.embeddingWidth == 1536)
        let manifest = try KeyManifest.read("timm_inception_resnet_v2")
        #expect(manifest.count == 1306)
        KeyManifest.compare(loader.expected, manifest)
    }

    @Test("configuration decodes without repeats and round-trips")
    func configurationCoding() throws {
        let decoded = try JSONDecoder().decode(InceptionResNetV2.Configuration.self,
                                               from: Data(#"{"widthDivisor": 8, "classes": 10}"#.utf8))
        #expect(decoded == Self.fixtureConfiguration)
        #expect(decoded.repeats == [10, 20, 9])
        let again = try JSONDecoder().decode(InceptionResNetV2.Configuration.self, from: JSONEncoder().encode(InceptionResNetV2.Configuration.real))
        #expect(again == .real)
    }

    @Test("the head is optional: without classif weights there are no logits")
    func headless() throws {
        let source = HeadlessSource(base: try ModelFixtures.weights("inception_resnet_v2"))
        let loader = ParameterLoader(model: "inception_resnet_v2", source: source)
        let model = InceptionResNetV2(configuration: Self.fixtureConfiguration, loader: loader)
        try loader.finish()
        let input = try ModelFixtures.tensor("inception_resnet_v2", "input.npy")
        #expect(model.classify(input, context: ComputeContext()) == nil)
        let embedding = try ModelFixtures.tensor("inception_resnet_v2", "embedding.npy")
        #expect(parityRatio(model.embed(input, context: ComputeContext()), embedding) <= 1)
    }

    @Test("ResNet-50 weights are rejected, naming the missing Inception keys")
    func wrongWeights() throws {
        let weights = try ModelFixtures.weights("resnet50")
        let loader = ParameterLoader(model: "inception_resnet_v2", source: weights)
        _ = InceptionResNetV2(configuration: Self.fixtureConfiguration, loader: loader)
        do {
            try loader.finish()
            Issue.record("loading resnet50 weights into InceptionResNetV2 did not throw")
        } catch {
            guard case .mismatch(let model, let missing, let unexpected, _) = error else {
                Issue.record("expected .mismatch, got \(error)")
                return
            }
            #expect(model == "inception_resnet_v2")
            #expect(missing.contains("conv2d_1a.conv.weight"))
            #expect(missing.contains("classif.weight") == false)   // the head is optional
            #expect(unexpected.contains("conv1.weight"))
            #expect(error.description.contains("conv2d_1a.conv.weight"), "\(error.description)")
        }
    }
}

/// A tensor source without the `classif` head.
private struct HeadlessSource: TensorSource {
    let base: any TensorSource
    var keys: [String] { base.keys.filter { !$0.hasPrefix("classif.") } }
    func shape(of key: String) -> [Int]? { key.hasPrefix("classif.") ? nil : base.shape(of: key) }
    func floats(_ key: String) throws -> [Float] { try base.floats(key) }
}

