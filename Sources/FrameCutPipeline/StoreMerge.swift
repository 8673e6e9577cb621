import Foundation
import FrameCutCore
import FrameCutIO

/// `framecut merge OUT SHARD...`: combines the stores written by `embed --shard i/N` into one
/// store of the whole collection, which `run`, `embed` and `export` then use as if one process
/// had embedded everything.
///
/// Refused, with one line naming the stores: a store without a shard record; shards of
/// different splits (N or rule); a share given twice or missing; shards that saw different file
/// lists; stores of different models, weights, preprocessing or width; an image row in a store
/// whose path belongs to another share; an embedding present in two shards with different bits;
/// an output that is one of the inputs, or exists already without `force`. The output is built
/// in a temporary file beside it and renamed into place only when complete.
public struct StoreMerge: Sendable {
    /// The merged store to write (OUT).
    public var output: URL
    /// The shard stores, in any order.
    public var shards: [URL]
    /// Replace `output` when it exists.
    public var force: Bool

    public init(output: URL, shards: [URL], force: Bool = false) {
        self.output = output
        self.shards = shards
        self.force = force
    }

    /// Checks the paths before any work.
    public func validate() throws {
        guard !shards.isEmpty else { throw PipelineError.invalidOption(flag: "SHARD", reason: "give the shard stores to merge") }
        try OutputPaths.check(files: [.init(output, "OUT")], inputs: shards.map { .init($0, "SHARD") }, imageFolders: [])
        if !force, FileManager.default.fileExists(atPath: output.path) { throw PipelineError.outputExists(path: output.path) }
    }

    /// Checks everything, then writes the merged store atomically.
    /// - Throws: ``PipelineError`` (a refused combination, an existing output), ``StoreError``
    ///   (an unreadable store, a corrupt or conflicting row), ``PathError`` (the output path).
    public func execute() throws -> StoreMergeSummary {
        try validate()
        let clock = Stopwatch()
        let stores = try shards.map { try EmbeddingStore(url: $0, access: .readOnly) }
        let records = try Self.checkRecords(stores)
        let models = try Self.checkModels(stores)
        var images: [[StoredImage]] = []
        for (store, record) in zip(stores, records) {
            let rows = try store.images().values.sorted { $0.path < $1.path }
            if let stray = rows.first(where: { ShardSpec.share(of: $0.path, count: record.count) != record.index }) {
                throw PipelineError.merge(reason: "\(store.url.path) (shard \(record)) holds \(stray.path), which belongs to shard " +
                                          "\(ShardSpec.share(of: stray.path, count: record.count))/\(record.count)")
            }
            images.append(rows)
        }

        let target = try AtomicFile.target(of: output)
        let folder = (target as NSString).deletingLastPathComponent
        let temporary = (folder as NSString).appendingPathComponent(".\((target as NSString).lastPathComponent).tmp-\(getpid())")
        Self.remove(temporary)
        var renamed = false
        defer { if !renamed { Self.remove(temporary) } }
        let out = try EmbeddingStore(url: URL(fileURLWithPath: temporary))
        for (store, rows) in zip(stores, images) { try out.addImages(rows, source: store.url.path) }
        var counts: [(model: StoredModelKey, embeddings: Int)] = []
        var identical = 0
        for model in models[0] {
            let target = try out.model(model.key, preprocessing: model.preprocessing, width: model.width)
            var added = 0
            for (store, storeModels) in zip(stores, models) {
                guard let source = storeModels.first(where: { $0.key == model.key }) else { continue }
                let copied = try out.copyEmbeddings(from: store, model: source, into: target)
                added += copied.added
                identical += copied.identical
            }
            counts.append((model.key, added))
        }
        try out.close()
        // The WAL was checkpointed into the file and truncated: its (empty) companions go too.
        for suffix in ["-wal", "-shm"] { unlink(temporary + suffix) }
        for suffix in ["-wal", "-shm"] where FileKind.of(target + suffix) == .regular { unlink(target + suffix) }
        guard rename(temporary, target) == 0 else {
            throw PathError.system(path: output.path, action: "write", reason: String(cString: strerror(errno)))
        }
        renamed = true
        return StoreMergeSummary(output: output, shards: records.count, images: images.reduce(0) { $0 + $1.count },
                                 embeddings: counts.map { StoreMergeSummary.ModelCount(model: $0.model, embeddings: $0.embeddings) },
                                 duplicates: identical, seconds: clock.seconds)
    }

    /// Every store's shard record; all of one split, each share exactly once, one listing.
    static func checkRecords(_ stores: [EmbeddingStore]) throws -> [StoredShard] {
        var records: [StoredShard] = []
        for store in stores {
            guard let record = try store.shard() else {
                throw PipelineError.merge(reason: "\(store.url.path) is not a shard store (no shard record; `embed --shard i/N` writes one)")
            }
            records.append(record)
        }
        let first = records[0], firstPath = stores[0].url.path
        var byIndex: [Int: String] = [:]
        for (store, record) in zip(stores, records) {
            guard record.count == first.count, record.rule == first.rule else {
                throw PipelineError.merge(reason: "\(firstPath) is shard \(first) (\(first.rule)) but \(store.url.path) is shard \(record) (\(record.rule)): not one split")
            }
            if let other = byIndex[record.index] {
                throw PipelineError.merge(reason: "\(other) and \(store.url.path) are both shard \(record)")
            }
            byIndex[record.index] = store.url.path
            guard record.listingSHA256 == first.listingSHA256 else {
                throw PipelineError.merge(reason: "\(firstPath) and \(store.url.path) saw different file lists (\(first.listed) and \(record.listed) files); " +
                                          "run every shard on the same folder with the same options")
            }
        }
        let missing = (0..<first.count).filter { byIndex[$0] == nil }
        guard missing.isEmpty else {
            let names = missing.prefix(10).map { "\($0)/\(first.count)" }.joined(separator: ", ") + (missing.count > 10 ? ", ..." : "")
            throw PipelineError.merge(reason: "\(missing.count) of \(first.count) shards missing (\(names)); give every shard store")
        }
        return records
    }

    /// Every store's models; the same keys with the same preprocessing and width in all.
    static func checkModels(_ stores: [EmbeddingStore]) throws -> [[StoredModel]] {
        let models = try stores.map { try $0.models() }
        let first = models[0], firstPath = stores[0].url.path
        for (store, storeModels) in zip(stores, models).dropFirst() {
            let here = Set(storeModels.map(\.key)), there = Set(first.map(\.key))
            if here != there {
                var parts: [String] = []
                for key in there.subtracting(here).sorted(by: { $0.description < $1.description }) { parts.append("\(key) only in \(firstPath)") }
                for key in here.subtracting(there).sorted(by: { $0.description < $1.description }) { parts.append("\(key) only in \(store.url.path)") }
                throw PipelineError.merge(reason: "\(firstPath) and \(store.url.path) hold different models or weights: \(parts.joined(separator: "; "))")
            }
            for model in storeModels {
                guard let other = first.first(where: { $0.key == model.key }) else { continue }
                guard other.width == model.width, other.preprocessing == model.preprocessing else {
                    throw PipelineError.merge(reason: "\(firstPath) and \(store.url.path) store \(model.key) with another " +
                                              (other.width == model.width ? "preprocessing" : "width (\(other.width) and \(model.width))"))
                }
            }
        }
        return models
    }

    private static func remove(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }
    }
}
