import Foundation
import Testing
import FrameCutIO
@testable import FrameCutNN

/// Reduced-width (32, 4 heads, MLP 64), full-depth (12 blocks) transformers with seeded random
/// weights, written by scripts/reference/transformer_fixtures.py into Fixtures/models/NAME/, one
/// weights file per checkpoint naming (the same values under each naming's keys).
enum TransformerFixtures {
    /// The model in `file` of fixture `name`, built by `build` and loaded strictly.
    static func load<M>(_ name: String, _ file: String, _ build: (ParameterLoader, StateDict) -> M) throws -> M {
        let weights = try ModelFixtures.weights(name, file)
        let loader = ParameterLoader(model: name, source: weights)
        let model = build(loader, weights)
        try loader.finish()
        return model
    }

    /// `model`'s embedding (and logits) equal the reference within 1e-4 (numpy.allclose with
    /// rtol = atol = 1e-4, per element), bit-identical on 1, 2 and 3 threads, in `embedBatch`, and
    /// for an image alone or in its batch.
    static func checkParity(_ model: some ImageEmbeddingModel, fixture: String, embedding: String = "embedding.npy",
                            logits: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let input = try ModelFixtures.tensor(fixture, "input.npy")
        let reference = try ModelFixtures.tensor(fixture, embedding)
        var first: Tensor?
        for threads in [1, 2, 3] {
            let e = model.embed(input, context: ComputeContext(threads: threads))
            if let first { #expect(e == first, "\(fixture): \(threads) threads differ from 1", sourceLocation: sourceLocation) }
            first = first ?? e
            #expect(allClose(e, reference), "\(fixture) \(embedding), \(threads) threads: \(relativeError(e, reference))",
                    sourceLocation: sourceLocation)
            if let logits {
                let l = try #require(model.classify(input, context: ComputeContext(threads: threads)), sourceLocation: sourceLocation)
                let expected = try ModelFixtures.tensor(fixture, logits)
                #expect(allClose(l, expected), "\(fixture) logits: \(relativeError(l, expected))", sourceLocation: sourceLocation)
            }
        }
        guard let first else { return }
        for threads in [1, 2] {
            #expect(model.embedBatch(input, context: ComputeContext(threads: threads)) == first, "\(fixture): embedBatch differs",
                    sourceLocation: sourceLocation)
        }
        let alone = model.embed(input.slice(batch: 1..<2), context: ComputeContext(threads: 2))
        #expect(alone == first.slice(batch: 1..<2), "\(fixture): an image's embedding depends on its batch", sourceLocation: sourceLocation)
    }

    /// `|a - b| <= 1e-4 + 1e-4 |b|` for every element (numpy.allclose(a, b, rtol=1e-4, atol=1e-4)).
    static func allClose(_ a: Tensor, _ b: Tensor) -> Bool {
        a.shape == b.shape && zip(a.values, b.values).allSatisfy { abs(Double($0) - Double($1)) <= 1e-4 + 1e-4 * abs(Double($1)) }
    }

    static let vit = VisionTransformer.Configuration(imageSize: 64, patch: 16, width: 32, depth: 12, heads: 4, mlp: 64, classes: 10,
                                                     naming: .torchvision)
    static let clip = CLIPVisionTransformer.Configuration(imageSize: 64, patch: 16, width: 32, depth: 12, heads: 4, mlp: 64,
                                                          projection: 16, naming: .openai)
    static let dino = DINOv2.Configuration(imageSize: 84, inputSize: 56, patch: 14, width: 32, depth: 12, heads: 4, mlp: 64,
                                           embedding: .linear4, naming: .hub)
}

@Suite("Models: transformers against their reference implementations")
struct TransformerParityTests {
    @Test("ViT-B/32 (width 32): torchvision (released .pth names, mlp.linear_1/2) and timm names; embedding and logits",
          arguments: [("weights_torchvision.safetensors", VisionTransformer.KeyNaming.torchvisionLegacy), ("weights_timm.safetensors", .timm)])
    func vit(_ file: String, _ naming: VisionTransformer.KeyNaming) throws {
        let model = try TransformerFixtures.load("vit_b32", file) { loader, weights in
            var configuration = TransformerFixtures.vit
            configuration.naming = VisionTransformer.naming(of: weights)
            #expect(configuration.naming == naming)
            return VisionTransformer(configuration: configuration, loader: loader)
        }
        #expect(model.embeddingWidth == 32)
        try TransformerFixtures.checkParity(model, fixture: "vit_b32", logits: "logits.npy")
    }

