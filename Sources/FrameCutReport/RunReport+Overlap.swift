import Foundation
import FrameCutCore
import FrameCutIO

extension RunReport {
    /// `overlap-<a>-vs-<b>.html`: clusters of two models that share at least 80% of each
    /// other's images (supplement Figures 15-17), with the shared images and each side's extras.
    func overlapPage(_ a: ModelView, _ b: ModelView, context: PageContext) throws -> (Page, Int) {
        // Align on the images both models clustered.
        let indexB = Dictionary(b.names.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { x, _ in x })
        var rowsA: [Int] = [], rowsB: [Int] = []
        for (i, name) in a.names.enumerated() { if let j = indexB[name] { rowsA.append(i); rowsB.append(j) } }
        let path = "overlap-\(a.slug)-vs-\(b.slug).html"
        let title = "Overlap: \(a.record.folder) vs \(b.record.folder)"
        guard !rowsA.isEmpty else {
            return (Page(path: path, html: HTML.page(title: title, root: "", body: "<p>The two models share no images.</p>")), 0)
        }
        let la = Labeling.make(rowsA.map { Int(a.labeling.labels[$0]) }), lb = Labeling.make(rowsB.map { Int(b.labeling.labels[$0]) })
        let overlap: ClusterOverlap
        do { overlap = try ClusterOverlap(la.labeling, lb.labeling, threshold: 0.8, includeMembers: false) } catch {
            throw ReportError.input(path: "\(a.record.folder) vs \(b.record.folder)", reason: "overlap failed: \(error)")
        }
        let alike = overlap.matches.filter(\.alike)
        var body = "<p>\(rowsA.count) images in both; <span data-key=\"alikePairs\" data-value=\"\(overlap.alikePairs)\">\(overlap.alikePairs)</span> matched pairs "
        body += "(each holds at least 80% of the other), covering \(HTML.number(100 * overlap.itemsInAlikePairsShare, digits: 3))% of the images.</p>"
        for m in alike.prefix(options.overlapPairs) {
            let keyA = a.clusterKeys[la.rawValues[m.clusterA]], keyB = b.clusterKeys[lb.rawValues[m.clusterB]]
            let denseA = la.rawValues[m.clusterA], denseB = lb.rawValues[m.clusterB]
            body += "<div class=\"cluster\"><h3><a href=\"\(HTML.url(clusterLink(a, cluster: denseA)))\">\(HTML.escape(a.record.folder)) \(HTML.escape(keyA))</a> (\(m.sizeA))"
            body += " and <a href=\"\(HTML.url(clusterLink(b, cluster: denseB)))\">\(HTML.escape(b.record.folder)) \(HTML.escape(keyB))</a> (\(m.sizeB)):"
            body += " \(m.intersection) shared, Jaccard \(HTML.number(m.jaccard, digits: 3))</h3>"
            for (label, items, names) in [("Shared", m.shared, rowsA.map { a.names[$0] }),
                                          ("Only in \(a.record.folder)", m.onlyA, rowsA.map { a.names[$0] }),
                                          ("Only in \(b.record.folder)", m.onlyB, rowsB.map { b.names[$0] })] where !items.isEmpty {
                body += "<p>\(HTML.escape(label)): \(items.count)</p><div class=\"grid\">"
                for i in Self.evenSample(items, count: options.gallerySample) { body += context.figure(names[i], root: "", caption: URL(fileURLWithPath: names[i]).lastPathComponent) }
                body += "</div>"
            }
            body += "</div>"
        }
        if alike.count > options.overlapPairs { body += "<p class=\"note\">\(alike.count - options.overlapPairs) more matched pairs are in the run's compare/ folder.</p>" }
        return (Page(path: path, html: HTML.page(title: title, root: "", body: body)), overlap.alikePairs)
    }
}
