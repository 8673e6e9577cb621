import Foundation
import FrameCutCore
import FrameCutIO

/// `summary.json` with the cost model: the summary's keys plus `costs`.
public struct SummaryWithCosts: Encodable {
    public let summary: ClusteringSummary
    public let costs: FittedCosts

    public init(summary: ClusteringSummary, costs: FittedCosts) {
        self.summary = summary
        self.costs = costs
    }

    enum CodingKeys: String, CodingKey { case costs }

    public func encode(to encoder: Encoder) throws {
        try summary.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(costs, forKey: .costs)
    }
}
