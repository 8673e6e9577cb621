import ArgumentParser
import FrameCutCore

extension MulticutAlgorithm: ExpressibleByArgument {}

/// Options shared by the commands that solve a multicut problem.
struct SolverOptions: ParsableArguments {
    @Option(help: "Solver: 'gaec' (greedy additive edge contraction) or 'gaec-kl' (GAEC, then Kernighan-Lin local search).")
    var solver: MulticutAlgorithm = .gaecKL

    @Option(help: "Threads for the cost matrix and parallel scans.")
    var threads: Int = 2

    @Option(name: .customLong("max-memory"), help: "Refuse to start when the estimated memory exceeds this (e.g. 8G, 512M). Default: 90% of physical memory.")
    var maxMemory: String?

    @Option(name: .customLong("kl-patience"), help: "Kernighan-Lin: moves without improvement after which a move sequence stops.")
    var klPatience: Int = 64

    @Option(help: "Dense GAEC+KL only: rounds of Kernighan-Lin from perturbed starts, each fused with the best labelling so far (0: plain GAEC+KL; each round costs about one Kernighan-Lin run; the energy never rises).")
    var effort: Int = 0

    @Option(name: .customLong("effort-seed"), help: "Seed of the perturbations of --effort.")
    var effortSeed: UInt64 = 1

    func validate() throws {
        guard (1...4096).contains(threads) else { throw ValidationError("--threads must lie in 1...4096, got \(threads)") }
        guard klPatience >= 1 else { throw ValidationError("--kl-patience must be at least 1, got \(klPatience)") }
        guard (0...10_000).contains(effort) else { throw ValidationError("--effort must lie in 0...10000, got \(effort)") }
        if let maxMemory, MemoryBudget.parse(maxMemory) == nil { throw ValidationError("--max-memory: cannot read '\(maxMemory)' (use e.g. 8G or 512M)") }
    }

    /// The memory budget: `--max-memory`, or 90% of physical memory.
    func memoryLimit() throws -> UInt64 {
        guard let maxMemory else { return MemoryBudget.defaultLimit }
        guard let parsed = MemoryBudget.parse(maxMemory) else { throw UserError("--max-memory: cannot read '\(maxMemory)' (use e.g. 8G or 512M)") }
        return parsed
    }

    func multicutOptions() throws -> MulticutOptions {
        let limit = try memoryLimit()
        guard threads >= 1 else { throw UserError("--threads must be at least 1") }
        guard klPatience >= 1 else { throw UserError("--kl-patience must be at least 1") }
        return MulticutOptions(algorithm: solver, threads: threads, memoryLimit: limit,
                               kernighanLin: DenseKernighanLin(patience: klPatience), effort: effort, seed: effortSeed)
    }
}
