import Foundation
import Testing
import FrameCutCore
import FrameCutIO
import ZIPFoundation

/// Files built to hurt: every reader must end with a value or one clear error, never a trap,
/// a hang or an allocation the file's size and the memory budget do not allow.
@Suite("Hostile files")
struct HostileFileTests {
    static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "framecut-hostile-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func npyHeader(_ dict: String) -> Data {
        var header = dict
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        data.append(contentsOf: [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
        data.append(contentsOf: Array(header.utf8))
        return data
    }

    // MARK: .npy and .npz

    @Test("shapes are checked against the file before allocating",
          arguments: ["(1000000000000, 1000000000000)", "(9223372036854775807, 2)", "(4611686018427387904, 4)", "(1000, 1000)", "(1000000000000, 1000000000000, 0)"])
    func hugeNPYShapes(shape: String) throws {
        let data = Self.npyHeader("{'descr': '<f4', 'fortran_order': False, 'shape': \(shape), }") + Data(count: 16)
        #expect(throws: NPYError.self) { try NPYFile.decode(data) }
    }

    @Test func negativeAndGarbageShapes() throws {
        for shape in ["(-1, 2)", "(1e3, 2)", "(2, 'a')"] {
            let data = Self.npyHeader("{'descr': '<f4', 'fortran_order': False, 'shape': \(shape), }") + Data(count: 16)
            #expect(throws: NPYError.self) { try NPYFile.decode(data) }
        }
    }

    @Test func npzCRCIsVerified() throws {
        for fixture in ["stored", "deflated"] {
            let url = try #require(Bundle.module.url(forResource: "Fixtures/npy/\(fixture).npz", withExtension: nil))
            let good = try Data(contentsOf: url)
            _ = try NPZArchive(contentsOf: url)
            // Flip one byte of the member's values (just before the central directory).
            let central = try #require(good.range(of: Data([0x50, 0x4B, 0x01, 0x02])))
            var bad = good
            bad[central.lowerBound - 1] ^= 0x01
            let dir = try Self.folder()
            let badURL = URL(fileURLWithPath: dir + "/bad.npz")
            try bad.write(to: badURL)
            #expect(throws: NPYError.self) { try NPZArchive(contentsOf: badURL) }
        }
    }

    static func zeroBomb(bytes: Int, at path: String) throws {
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        let payload = Self.npyHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (\((bytes - 128) / 4),), }") + Data(count: bytes - 128)
        try archive.addEntry(with: "embeddings.npy", type: .file, uncompressedSize: Int64(payload.count), compressionMethod: .deflate) { position, size in
            payload.subdata(in: Int(position)..<Int(position) + size)
        }
    }

    @Test func npzBombsStopAtTheBudget() throws {
        let dir = try Self.folder()
        let path = dir + "/bomb.npz"
        try Self.zeroBomb(bytes: 8 << 20, at: path)
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
        #expect(size < 100_000)
        // Declared size over the budget: refused before inflating.
        #expect(throws: NPYError.self) { try NPZArchive(contentsOf: URL(fileURLWithPath: path), memoryLimit: 1 << 20) }
        // Within the budget it reads.
        #expect(try NPZArchive(contentsOf: URL(fileURLWithPath: path), memoryLimit: 64 << 20).arrays["embeddings"]?.shape == [(8 << 20) / 4 - 32])
        // A member that lies about its size stops inflating at the declared size.
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        let small: [UInt8] = [0x00, 0x04, 0x00, 0x00]  // 1024
        data.replaceSubrange(22..<26, with: small)  // local header: uncompressed size
        let central = try #require(data.range(of: Data([0x50, 0x4B, 0x01, 0x02])))
        data.replaceSubrange((central.lowerBound + 24)..<(central.lowerBound + 28), with: small)
        let liar = URL(fileURLWithPath: dir + "/liar.npz")
        try data.write(to: liar)
        do {
            _ = try NPZArchive(contentsOf: liar, memoryLimit: 64 << 20)
            Issue.record("a member larger than declared was accepted")
        } catch let error as NPYError {
            #expect(error.description.contains("declared"))
        }
    }

    @Test func torchZipCRCIsVerified() throws {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/weights/basic_zip.pt", withExtension: nil))
        let good = try Data(contentsOf: url)
        _ = try StateDict.decode(good, file: "basic_zip.pt")
        // Flip the first byte of the first storage member ("<name>/data/0").
        let name = try #require(good.range(of: Data("/data/0".utf8)))
        var header = good.startIndex
        while let next = good[header...].range(of: Data([0x50, 0x4B, 0x03, 0x04])), next.lowerBound < name.lowerBound { header = next.lowerBound + 1 }
        header -= 1
        let nameLength = Int(good[header + 26]) | Int(good[header + 27]) << 8
        let extraLength = Int(good[header + 28]) | Int(good[header + 29]) << 8
        var bad = good
        bad[header + 30 + nameLength + extraLength] ^= 0x10
        #expect(throws: WeightFileError.self) { try StateDict.decode(bad, file: "flipped.pt") }
    }

