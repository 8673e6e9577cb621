import Foundation
import Testing
import FrameCutIO
import FrameCutNN

/// Weights are checked once, at load, for every model: NaN/Inf values and negative batch-norm
/// variances are errors naming the tensor, never NaN embeddings.
@Suite("Parameter validation at load")
struct ParameterValidationTests {
    struct Source: TensorSource {
        let tensors: [String: [Float]]
        var keys: [String] { tensors.keys.sorted() }
        func shape(of key: String) -> [Int]? { tensors[key].map { [$0.count] } }
        func floats(_ key: String) throws -> [Float] { tensors[key] ?? [] }
    }

    static func load(_ tensors: [String: [Float]]) throws {
        let loader = ParameterLoader(model: "test", source: Source(tensors: tensors))
        _ = loader.batchNorm("bn", 3, eps: 1e-5, tracksBatches: false)
        try loader.finish()
    }

    static let good: [String: [Float]] = ["bn.weight": [1, 1, 1], "bn.bias": [0, 0, 0], "bn.running_mean": [0, 0, 0], "bn.running_var": [1, 1, 1]]

    @Test func finiteWeightsLoad() throws {
        try Self.load(Self.good)
    }

    @Test("NaN, infinity and negative variance name the tensor", arguments: [
        ("bn.weight", [Float(1), .nan, 1], "element 1 is NaN"),
        ("bn.bias", [Float(0), 0, -Float.infinity], "element 2 is infinite"),
        ("bn.running_var", [Float(1), -0.5, 1], "negative variance"),
    ])
    func badWeights(key: String, values: [Float], message: String) throws {
        var tensors = Self.good
        tensors[key] = values
        do {
            try Self.load(tensors)
            Issue.record("\(key) = \(values) was accepted")
        } catch let error as WeightFileError {
            #expect(error.description.contains("'\(key)'"))
            #expect(error.description.contains(message))
        }
    }

    @Test func specialFilesAreNotWeightFiles() throws {
        let start = Date()
        #expect(throws: WeightFileError.self) { try StateDict.load(contentsOf: URL(fileURLWithPath: "/dev/zero")) }
        #expect(Date().timeIntervalSince(start) < 5)
    }
}
