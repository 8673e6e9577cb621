import Foundation
import Testing
import FrameCutPipeline

/// `--shard i/N`: parsing, and the assignment rule against values computed with Python's
/// hashlib (`int.from_bytes(sha256(path.encode()).digest()[:8], 'big') % N`).
@Suite("Pipeline: shard assignment")
struct ShardSpecTests {
    @Test("i/N parses; N >= 1 and 0 <= i < N, anything else is one line naming --shard")
    func parsing() throws {
        let spec = try ShardSpec(parsing: "2/3")
        #expect(spec.index == 2 && spec.count == 3 && spec.description == "2/3")
        #expect(try ShardSpec(parsing: "0/1").count == 1)
        let cases: [(String, String)] = [
            ("3/3", "--shard: 3/3: shards count from 0, so i must be 0...2"),
            ("0/0", "--shard: 0/0: N must be at least 1"),
            ("-1/3", "--shard: '-1/3' is not i/N"),
            ("1", "--shard: '1' is not i/N"),
            ("1/3/4", "--shard: '1/3/4' is not i/N"),
            ("a/b", "--shard: 'a/b' is not i/N"),
            (" 1/3", "--shard: ' 1/3' is not i/N"),
            ("1/99999999999", "--shard: '1/99999999999' is not i/N"),
        ]
        for (text, message) in cases {
            do {
                _ = try ShardSpec(parsing: text)
                Issue.record("'\(text)' accepted")
            } catch {
                #expect("\(error)".hasPrefix(message), "\(text): \(error)")
                #expect(!"\(error)".contains("\n"))
            }
        }
    }

    @Test("the share of a path is SHA-256(path)[0..<8] big-endian mod N (pinned against Python's hashlib)")
    func rule() throws {
        #expect(ShardSpec.share(of: "img00.bmp", count: 3) == 1)
        #expect(ShardSpec.share(of: "sub/img01.bmp", count: 3) == 1)
        #expect(ShardSpec.share(of: "a/b/ü.png", count: 7) == 1)
        #expect(ShardSpec.share(of: "x", count: 1) == 0)
        #expect(ShardSpec.share(of: "photos/2024/IMG_0001.JPG", count: 1000) == 683)
        #expect(ShardSpec.listingDigest(["b/c.png", "a.png"]) == "432deac439b3eb875f83118ca0a6cc4e2a40eb812b8d9bb010719d3bc7bee7ad")
    }

    @Test("the shares of N partition any listing, and adding files moves no other file")
    func partition() throws {
        let paths = (0..<500).map { "folder\($0 % 7)/image-\($0).jpg" }
        for count in [1, 2, 3, 8] {
            let shards = try (0..<count).map { try ShardSpec(index: $0, count: count) }
            for path in paths { #expect(shards.filter { $0.contains(path) }.count == 1) }
            let before = paths.map { ShardSpec.share(of: $0, count: count) }
            let grown = paths + (0..<100).map { "new/\($0).png" }
            #expect(Array(grown.prefix(paths.count).map { ShardSpec.share(of: $0, count: count) }) == before)
        }
        let sizes = (0..<4).map { i in paths.filter { ShardSpec.share(of: $0, count: 4) == i }.count }
        #expect(sizes.allSatisfy { $0 > 90 && $0 < 160 }, "\(sizes)")
    }
}
