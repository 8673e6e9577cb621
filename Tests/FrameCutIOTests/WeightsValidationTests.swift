import Foundation
import Testing
import FrameCutIO

@Suite("Weight files: strict loading")
struct WeightsValidationTests {
    static let expected = [
        WeightSpec(key: "conv1.weight", shape: [64, 3, 7, 7]),
        WeightSpec(key: "fc.weight", shape: [10, 4]),
        WeightSpec(key: "fc.bias", shape: [10]),
    ]

    static func dict(_ items: [(String, [Int])]) throws -> StateDict {
        try StateDict(items.map { key, shape in
            (key, try WeightTensor(dtype: .f32, shape: shape, bytes: Data(count: shape.reduce(1, *) * 4)))
        }, format: .safetensors)
    }

    @Test("every problem is listed, sorted, with a readable message")
    func listsAllProblems() throws {
        let dict = try Self.dict([("conv1.weight", [64, 3, 3, 3]), ("foo", [1])])
        let error = try #require(throws: WeightFileError.self) { try dict.validate(expected: Self.expected, modelName: "resnet50") }
        #expect(error == .mismatch(model: "resnet50", missing: ["fc.bias", "fc.weight"], unexpected: ["foo"],
                                   misshaped: [WeightShapeMismatch(key: "conv1.weight", expected: [64, 3, 7, 7], found: [64, 3, 3, 3])]))
        #expect(error.description == "weights do not match resnet50: 2 missing (fc.bias, fc.weight), 1 unexpected (foo), 1 mis-shaped (conv1.weight: expected [64, 3, 7, 7], found [64, 3, 3, 3])")
    }

    @Test("ignored keys are not unexpected; an exact match passes")
    func ignoring() throws {
        let dict = try Self.dict([("conv1.weight", [64, 3, 7, 7]), ("fc.weight", [10, 4]), ("fc.bias", [10]), ("head.weight", [2])])
        try dict.validate(expected: Self.expected, modelName: "m", ignoring: { $0.hasPrefix("head.") })
        #expect(throws: WeightFileError.mismatch(model: "m", missing: [], unexpected: ["head.weight"], misshaped: [])) {
            try dict.validate(expected: Self.expected, modelName: "m")
        }
    }

    @Test("long lists are cut with a count")
    func longLists() throws {
        let dict = try Self.dict((0..<20).map { ("extra.\(String(format: "%02d", $0))", [1]) } + [("conv1.weight", [64, 3, 7, 7]), ("fc.weight", [10, 4]), ("fc.bias", [10])])
        let error = try #require(throws: WeightFileError.self) { try dict.validate(expected: Self.expected, modelName: "vgg19_bn") }
        #expect(error.description == "weights do not match vgg19_bn: 20 unexpected (extra.00, extra.01, extra.02, extra.03, extra.04, extra.05, extra.06, extra.07, … and 12 more)")
    }

    @Test("the fixtures validate against their own shapes, and not against wrong ones")
    func fixtureShapes() throws {
        let dict = try StateDict.load(contentsOf: WeightsFixtures.url("nested_zip.pt"))
        try dict.validate(expected: [WeightSpec(key: "fc.weight", shape: [4, 3]), WeightSpec(key: "fc.bias", shape: [4])], modelName: "tiny")
        #expect(throws: WeightFileError.mismatch(model: "tiny", missing: ["fc2.bias"], unexpected: [],
                                                 misshaped: [WeightShapeMismatch(key: "fc.weight", expected: [3, 4], found: [4, 3])])) {
            try dict.validate(expected: [WeightSpec(key: "fc.weight", shape: [3, 4]), WeightSpec(key: "fc.bias", shape: [4]), WeightSpec(key: "fc2.bias", shape: [4])],
                              modelName: "tiny")
        }
    }
}
