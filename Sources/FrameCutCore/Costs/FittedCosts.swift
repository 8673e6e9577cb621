/// What a cost model fitted on one embedding set: its name and every parameter it used or
/// estimated, for the outputs (`summary.json` key `costs`).
public struct FittedCosts: Sendable, Equatable, Codable, CustomStringConvertible {
    /// `paper`, `paper-heuristic` or `fuzzy-modularity`.
    public let model: String
    /// Parameters by name (written with sorted keys, so outputs are deterministic).
    public let parameters: [String: Double]

    public init(model: String, parameters: [String: Double]) {
        self.model = model
        self.parameters = parameters
    }

    /// True for the paper's costs (a given or heuristic `cal`), whose clustering a `cal` describes;
    /// false for label-free models, which have none.
    public var usesCal: Bool {
        model == CostModel.paper(cal: 0.5).name || model == CostModel.paperHeuristic.name
    }

    /// For people: `fuzzy-modularity (neighbours 15, resolution 1, ...)`, parameters sorted by name.
    public var description: String {
        let parts = parameters.keys.sorted().map { "\($0) \(String(format: "%.6g", parameters[$0] ?? 0))" }
        return "\(model) (" + parts.joined(separator: ", ") + ")"
    }
}
