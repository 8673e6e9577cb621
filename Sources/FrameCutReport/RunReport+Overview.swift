import Foundation
import FrameCutCore
import FrameCutIO
import FrameCutPipeline

extension RunReport {
    /// `index.html`: images, models, cal, energies, timings, Table 5 per model, VI heat map, overlaps.
    func indexPage(_ views: [ModelView], overlaps: [(a: String, b: String, path: String, alike: Int)]) -> Page {
        let r = run.record
        var b = ""
        b += "<section id=\"overview\"><h2>Overview</h2><table>"
        b += "<tr><th>Image folder</th><td>\(HTML.escape(URL(fileURLWithPath: r.folder).lastPathComponent))</td></tr>"
        b += "<tr><th>Image files found</th><td class=\"num\" data-key=\"files\" data-value=\"\(r.files)\">\(r.files)</td></tr>"
        b += "<tr><th>Skipped files</th><td class=\"num\" data-key=\"skipped\" data-value=\"\(r.skipped.count)\">\(r.skipped.count)</td></tr>"
        b += "<tr><th>Models</th><td>\(views.count)</td></tr>"
        if let labels = r.labels { b += "<tr><th>Class labels</th><td>\(HTML.escape(URL(fileURLWithPath: labels).lastPathComponent))</td></tr>" }
        b += "<tr><th>FrameCut</th><td>\(HTML.escape(r.framecutVersion))</td></tr>"
        b += "<tr><th>Total time</th><td>\(HTML.seconds(r.seconds.total)) (scan \(HTML.seconds(r.seconds.scan)))</td></tr>"
        b += "</table>"
        for note in run.notes { b += "<p class=\"note\">\(HTML.escape(note))</p>" }
        b += "</section>"

        b += "<section id=\"models\"><h2>Models</h2><table><tr><th>Model</th><th>Embedding</th><th>Width</th><th>Images used</th>"
        b += "<th>Embedded now</th><th>From the store</th><th>cal</th><th>How cal was chosen</th><th>Solver</th><th>Energy GAEC</th>"
        b += "<th>Energy GAEC+KL</th><th>Clusters GAEC</th><th>Clusters</th></tr>"
        for v in views {
            let m = v.record
            b += "<tr data-model=\"\(HTML.escape(m.folder))\"><td><a href=\"\(HTML.url("m-\(v.slug).html"))\">\(HTML.escape(m.folder))</a></td>"
            b += "<td>\(HTML.escape(m.model)) / \(HTML.escape(m.embedding))</td><td class=\"num\">\(m.embeddingWidth)</td>"
            b += HTML.valueCell(Double(m.imagesUsed), key: "imagesUsed") + HTML.valueCell(Double(m.imagesComputed), key: "imagesComputed")
            b += HTML.valueCell(Double(m.imagesReused), key: "imagesReused") + HTML.valueCell(m.cal, key: "cal", digits: 6)
            b += "<td>\(HTML.escape(m.usesPaperCosts ? m.calSource : m.costsDescription + "; cal: " + m.calSource))</td><td>\(HTML.escape(m.solver))</td>"
            b += HTML.valueCell(m.energyGAEC, key: "energyGAEC", digits: 8) + HTML.valueCell(m.energy, key: "energy", digits: 8)
            b += HTML.valueCell(Double(m.clustersGAEC), key: "clustersGAEC") + HTML.valueCell(Double(m.clusters), key: "clusters") + "</tr>"
        }
        b += "</table></section>"

        b += "<section id=\"timings\"><h2>Timings</h2><table><tr><th>Model</th><th>Embedding</th><th>Similarities</th><th>Costs</th><th>GAEC</th><th>Kernighan-Lin</th></tr>"
        for v in views {
            let s = v.record.seconds
            b += "<tr><td>\(HTML.escape(v.record.folder))</td><td>\(HTML.seconds(s.embedding.embedding))</td><td>\(HTML.seconds(s.similarity))</td>"
            b += "<td>\(HTML.seconds(s.costs))</td><td>\(HTML.seconds(s.gaec))</td><td>\(HTML.seconds(s.kernighanLin))</td></tr>"
        }
        b += "</table></section>"

        b += "<section id=\"statistics\"><h2>Cluster statistics (supplement Table 5)</h2><table><tr><th>Model</th><th>Items</th><th>Clusters</th>"
        b += "<th>Min</th><th>Q1</th><th>Median</th><th>Q3</th><th>Mean</th><th>Max</th><th>Singletons</th><th>Singleton share</th>"
        let labelled = views.contains { $0.stats.agreement != nil }
        if labelled { b += "<th>Clean clusters</th><th>H(Cluster|Class)</th><th>H(Class|Cluster)</th><th>VI</th><th>ARI</th><th>Purity</th>" }
        b += "</tr>"
        for v in views {
            let s = v.stats
            b += "<tr data-model=\"\(HTML.escape(v.record.folder))\"><td>\(HTML.escape(v.record.folder))</td>"
            b += HTML.valueCell(Double(s.items), key: "items") + HTML.valueCell(Double(s.clusters), key: "clusters")
            b += HTML.valueCell(Double(s.minSize), key: "minSize")
            b += HTML.valueCell(s.quartiles.first ?? .nan, key: "q1") + HTML.valueCell(s.medianSize, key: "medianSize")
            b += HTML.valueCell(s.quartiles.count > 2 ? s.quartiles[2] : .nan, key: "q3")
            b += HTML.valueCell(s.meanSize, key: "meanSize") + HTML.valueCell(Double(s.maxSize), key: "maxSize")
            b += HTML.valueCell(Double(s.singletonClusters), key: "singletonClusters") + HTML.valueCell(s.singletonShare, key: "singletonShare")
            if labelled {
                if let a = s.agreement {
                    b += HTML.valueCell(Double(a.cleanClusters), key: "cleanClusters")
                    b += HTML.valueCell(a.clusterEntropyGivenClass, key: "clusterEntropyGivenClass") + HTML.valueCell(a.classEntropyGivenCluster, key: "classEntropyGivenCluster")
                    b += HTML.valueCell(a.variationOfInformation, key: "variationOfInformation") + HTML.valueCell(a.adjustedRandIndex, key: "adjustedRandIndex")
                    b += HTML.valueCell(a.purity, key: "purity")
                } else {
                    b += String(repeating: "<td></td>", count: 6)
                }
            }
            b += "</tr>"
        }
        b += "</table><p class=\"note\">Sizes in images; entropies and VI in nats.</p></section>"

        if let c = r.comparison, c.names.count >= 2 {
            b += "<section id=\"vi\"><h2>Variation of information between the models' clusterings</h2>"
            b += "<figure>" + SVGPlot.heatMap(id: "vi-heatmap", names: c.names, values: c.variationOfInformation)
            b += "<figcaption>VI in nats over the \(c.items) images all models clustered (0: identical clusterings); supplement Figures 11 and 13.</figcaption></figure>"
            b += "<table><tr><th></th>" + c.names.map { "<th>\(HTML.escape($0))</th>" }.joined() + "</tr>"
            for (i, name) in c.names.enumerated() {
                b += "<tr><th>\(HTML.escape(name))</th>"
                for j in c.names.indices { b += HTML.valueCell(c.adjustedRandIndex[i][j], key: "ari-\(i)-\(j)") }
                b += "</tr>"
            }
            b += "</table><p class=\"note\">Adjusted Rand index between the clusterings.</p></section>"
        }
        if !overlaps.isEmpty {
            b += "<section id=\"overlap\"><h2>Cross-model overlap</h2><ul>"
            for o in overlaps {
                b += "<li><a href=\"\(HTML.url(o.path))\">\(HTML.escape(o.a)) vs \(HTML.escape(o.b))</a>: \(o.alike) matched cluster pairs (at least 80% shared both ways)</li>"
            }
            b += "</ul></section>"
        }
        if !r.skipped.isEmpty {
            b += "<section id=\"skipped\"><h2>Skipped files</h2><table><tr><th>File</th><th>Reason</th></tr>"
            for s in r.skipped.prefix(1000) { b += "<tr><td>\(HTML.escape(s.name))</td><td>\(HTML.escape(s.reason))</td></tr>" }
            b += "</table>"
            if r.skipped.count > 1000 { b += "<p class=\"note\">\(r.skipped.count - 1000) more are listed in run.json.</p>" }
            b += "</section>"
        }
        return Page(path: "index.html", html: HTML.page(title: "FrameCut report: \(URL(fileURLWithPath: r.folder).lastPathComponent)", root: "", body: b))
    }
}
