import Foundation
import FrameCutCore
import FrameCutIO
import FrameCutPipeline

extension RunReport {
    /// `m-<model>.html`: size plots, similarity densities, label tables, galleries, singletons, map.
    func modelPage(_ v: ModelView, map: ModelMap?, context: PageContext) -> Page {
        let m = v.record, s = v.stats
        var b = "<p>\(s.items) images in \(s.clusters) clusters, \(HTML.escape(m.costsDescription)).</p>"
        let classSizes = s.agreement?.classSizes.map { Double($0.count) }.sorted() ?? []
        let classMedian: Double? = classSizes.isEmpty ? nil
            : (classSizes.count % 2 == 1 ? classSizes[classSizes.count / 2] : (classSizes[classSizes.count / 2 - 1] + classSizes[classSizes.count / 2]) / 2)
        let classMarker = classMedian.map { SVGPlot.Marker(value: $0, label: "median class size \(HTML.number($0))", color: "#c00", vertical: false) }

        // Cluster sizes (supplement Figures 12, 14).
        let sizes = v.order.map { Double(v.members[$0].count) }
        b += "<section id=\"sizes\"><h2>Cluster sizes</h2><div class=\"plots\">"
        let q = s.quartiles
        b += "<figure>" + SVGPlot.boxes(id: "size-box", rows: [(m.folder, Double(s.minSize), q.first ?? s.medianSize, s.medianSize,
                                                                  q.count > 2 ? q[2] : s.medianSize, Double(s.maxSize))],
                                          xLabel: "cluster size (log scale)",
                                          reference: classMedian.map { SVGPlot.Marker(value: $0, label: "class size", color: "#c00") })
        b += "<figcaption>Box plot of the cluster sizes (min, quartiles, median in red, max).</figcaption></figure>"
        b += "<figure>" + SVGPlot.lines(id: "size-rank", series: [SVGPlot.Series(name: m.folder, x: sizes.indices.map { Double($0 + 1) }, y: sizes, color: SVGPlot.palette[0])],
                                        markers: classMarker.map { [$0] } ?? [], xLabel: "rank (log)", yLabel: "cluster size (log)", logX: true, logY: true)
        b += "<figcaption>Rank-size plot: the k-th largest cluster's size\(classMedian == nil ? "" : ", with the median class size").</figcaption></figure>"
        b += "</div></section>"

        // Similarity densities (supplement Figures 8-10).
        if let d = v.model.similarity {
            b += "<section id=\"similarity\"><h2>Similarities</h2><div class=\"plots\">"
            b += "<figure>" + SVGPlot.lines(id: "similarity-raw", series: [SVGPlot.Series(name: "raw cosine", x: d.rawDensity.x, y: d.rawDensity.density, color: SVGPlot.palette[0])],
                                            markers: [SVGPlot.Marker(value: d.raw.mean, label: "mean \(HTML.number(d.raw.mean, digits: 3))", color: "#555")],
                                            xLabel: "cosine similarity", yLabel: "density")
            b += "<figcaption>Density of the raw cosine similarities of all \(d.pairs) pairs\(d.narrowCone ? " (a narrow cone: most pairs are very similar)" : "").</figcaption></figure>"
            b += "<figure>" + SVGPlot.lines(id: "similarity-normalized", series: [SVGPlot.Series(name: "normalised p", x: d.normalizedDensity.x, y: d.normalizedDensity.density, color: SVGPlot.palette[1])],
                                            markers: [SVGPlot.Marker(value: d.mu, label: "mu \(HTML.number(d.mu, digits: 3))", color: "#555"),
                                                      SVGPlot.Marker(value: 1 - m.cal, label: (m.usesPaperCosts ? "1 - cal " : "1 - heuristic cal (not used) ") + HTML.number(1 - m.cal, digits: 3), color: "#c00")],
                                            xLabel: "normalised similarity p", yLabel: "density")
            b += "<figcaption>Density of the normalised similarities p; " + (m.usesPaperCosts ? "pairs with p above 1 - cal attract, below repel."
                : "under the paper's costs pairs with p above 1 - cal would attract; this run used \(HTML.escape(m.costsDescription)).") + "</figcaption></figure>"
            b += "</div><table><tr><th>Pairs</th><th>Raw min</th><th>Raw mean</th><th>Raw max</th><th>Raw std</th><th>mu</th><th>Suggested cal</th></tr><tr>"
            b += HTML.valueCell(Double(d.pairs), key: "pairs") + HTML.valueCell(d.raw.min, key: "rawMin") + HTML.valueCell(d.raw.mean, key: "rawMean")
            b += HTML.valueCell(d.raw.max, key: "rawMax") + HTML.valueCell(d.raw.std, key: "rawStd") + HTML.valueCell(d.mu, key: "mu")
            b += HTML.valueCell(d.suggestedCal, key: "suggestedCal") + "</tr></table></section>"
        }

        if let a = s.agreement { b += labelSections(v, a) }
        b += calibrationSection(v)

        // Galleries of the largest clusters.
        let shown = v.order.prefix(options.galleryClusters).filter { v.members[$0].count > 1 }
        b += "<section id=\"galleries\"><h2>Largest clusters</h2>"
        for c in shown {
            let members = v.members[c]
            let key = v.clusterKeys[c]
            let sample = Self.evenSample(members, count: options.gallerySample)
            b += "<div class=\"cluster\" data-cluster=\"\(HTML.escape(key))\"><h3><a href=\"\(HTML.url(clusterPagePath(v, cluster: c, part: 0)))\">Cluster \(HTML.escape(key))</a>: \(members.count) images</h3><div class=\"grid\">"
            for i in sample { b += context.figure(v.names[i], root: "", caption: URL(fileURLWithPath: v.names[i]).lastPathComponent) }
            b += "</div></div>"
        }
        let rest = v.order.filter { v.members[$0].count > 1 }.dropFirst(shown.count)
        if !rest.isEmpty {
            b += "<details><summary>\(rest.count) more clusters with two or more images</summary><p>"
            b += rest.map { "<a href=\"\(HTML.url(clusterPagePath(v, cluster: $0, part: 0)))\">\(HTML.escape(v.clusterKeys[$0])) (\(v.members[$0].count))</a>" }.joined(separator: ", ")
            b += "</p></details>"
        }
        let singles = v.order.filter { v.members[$0].count == 1 }.count
        if singles > 0 { b += "<p><a href=\"\(HTML.url("c/\(v.slug)/singletons.html"))\">\(singles) singleton clusters</a> (images alone in their cluster).</p>" }
        b += "</section>"

        if let map {
            b += "<section id=\"map\"><h2>Map of the embeddings (UMAP)</h2>" + mapFigure(v, map, context: context) + "</section>"
        } else if options.map {
            b += "<section id=\"map\"><h2>Map of the embeddings</h2><p class=\"note\">No map: the embeddings are not in the store any more.</p></section>"
        }
        return Page(path: "m-\(v.slug).html", html: HTML.page(title: "Model \(m.folder)", root: "", body: b))
    }

