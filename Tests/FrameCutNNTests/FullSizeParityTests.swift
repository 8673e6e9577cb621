import Foundation
import Testing
import FrameCutIO
@testable import FrameCutNN

/// Seeded weights that are a pure function of (key, index), recomputed identically by
/// scripts/reference/fullsize_fixtures.py: full-size models without storing their weights.
struct CounterWeights: TensorSource {
    let keys: [String]
    private let shapes: [String: [Int]]

    init(expected: [ParameterLoader.Expected]) {
        keys = expected.map(\.key)
        shapes = Dictionary(expected.map { ($0.key, $0.shape) }, uniquingKeysWith: { first, _ in first })
    }

    func shape(of key: String) -> [Int]? { shapes[key] }

    func floats(_ key: String) throws -> [Float] {
        let shape = shapes[key] ?? []
        let u = Self.uniform(key, count: shape.reduce(1, *))
        if shape.count >= 2 {
            let scale = (6.0 / Double(shape.dropFirst().reduce(1, *))).squareRoot()
            return u.map { Float($0 * scale) }
        }
        if key.hasSuffix("running_var") { return u.map { Float(1 + 0.25 * ($0 + 1)) } }
        if key.hasSuffix("weight") { return u.map { Float(1 + 0.2 * $0) } }
        return u.map { Float(0.1 * $0) }
    }

    /// `u(splitmix64(fnv1a64(key) + i))` in [-1, 1), as the generator computes it.
    static func uniform(_ key: String, count: Int) -> [Double] {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in key.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return (0..<count).map { i in
            var z = hash &+ UInt64(i) &+ 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return Double(z >> 40) / Double(1 << 24) * 2 - 1
        }
    }
}

@Suite("Models: full-size forward passes against the reference (224 px; Winograd and cache blocking included)")
struct FullSizeParityTests {
    static let cases: [(fixture: String, model: ModelDescriptor, size: Int)] = [
        ("resnet50", ModelCatalog.resnet50, 224), ("vgg19_bn", ModelCatalog.vgg19BN, 224),
        ("inception_resnet_v2", ModelCatalog.inceptionResNetV2, 299), ("efficientnet_lite0", ModelCatalog.efficientNetLite0, 224),
    ]

    @Test("every architecture has a full-size fixture")
    func fixturesComplete() throws {
        let data = try Data(contentsOf: NNFixtures.root.appendingPathComponent("fullsize/fullsize.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let models = try #require(object["models"] as? [String: Any])
        #expect(Set(models.keys) == Set(Self.cases.map(\.fixture)))
    }

    @Test("embedding equals the float64 reference per element", arguments: cases.map(\.fixture))
    func parity(fixture: String) throws {
        let c = try #require(Self.cases.first { $0.fixture == fixture })
        let source = CounterWeights(expected: c.model.expectedParameters())
        let loader = ParameterLoader(model: c.model.id, source: source)
        let model = c.model.build(loader, source, ModelOptions())
        try loader.finish()
        let input = Tensor(shape: [1, 3, c.size, c.size], values: CounterWeights.uniform("input", count: 3 * c.size * c.size).map { Float(2 * $0) })
        let array = try NPYFile.read(contentsOf: NNFixtures.root.appendingPathComponent("fullsize/\(fixture).npy"))
        let reference = Tensor(shape: array.shape, values: try array.floatValues())
        let embedding = model.embed(input, context: ComputeContext(threads: 2))
        let ratio = parityRatio(embedding, reference)
        #expect(ratio <= 1, "\(fixture): worst |a-b| / tolerance = \(ratio)")
    }
}
