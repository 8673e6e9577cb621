import Foundation
import Testing
import FrameCutIO
@testable import FrameCutNN

@Suite("Collection embedder: batches, bad files, resume")
struct CollectionEmbedderTests {
    static func model() throws -> EfficientNetLite {
        try ModelFixtures.load("efficientnet_lite0") {
            EfficientNetLite(configuration: EfficientNetLiteParityTests.fixtureConfiguration, loader: $0)
        }
    }

    static func files() throws -> [(name: String, url: URL)] {
        let folder = try CLIFreeTemporaryFolder.make()
        let bad = folder.appendingPathComponent("bad.jpg")
        try Data("not an image".utf8).write(to: bad)
        var files = NNFixtures.images.map { (name: $0, url: NNFixtures.root.appendingPathComponent($0)) }
        files.insert((name: "bad.jpg", url: bad), at: 1)
        return files
    }

    @Test("bad files are skipped and reported; rows follow the input order; batch size and threads do not change results")
    func skipsBadFiles() throws {
        let files = try Self.files()
        let model = try Self.model()
        let a = try CollectionEmbedder(model: model, preprocessing: .efficientNetLite0, batchSize: 2, threads: 2)
            .run(files, parts: nil, runIdentity: "t")
        #expect(a.names == ["photo_500x375.jpg", "portrait_301x433.jpg", "small_97x61.png"])
        #expect(a.failures.map(\.name) == ["bad.jpg"])
        #expect(a.embeddings.count == 3 * 160)
        let b = try CollectionEmbedder(model: model, preprocessing: .efficientNetLite0, batchSize: 3, threads: 1)
            .run(files, parts: nil, runIdentity: "t")
        #expect(b.names == a.names)
        let diff = zip(a.embeddings, b.embeddings).map { abs($0 - $1) }.max() ?? 0
        #expect(diff < 1e-5)
    }

    @Test("a stopped run resumes from its finished batches with the same result")
    func resumes() throws {
        let files = try Self.files()
        let embedder = CollectionEmbedder(model: try Self.model(), preprocessing: .efficientNetLite0, batchSize: 1, threads: 1)
        let parts = try CLIFreeTemporaryFolder.make().appendingPathComponent("out.npy.parts")
        let full = try embedder.run(files, parts: nil, runIdentity: "id")
        #expect(throws: CancellationError.self) {
            _ = try embedder.run(files, parts: parts, runIdentity: "id", progress: { done, _ in done < 2 })
        }
        let resumed = try embedder.run(files, parts: parts, runIdentity: "id")
        #expect(resumed.resumedBatches == 2)
        #expect(resumed.names == full.names)
        #expect(resumed.embeddings == full.embeddings)
        #expect(resumed.failures == full.failures)
        #expect(throws: EmbeddingError.staleParts(folder: parts.path)) {
            _ = try embedder.run(files, parts: parts, runIdentity: "another model")
        }
    }
}

enum CLIFreeTemporaryFolder {
    static func make() throws -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory() + "framecut-nn-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
