import Foundation
import Testing
import FrameCutIO

@Suite("Embedding store: schema, keys, validation on read")
struct EmbeddingStoreTests {
    static let key = StoredModelKey(name: "m", variant: "pooled", weightsSHA256: String(repeating: "ab", count: 32))

    static func store() throws -> EmbeddingStore {
        try EmbeddingStore(url: try PipelineTestSupport.temporaryFolder().appendingPathComponent("s.sqlite"))
    }

    static func image(_ path: String, _ hash: String) -> StoredImage {
        StoredImage(path: path, size: 10, modificationTime: 1, contentHash: hash)
    }

    @Test("embeddings round-trip bit for bit, keyed by content; the file is in WAL mode and reopens")
    func roundTrip() throws {
        let store = try Self.store()
        try store.replaceImages([Self.image("a.png", "h1"), Self.image("b/c.png", "h2"), Self.image("copy.png", "h1")])
        let model = try store.model(Self.key, preprocessing: "p", width: 3)
        let v1: [Float] = [1, -0.5, .leastNonzeroMagnitude], v2: [Float] = [3.25, 0, -1e30]
        try store.commit(StoreBatch(embeddings: [("h1", v1), ("h2", v2)], outcomes: [("h1", .ok, nil, 4, 5), ("h2", .warning, "truncated", 6, 7)]), model: model)
        #expect(try store.embeddings(model: model, hashes: ["h2", "h1", "h1"]) == v2 + v1 + v1)
        #expect(FileManager.default.fileExists(atPath: store.url.path + "-wal"))
        let images = try store.images()
        #expect(images["copy.png"]?.status == .ok && images["copy.png"]?.width == 4)
        #expect(images["b/c.png"]?.status == .warning && images["b/c.png"]?.reason == "truncated")

        let reopened = try EmbeddingStore(url: store.url)
        let same = try reopened.model(Self.key, preprocessing: "p", width: 3)
        #expect(same.id == model.id)
        #expect(try reopened.embeddedHashes(model: same) == ["h1", "h2"])
        #expect(try reopened.models().count == 1)

        // replaceImages makes the table exactly the listing
        try reopened.replaceImages([Self.image("a.png", "h1")])
        #expect(try reopened.images().keys.sorted() == ["a.png"])
    }

    @Test("a corrupt blob (wrong length, NaN, missing) is an error naming the image and model, never returned")
    func corruptRows() throws {
        let store = try Self.store()
        let model = try store.model(Self.key, preprocessing: "p", width: 2)
        try store.commit(StoreBatch(embeddings: [("h1", [1, 2])]), model: model)
        try store.overwriteBlobForTesting(contentHash: "h1", model: model, bytes: Data([0, 0, 128, 63, 0, 0]))
        #expect(throws: StoreError.self) { _ = try store.embeddings(model: model, hashes: ["h1"]) }
        do { _ = try store.embeddings(model: model, hashes: ["h1"]) } catch {
            #expect("\(error)".contains("corrupt embedding of image h1 for m/pooled@abababababab: 6 bytes, expected 8"), "\(error)")
        }
        var nan = Data(count: 8)
        nan.withUnsafeMutableBytes { $0.storeBytes(of: Float.nan.bitPattern.littleEndian, toByteOffset: 4, as: UInt32.self) }
        try store.overwriteBlobForTesting(contentHash: "h1", model: model, bytes: nan)
        do { _ = try store.embeddings(model: model, hashes: ["h1"]); Issue.record("NaN accepted") } catch {
            #expect("\(error)".contains("value 1 is nan"), "\(error)")
        }
        #expect(throws: StoreError.self) { _ = try store.embeddings(model: model, hashes: ["nope"]) }
    }

    @Test("invalid vectors are refused on write; a key stored with another width or preprocessing is refused")
    func refusals() throws {
        let store = try Self.store()
        let model = try store.model(Self.key, preprocessing: "p", width: 2)
        #expect(throws: StoreError.invalidEmbedding(path: store.url.path, contentHash: "h", reason: "value 0 is inf")) {
            try store.commit(StoreBatch(embeddings: [("h", [.infinity, 1])]), model: model)
        }
        #expect(throws: StoreError.self) { try store.commit(StoreBatch(embeddings: [("h", [1, 2, 3])]), model: model) }
        #expect(try store.embeddingCount(model: model) == 0)
        #expect(throws: StoreError.self) { _ = try store.model(Self.key, preprocessing: "p", width: 3) }
        #expect(throws: StoreError.self) { _ = try store.model(Self.key, preprocessing: "other", width: 2) }
        let other = try store.model(StoredModelKey(name: "m", variant: "pooled", weightsSHA256: "cd"), preprocessing: "p", width: 2)
        #expect(other.id != model.id)
    }

    @Test("a file that is not a FrameCut store is refused with its path")
    func notAStore() throws {
        let folder = try PipelineTestSupport.temporaryFolder()
        let junk = folder.appendingPathComponent("junk.sqlite")
        try Data(repeating: 0x5A, count: 4096).write(to: junk)
        #expect(throws: StoreError.self) { _ = try EmbeddingStore(url: junk) }
        do { _ = try EmbeddingStore(url: junk) } catch { #expect("\(error)".contains(junk.path)) }
    }

    @Test("read-only: a missing store is not created, writes are refused, a store being written is read without a lock")
    func readOnly() throws {
        let folder = try PipelineTestSupport.temporaryFolder()
        let missing = folder.appendingPathComponent("missing.sqlite")
        do { _ = try EmbeddingStore(url: missing, access: .readOnly); Issue.record("a missing store opened") } catch {
            #expect("\(error)" == "\(missing.path): no such store")
        }
        #expect(!FileManager.default.fileExists(atPath: missing.path))

        let writer = try EmbeddingStore(url: folder.appendingPathComponent("s.sqlite"))
        let model = try writer.model(Self.key, preprocessing: "p", width: 2)
        try writer.commit(StoreBatch(embeddings: [("h1", [1, 2])]), model: model)
        let reader = try EmbeddingStore(url: writer.url, access: .readOnly)
        #expect(try reader.embeddingCount(model: model) == 1)
        try writer.commit(StoreBatch(embeddings: [("h2", [3, 4])]), model: model)
        #expect(try reader.embeddings(model: model, hashes: ["h2", "h1"]) == [3, 4, 1, 2])
        #expect(throws: StoreError.self) { try reader.commit(StoreBatch(embeddings: [("h3", [5, 6])]), model: model) }
        #expect(try writer.embeddingCount(model: model) == 2)

        let empty = folder.appendingPathComponent("empty.sqlite")
        try Data().write(to: empty)
        #expect(throws: StoreError.self) { _ = try EmbeddingStore(url: empty, access: .readOnly) }
    }
}