    /// Found by FuzzWeights: a zip whose member offsets point past the end trapped inside
    /// ZIPFoundation's in-memory reader; the layout is now checked first.
    @Test(arguments: ["fuzz_offset_past_end.pt", "fuzz_stored_size_past_end.pt"])
    func zipOffsetsPastTheEndAreAnError(name: String) throws {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/weights/\(name)", withExtension: nil))
        #expect(throws: WeightFileError.self) { try StateDict.decode(try Data(contentsOf: url), file: "fuzz") }
        #expect(throws: WeightFileError.self) { try StateDict.load(contentsOf: url) }
    }

    @Test func specialFilesAreRefusedNotRead() throws {
        let dir = try Self.folder()
        #expect(mkfifo(dir + "/fifo", 0o644) == 0)
        for path in ["/dev/zero", dir + "/fifo", dir] {
            let url = URL(fileURLWithPath: path)
            #expect(throws: NPYError.self) { try NPYFile.read(contentsOf: url) }
            #expect(throws: NPYError.self) { try NPZArchive(contentsOf: url) }
            #expect(throws: TextGraphError.self) { try TextGraphReader.read(contentsOf: url, values: .rawCost) }
            #expect(throws: WeightFileError.self) { try StateDict.load(contentsOf: url) }
            #expect(throws: PathError.self) { try NameList.read(path: path) }
            #expect(throws: ImageIOError.self) { try ImageDecoder().decode(contentsOf: url) }
        }
    }

    // MARK: text graphs

