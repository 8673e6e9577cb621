import Foundation
import FrameCutCore

/// The `summary.json` of a clustering run: what was solved, how, and what came out.
public struct ClusteringSummary: Codable, Sendable, Equatable {
    public var n: Int
    public var clusters: Int
    public var energy: Double
    public var energyGAEC: Double
    public var clustersGAEC: Int
    public var secondsCosts: Double
    public var secondsGAEC: Double
    public var secondsKL: Double
    public var peakMemoryBytes: UInt64
    public var cal: Double?
    public var solver: String
    public var version: String
    public var input: String
    public var similarityMin: Double?
    public var similarityMax: Double?
    public var totalCost: Double
    public var klPasses: Int
    public var largestClusters: [Int]
    public var singletonClusters: Int

    enum CodingKeys: String, CodingKey {
        case n, clusters, energy, cal, solver, version, input
        case energyGAEC = "energy_gaec", clustersGAEC = "clusters_gaec"
        case secondsCosts = "seconds_costs", secondsGAEC = "seconds_gaec", secondsKL = "seconds_kl"
        case peakMemoryBytes = "peak_memory_bytes"
        case similarityMin = "similarity_min", similarityMax = "similarity_max"
        case totalCost = "total_cost", klPasses = "kl_passes"
        case largestClusters = "largest_clusters", singletonClusters = "singleton_clusters"
    }

    /// - Parameter solver: the solver as summaries record it (e.g. `gaec-kl`, or
    ///   `large-scale gaec-kl k=32`: ``ScaledMulticutSolver/Result/solverName``).
    public init(solution: MulticutSolution, cal: Double?, solver: String, input: String, peakMemoryBytes: UInt64) {
        let sizes = solution.clusterSizes
        n = solution.labels.count
        clusters = solution.clusterCount
        energy = solution.energy
        energyGAEC = solution.energyGAEC
        clustersGAEC = solution.clusterCountGAEC
        secondsCosts = solution.secondsCosts
        secondsGAEC = solution.secondsGAEC
        secondsKL = solution.secondsKL
        self.peakMemoryBytes = peakMemoryBytes
        self.cal = cal
        self.solver = solver
        version = FrameCutVersion.string
        self.input = input
        similarityMin = solution.range?.min
        similarityMax = solution.range?.max
        totalCost = solution.totalCost
        klPasses = solution.kernighanLinPasses
        largestClusters = Array(sizes.prefix(10))
        singletonClusters = sizes.filter { $0 == 1 }.count
    }
}

/// Writes the outputs of a clustering run into a folder, each file atomically:
/// `clusters.csv` (`name,cluster`), `labels.npy` (int32 per row) and `summary.json` (a
/// ``ClusteringSummary``, or any encoding that extends it, e.g. with the fitted cost model).
public enum ClusteringOutput {
    /// The files `write` creates in its folder (for ``OutputGuard/outputFolder(_:flag:files:)``).
    public static let fileNames = ["clusters.csv", "labels.npy", "summary.json"]

    public static func write(names: [String], labels: [Int32], summary: some Encodable, to folder: URL) throws {
        guard names.count == labels.count else { throw FrameCutError.labelCountMismatch(expected: names.count, found: labels.count) }
        var csv = "name,cluster\n"
        csv.reserveCapacity(names.count * 16)
        for (name, label) in zip(names, labels) {
            csv += CSVText.field(name)
            csv += ","
            csv += String(label)
            csv += "\n"
        }
        try AtomicFile.write(csv, to: folder.appendingPathComponent("clusters.csv"))
        try NPYFile.write(try NPYArray(shape: [labels.count], values: .int32(labels)), to: folder.appendingPathComponent("labels.npy"))
        try AtomicFile.write(try jsonData(summary), to: folder.appendingPathComponent("summary.json"))
    }

    /// Pretty, key-sorted JSON with a trailing newline.
    public static func jsonData<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var data = try encoder.encode(value)
        data.append(0x0A)
        return data
    }
}

/// RFC 4180 CSV fields.
public enum CSVText {
    /// The field, quoted when it contains a comma, quote, or line break.
    public static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
