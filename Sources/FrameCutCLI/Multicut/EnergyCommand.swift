import ArgumentParser
import Foundation
import FrameCutCore
import FrameCutIO

struct EnergyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "energy",
        abstract: "Compute the multicut energy of any labelling of an embedding set."
    )

    @Option(help: "Embeddings (.npy or .npz).")
    var embeddings: String

    @Option(help: "Labels: a 1-D integer .npy, one cluster id per embedding row.")
    var labels: String

    @Option(help: "Calibration in (0,1).")
    var cal: Double

    @Option(help: "Threads.")
    var threads: Int = 2

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func validate() throws {
        guard threads >= 1, threads <= 4096 else { throw ValidationError("--threads must lie in 1...4096, got \(threads)") }
        guard cal > 0, cal < 1 else { throw ValidationError("--cal must lie strictly between 0 and 1, got \(cal)") }
    }

    func run() async throws {
        try CLIRunner.run {
            let costs = try InputLoading.cost(cal: cal)
            let data = try InputLoading.embeddings(embeddings)
            let labelValues = try InputLoading.labels(labels)
            guard labelValues.count == data.count else {
                throw UserError("\(labels): \(labelValues.count) labels for \(data.count) embedding rows")
            }
            let source: EmbeddingCostSource
            do { source = try EmbeddingCostSource(data) } catch { throw UserError("\(embeddings): \(error)") }
            let energy = try DenseMulticutSolver(options: MulticutOptions(threads: threads)).energy(of: labelValues, source: source, costs: costs)
            let clusters = Partition.clusterCount(labelValues)
            if json {
                print("{\"energy\": \(energy), \"clusters\": \(clusters), \"n\": \(data.count), \"cal\": \(cal)}")
            } else {
                print(String(format: "energy %.6f (%d clusters, %d nodes, cal %g)", energy, clusters, data.count, cal))
            }
        }
    }
}