    @Test func textGraphHeadersAreBounded() throws {
        #expect(throws: TextGraphError.self) { try TextGraphReader.parse(Data("3 1000000000000\n0 1 0.5\n".utf8), values: .normalizedSimilarity) }
        #expect(throws: TextGraphError.self) { try TextGraphReader.parse(Data("3000000000 1\n0 1 0.5\n".utf8), values: .normalizedSimilarity) }
        #expect(throws: TextGraphError.self) {
            try TextGraphReader.parse(Data("100000000 1\n0 1 0.5\n".utf8), values: .normalizedSimilarity, memoryLimit: 1 << 20)
        }
        #expect(throws: TextGraphError.self) { try TextGraphReader.parse(Data("99999999999999999999 1\n".utf8), values: .rawCost) }
        #expect(throws: TextGraphError.self) { try TextGraphReader.parse(Data("3 1\n0 1 nan\n".utf8), values: .rawCost) }
    }

    @Test func textGraphsWithCRLFAndBOM() throws {
        let graph = try TextGraphReader.parse(Data([0xEF, 0xBB, 0xBF] + Array("3 2\r\n0 1 0.5\r\n1 2 0.25\r\n".utf8)), values: .normalizedSimilarity)
        #expect(graph.nodeCount == 3)
        #expect(graph.values == [0.5, 0.25])
    }

    // MARK: names and labels

    @Test func namesFilesWithCRLFAndBOM() throws {
        let dir = try Self.folder()
        try Data([0xEF, 0xBB, 0xBF] + Array("a.jpg\r\nb.jpg\r\nc d.jpg\r\n".utf8)).write(to: URL(fileURLWithPath: dir + "/names.txt"))
        #expect(try NameList.read(path: dir + "/names.txt") == ["a.jpg", "b.jpg", "c d.jpg"])
        try Data([0xEF, 0xBB, 0xBF] + Array("name,class\r\na.jpg,1\r\n\"b,1.jpg\",2\r\n".utf8)).write(to: URL(fileURLWithPath: dir + "/labels.csv"))
        let labels = try LabelFileReader.read(path: dir + "/labels.csv")
        #expect(labels.names == ["a.jpg", "b,1.jpg"])
        #expect(labels.labels == ["1", "2"])
    }

    @Test func namesAreEscapedReversibly() throws {
        let names = ["plain.jpg", "line\nbreak.jpg", "back\\slash.jpg", "cr\rname.png", "both\\n.jpg", "crlf\r\nname.png", "trailing\\"]
        let text = NameList.text(names)
        #expect(text.split(separator: "\n").count == names.count)
        #expect(try NameList.parse(text, source: "names") == names)
        #expect(NameList.escape("plain.jpg") == "plain.jpg")
    }

    @Test func namesFilesRefuseBlankAndRepeatedNames() throws {
        #expect(throws: ClusteringFileError.duplicateName(path: "n", name: "a", firstLine: 1, line: 3)) { try NameList.parse("a\nb\na\n", source: "n") }
        #expect(throws: ClusteringFileError.malformedLine(path: "n", line: 2, reason: "empty name")) { try NameList.parse("a\n\nb\n", source: "n") }
        #expect(throws: ClusteringFileError.self) { try NameList.parse("a\nb\n", source: "n", expected: 3) }
    }

    // MARK: images

    static func pngFixture() throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/images/png_rgb8.png", withExtension: nil))
        return [UInt8](try Data(contentsOf: url))
    }

    @Test func pngHeaderChecksumsAreCheckedAsPILDoes() throws {
        let good = try Self.pngFixture()
        _ = try ImageDecoder().decode(good)
        // IHDR: 8 signature + 8 length/type + 13 data, then its CRC.
        var badIHDR = good
        badIHDR[8 + 8 + 13] ^= 0xFF
        #expect(throws: ImageIOError.self) { try ImageDecoder().decode(badIHDR) }
        #expect(throws: ImageIOError.self) { try ImageDecoder().probe(badIHDR) }
        // An ancillary chunk with a bad CRC is read as PIL reads truncated images: accepted.
        var text = Array("tEXt".utf8) + Array("k\0v".utf8)
        let crc = CRC32Checksum.checksum(text) ^ 0xFFFF_FFFF
        text = [0, 0, 0, 3] + text + [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)]
        let withText = Array(good[0..<33]) + text + Array(good[33...])
        #expect(try ImageDecoder().decode(withText).image.pixels == ImageDecoder().decode(good).image.pixels)
    }

    @Test func crc32MatchesZlib() {
        #expect(CRC32Checksum.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32Checksum.checksum([UInt8]()) == 0)
    }

    // MARK: collections

    @Test func oddFileNamesAreKeptOrSkippedWithAReason() throws {
        let dir = try Self.folder()
        let png = Data(try Self.pngFixture())
        try png.write(to: URL(fileURLWithPath: dir + "/plain.png"))
        try png.write(to: URL(fileURLWithPath: dir + "/line\nbreak.png"))
        // A name that is not UTF-8 (Latin-1 "é"), created with the raw bytes.
        let raw: [UInt8] = Array((dir + "/caf").utf8) + [0xE9] + Array(".png".utf8) + [0]
        let fd = raw.withUnsafeBufferPointer { open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_WRONLY | O_CREAT, 0o644) }
        #expect(fd >= 0)
        _ = png.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        let listing = try CollectionWalker.list(URL(fileURLWithPath: dir))
        #expect(listing.files.map(\.relativePath) == ["line\nbreak.png", "plain.png"])
        #expect(listing.problems.count == 1)
        #expect(listing.problems.first?.description.contains("caf\\xE9.png") == true)
        #expect(listing.problems.first?.description.contains("not valid UTF-8") == true)
    }

    // MARK: budgets

    @Test func sizesAreOverflowSafe() throws {
        #expect(MemoryBudget.product([1_000_000_000_000, 1_000_000_000_000]) == nil)
        #expect(MemoryBudget.product([-1, 2]) == nil)
        #expect(MemoryBudget.product([3, 4, 0]) == 0)
        #expect(MemoryBudget.sum(.max, 1) == .max)
        #expect(MemoryBudget.parse("1e30G") == nil)
        #expect(SymmetricCostMatrix.byteCount(nodeCount: 10_000_000_000) == .max)
        #expect(throws: FrameCutError.self) { try MemoryBudget.check(product: [1 << 40, 1 << 40], limit: 1 << 30, what: "x") }
        #expect(throws: MetricsError.self) { try CalibrationAblation.grid(from: 0.3, through: 0.7, step: 1e-12) }
        #expect(throws: MetricsError.self) { try CalibrationAblation.grid(from: .nan, through: 0.7, step: 0.1) }
        #expect(try CalibrationAblation.grid(from: 0.3, through: 0.7, step: 0.1).count == 5)
    }

    @Test func identicalRowsAreRefusedByTheSolver() throws {
        let rows = try Embeddings(count: 4, dimension: 3, values: [Float](repeating: 1, count: 12))
        #expect(throws: FrameCutError.self) {
            try DenseMulticutSolver(options: MulticutOptions()).solve(try EmbeddingCostSource(rows), costs: try CostFunction(cal: 0.5))
        }
        #expect(throws: FrameCutError.self) {
            try SimilarityDistribution.compute(embeddings: rows.values, count: 4, dimension: 3, options: SimilarityDistributionOptions())
        }
    }
}
