import Foundation
import Testing
import FrameCutIO
@testable import FrameCutNN

@Suite("Collection embedder: batches, bad files, decode-ahead, stop")
struct CollectionEmbedderTests {
    static func model() throws -> EfficientNetLite {
        try ModelFixtures.load("efficientnet_lite0") {
            EfficientNetLite(configuration: EfficientNetLiteParityTests.fixtureConfiguration, loader: $0)
        }
    }

    static func files() throws -> [URL] {
        let folder = try CLIFreeTemporaryFolder.make()
        let bad = folder.appendingPathComponent("bad.jpg")
        try Data("not an image".utf8).write(to: bad)
        var files = NNFixtures.images.map { NNFixtures.root.appendingPathComponent($0) }
        files.insert(bad, at: 1)
        return files
    }

    @Test("bad files are skipped and reported; rows follow the input order; batch size and threads do not change a bit")
    func skipsBadFiles() throws {
        let files = try Self.files()
        let model = try Self.model()
        let a = try CollectionEmbedder(model: model, preprocessing: .efficientNetLite0, batchSize: 2, threads: 2).embedAll(files)
        #expect(a.embedded == [0, 2, 3])
        #expect(a.failures.map(\.index) == [1])
        #expect(a.rows.count == 3 * 160)
        let b = try CollectionEmbedder(model: model, preprocessing: .efficientNetLite0, batchSize: 3, threads: 1).embedAll(files)
        #expect(b.embedded == a.embedded)
        #expect(b.rows == a.rows)
    }

    @Test("batches arrive in order with sizes and timings; returning false stops after that batch")
    func streamsAndStops() throws {
        let files = try Self.files()
        let embedder = CollectionEmbedder(model: try Self.model(), preprocessing: .efficientNetLite0, batchSize: 1, threads: 1)
        var ranges: [Range<Int>] = []
        let completed = try embedder.run(files) { batch in
            ranges.append(batch.range)
            if batch.range == 0..<1 {
                #expect(batch.sizes[0]?.width == 500 && batch.sizes[0]?.height == 375)
                #expect(batch.embedded == [0] && batch.rows.count == 160 && batch.secondsForward > 0)
            }
            if batch.range == 1..<2 { #expect(batch.embedded.isEmpty && batch.failures.map(\.index) == [1]) }
            return ranges.count < 2
        }
        #expect(!completed)
        #expect(ranges == [0..<1, 1..<2])
    }
}

enum CLIFreeTemporaryFolder {
    static func make() throws -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory() + "framecut-nn-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
