/// How the embeddings become multicut costs.
///
/// - ``paper(cal:)``: the paper's costs, `logit(clip(p)) + logit(clip(cal))` on min-max
///   normalised cosines, exactly as for reproducing the paper.
/// - ``paperHeuristic``: the same with `cal = 0.94 - 0.98 mu` (supplement A.1, ``CalHeuristic``).
/// - ``fuzzyModularity(neighbours:resolution:)``: the label-free default (`--costs auto`): the
///   modularity matrix of UMAP's fuzzy neighbour graph (``FuzzyModularityCostSource``). Needs
///   neither labels nor the number of clusters; its two settings are the standard defaults
///   (15 neighbours as in umap-learn, resolution 1 as in Newman's modularity).
public enum CostModel: Sendable, Equatable {
    case paper(cal: Double)
    case paperHeuristic
    case fuzzyModularity(neighbours: Int, resolution: Double)

    /// The label-free default.
    public static let auto = CostModel.fuzzyModularity(neighbours: FuzzyModularityCostSource.defaultNeighbours,
                                                       resolution: FuzzyModularityCostSource.defaultResolution)

    /// The name recorded in outputs.
    public var name: String {
        switch self {
        case .paper: return "paper"
        case .paperHeuristic: return "paper-heuristic"
        case .fuzzyModularity: return "fuzzy-modularity"
        }
    }

    /// A cost source for `embeddings` under this model; its ``CostModelSource/fitted`` record is
    /// complete after the first fill.
    public func source(for embeddings: Embeddings) throws -> CostModelSource {
        switch self {
        case .paper(let cal):
            return CostModelSource(.paper(try EmbeddingCostSource(embeddings), try CostFunction(cal: cal)), model: self)
        case .paperHeuristic:
            return CostModelSource(.paperHeuristic(try PaperHeuristicCostSource(embeddings)), model: self)
        case .fuzzyModularity(let k, let gamma):
            return CostModelSource(.fuzzyModularity(try FuzzyModularityCostSource(embeddings, neighbours: k, resolution: gamma)), model: self)
        }
    }
}
