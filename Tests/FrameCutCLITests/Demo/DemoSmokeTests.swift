import Foundation
import Testing

/// `make demo` end to end, small: scripts/demo.sh with 60 Fashion-MNIST images (Debian
/// dataset-fashion-mnist) and the photos, the real EfficientNet-Lite0 weights
/// (scripts/fetch_test_data.sh), this build's binary, into a temporary folder.
@Suite("make demo (smoke test: scripts/demo.sh on 60 images)")
struct DemoSmokeTests {
    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    @Test("the demo script runs the pipeline on real images and real weights and scores it against the classes")
    func demo() throws {
        let binary = try #require(CLIHarness.binary, "framecut binary beside the tests")
        let out = try CLIHarness.temporaryFolder()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [Self.repository.appendingPathComponent("scripts/demo.sh").path]
        var environment = ProcessInfo.processInfo.environment
        environment["DEMO_COUNT"] = "60"
        environment["DEMO_OUT"] = out
        environment["FRAMECUT"] = binary.path
        environment["FRAMECUT_PROGRESS"] = "0"
        process.environment = environment
        FileManager.default.createFile(atPath: out + "/stdout.txt", contents: nil)
        FileManager.default.createFile(atPath: out + "/stderr.txt", contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out + "/stdout.txt"))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: out + "/stderr.txt"))
        try process.run()
        process.waitUntilExit()
        let output = try String(contentsOfFile: out + "/stdout.txt", encoding: .utf8)
        let errors = try String(contentsOfFile: out + "/stderr.txt", encoding: .utf8)
        #expect(process.terminationStatus == 0, "demo.sh: \(errors)")
        #expect(output.contains("efficientnet-lite0:"), "\(output)")
        #expect(output.contains("clusters"), "\(output)")
        #expect(output.contains("VI") && output.contains("ARI"), "\(output)")
        #expect(output.contains("outputs: \(out)/demo/run.json"), "\(output)")

        let run = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/demo/run.json"))) as? [String: Any])
        let models = try #require(run["models"] as? [[String: Any]])
        #expect(models.count == 1)
        let images = try FileManager.default.contentsOfDirectory(atPath: out + "/demo-images/fashion")
        #expect(images.count == 60)
        let csv = try String(contentsOfFile: out + "/demo/efficientnet-lite0/clusters.csv", encoding: .utf8)
        #expect(csv.split(separator: "\n").count >= 61, "one row per usable image")
    }
}