    /// With class labels: the clean/mixed table and the contingency of the largest clusters.
    func labelSections(_ v: ModelView, _ a: StatsReport.Agreement) -> String {
        var b = "<section id=\"labels\"><h2>Clusters and classes</h2><table>"
        b += "<tr><th>Classes</th>\(HTML.valueCell(Double(a.classes), key: "classes"))</tr>"
        b += "<tr><th>Clean clusters (one class)</th>\(HTML.valueCell(Double(a.cleanClusters), key: "cleanClusters"))</tr>"
        b += "<tr><th>Share of clusters that are clean</th>\(HTML.valueCell(a.cleanClusterShare, key: "cleanClusterShare"))</tr>"
        b += "<tr><th>Share of images in clean clusters</th>\(HTML.valueCell(a.itemsInCleanClustersShare, key: "itemsInCleanClustersShare"))</tr>"
        b += "<tr><th>Mixed clusters</th><td class=\"num\">\(v.stats.clusters - a.cleanClusters)</td></tr>"
        b += "<tr><th>Classes never mixed</th><td>\(HTML.escape(a.classesNeverMixed.prefix(30).joined(separator: ", ")))\(a.classesNeverMixed.count > 30 ? ", ..." : "")</td></tr></table>"
        if !a.mixedClusters.isEmpty {
            b += "<h3>Mixed clusters</h3><table><tr><th>Cluster</th><th>Size</th><th>Composition</th></tr>"
            let index = Dictionary(v.clusterKeys.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { x, _ in x })
            for mc in a.mixedClusters.prefix(20) {
                let link = index[mc.cluster].map { "<a href=\"\(HTML.url(clusterPagePath(v, cluster: $0, part: 0)))\">\(HTML.escape(mc.cluster))</a>" } ?? HTML.escape(mc.cluster)
                b += "<tr><td>\(link)</td><td class=\"num\">\(mc.size)</td><td>\(HTML.escape(mc.composition.prefix(8).map { "\($0.className): \($0.count)" }.joined(separator: ", ")))</td></tr>"
            }
            b += "</table>"
        }
        // Contingency of the largest clusters against the classes they hold most.
        if let classes = run.classes, let names = classes.names {
            let classOf = Dictionary(zip(names, classes.labels), uniquingKeysWith: { x, _ in x })
            let top = Array(v.order.prefix(15))
            var counts: [[String: Int]] = []
            var totals: [String: Int] = [:]
            for c in top {
                var row: [String: Int] = [:]
                for i in v.members[c] { if let k = classOf[v.names[i]] { row[k, default: 0] += 1; totals[k, default: 0] += 1 } }
                counts.append(row)
            }
            let columns = totals.keys.sorted { (totals[$0] ?? 0, $1) > (totals[$1] ?? 0, $0) }.prefix(12)
            b += "<h3>Contingency of the largest clusters</h3><table><tr><th>Cluster \\ class</th>" + columns.map { "<th>\(HTML.escape($0))</th>" }.joined() + "<th>Size</th></tr>"
            for (k, c) in top.enumerated() {
                b += "<tr><th>\(HTML.escape(v.clusterKeys[c]))</th>" + columns.map { "<td class=\"num\">\(counts[k][$0] ?? 0)</td>" }.joined() + "<td class=\"num\">\(v.members[c].count)</td></tr>"
            }
            b += "</table>"
        }
        return b + "</section>"
    }

    /// `count` evenly spaced items of `items` (all of them when fewer).
    static func evenSample(_ items: [Int], count: Int) -> [Int] {
        guard items.count > count else { return items }
        return (0..<count).map { items[$0 * items.count / count] }
    }
}
