import Foundation
import Testing
import FrameCutCore
import FrameCutIO
import FrameCutNN
@testable import FrameCutPipeline

/// The embedding job with the real EfficientNet-Lite0 weights on a handful of images.
@Suite("Embedding job: store, resume, renames, broken files")
struct EmbeddingJobTests {
    /// The model and its network, loaded once for the suite (hashing and unpickling the weights
    /// is slow in debug builds).
    static let loaded = Result { () throws -> (ResolvedModel, any ImageEmbeddingModel) in
        let model = try ModelSpec(model: "efficientnet-lite0", weights: try PipelineTestSupport.weights()).resolve()
        return (model, try model.load())
    }

    static func model() throws -> ResolvedModel { try loaded.get().0 }

    static func embed(_ folder: URL, store: EmbeddingStore, batch: Int = 2, progress: PipelineProgressHandler? = nil) throws -> EmbeddingSet {
        let collection = try CollectionScan(folder: folder, threads: 2).run(store: store)
        return try EmbeddingJob(model: try model(), batchSize: batch, threads: 2, network: try loaded.get().1).run(collection, store: store, progress: progress)
    }

    static func store(_ name: String = "s.sqlite") throws -> EmbeddingStore {
        try EmbeddingStore(url: try PipelineTestSupport.temporaryFolder().appendingPathComponent(name))
    }

    @Test("broken files are skipped with reasons and not retried; rows equal the bare embedder's; a rerun computes nothing")
    func embedsAndReuses() throws {
        let folder = try PipelineTestSupport.collection(count: 1, broken: true)
        let store = try Self.store()
        let first = try Self.embed(folder, store: store)
        #expect(first.names == ["chelsea.png", "img00.bmp", "sub/coffee.png"])
        #expect(Set(first.skipped.map(\.name)) == ["broken.jpg", "sub/empty.png"])
        #expect(first.skipped.first { $0.name == "sub/empty.png" }?.reason == "zero-byte file")
        #expect(first.computed == 3 && first.reused == 0)
        #expect(first.width == 1280 && first.values.count == 3 * 1280)

        let network = try Self.loaded.get().1
        let bare = try CollectionEmbedder(model: network, preprocessing: .efficientNetLite0, batchSize: 3, threads: 1)
            .embedAll(first.names.map { folder.appendingPathComponent($0) })
        #expect(bare.rows == first.values, "store round trip and batching must not change a bit")

        let again = try Self.embed(folder, store: store)
        #expect(again.computed == 0 && again.reused == 3)
        #expect(again.values == first.values)
        #expect(again.skipped.map(\.name) == first.skipped.map(\.name))
        #expect(try store.images()["chelsea.png"]?.width == 451)
    }

    @Test("renamed and moved files are not recomputed; a changed file is; a new file is the only one embedded")
    func renamesAndChanges() throws {
        let folder = try PipelineTestSupport.collection(count: 3, photos: false)
        let store = try Self.store()
        let first = try Self.embed(folder, store: store)
        #expect(first.computed == 3)
        let fm = FileManager.default
        try fm.moveItem(at: folder.appendingPathComponent("img00.bmp"), to: folder.appendingPathComponent("sub/renamed.bmp"))
        try fm.moveItem(at: folder.appendingPathComponent("img01.bmp"), to: folder.appendingPathComponent("zz.bmp"))
        let renamed = try Self.embed(folder, store: store)
        #expect(renamed.computed == 0)
        #expect(renamed.names == ["img02.bmp", "sub/renamed.bmp", "zz.bmp"])
        #expect(Array(renamed.values[1280..<(2 * 1280)]) == Array(first.values[0..<1280]))

        try PipelineTestSupport.bmp(seed: 99).write(to: folder.appendingPathComponent("img02.bmp"))
        try PipelineTestSupport.bmp(seed: 100).write(to: folder.appendingPathComponent("new.bmp"))
        let changed = try Self.embed(folder, store: store)
        #expect(changed.computed == 2)
        #expect(changed.names.count == 4)
        #expect(Array(changed.values[0..<1280]) != Array(first.values[(2 * 1280)..<(3 * 1280)]))
    }

    @Test("stopping after a batch keeps the committed batches; the resumed result equals an uninterrupted run bit for bit")
    func stopAndResume() throws {
        let folder = try PipelineTestSupport.collection(count: 3, photos: false)
        let reference = try Self.embed(folder, store: try Self.store("ref.sqlite"), batch: 3)
        let store = try Self.store()
        #expect(throws: PipelineError.interrupted(stage: .embed, committed: 1)) {
            _ = try Self.embed(folder, store: store, batch: 1, progress: { $0.stage != .embed || $0.done < 1 })
        }
        let model = try store.models()[0]
        #expect(try store.embeddingCount(model: model) == 1)
        let resumed = try Self.embed(folder, store: store, batch: 1)
        #expect(resumed.computed == 2 && resumed.reused == 1)
        #expect(resumed.names == reference.names)
        #expect(resumed.values == reference.values)
    }

    @Test("export returns what the job stored; import into another store under another key exports the same")
    func exportImport() throws {
        let folder = try PipelineTestSupport.collection(count: 2, photos: false, broken: true)
        let store = try Self.store()
        let set = try Self.embed(folder, store: store)
        let exported = try EmbeddingExport.read(store: store, selection: ModelSelection(name: "efficientnet-lite0", weightsSHA256: "579344"))
        #expect(exported.names == set.names && exported.values == set.values)
        #expect(throws: StoreError.self) { _ = try EmbeddingExport.read(store: store, selection: ModelSelection(name: "resnet50")) }

        let files = EmbeddingFiles(out: try PipelineTestSupport.temporaryFolder().appendingPathComponent("x.npy"))
        try files.write(exported, metadata: EmbeddingFileMetadata(exported, weights: nil, store: store.url, batch: nil, threads: nil))
        let other = try Self.store("other.sqlite")
        let key = StoredModelKey(name: "my-python-model", variant: "default", weightsSHA256: String(repeating: "0", count: 64))
        let count = try EmbeddingImport(embeddings: files.embeddings, names: files.names, folder: folder, key: key, preprocessing: "imported").run(store: other)
        #expect(count == 2)
        let back = try EmbeddingExport.read(store: other, selection: ModelSelection(name: "my-python-model"))
        #expect(back.names == set.names && back.values == set.values)
    }
}
