import ArgumentParser
import Foundation
import FrameCutCore
import FrameCutIO

/// `framecut bench costs`: the label-free cost model against the paper's recipe and the
/// reference clusterings of scripts/reference/costs_reference.py, scored against the classes.
struct BenchCostsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "costs",
        abstract: "Score the cost models (auto, the paper's heuristic and grid cal) against k-means, HDBSCAN and UMAP baselines.",
        discussion: """
        Reads DATA/reference.json, DATA/<set>.labels.npy and DATA/<set>.embeddings.npy as written by \
        scripts/reference/costs_reference.py (the Fashion-MNIST embeddings come from SHARED/instances). \
        Prints one table per set: method, what it needs, clusters, VI (nats), ARI, seconds.
        """
    )

    @Option(help: "Folder written by scripts/reference/costs_reference.py.")
    var data: String = ".cache/costs-bench"

    @Option(help: "The shared folder holding instances/fmnist_t10k_lite0.npz.")
    var shared: String = "../shared"

    @Option(help: "The paper's grid of cal values run on Fashion-MNIST (comma separated; empty for none).")
    var cals: String = "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9"

    @Option(help: "Only these sets of reference.json (comma separated; default: all).")
    var sets: String?

    @Option(help: "Threads.")
    var threads: Int = 2

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard FileManager.default.fileExists(atPath: data + "/reference.json") else {
            throw ValidationError("\(data)/reference.json: missing; run scripts/reference/costs_reference.py --out \(data) first")
        }
    }

    func run() async throws {
        try CLIRunner.run {
            let reference = try CostsReference.read(URL(fileURLWithPath: data).appendingPathComponent("reference.json"))
            let grid = try cals.split(separator: ",").map { text -> Double in
                guard let c = Double(text.trimmingCharacters(in: .whitespaces)), c > 0, c < 1 else { throw UserError("--cals: '\(text)' is not a cal in (0,1)") }
                return c
            }
            let options = MulticutOptions(algorithm: .gaecKL, threads: threads)
            print("framecut bench costs: \(threads) threads, GAEC + Kernighan-Lin; VI in nats")
            let chosen = sets.map { Set($0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }) }
            if let chosen, let unknown = chosen.first(where: { reference.sets[$0] == nil }) {
                throw UserError("--sets: no set '\(unknown)' in reference.json (has \(reference.sets.keys.sorted().joined(separator: ", ")))")
            }
            for name in reference.sets.keys.sorted(by: CostsReference.order) where chosen?.contains(name) ?? true {
                guard let set = reference.sets[name] else { continue }
                let path = name == "fmnist" ? shared + "/instances/fmnist_t10k_lite0.npz" : data + "/\(name).embeddings.npy"
                let embeddings = try InputLoading.embeddings(path)
                let classes = try InputLoading.labels(data + "/\(name).labels.npy")
                var models: [(String, CostModel)] = [("FrameCut auto (default)", .auto), ("paper recipe, heuristic cal", .paperHeuristic)]
                if name == "fmnist" { models += grid.map { ("paper recipe, cal \($0)", .paper(cal: $0)) } }
                var rows = [BenchCostsRow]()
                for (label, model) in models {
                    let e = try CostModelEvaluation.run(model, embeddings: embeddings, classes: classes, options: options)
                    rows.append(BenchCostsRow(evaluation: e, label: label))
                }
                print(BenchCostsRow.render(set: set, name: name, rows: rows))
            }
        }
    }
}
