import ArgumentParser
import FrameCutCore

extension MulticutSolverScale: ExpressibleByArgument {}

/// The choice between the dense and the large-scale multicut solver.
struct ScaleOptions: ParsableArguments {
    @Option(name: .customLong("solver-scale"),
            help: "'dense' (complete cost matrix, 4 n^2 bytes), 'large' (kNN graph + cluster aggregates, O(nk + nd) bytes; any costs: the paper's with --cal or its heuristic, or the label-free ones with k at least --neighbours) or 'auto' (dense when it fits --max-memory).")
    var solverScale: MulticutSolverScale = .auto

    @Option(help: "Large-scale solver: nearest neighbours per image whose costs are exact.")
    var knn: Int = 32

    func validate() throws {
        guard knn >= 1 else { throw ValidationError("--knn must be at least 1") }
    }
}
