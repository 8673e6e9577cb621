/// The cost source of a ``CostModel``: one of the concrete sources, dispatched once per fill
/// (the inner loops stay concrete), and the record of what it fitted.
public final class CostModelSource: CostMatrixSource {
    /// The concrete sources.
    public enum Kind {
        case paper(EmbeddingCostSource, CostFunction)
        case paperHeuristic(PaperHeuristicCostSource)
        case fuzzyModularity(FuzzyModularityCostSource)
    }

    public let kind: Kind
    public let model: CostModel

    init(_ kind: Kind, model: CostModel) {
        self.kind = kind
        self.model = model
    }

    public var nodeCount: Int {
        switch kind {
        case .paper(let s, _): return s.nodeCount
        case .paperHeuristic(let s): return s.nodeCount
        case .fuzzyModularity(let s): return s.nodeCount
        }
    }

    /// The paper's cost function in use (the fitted one for the heuristic, after the first fill); nil for other models.
    public var paperCost: CostFunction? {
        switch kind {
        case .paper(_, let c): return c
        case .paperHeuristic(let s): return s.cost
        case .fuzzyModularity: return nil
        }
    }

    /// The similarity range the paper's costs normalise with (after the first fill); nil for other models.
    public var range: SimilarityRange? {
        switch kind {
        case .paper(let s, _): return s.range
        case .paperHeuristic(let s): return s.range
        case .fuzzyModularity: return nil
        }
    }

    /// Writes the costs; the `costs` argument is ignored (each model brings its own).
    public func fill(_ matrix: SymmetricCostMatrix, costs: CostFunction, threads: Int) throws -> CostFill {
        switch kind {
        case .paper(let s, let c): return try s.fill(matrix, costs: c, threads: threads)
        case .paperHeuristic(let s): return try s.fill(matrix, costs: costs, threads: threads)
        case .fuzzyModularity(let s): return try s.fill(matrix, costs: costs, threads: threads)
        }
    }

    /// The model's name and every parameter it used or fitted (complete after the first fill).
    public var fitted: FittedCosts {
        var p = [String: Double]()
        switch kind {
        case .paper(let s, let c):
            p["cal"] = c.cal
            if let r = s.range { p["similarity_min"] = r.min; p["similarity_max"] = r.max }
        case .paperHeuristic(let s):
            if let c = s.cost { p["cal"] = c.cal }
            if let mu = s.mu { p["mu"] = mu }
            if let r = s.range { p["similarity_min"] = r.min; p["similarity_max"] = r.max }
        case .fuzzyModularity(let s):
            p["neighbours"] = Double(s.neighbours)
            p["resolution"] = s.resolution
            if let g = s.graph {
                let n = Double(g.nodeCount)
                p["total_degree"] = g.totalDegree
                p["mean_degree"] = g.totalDegree / n
                p["edges"] = Double(g.edgeCount)
                p["mean_rho"] = g.rho.reduce(0, +) / n
                p["mean_sigma"] = g.sigma.reduce(0, +) / n
            }
        }
        return FittedCosts(model: model.name, parameters: p)
    }
}