    @Test("CLIP ViT-B/32 (width 32): projected feature from OpenAI/open_clip, timm and Hugging Face files",
          arguments: [("weights_openai.safetensors", CLIPVisionTransformer.KeyNaming.openai), ("weights_timm.safetensors", .timm),
                      ("weights_hf.safetensors", .huggingFace)])
    func clip(_ file: String, _ naming: CLIPVisionTransformer.KeyNaming) throws {
        let model = try TransformerFixtures.load("clip_vit_b32", file) { loader, weights in
            var configuration = TransformerFixtures.clip
            (configuration.naming, configuration.prefix) = CLIPVisionTransformer.naming(of: weights)
            #expect(configuration.naming == naming)
            return CLIPVisionTransformer(configuration: configuration, loader: loader)
        }
        #expect(model.embeddingWidth == 16)
        #expect(model.classify(try ModelFixtures.tensor("clip_vit_b32", "input.npy"), context: ComputeContext()) == nil)
        try TransformerFixtures.checkParity(model, fixture: "clip_vit_b32")
    }

    @Test("DINOv2 ViT-B/14 (width 32, 6x6 positions run at 4x4): linear4 and cls from hub, Hugging Face and timm files",
          arguments: [("weights_hub.safetensors", DINOv2.KeyNaming.hub), ("weights_hf.safetensors", .huggingFace),
                      ("weights_timm.safetensors", .timm)])
    func dinov2(_ file: String, _ naming: DINOv2.KeyNaming) throws {
        for embedding in DINOv2.Embedding.allCases {
            let model = try TransformerFixtures.load("dinov2_vitb14", file) { loader, weights in
                var configuration = TransformerFixtures.dino
                configuration.naming = DINOv2.naming(of: weights)
                configuration.embedding = embedding
                #expect(configuration.naming == naming)
                return DINOv2(configuration: configuration, loader: loader)
            }
            #expect(model.embeddingWidth == (embedding == .linear4 ? 160 : 32))
            try TransformerFixtures.checkParity(model, fixture: "dinov2_vitb14", embedding: "embedding_\(embedding.rawValue).npy")
        }
    }

    @Test("DINOv2 at the native grid (84 px, no resampling) and above it: runs, position grid resampled per input")
    func dinov2OtherSizes() throws {
        let model = try TransformerFixtures.load("dinov2_vitb14", "weights_hub.safetensors") { loader, _ in
            DINOv2(configuration: TransformerFixtures.dino, loader: loader)
        }
        for size in [84, 98] {
            let e = model.embed(Tensor(zeros: [1, 3, size, size]), context: ComputeContext())
            #expect(e.shape == [1, 160] && e.values.allSatisfy(\.isFinite))
        }
    }
}

@Suite("Models: transformer key names and shapes equal the reference state_dict()")
struct TransformerManifestTests {
    static func dryRun(_ build: (ParameterLoader) -> Void) -> [ParameterLoader.Expected] { KeyManifest.expected(build) }

    @Test("ViT-B/32: torchvision and timm")
    func vit() throws {
        for (naming, file) in [(VisionTransformer.KeyNaming.torchvision, "torchvision_vit_b32"), (.timm, "timm_vit_b32")] {
            var configuration = VisionTransformer.Configuration.vitB32
            configuration.naming = naming
            KeyManifest.compare(Self.dryRun { _ = VisionTransformer(configuration: configuration, loader: $0) }, try KeyManifest.read(file))
        }
        KeyManifest.compare(ModelCatalog.vitB32.expectedParameters(), try KeyManifest.read("torchvision_vit_b32"))
    }

