import Foundation
import FrameCutCore
import FrameCutIO

extension RunReport {
    /// The page of part `part` (0-based) of a cluster, relative to the report folder.
    func clusterPagePath(_ v: ModelView, cluster: Int, part: Int) -> String {
        "c/\(v.slug)/\(HTML.fileName(v.clusterKeys[cluster]))\(part == 0 ? "" : "-\(part + 1)").html"
    }

    /// Where a cluster is listed: its page, or the singletons page for a cluster of one.
    func clusterLink(_ v: ModelView, cluster: Int) -> String {
        v.members[cluster].count > 1 ? clusterPagePath(v, cluster: cluster, part: 0) : "c/\(v.slug)/singletons.html"
    }

    func clusterCSVPath(_ v: ModelView, cluster: Int) -> String { "c/\(v.slug)/\(HTML.fileName(v.clusterKeys[cluster])).csv" }

    /// A cluster's members, most typical first (similarity to the mean) when known, else by name.
    func orderedMembers(_ v: ModelView, cluster: Int) -> [Int] {
        let members = v.members[cluster]
        guard let sim = v.similarityToMean else { return members.sorted { v.names[$0] < v.names[$1] } }
        return members.sorted { (sim[$0], v.names[$1]) > (sim[$1], v.names[$0]) }
    }

    /// One page per `imagesPerPage` images of every cluster with two or more images, and the
    /// singletons list (also split into pages).
    func clusterPages(_ v: ModelView, context: PageContext) -> [Page] {
        var pages: [Page] = []
        let root = "../../"
        let per = options.imagesPerPage
        for c in v.order where v.members[c].count > 1 {
            let members = orderedMembers(v, cluster: c)
            let parts = (members.count + per - 1) / per
            let key = v.clusterKeys[c]
            let namesText = members.map { v.names[$0] }.joined(separator: "\n")
            let fileName = URL(fileURLWithPath: clusterCSVPath(v, cluster: c)).lastPathComponent
            for part in 0..<parts {
                var b = "<p>Model <a href=\"\(root)\(HTML.url("m-\(v.slug).html"))\">\(HTML.escape(v.record.folder))</a>, cluster \(HTML.escape(key)): "
                b += "<span data-key=\"size\" data-value=\"\(members.count)\">\(members.count)</span> images"
                b += v.similarityToMean == nil ? ", by name." : ", most similar to the cluster mean first."
                b += "</p>"
                if part == 0 {
                    b += "<p><button type=\"button\" data-copy=\"names\">Copy the file names</button> "
                    b += "<a href=\"\(HTML.url(fileName))\" download>Download CSV</a></p>"
                    b += "<textarea id=\"names\" class=\"names\" readonly>\(HTML.escape(namesText))</textarea>"
                }
                if parts > 1 {
                    b += "<p>Pages: " + (0..<parts).map { p in
                        p == part ? "<b>\(p + 1)</b>" : "<a href=\"\(HTML.url(URL(fileURLWithPath: clusterPagePath(v, cluster: c, part: p)).lastPathComponent))\">\(p + 1)</a>"
                    }.joined(separator: " ") + "</p>"
                }
                b += "<div class=\"grid\">"
                for i in members[(part * per)..<min(members.count, (part + 1) * per)] {
                    let caption = v.similarityToMean.map { URL(fileURLWithPath: v.names[i]).lastPathComponent + " · " + String(format: "%.3f", $0[i]) }
                    b += context.figure(v.names[i], root: root, caption: caption, lazy: true)
                }
                b += "</div>"
                let title = "\(v.record.folder): cluster \(key)" + (parts > 1 ? " (\(part + 1)/\(parts))" : "")
                pages.append(Page(path: clusterPagePath(v, cluster: c, part: part), html: HTML.page(title: title, root: root, body: b)))
            }
        }
        let singles = v.order.filter { v.members[$0].count == 1 }
        if !singles.isEmpty {
            let perList = max(per * 5, 1000)
            let parts = (singles.count + perList - 1) / perList
            for part in 0..<parts {
                var b = "<p>\(singles.count) images are alone in their cluster (model \(HTML.escape(v.record.folder))).</p>"
                if parts > 1 {
                    b += "<p>Pages: " + (0..<parts).map { p in
                        p == part ? "<b>\(p + 1)</b>" : "<a href=\"\(p == 0 ? "singletons.html" : "singletons-\(p + 1).html")\">\(p + 1)</a>"
                    }.joined(separator: " ") + "</p>"
                }
                b += "<table><tr><th>Cluster</th><th>Image</th></tr>"
                for c in singles[(part * perList)..<min(singles.count, (part + 1) * perList)] {
                    let name = v.names[v.members[c][0]]
                    b += "<tr><td>\(HTML.escape(v.clusterKeys[c]))</td><td>\(HTML.escape(name))</td></tr>"
                }
                b += "</table>"
                let path = "c/\(v.slug)/" + (part == 0 ? "singletons.html" : "singletons-\(part + 1).html")
                pages.append(Page(path: path, html: HTML.page(title: "\(v.record.folder): singletons", root: root, body: b)))
            }
        }
        return pages
    }

    /// `c/<model>/<cluster>.csv`: `name,similarity_to_mean` per member (the same order as the page).
    func writeClusterCSVs(_ v: ModelView, into folder: URL) throws {
        for c in v.order where v.members[c].count > 1 {
            var text = "name,similarity_to_mean\n"
            for i in orderedMembers(v, cluster: c) {
                text += CSVText.field(v.names[i]) + "," + (v.similarityToMean.map { String($0[i]) } ?? "") + "\n"
            }
            let url = folder.appendingPathComponent(clusterCSVPath(v, cluster: c))
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
    }
}
