import Foundation
import FrameCutCore
import FrameCutIO
import FrameCutPipeline

/// One model's clustering prepared for the pages: clusters ordered by size, members, the
/// statistics report and (with the store) each image's cosine similarity to its cluster mean.
struct ModelView: Sendable {
    let model: RunFolder.Model
    /// File-name-safe folder name for this model's pages.
    let slug: String
    let names: [String]
    let labeling: Labeling
    /// The cluster label as written in clusters.csv, by dense id.
    let clusterKeys: [String]
    /// Dense cluster ids, largest first (ties: smaller id).
    let order: [Int]
    let members: [[Int]]
    let stats: StatsReport
    /// Cosine similarity of each image to its cluster's mean embedding (nil without the store).
    let similarityToMean: [Double]?
    /// Row-major embeddings (width `width`), kept for the map.
    let embeddings: [Float]?
    let width: Int

    var record: ModelRunRecord { model.record }

    init(_ model: RunFolder.Model, slug: String, classes: NamedLabels?, embeddings: (values: [Float], width: Int)?) throws {
        self.model = model
        self.slug = slug
        names = model.clustering.names ?? []
        let (labeling, keys) = model.clustering.labeling()
        self.labeling = labeling
        clusterKeys = keys
        let sizes = labeling.sizes
        order = sizes.indices.sorted { (sizes[$0], -$0) > (sizes[$1], -$1) }
        members = labeling.members
        do {
            stats = try StatsReport(clustering: model.clustering, classes: classes)
        } catch {
            throw ReportError.input(path: "\(model.record.folder)/clusters.csv", reason: "statistics failed: \(error)")
        }
        if let embeddings, embeddings.values.count == names.count * embeddings.width, embeddings.width > 0 {
            self.embeddings = embeddings.values
            width = embeddings.width
            similarityToMean = Self.similarityToMean(embeddings.values, width: embeddings.width, members: labeling.members, count: names.count)
        } else {
            self.embeddings = nil
            width = 0
            similarityToMean = nil
        }
    }

    /// cos(x_i, mean of the unit vectors of i's cluster), in Double.
    static func similarityToMean(_ values: [Float], width: Int, members: [[Int]], count: Int) -> [Double] {
        var result = [Double](repeating: 0, count: count)
        var mean = [Double](repeating: 0, count: width)
        for cluster in members {
            for k in 0..<width { mean[k] = 0 }
            for i in cluster {
                var norm = 0.0
                for k in 0..<width { let v = Double(values[i * width + k]); norm += v * v }
                norm = max(norm.squareRoot(), 1e-30)
                for k in 0..<width { mean[k] += Double(values[i * width + k]) / norm }
            }
            var meanNorm = 0.0
            for k in 0..<width { meanNorm += mean[k] * mean[k] }
            meanNorm = max(meanNorm.squareRoot(), 1e-30)
            for i in cluster {
                var norm = 0.0, dot = 0.0
                for k in 0..<width {
                    let v = Double(values[i * width + k])
                    norm += v * v
                    dot += v * mean[k]
                }
                result[i] = dot / (max(norm.squareRoot(), 1e-30) * meanNorm)
            }
        }
        return result
    }
}
