import Foundation
import Testing

/// The `cluster` and `solve` options README.md documents, each through the built binary.
@Suite("CLI: cluster and solve options")
struct ClusterOptionsCLITests {
    /// Three noisy groups of 60 points in 16-D (a fixed LCG, so the data never changes).
    static func blobs() -> (values: [Float], rows: Int, columns: Int) {
        var state: UInt64 = 42
        func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 24) - 0.5
        }
        let rows = 180, columns = 16
        var values = [Float]()
        for i in 0..<rows {
            for j in 0..<columns { values.append((j == i % 3 ? 1.0 : 0.0) + 0.6 * next()) }
        }
        return (values, rows, columns)
    }

    static func writeBlobs(_ dir: String) throws {
        let b = blobs()
        try CLIHarness.writeNPY(b.values, rows: b.rows, columns: b.columns, to: "\(dir)/x.npy")
    }

    static func summary(_ path: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    static func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    @Test("summary.json has every documented key (README: 19 of them)")
    func summaryKeys() throws {
        let dir = try CLIHarness.temporaryFolder()
        try Self.writeBlobs(dir)
        let result = try CLIHarness.run(["cluster", "--embeddings", "\(dir)/x.npy", "--cal", "0.5", "--out", "\(dir)/out"])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try Self.summary("\(dir)/out/summary.json")
        let documented = ["n", "clusters", "energy", "energy_gaec", "clusters_gaec", "seconds_costs", "seconds_gaec", "seconds_kl",
                          "peak_memory_bytes", "cal", "solver", "version", "input", "similarity_min", "similarity_max",
                          "total_cost", "kl_passes", "largest_clusters", "singleton_clusters"]
        #expect(documented.count == 19)
        for key in documented { #expect(summary[key] != nil, "summary.json lacks \(key)") }
        #expect(summary["n"] as? Int == 180)
        #expect(summary["solver"] as? String == "gaec-kl")
        #expect(summary["cal"] as? Double == 0.5)
        let energy = try #require(summary["energy"] as? Double), gaec = try #require(summary["energy_gaec"] as? Double)
        #expect(energy <= gaec)
        #expect((summary["largest_clusters"] as? [Int])?.reduce(0, +) ?? 0 <= 180)
    }

    @Test("--solver gaec stops after GAEC; --kl-patience changes nothing it should not")
    func solverOptions() throws {
        let dir = try CLIHarness.temporaryFolder()
        try Self.writeBlobs(dir)
        let gaec = try CLIHarness.run(["cluster", "--embeddings", "\(dir)/x.npy", "--cal", "0.5", "--solver", "gaec", "--out", "\(dir)/gaec"])
        #expect(gaec.status == 0, "\(gaec.stderr)")
        let g = try Self.summary("\(dir)/gaec/summary.json")
        #expect(g["solver"] as? String == "gaec")
        #expect(g["energy"] as? Double == g["energy_gaec"] as? Double)
        #expect(g["clusters"] as? Int == g["clusters_gaec"] as? Int)
        #expect(g["kl_passes"] as? Int == 0)

        let full = try CLIHarness.run(["cluster", "--embeddings", "\(dir)/x.npy", "--cal", "0.5", "--out", "\(dir)/full"])
        let patient = try CLIHarness.run(["cluster", "--embeddings", "\(dir)/x.npy", "--cal", "0.5", "--kl-patience", "1", "--out", "\(dir)/p1"])
        #expect(full.status == 0 && patient.status == 0, "\(full.stderr) \(patient.stderr)")
        let f = try Self.summary("\(dir)/full/summary.json"), p = try Self.summary("\(dir)/p1/summary.json")
        let gaecEnergy = try #require(g["energy"] as? Double)
        #expect(try #require(f["energy"] as? Double) <= gaecEnergy)
        #expect(try #require(p["energy"] as? Double) <= gaecEnergy)
        #expect(p["energy_gaec"] as? Double == gaecEnergy, "the patience only affects Kernighan-Lin")

        let bad = try CLIHarness.run(["cluster", "--embeddings", "\(dir)/x.npy", "--cal", "0.5", "--kl-patience", "0", "--out", "\(dir)/bad"])
        #expect(bad.status != 0)
    }

    @Test("the same inputs and options give byte-identical clusters.csv and labels.npy")
    func byteIdenticalReruns() throws {
        let dir = try CLIHarness.temporaryFolder()
        try Self.writeBlobs(dir)
        for run in ["a", "b"] {
            let result = try CLIHarness.run(["cluster", "--embeddings", "\(dir)/x.npy", "--cal", "0.6", "--threads", "2", "--out", "\(dir)/\(run)"])
            #expect(result.status == 0, "\(result.stderr)")
        }
        #expect(try Self.bytes("\(dir)/a/clusters.csv") == Self.bytes("\(dir)/b/clusters.csv"))
        #expect(try Self.bytes("\(dir)/a/labels.npy") == Self.bytes("\(dir)/b/labels.npy"))
    }

    @Test(".npz input (array `embeddings`) clusters exactly like the same .npy")
    func npzInput() throws {
        let dir = try CLIHarness.temporaryFolder()
        try Self.writeBlobs(dir)
        let npy = try Self.bytes("\(dir)/x.npy")
        try StoredZip.write(["embeddings.npy": npy, "other.npy": npy], to: "\(dir)/x.npz")
        let a = try CLIHarness.run(["cluster", "--embeddings", "\(dir)/x.npy", "--cal", "0.5", "--out", "\(dir)/npy"])
        let b = try CLIHarness.run(["cluster", "--embeddings", "\(dir)/x.npz", "--cal", "0.5", "--out", "\(dir)/npz"])
        #expect(a.status == 0 && b.status == 0, "\(a.stderr) \(b.stderr)")
        #expect(try Self.bytes("\(dir)/npy/labels.npy") == Self.bytes("\(dir)/npz/labels.npy"))
    }

    @Test("solve --raw-costs on a graph that is not complete: missing edges are no edges")
    func rawCostsSparse() throws {
        let dir = try CLIHarness.temporaryFolder()
        // Two attracting pairs joined by one repulsive edge; 0-2, 0-3, 1-3 absent.
        try CLIHarness.write("4 3\n0 1 5\n2 3 4\n1 2 -3\n", "\(dir)/g.txt")
        let result = try CLIHarness.run(["solve", "--graph", "\(dir)/g.txt", "--raw-costs", "--out", "\(dir)/out"])
        #expect(result.status == 0, "\(result.stderr)")
        let labels = try String(contentsOfFile: "\(dir)/out/clusters.csv", encoding: .utf8).split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",").last.map(String.init) ?? "" }
        #expect(labels.count == 4)
        #expect(labels[0] == labels[1] && labels[2] == labels[3] && labels[0] != labels[2], "\(labels)")
        let summary = try Self.summary("\(dir)/out/summary.json")
        #expect(summary["energy"] as? Double == -3)
        #expect(summary["clusters"] as? Int == 2)

        // A positive middle edge joins everything: energy 0, one cluster.
        try CLIHarness.write("4 3\n0 1 5\n2 3 4\n1 2 1\n", "\(dir)/h.txt")
        let joined = try CLIHarness.run(["solve", "--graph", "\(dir)/h.txt", "--raw-costs", "--out", "\(dir)/joined"])
        #expect(joined.status == 0, "\(joined.stderr)")
        let s = try Self.summary("\(dir)/joined/summary.json")
        #expect(s["clusters"] as? Int == 1)
        #expect(s["energy"] as? Double == 0)
    }
}