    @Test("CLIP ViT-B/32: open_clip (visual.* of a whole CLIP), timm, Hugging Face CLIPModel (vision tower + projection)")
    func clip() throws {
        let cases: [(CLIPVisionTransformer.KeyNaming, String, (String) -> Bool)] = [
            (.openai, "openai_clip_vit_b32", { $0.hasPrefix("visual.") }),
            (.timm, "timm_clip_vit_b32", { _ in true }),
            (.huggingFace, "hf_clip_vit_b32", { $0.hasPrefix("vision_model.") || $0 == "visual_projection.weight" }),
        ]
        for (naming, file, isImageTower) in cases {
            var configuration = CLIPVisionTransformer.Configuration.vitB32
            configuration.naming = naming
            let manifest = try KeyManifest.read(file)
            KeyManifest.compare(Self.dryRun { _ = CLIPVisionTransformer(configuration: configuration, loader: $0) },
                                manifest.filter { isImageTower($0.key) })
            // Everything else in the file is what the model ignores on purpose.
            #expect(manifest.filter { !isImageTower($0.key) }.allSatisfy { CLIPVisionTransformer.isIgnored($0.key, naming: naming, prefix: "visual.") })
        }
    }

    @Test("DINOv2 ViT-B/14: hub, Hugging Face facebook/dinov2-base, timm (mask_token ignored)")
    func dinov2() throws {
        for (naming, file) in [(DINOv2.KeyNaming.hub, "hub_dinov2_vitb14"), (.huggingFace, "hf_dinov2_base"), (.timm, "timm_dinov2_vitb14")] {
            for embedding in DINOv2.Embedding.allCases {
                var configuration = DINOv2.Configuration.vitB14
                configuration.naming = naming
                configuration.embedding = embedding
                let manifest = try KeyManifest.read(file).filter { !$0.key.hasSuffix("mask_token") }
                KeyManifest.compare(Self.dryRun { _ = DINOv2(configuration: configuration, loader: $0) }, manifest)
            }
        }
    }
}

@Suite("Models: transformer checkpoints of the wrong size or family are refused")
struct TransformerWrongWeightsTests {
    static func mismatch(_ descriptor: ModelDescriptor, _ fixture: String, _ file: String)
        throws -> (missing: [String], unexpected: [String], misshaped: [WeightShapeMismatch])? {
        let weights = try ModelFixtures.weights(fixture, file)
        do {
            _ = try descriptor.load(weights)
            return nil
        } catch let error {
            guard case .mismatch(let model, let missing, let unexpected, let misshaped) = error else { return nil }
            #expect(model == descriptor.id)
            return (missing, unexpected, misshaped)
        }
    }

    @Test("width-32 ViT into vit-b32: every tensor mis-shaped, named")
    func vitSize() throws {
        let found = try #require(try Self.mismatch(ModelCatalog.vitB32, "vit_b32", "weights_timm.safetensors"))
        #expect(found.missing.isEmpty && found.unexpected.isEmpty)
        #expect(found.misshaped.contains(WeightShapeMismatch(key: "cls_token", expected: [1, 1, 768], found: [1, 1, 32])))
        #expect(found.misshaped.contains(WeightShapeMismatch(key: "pos_embed", expected: [1, 50, 768], found: [1, 17, 32])))
        #expect(found.misshaped.count == 152)
    }

    @Test("width-32 CLIP (Hugging Face CLIPModel) into clip-vit-b32: mis-shaped image tower, text tower still ignored")
    func clipSize() throws {
        let found = try #require(try Self.mismatch(ModelCatalog.clipViTB32, "clip_vit_b32", "weights_hf.safetensors"))
        #expect(found.missing.isEmpty && found.unexpected.isEmpty)
        #expect(found.misshaped.contains(WeightShapeMismatch(key: "visual_projection.weight", expected: [512, 768], found: [16, 32])))
    }

    @Test("another family: ViT weights into clip-vit-b32 and dinov2-vitb14, CLIP weights into dinov2-vitb14")
    func family() throws {
        let a = try #require(try Self.mismatch(ModelCatalog.clipViTB32, "vit_b32", "weights_torchvision.safetensors"))
        #expect(a.missing.contains("visual.class_embedding") && a.unexpected.contains("class_token"))
        let b = try #require(try Self.mismatch(ModelCatalog.dinoV2ViTB14, "vit_b32", "weights_timm.safetensors"))
        #expect(b.missing.contains("blocks.0.ls1.gamma"))
        let c = try #require(try Self.mismatch(ModelCatalog.dinoV2ViTB14, "clip_vit_b32", "weights_openai.safetensors"))
        #expect(c.missing.contains("cls_token") && c.unexpected.contains("visual.proj"))
        let d = try #require(try Self.mismatch(ModelCatalog.vitB32, "dinov2_vitb14", "weights_hub.safetensors"))
        #expect(d.unexpected.contains("blocks.0.ls1.gamma"))
    }
}
