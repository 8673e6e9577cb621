import Foundation
import Testing
import FrameCutIO

/// `embed --shard i/N` and `framecut merge`: with the real EfficientNet-Lite0 weights, shards of
/// 3 cover every image once and their merge equals a single run bit for bit; the refusals on
/// small hand-made shard stores.
@Suite("CLI: embed --shard and merge")
struct ShardMergeTests {
    static let rule = "sha256(relative path) mod N"

    /// The documented rule, computed here independently of FrameCutPipeline.
    static func share(_ path: String, _ count: Int) -> Int {
        var h = SHA256()
        h.update(Array(path.utf8))
        return Int(h.finalize().prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) } % UInt64(count))
    }

    static func listingDigest(_ paths: [String]) -> String {
        var h = SHA256()
        for p in paths.map({ Array($0.utf8) }).sorted(by: { $0.lexicographicallyPrecedes($1) }) { h.update(p + [0x0A]) }
        return h.finalizeHex()
    }

    @Test("shards of 3 hold every image exactly once; their merge exports bit-identical to one process; embed/run on it compute nothing")
    func shardsMergeToTheSingleRun() throws {
        let weights = try EmbedCommandTests.weights()
        let folder = try RunCommandTests.folder(images: 7)
        // one content under a second path in another share: embedded by two shards, merged once
        let copy = try #require((0..<50).map { "copy\($0).bmp" }.first { Self.share($0, 3) != Self.share("img00.bmp", 3) })
        try FileManager.default.copyItem(atPath: folder + "/img00.bmp", toPath: folder + "/" + copy)
        let work = folder + "/.."
        let single = try CLIHarness.run(["embed", folder, "--model", "efficientnet-lite0", "--weights", weights, "--store", work + "/single.sqlite",
                                         "--out", work + "/single.npy", "--threads", "2"])
        #expect(single.status == 0, "\(single.stderr)")
        var covered: [String] = []
        for i in 0..<3 {
            let shard = try CLIHarness.run(["embed", folder, "--model", "efficientnet-lite0", "--weights", weights, "--shard", "\(i)/3",
                                            "--store", work + "/shard\(i).sqlite", "--threads", "1", "--batch", "3"])
            #expect(shard.status == 0, "\(shard.stderr)")
            #expect(shard.stdout.contains("in shard \(i)/3"), "\(shard.stdout)")
            let store = try EmbeddingStore(url: URL(fileURLWithPath: work + "/shard\(i).sqlite"), access: .readOnly)
            let paths = try store.images().keys.sorted()
            #expect(paths.allSatisfy { Self.share($0, 3) == i }, "shard \(i): \(paths)")
            let record = try #require(try store.shard())
            #expect(record == StoredShard(index: i, count: 3, rule: Self.rule, listed: 8, listingSHA256: record.listingSHA256))
            covered += paths
        }
        #expect(covered.sorted() == (["img00.bmp", "img02.bmp", "img04.bmp", "img06.bmp", copy] + ["sub/img01.bmp", "sub/img03.bmp", "sub/img05.bmp"]).sorted())

        let shards = (0..<3).map { work + "/shard\($0).sqlite" }
        let merged = try CLIHarness.run(["merge", work + "/merged.sqlite"] + shards.reversed())
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(merged.stdout.contains("merged 3 shards: 8 images"), "\(merged.stdout)")
        #expect(merged.stdout.contains("efficientnet-lite0/pooled@579344248a93: 7 embeddings"), "\(merged.stdout)")
        #expect(merged.stdout.contains("1 embeddings were in more than one shard"), "\(merged.stdout)")
        #expect(!FileManager.default.fileExists(atPath: work + "/merged.sqlite-wal"))
        for (store, out) in [("single", "a"), ("merged", "b")] {
            let export = try CLIHarness.run(["export", "--store", work + "/\(store).sqlite", "--model", "efficientnet-lite0", "--out", work + "/\(out).npy"])
            #expect(export.status == 0, "\(export.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: work + "/a.npy")) == Data(contentsOf: URL(fileURLWithPath: work + "/b.npy")))
        #expect(try Data(contentsOf: URL(fileURLWithPath: work + "/a.names.txt")) == Data(contentsOf: URL(fileURLWithPath: work + "/b.names.txt")))
        let again = try CLIHarness.run(["embed", folder, "--model", "efficientnet-lite0", "--weights", weights, "--store", work + "/merged.sqlite",
                                        "--out", work + "/again.npy"])
        #expect(again.status == 0 && again.stdout.contains(": 0 computed, 7 from"), "\(again.stdout) \(again.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: work + "/again.npy")) == Data(contentsOf: URL(fileURLWithPath: work + "/single.npy")))

        // a shard store is only for its own share, and never for a whole run
        let wrong = try CLIHarness.run(["embed", folder, "--model", "efficientnet-lite0", "--weights", weights, "--shard", "1/3",
                                        "--store", shards[0]])
        #expect(wrong.status == 1 && wrong.stderr == "error: \(shards[0]): it holds shard 0/3, not 1/3; give each shard its own --store\n", "\(wrong.stderr)")
        let whole = try CLIHarness.run(["embed", folder, "--model", "efficientnet-lite0", "--weights", weights, "--store", shards[0], "--out", work + "/w.npy"])
        #expect(whole.status == 1 && whole.stderr.contains("it holds only shard 0/3 of a collection; merge the shards (framecut merge)"), "\(whole.stderr)")
        let run = try CLIHarness.run(["run", folder, "--model", "efficientnet-lite0", "--weights", weights, "--store", shards[1], "--out", work + "/run"])
        #expect(run.status == 1 && run.stderr.contains("it holds only shard 1/3"), "\(run.stderr)")
        let plain = try CLIHarness.run(["embed", folder, "--model", "efficientnet-lite0", "--weights", weights, "--shard", "0/3",
                                        "--store", work + "/single.sqlite"])
        #expect(plain.status == 1 && plain.stderr.contains("it holds a whole collection, not shard 0/3"), "\(plain.stderr)")
    }

    /// A shard store made by hand: `images` (path, content hash), each hash's vector, model weights SHA.
    static func shardStore(_ path: String, index: Int, count: Int, images: [(String, String)], vectors: [String: [Float]],
                           listing: [String], sha: String = String(repeating: "a", count: 64)) throws {
        let store = try EmbeddingStore(url: URL(fileURLWithPath: path))
        try store.replaceImages(images.map { StoredImage(path: $0.0, size: 1, modificationTime: 0, contentHash: $0.1, status: .ok) },
                                shard: StoredShard(index: index, count: count, rule: rule, listed: listing.count, listingSHA256: listingDigest(listing)))
        let model = try store.model(StoredModelKey(name: "m", variant: "default", weightsSHA256: sha), preprocessing: "{}", width: 2)
        try store.commit(StoreBatch(embeddings: vectors.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }), model: model)
    }

    @Test("merge refuses a missing or doubled shard, another split or listing, other weights, conflicting rows, a stray row, a plain store, OUT = input, an existing OUT")
    func refusals() throws {
        let work = try CLIHarness.temporaryFolder()
        let listing = (0..<12).map { "p\($0).png" }
        let byShard = (0..<2).map { i in listing.filter { Self.share($0, 2) == i } }
        try #require(byShard.allSatisfy { $0.count >= 2 })
        func hash(_ p: String) -> String { String(repeating: "0", count: 60) + String(p.dropFirst().dropLast(4)).leftPad4 }
        func rows(_ i: Int) -> [(String, String)] { byShard[i].map { ($0, hash($0)) } }
        func vectors(_ i: Int) -> [String: [Float]] { Dictionary(uniqueKeysWithValues: byShard[i].map { (hash($0), [Float(i), 1]) }) }
        let s0 = work + "/s0.sqlite", s1 = work + "/s1.sqlite"
        try Self.shardStore(s0, index: 0, count: 2, images: rows(0), vectors: vectors(0), listing: listing)
        try Self.shardStore(s1, index: 1, count: 2, images: rows(1), vectors: vectors(1), listing: listing)
        func merge(_ arguments: [String]) throws -> CLIHarness.Result { try CLIHarness.run(["merge"] + arguments) }

        let ok = try merge([work + "/ok.sqlite", s0, s1])
        #expect(ok.status == 0 && ok.stdout.contains("merged 2 shards: 12 images") && ok.stdout.contains("m/default@aaaaaaaaaaaa: 12 embeddings"), "\(ok.stdout)\(ok.stderr)")
        let merged = try EmbeddingStore(url: URL(fileURLWithPath: work + "/ok.sqlite"), access: .readOnly)
        #expect(try merged.shard() == nil && merged.images().count == 12)
        let exists = try merge([work + "/ok.sqlite", s0, s1])
        #expect(exists.status == 1 && exists.stderr == "error: \(work)/ok.sqlite already exists; pass --force to replace it\n", "\(exists.stderr)")
        #expect(try merge([work + "/ok.sqlite", s0, s1, "--force"]).status == 0)

        func refused(_ arguments: [String], _ message: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let r = try merge(arguments)
            #expect(r.status == 1, "\(arguments) exited \(r.status)", sourceLocation: sourceLocation)
            #expect(r.stderr.contains(message) && r.stderr.split(separator: "\n").count == 1, "\(r.stderr)", sourceLocation: sourceLocation)
            #expect(!FileManager.default.fileExists(atPath: work + "/out.sqlite"), sourceLocation: sourceLocation)
        }
        try refused([work + "/out.sqlite", s0], "merge: 1 of 2 shards missing (1/2); give every shard store")
        try refused([work + "/out.sqlite", s0, s0, s1], "merge: \(s0) and \(s0) are both shard 0/2")
        try refused([s1, s0, s1], "OUT \(s1) is the input SHARD; refusing to write over an input")

        let other = work + "/other-weights.sqlite"
        try Self.shardStore(other, index: 1, count: 2, images: rows(1), vectors: vectors(1), listing: listing, sha: String(repeating: "b", count: 64))
        try refused([work + "/out.sqlite", s0, other],
                    "merge: \(s0) and \(other) hold different models or weights: m/default@aaaaaaaaaaaa only in \(s0); m/default@bbbbbbbbbbbb only in \(other)")

        let three = work + "/three.sqlite"
        try Self.shardStore(three, index: 1, count: 3, images: [], vectors: [:], listing: listing)
        try refused([work + "/out.sqlite", s0, three], "is shard 0/2 (\(Self.rule)) but \(three) is shard 1/3")

        let grown = work + "/grown.sqlite"
        try Self.shardStore(grown, index: 1, count: 2, images: rows(1), vectors: vectors(1), listing: listing + ["new.png"])
        try refused([work + "/out.sqlite", s0, grown], "merge: \(s0) and \(grown) saw different file lists (12 and 13 files)")

        let conflict = work + "/conflict.sqlite"   // the same content as a file of shard 0, with another vector
        var conflicting = vectors(1)
        conflicting[hash(byShard[0][0])] = [9, 9]
        try Self.shardStore(conflict, index: 1, count: 2, images: rows(1), vectors: conflicting, listing: listing)
        try refused([work + "/out.sqlite", s0, conflict], "\(conflict): the embedding of image \(hash(byShard[0][0])) for m/default@aaaaaaaaaaaa differs from another store's; refusing to merge")
        let identical = work + "/identical.sqlite"
        var same = vectors(1)
        same[hash(byShard[0][0])] = [0, 1]
        try Self.shardStore(identical, index: 1, count: 2, images: rows(1), vectors: same, listing: listing)
        let dup = try merge([work + "/dup.sqlite", s0, identical])
        #expect(dup.status == 0 && dup.stdout.contains("1 embeddings were in more than one shard"), "\(dup.stdout)\(dup.stderr)")

        let stray = work + "/stray.sqlite"
        try Self.shardStore(stray, index: 1, count: 2, images: rows(1) + [(byShard[0][0], hash(byShard[0][0]))], vectors: vectors(1), listing: listing)
        try refused([work + "/out.sqlite", s0, stray], "merge: \(stray) (shard 1/2) holds \(byShard[0][0]), which belongs to shard 0/2")

        let plain = work + "/plain.sqlite"
        _ = try EmbeddingStore(url: URL(fileURLWithPath: plain))
        try refused([work + "/out.sqlite", plain, s1], "merge: \(plain) is not a shard store")
        try refused([work + "/out.sqlite", work + "/none.sqlite"], "\(work)/none.sqlite: no such store")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: work).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    @Test("--shard and --out errors are usage errors (exit 64) naming the flag")
    func shardErrors() throws {
        let folder = try RunCommandTests.folder(images: 1)
        let base = ["embed", folder, "--model", "efficientnet-lite0", "--weights", folder + "/../w.pth"]
        for (arguments, message) in [(["--shard", "3/3"], "--shard: 3/3: shards count from 0, so i must be 0...2"),
                                     (["--shard", "0/0"], "--shard: 0/0: N must be at least 1"),
                                     (["--shard", "x"], "--shard: 'x' is not i/N"),
                                     ([], "Missing expected argument '--out <out>' (optional only with --shard)"),
                                     (["--shard", "0/2", "--names", "n.txt"], "--names needs --out")] {
            let r = try CLIHarness.run(base + arguments)
            #expect(r.status == 64 && r.stderr.hasPrefix("Error: \(message)"), "\(arguments): \(r.status) \(r.stderr)")
        }
        let noShards = try CLIHarness.run(["merge", folder + "/../out.sqlite"])
        #expect(noShards.status == 64 && noShards.stderr.contains("the shard stores to merge"), "\(noShards.stderr)")
    }

    @Test("--help of merge")
    func help() throws {
        let help = try CLIHarness.run(["merge", "--help"])
        #expect(try CLIHarness.matchesGolden(help.stdout, group: "pipeline", name: "merge-help.txt"), "merge --help changed")
    }
}

private extension String {
    /// The digits of a small number, left-padded with zeros to 4 characters (fake content hashes).
    var leftPad4: String { String(repeating: "0", count: max(0, 4 - count)) + self }
}