/// A zip archive with stored (uncompressed) members and correct CRC-32s, as `numpy.savez` writes.
enum StoredZip {
    static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ data: Data) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in data { c = table[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }

    static func write(_ members: [String: Data], to path: String) throws {
        var out = Data(), central = Data()
        func le16(_ v: Int, _ d: inout Data) { d.append(contentsOf: [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)]) }
        func le32(_ v: UInt32, _ d: inout Data) { for s in [0, 8, 16, 24] { d.append(UInt8((v >> UInt32(s)) & 0xFF)) } }
        for (name, data) in members.sorted(by: { $0.key < $1.key }) {
            let offset = UInt32(out.count), crc = crc32(data), size = UInt32(data.count), nameBytes = Data(name.utf8)
            le32(0x0403_4B50, &out); le16(20, &out); le16(0, &out); le16(0, &out); le16(0, &out); le16(0x21, &out)
            le32(crc, &out); le32(size, &out); le32(size, &out); le16(nameBytes.count, &out); le16(0, &out)
            out.append(nameBytes); out.append(data)
            le32(0x0201_4B50, &central); le16(20, &central); le16(20, &central); le16(0, &central); le16(0, &central)
            le16(0, &central); le16(0x21, &central); le32(crc, &central); le32(size, &central); le32(size, &central)
            le16(nameBytes.count, &central); le16(0, &central); le16(0, &central); le16(0, &central); le16(0, &central)
            le32(0, &central); le32(offset, &central); central.append(nameBytes)
        }
        let centralOffset = UInt32(out.count)
        out.append(central)
        le32(0x0605_4B50, &out); le16(0, &out); le16(0, &out); le16(members.count, &out); le16(members.count, &out)
        le32(UInt32(central.count), &out); le32(centralOffset, &out); le16(0, &out)
        try out.write(to: URL(fileURLWithPath: path))
    }
}
