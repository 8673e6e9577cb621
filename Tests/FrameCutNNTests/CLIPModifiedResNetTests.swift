import Foundation
import Testing
import FrameCutIO
@testable import FrameCutNN

/// CLIP RN-50's image tower at width / 16 (width 4, 2 heads of 64), full depth (3, 4, 6, 3),
/// seeded random weights, against open_clip's `ModifiedResNet` and timm 1.0's `resnet50_clip`
/// (scripts/reference/cnn2_fixtures.py -> Fixtures/models/clip_rn50{,_timm}).
@Suite("Models: CLIP RN-50 parity")
struct CLIPModifiedResNetTests {
    static func configuration(_ naming: CLIPModifiedResNet.KeyNaming, prefix: String) -> CLIPModifiedResNet.Configuration {
        CLIPModifiedResNet.Configuration(layers: [3, 4, 6, 3], width: 4, heads: 2, outputDim: 64, imageSize: 64,
                                         naming: naming, prefix: prefix)
    }

    @Test("projected embedding equals the reference (OpenAI/open_clip names with a text tower; timm names)", arguments: [
        ("clip_rn50", CLIPModifiedResNet.KeyNaming.openai, "visual."), ("clip_rn50_timm", .timm, ""),
    ])
    func parity(fixture: String, naming: CLIPModifiedResNet.KeyNaming, prefix: String) throws {
        let weights = try ModelFixtures.weights(fixture)
        #expect(CLIPModifiedResNet.naming(of: weights) == (naming, prefix))
        let model = try ModelFixtures.load(fixture) { CLIPModifiedResNet(configuration: Self.configuration(naming, prefix: prefix), loader: $0) }
        #expect(model.embeddingWidth == 64)
        #expect(model.classify(try ModelFixtures.tensor(fixture, "input.npy"), context: ComputeContext()) == nil)
        try Self.checkEmbedding(model, fixture: fixture)
    }

    @Test("a bare image-tower state dict (no visual. prefix, no text tower) loads")
    func bareVisual() throws {
        let weights = try ModelFixtures.weights("clip_rn50")
        let bare = RenamedSource(source: weights) { $0.hasPrefix("visual.") ? String($0.dropFirst("visual.".count)) : nil }
        #expect(CLIPModifiedResNet.naming(of: bare) == (.openai, ""))
        let loader = ParameterLoader(model: "clip_rn50", source: bare)
        let model = CLIPModifiedResNet(configuration: Self.configuration(.openai, prefix: ""), loader: loader)
        try loader.finish()
        let input = try ModelFixtures.tensor("clip_rn50", "input.npy")
        #expect(allClose(model.embed(input, context: ComputeContext()), try ModelFixtures.tensor("clip_rn50", "embedding.npy")))
    }

    @Test("text-tower keys are ignored only beside a prefixed image tower; other extra keys are reported")
    func textTowerOnlyIgnoredBesideVisual() throws {
        let weights = try ModelFixtures.weights("clip_rn50")
        let mixed = RenamedSource(source: weights) { $0.hasPrefix("visual.") ? String($0.dropFirst("visual.".count)) : $0 }
        let loader = ParameterLoader(model: "clip_rn50", source: mixed)
        _ = CLIPModifiedResNet(configuration: Self.configuration(.openai, prefix: ""), loader: loader)
        #expect {
            try loader.finish()
        } throws: { error in
            "\(error)".contains("unexpected (") && "\(error)".contains("logit_scale")
        }
        let withExtra = ExtraKeySource(source: weights, key: "visual.proj", shape: [2])
        let strict = ParameterLoader(model: "clip_rn50", source: withExtra)
        _ = CLIPModifiedResNet(configuration: Self.configuration(.openai, prefix: "visual."), loader: strict)
        #expect {
            try strict.finish()
        } throws: { error in
            "\(error)".contains("1 unexpected (visual.proj)")
        }
    }

    @Test("full-size key names and shapes equal open_clip's RN50 visual.* and timm's resnet50_clip state_dict()")
    func manifests() throws {
        var configuration = CLIPModifiedResNet.Configuration.rn50
        KeyManifest.compare(KeyManifest.expected { _ = CLIPModifiedResNet(configuration: configuration, loader: $0) },
                            try KeyManifest.read("openclip_rn50"))
        configuration.naming = .timm
        configuration.prefix = ""
        KeyManifest.compare(KeyManifest.expected { _ = CLIPModifiedResNet(configuration: configuration, loader: $0) },
                            try KeyManifest.read("timm_resnet50_clip"))
    }

    @Test("reduced-width or other-family weights are refused, every mismatched key listed")
    func refusesWrongWeights() throws {
        let small = try ModelFixtures.weights("clip_rn50")
        do {
            _ = try ModelCatalog.clipRN50.load(small)
            Issue.record("loaded width/16 weights into CLIP RN-50")
        } catch let error {
            guard case .mismatch(let model, let missing, let unexpected, let misshaped) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(model == "clip-rn50")
            #expect(missing.isEmpty && unexpected.isEmpty)  // the text-tower stand-ins are ignored
            #expect(misshaped.contains(WeightShapeMismatch(key: "visual.attnpool.positional_embedding", expected: [50, 2048], found: [5, 128])))
            #expect(misshaped.count == 339 - 55)  // every visual tensor but the 55 scalar num_batches_tracked
        }
        let convnext = try ModelFixtures.weights("convnextv2_tiny_timm")
        #expect {
            _ = try ModelCatalog.clipRN50.load(convnext)
        } throws: { error in
            let text = "\(error)"
            return text.contains("weights do not match clip-rn50") && text.contains("missing (visual.conv1.weight")
                && text.contains("unexpected (")
        }
    }

    /// Embedding within 1e-4 (max-relative and numpy.allclose) on 1, 2 and 3 threads, bit-identical
    /// across threads, `embedBatch` and batch sizes.
    static func checkEmbedding(_ model: some ImageEmbeddingModel, fixture: String,
                               sourceLocation: SourceLocation = #_sourceLocation) throws {
        let input = try ModelFixtures.tensor(fixture, "input.npy")
        let expected = try ModelFixtures.tensor(fixture, "embedding.npy")
        let first = model.embed(input, context: ComputeContext(threads: 1))
        #expect(relativeError(first, expected) < 1e-4, "\(fixture): \(relativeError(first, expected))", sourceLocation: sourceLocation)
        #expect(allClose(first, expected), "\(fixture): not allclose", sourceLocation: sourceLocation)
        for threads in [2, 3] {
            #expect(model.embed(input, context: ComputeContext(threads: threads)) == first, "\(fixture): \(threads) threads differ",
                    sourceLocation: sourceLocation)
        }
        for threads in [1, 2] {
            #expect(model.embedBatch(input, context: ComputeContext(threads: threads)) == first, "\(fixture): embedBatch differs",
                    sourceLocation: sourceLocation)
        }
        let alone = model.embed(input.slice(batch: 1..<2), context: ComputeContext(threads: 2))
        #expect(alone == first.slice(batch: 1..<2), "\(fixture): an image's embedding depends on its batch", sourceLocation: sourceLocation)
    }
}

/// A source with one more (float) tensor than `source`.
struct ExtraKeySource: TensorSource {
    let source: TensorSource
    let key: String
    let shape: [Int]
    var keys: [String] { source.keys + [key] }
    func shape(of key: String) -> [Int]? { key == self.key ? shape : source.shape(of: key) }
    func floats(_ key: String) throws -> [Float] {
        key == self.key ? [Float](repeating: 1, count: shape.reduce(1, *)) : try source.floats(key)
    }
}
