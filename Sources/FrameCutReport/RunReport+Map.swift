import Foundation
import FrameCutCore

/// A model's 2-D map: which rows are drawn and their UMAP coordinates.
struct ModelMap: Sendable {
    let rows: [Int]
    /// `[x0, y0, x1, y1, ...]`, one pair per entry of `rows`.
    let coordinates: [Double]
    /// The initialisation used, and whether spectral was asked for and fell back to PCA.
    let initialization: UMAPOptions.Initialization
    let spectralFailed: Bool
}

extension RunReport {
    /// UMAP (cosine metric, seed 42) of an evenly spaced sample of at most `mapPoints` rows;
    /// nil without embeddings or with fewer than 4 images.
    func mapCoordinates(_ v: ModelView) throws -> ModelMap? {
        guard let values = v.embeddings, v.width > 0, v.names.count >= 4 else { return nil }
        let rows = Self.evenSample(Array(v.names.indices), count: options.mapPoints)
        var sample = [Float]()
        sample.reserveCapacity(rows.count * v.width)
        for i in rows { sample += values[(i * v.width)..<((i + 1) * v.width)] }
        var umapOptions = UMAPOptions()
        umapOptions.metric = .cosine
        umapOptions.threads = options.threads
        umapOptions.neighbors = min(15, rows.count - 1)
        umapOptions.initialization = options.mapInit
        do {
            let layout = try UMAP(options: umapOptions).layout(values: sample, count: rows.count, dimension: v.width)
            return ModelMap(rows: rows, coordinates: layout.coordinates, initialization: layout.initialization, spectralFailed: layout.spectralFailed)
        } catch {
            throw ReportError.input(path: "\(v.record.folder) embeddings", reason: "map failed: \(error)")
        }
    }

    /// The scatter plot: the ten largest clusters in colour, the rest grey; hovering a point
    /// shows its name (tooltip) and its thumbnail beside the map; a click opens its cluster.
    func mapFigure(_ v: ModelView, _ map: ModelMap, context: PageContext) -> String {
        var colorOf: [Int: String] = [:]
        for (rank, c) in v.order.prefix(10).enumerated() where v.members[c].count > 1 { colorOf[c] = SVGPlot.palette[rank] }
        let labels = v.labeling.labels
        let colors = map.rows.map { colorOf[Int(labels[$0])] ?? "#bbb" }
        let titles = map.rows.map { "\(v.names[$0]) (cluster \(v.clusterKeys[Int(labels[$0])]))" }
        let links = map.rows.map { i -> String? in
            let c = Int(labels[i])
            return v.members[c].count > 1 ? clusterPagePath(v, cluster: c, part: 0) : nil
        }
        let thumbs = map.rows.map { context.thumbs[v.names[$0]] }
        let xs = map.rows.indices.map { map.coordinates[2 * $0] }, ys = map.rows.indices.map { map.coordinates[2 * $0 + 1] }
        var svg = SVGPlot.scatter(id: "map-\(v.slug)", x: xs, y: ys, colors: colors, titles: titles, links: links, thumbs: thumbs)
        svg = "<div class=\"plots\"><figure>" + svg + "<figcaption>UMAP of \(map.rows.count) of \(v.names.count) images (cosine, 15 neighbours, min_dist 0.1, seed 42, \(map.initialization.rawValue) initialisation\(map.spectralFailed ? " after the spectral one did not converge" : "")); "
            + "colours: the ten largest clusters, grey: the rest.</figcaption></figure><div id=\"map-preview\" class=\"note\">Hover a point to see its image.</div></div>"
        return svg
    }
}
