import ArgumentParser
import Foundation
import FrameCutCore
import FrameCutIO

struct SolveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "solve",
        abstract: "Solve a multicut instance given in the authors' text format ('N M', then 'i j p').",
        discussion: """
        With --cal the third column is the normalised similarity p in [0,1] and the cost is \
        logit(p) + logit(cal); with --raw-costs it is the cost itself. Complete graphs are solved on \
        a dense matrix, other graphs on their edge list (missing edges are absent, not repulsive). \
        Writes the same outputs as 'cluster'.
        """
    )

    @Option(help: "The text graph.")
    var graph: String

    @Option(help: "Calibration in (0,1) for graphs of normalised similarities.")
    var cal: Double?

    @Flag(name: .customLong("raw-costs"), help: "The third column holds edge costs, not similarities.")
    var rawCosts = false

    @Option(help: "Names file, one name per node (default: node ids).")
    var names: String?

    @OptionGroup var solverOptions: SolverOptions

    @Option(help: "Output folder.")
    var out: String

    func run() async throws {
        try CLIRunner.run {
            guard (cal != nil) != rawCosts else { throw UserError("give exactly one of --cal C (similarities) and --raw-costs (costs)") }
            var paths = OutputGuard()
            paths.input(graph, flag: "--graph")
            paths.input(names, flag: "--names")
            paths.outputFolder(out, flag: "--out", files: ClusteringOutput.fileNames)
            try paths.check()
            let costs = try cal.map(InputLoading.cost(cal:))
            let options = try solverOptions.multicutOptions()
            let text: TextGraph
            do {
                text = try TextGraphReader.read(contentsOf: URL(fileURLWithPath: graph), values: rawCosts ? .rawCost : .normalizedSimilarity,
                                                memoryLimit: options.memoryLimit)
            } catch let error as TextGraphError {
                throw UserError("\(graph): \(error)")
            }
            guard text.nodeCount >= 2 else { throw UserError("\(graph): need at least 2 nodes, the header says \(text.nodeCount)") }
            let rowNames = try InputLoading.names(names, count: text.nodeCount)
            let weights = text.values.map { costs?.cost(normalizedSimilarity: $0) ?? $0 }
            let sparse: SparseGraph
            do {
                sparse = try SparseGraph(nodeCount: text.nodeCount, sources: text.sources, targets: text.targets, weights: weights)
            } catch { throw UserError("\(graph): \(error)") }
            let solution: MulticutSolution
            let denseBytes = MemoryBudget.times(2, DenseMulticutSolver.estimatedBytes(nodeCount: text.nodeCount))
            if sparse.isComplete, denseBytes <= options.memoryLimit {
                let base = try SymmetricCostMatrix(nodeCount: text.nodeCount)
                for e in 0..<sparse.edgeCount {
                    let i = Int(sparse.sources[e]), j = Int(sparse.targets[e])
                    base[i, j] = Float(weights[e])
                    base[j, i] = Float(weights[e])
                }
                let source = PrecomputedCostSource(base: base, range: nil, baseOffset: nil)
                solution = try DenseMulticutSolver(options: options).solve(source, costs: costs ?? CostFunction(cal: 0.5),
                                                                           progress: ProgressReporter.stageReporter(nodes: text.nodeCount))
            } else {
                solution = try SparseMulticutSolver(algorithm: options.algorithm,
                                                    kernighanLin: SparseKernighanLin(patience: options.kernighanLin.patience)).solve(sparse)
            }
            // Report the energy in Float64 on the graph's own costs.
            let energy = try sparse.energy(of: solution.labels)
            let energyGAEC = solution.energyGAEC
            var summary = ClusteringSummary(solution: solution, cal: cal, solver: options.algorithm.rawValue, input: graph,
                                            peakMemoryBytes: MemoryBudget.peakResidentBytes())
            summary.energy = energy
            summary.energyGAEC = energyGAEC
            try ClusteringOutput.write(names: rowNames, labels: solution.labels, summary: summary, to: URL(fileURLWithPath: out))
            print(SummaryText.render(summary, out: out))
        }
    }
}
