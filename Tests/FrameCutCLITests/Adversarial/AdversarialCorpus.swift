import Foundation
import ZIPFoundation

/// Generates, at test time, a corpus of malformed and everyday-but-awkward inputs in a fresh
/// folder: `.npy`/`.npz` files, text graphs, names and label files, images, special files.
/// Nothing is committed; the same corpus is built on every machine (no randomness).
struct AdversarialCorpus {
    let root: String

    func path(_ name: String) -> String { root + "/" + name }

    /// Rows of three well separated groups (24 x 6).
    static let rows = 24, columns = 6
    static var embeddings: [Float] {
        var values: [Float] = []
        for i in 0..<rows {
            for c in 0..<columns {
                let base: Float = c == i % 3 ? 1 : 0
                let jitter = Float((i * 7 + c * 3) % 11) / 220
                values.append(base + jitter)
            }
        }
        return values
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

    static func npy(_ values: [Float], shape: String, descr: String = "<f4", fortran: String = "False") -> Data {
        var data = npyHeader("{'descr': '\(descr)', 'fortran_order': \(fortran), 'shape': \(shape), }")
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    static func npz(_ members: [(String, Data)], deflate: Bool, to path: String) throws {
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        for (name, payload) in members {
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(payload.count), compressionMethod: deflate ? .deflate : .none) { position, size in
                payload.subdata(in: Int(position)..<Int(position) + size)
            }
        }
    }

    init() throws {
        root = NSTemporaryDirectory() + "framecut-adversarial-\(UUID().uuidString)"
        let fm = FileManager.default
        try fm.createDirectory(atPath: root, withIntermediateDirectories: true)
        func put(_ name: String, _ data: Data) throws { try data.write(to: URL(fileURLWithPath: root + "/" + name)) }
        func put(_ name: String, _ text: String) throws { try put(name, Data(text.utf8)) }
        let x = Self.embeddings, n = Self.rows, d = Self.columns
        let names = (0..<n).map { "img_\($0).jpg" }
        let bom = Data([0xEF, 0xBB, 0xBF])

        // Embeddings.
        try put("x.npy", Self.npy(x, shape: "(\(n), \(d))"))
        try put("huge_shape.npy", Self.npy([1, 2, 3, 4], shape: "(1000000000000, 1000000000000)"))
        try put("overflow_shape.npy", Self.npy([1, 2, 3, 4], shape: "(4611686018427387904, 4)"))
        try put("negative_shape.npy", Self.npy([1, 2, 3, 4], shape: "(-2, 2)"))
        try put("truncated.npy", Self.npy(Array(x.prefix(10)), shape: "(\(n), \(d))"))
        try put("bad_magic.npy", Data("PK this is not numpy".utf8))
        try put("header_past_end.npy", Data([0x93] + Array("NUMPY".utf8) + [1, 0, 0xFF, 0xFF]) + Data("{'descr'".utf8))
        try put("empty.npy", Data())
        var nan = x; nan[5 * d + 2] = .nan
        try put("nan.npy", Self.npy(nan, shape: "(\(n), \(d))"))
        var inf = x; inf[7 * d] = .infinity
        try put("inf.npy", Self.npy(inf, shape: "(\(n), \(d))"))
        var zero = x; for c in 0..<d { zero[3 * d + c] = 0 }
        try put("zero_row.npy", Self.npy(zero, shape: "(\(n), \(d))"))
        try put("identical.npy", Self.npy([Float](repeating: 0.5, count: n * d), shape: "(\(n), \(d))"))
        try put("one_row.npy", Self.npy(Array(x.prefix(d)), shape: "(1, \(d))"))
        try put("three_d.npy", Self.npy(x, shape: "(\(n), 2, 3)"))
        try put("fortran.npy", Self.npy(x, shape: "(\(n), \(d))", fortran: "True"))
        try put("object.npy", Self.npy(x, shape: "(\(n), \(d))", descr: "|O"))
        try put("big_endian.npy", Self.npy(x, shape: "(\(n), \(d))", descr: ">f4"))
        try put("int_labels.npy", Self.npy([], shape: "(0,)", descr: "<i4"))

        // .npz: valid, one flipped byte, a zip bomb, a member lying about its size.
        let good = Self.npy(x, shape: "(\(n), \(d))")
        try Self.npz([("embeddings.npy", good)], deflate: false, to: path("x.npz"))
        var flipped = try Data(contentsOf: URL(fileURLWithPath: path("x.npz")))
        let central = flipped.range(of: Data([0x50, 0x4B, 0x01, 0x02]))?.lowerBound ?? flipped.count
        flipped[central - 9] ^= 0x04
        try put("flipped.npz", flipped)
        let bombBytes = 32 << 20
        try Self.npz([("embeddings.npy", Self.npyHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (\((bombBytes - 64) / 4 / d), \(d)), }") + Data(count: bombBytes - 64))],
                     deflate: true, to: path("bomb.npz"))
        var liar = try Data(contentsOf: URL(fileURLWithPath: path("bomb.npz")))
        let small: [UInt8] = [0x00, 0x10, 0x00, 0x00]
        liar.replaceSubrange(22..<26, with: small)
        if let c = liar.range(of: Data([0x50, 0x4B, 0x01, 0x02]))?.lowerBound { liar.replaceSubrange((c + 24)..<(c + 28), with: small) }
        try put("liar.npz", liar)
        try put("not_a_zip.npz", Data("just text".utf8))

        // Names files.
        try put("names.txt", names.joined(separator: "\n") + "\n")
        try put("names_crlf_bom.txt", bom + Data((names.joined(separator: "\r\n") + "\r\n").utf8))
        try put("names_dup.txt", (names.dropLast() + ["img_0.jpg"]).joined(separator: "\n") + "\n")
        try put("names_blank.txt", (names.prefix(5) + [""] + names.dropFirst(6)).joined(separator: "\n") + "\n")
        try put("names_short.txt", names.prefix(5).joined(separator: "\n") + "\n")
        try put("names_latin1.txt", Data(names.prefix(3).joined(separator: "\n").utf8) + Data([0x0A, 0x63, 0x61, 0x66, 0xE9, 0x0A]))
        try put("names_escaped.txt", (names.prefix(n - 1) + ["line\\nbreak.jpg"]).joined(separator: "\n") + "\n")

        // Class labels.
        let labels = names.enumerated().map { "\($0.element),\($0.offset % 3)" }
        try put("labels.csv", "name,class\n" + labels.joined(separator: "\n") + "\n")
        try put("labels_crlf_bom.csv", bom + Data(("name,class\r\n" + labels.joined(separator: "\r\n") + "\r\n").utf8))
        try put("labels_dup.csv", "name,class\n" + (labels + [labels[0]]).joined(separator: "\n") + "\n")
        try put("labels_unterminated.csv", "name,class\n\"img_0.jpg,0\n")
        try put("labels_empty.csv", "")

        // Text graphs.
        let complete = (0..<4).flatMap { i in (i + 1..<4).map { j in "\(i) \(j) \(i / 2 == j / 2 ? 0.9 : 0.1)" } }
        try put("graph.txt", "4 6\n" + complete.joined(separator: "\n") + "\n")
        try put("graph_crlf_bom.txt", bom + Data(("4 6\r\n" + complete.joined(separator: "\r\n") + "\r\n").utf8))
        try put("graph_huge_edges.txt", "3 1000000000000\n0 1 0.5\n")
        try put("graph_huge_nodes.txt", "3000000000 1\n0 1 0.5\n")
        try put("graph_many_nodes.txt", "200000000 1\n0 1 0.5\n")
        try put("graph_out_of_range.txt", "3 1\n0 7 0.5\n")
        try put("graph_nan.txt", "3 1\n0 1 nan\n")
        try put("graph_p_above_one.txt", "3 1\n0 1 1.5\n")
        try put("graph_self_loop.txt", "3 1\n1 1 0.5\n")
        try put("graph_garbage.txt", "hello world\n")
        try put("graph_empty.txt", "")
        try put("graph_digits.txt", "99999999999999999999999 1\n0 1 0.5\n")

        // Images.
        try fm.createDirectory(atPath: path("images"), withIntermediateDirectories: true)
        let png = Self.png()
        try put("images/good.png", png)
        var badIHDR = png; badIHDR[29] ^= 0xFF
        try put("images/bad_ihdr_crc.png", badIHDR)
        try put("images/random.jpg", Data((0..<512).map { UInt8(truncatingIfNeeded: $0 &* 97 &+ 13) }))
        try put("images/zero.png", Data())
        try put("images/line\nbreak.png", png)
        let raw = Array(path("images/caf").utf8) + [0xE9] + Array(".png".utf8) + [0]
        let fd = raw.withUnsafeBufferPointer { open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_WRONLY | O_CREAT, 0o644) }
        if fd >= 0 { _ = png.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }; close(fd) }
        mkfifo(path("images/fifo.png"), 0o644)

        // Special files.
        mkfifo(path("fifo"), 0o644)
        try fm.createDirectory(atPath: path("a_folder"), withIntermediateDirectories: true)
        // An output folder whose labels.npy is a FIFO.
        try fm.createDirectory(atPath: path("fifo_out"), withIntermediateDirectories: true)
        mkfifo(path("fifo_out/labels.npy"), 0o644)
        // An output folder whose clusters.csv is a link to a file elsewhere.
        try fm.createDirectory(atPath: path("linked_out"), withIntermediateDirectories: true)
        try fm.createDirectory(atPath: path("elsewhere"), withIntermediateDirectories: true)
        try put("elsewhere/clusters.csv", "old\n")
        try fm.createSymbolicLink(atPath: path("linked_out/clusters.csv"), withDestinationPath: "../elsewhere/clusters.csv")
        try fm.createSymbolicLink(atPath: path("x_link.npy"), withDestinationPath: "x.npy")
    }

