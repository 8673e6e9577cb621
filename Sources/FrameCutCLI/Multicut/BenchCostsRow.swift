import Foundation
import FrameCutCore

/// The reference clusterings written by scripts/reference/costs_reference.py.
struct CostsReference: Decodable {
    struct Method: Decodable {
        let needs: String
        let clusters: Int
        let vi: Double
        let ari: Double
    }

    struct DataSet: Decodable {
        let title: String
        let n: Int
        let d: Int
        let classes: Int
        let methods: [String: Method]
    }

    let sets: [String: DataSet]

    static func read(_ url: URL) throws -> CostsReference {
        do { return try JSONDecoder().decode(CostsReference.self, from: Data(contentsOf: url)) } catch {
            throw UserError("\(url.path): cannot read the reference clusterings (\(error))")
        }
    }

    /// Fashion-MNIST first, then the other sets by name.
    static func order(_ a: String, _ b: String) -> Bool {
        a == "fmnist" ? b != "fmnist" : (b == "fmnist" ? false : a < b)
    }
}

/// One printed row of `framecut bench costs`.
struct BenchCostsRow {
    let method: String
    let needs: String
    let clusters: Int
    let vi: Double
    let ari: Double
    let seconds: Double?
    let detail: String

    init(evaluation e: CostModelEvaluation, label: String) {
        method = label
        needs = "nothing"
        clusters = e.clusters
        vi = e.variationOfInformation
        ari = e.adjustedRandIndex
        seconds = e.seconds
        detail = e.fitted.description
    }

    init(reference name: String, _ m: CostsReference.Method) {
        method = name
        needs = m.needs
        clusters = m.clusters
        vi = m.vi
        ari = m.ari
        seconds = nil
        detail = "scripts/reference/costs_reference.py"
    }

    static func render(set: CostsReference.DataSet, name: String, rows: [BenchCostsRow]) -> String {
        var out = ["", "## \(name): \(set.title), n = \(set.n), d = \(set.d), \(set.classes) classes", "",
                   "| method | needs | clusters | VI (nats) | ARI | seconds |", "|---|---|---|---|---|---|"]
        let reference = set.methods.keys.sorted().compactMap { key in set.methods[key].map { BenchCostsRow(reference: key, $0) } }
        for row in rows + reference {
            let time = row.seconds.map { String(format: "%.2f", $0) } ?? "-"
            out.append("| \(row.method) | \(row.needs) | \(row.clusters) | " + String(format: "%.3f | %.3f", row.vi, row.ari) + " | \(time) |")
        }
        for row in rows where row.seconds != nil { out.append("- \(row.method): \(row.detail)") }
        if let auto = rows.first, let heuristic = rows.first(where: { $0.method.contains("heuristic") }) {
            let better = auto.vi <= heuristic.vi && auto.ari >= heuristic.ari
            out.append("- auto vs the paper's heuristic: " + (better ? "better or equal on both VI and ARI" : "NOT better on both")
                       + String(format: " (VI %.3f vs %.3f, ARI %.3f vs %.3f)", auto.vi, heuristic.vi, auto.ari, heuristic.ari))
            if let kmeans = reference.first(where: { $0.method.hasPrefix("k-means") }) {
                out.append(String(format: "- auto vs %@: VI %.3f vs %.3f, ARI %.3f vs %.3f", kmeans.method, auto.vi, kmeans.vi, auto.ari, kmeans.ari))
            }
        }
        return out.joined(separator: "\n")
    }
}
