import Foundation
import FrameCutCore

/// `framecut similarity`: the distribution of an embedding set's pairwise cosine similarities
/// (supplement Figures 8-10) and the `cal` the label-free heuristic suggests.
public struct SimilarityReport: Encodable, Sendable {
    public let version: String
    public let embeddings: String
    public let seconds: Double
    public let distribution: SimilarityDistribution

    public init(embeddings: String, distribution: SimilarityDistribution, seconds: Double) {
        version = FrameCutVersion.string
        self.embeddings = embeddings
        self.distribution = distribution
        self.seconds = seconds
    }

    static func histogramTable(_ h: Histogram) -> AnalysisCSV {
        var t = AnalysisCSV(header: ["lower", "upper", "count"])
        let e = h.edges
        for (k, c) in h.counts.enumerated() {
            t.append([AnalysisOutput.number(e[k]), AnalysisOutput.number(e[k + 1]), String(c)])
        }
        return t
    }

    /// `x,density,p,density_p`: the raw and the normalised KDE curves side by side.
    public var kdeTable: AnalysisCSV {
        var t = AnalysisCSV(header: ["x", "density", "p", "density_p"])
        let r = distribution.rawDensity, p = distribution.normalizedDensity
        for k in r.x.indices {
            t.append([AnalysisOutput.number(r.x[k]), AnalysisOutput.number(r.density[k]),
                      AnalysisOutput.number(p.x[k]), AnalysisOutput.number(p.density[k])])
        }
        return t
    }

    public func files() throws -> [(name: String, data: Data)] {
        [("similarity.json", try AnalysisOutput.json(self)),
         ("histogram_raw.csv", Self.histogramTable(distribution.rawHistogram).data),
         ("histogram_normalized.csv", Self.histogramTable(distribution.normalizedHistogram).data),
         ("kde.csv", kdeTable.data)]
    }

    public var summary: String {
        let d = distribution
        func f(_ x: Double) -> String { String(format: "%.4f", x) }
        let q = d.raw.quantiles.map { "q\(AnalysisOutput.number($0.level * 100))=\(f($0.value))" }.joined(separator: " ")
        return [
            "\(embeddings): \(d.items) x \(d.dimension), \(d.pairs) pairs (\(d.precision.rawValue), \(String(format: "%.2f", seconds)) s)",
            "  raw cosine: min \(f(d.raw.min)), max \(f(d.raw.max)), mean \(f(d.raw.mean)), std \(f(d.raw.std))",
            "  quantiles: \(q)",
            "  share above: " + d.shareAbove.map { "\(AnalysisOutput.number($0.threshold)): \(String(format: "%.1f%%", 100 * $0.share))" }.joined(separator: ", ")
                + (d.narrowCone ? "  (narrow cone: most pairs are very similar)" : ""),
            "  normalised p: mean mu \(f(d.mu)), std \(f(d.normalized.std))",
            "  suggested cal (0.94 - 0.98 mu): \(String(format: "%.3f", d.suggestedCal))",
        ].joined(separator: "\n")
    }
}