    /// A 2x2 RGB PNG (IHDR, IDAT, IEND) with correct checksums.
    static func png() -> Data {
        func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
            let typed = Array(type.utf8) + body
            let crc = crc32(typed)
            return bigEndian(UInt32(body.count)) + typed + bigEndian(crc)
        }
        func bigEndian(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        let ihdr = bigEndian(2) + bigEndian(2) + [8, 2, 0, 0, 0]
        // Two rows, filter 0, six bytes each; zlib stored block.
        let rows: [UInt8] = [0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 255, 255, 255]
        var adlerA: UInt32 = 1, adlerB: UInt32 = 0
        for b in rows { adlerA = (adlerA + UInt32(b)) % 65521; adlerB = (adlerB + adlerA) % 65521 }
        let zlib: [UInt8] = [0x78, 0x01, 0x01, UInt8(rows.count), 0, ~UInt8(rows.count), 0xFF] + rows + bigEndian(adlerB << 16 | adlerA)
        return Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", ihdr) + chunk("IDAT", zlib) + chunk("IEND", []))
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        }
        return ~c
    }

    /// Every regular file of the corpus and its bytes (to prove that no input changed).
    func snapshot() -> [String: Data] {
        var out: [String: Data] = [:]
        guard let walker = FileManager.default.enumerator(atPath: root) else { return out }
        for case let name as String in walker {
            var info = stat()
            guard lstat(path(name), &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            out[name] = try? Data(contentsOf: URL(fileURLWithPath: path(name)))
        }
        return out
    }
}
