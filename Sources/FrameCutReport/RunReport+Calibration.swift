import Foundation
import FrameCutPipeline

extension RunReport {
    /// With labels and a curve in `run.json`: the calibration curve H(Class|Cluster) over
    /// H(Cluster|Class) (nats), one point per `cal`, the run's `cal` marked, and its table.
    func calibrationSection(_ v: ModelView) -> String {
        guard let curve = v.record.calibration else { return "" }
        let points = curve.points.map { SVGPlot.LabelledPoint(x: $0.clusterEntropyGivenClass, y: $0.classEntropyGivenCluster, label: "cal \(HTML.number($0.cal, digits: 4))") }
        let chosen = SVGPlot.LabelledPoint(x: curve.chosen.clusterEntropyGivenClass, y: curve.chosen.classEntropyGivenCluster,
                                           label: curve.chosenCosts.map { "run (\($0) costs)" } ?? "chosen cal \(HTML.number(curve.chosen.cal, digits: 4))")
        var b = "<section id=\"calibration\"><h2>Calibration curve</h2><div class=\"plots\"><figure>"
        b += SVGPlot.calibration(id: "calibration-curve", points: points, chosen: chosen,
                                 xLabel: "H(Cluster|Class), nats (classes split)", yLabel: "H(Class|Cluster), nats (clusters mixed)")
        b += "<figcaption>The images clustered at every cal of the grid (GAEC + KL), each clustering scored against the labels; "
        b += "the diamond is the run's cal (\(HTML.escape(v.record.calSource))). Smallest VI on the grid: cal \(HTML.number(curve.minimumVariationOfInformationCal, digits: 4)). "
        b += "Lower left is better; larger cal merges more (less split, more mixed).</figcaption></figure></div>"
        b += "<table class=\"calibration\"><tr><th>cal</th><th>Clusters</th><th>H(Cluster|Class)</th><th>H(Class|Cluster)</th><th>VI</th><th>ARI</th></tr>"
        for (k, p) in curve.points.enumerated() {
            b += "<tr><td class=\"num\">\(HTML.number(p.cal, digits: 4))</td>" + HTML.valueCell(Double(p.clusters), key: "cal\(k)Clusters")
            b += HTML.valueCell(p.clusterEntropyGivenClass, key: "cal\(k)HClusterGivenClass") + HTML.valueCell(p.classEntropyGivenCluster, key: "cal\(k)HClassGivenCluster")
            b += HTML.valueCell(p.variationOfInformation, key: "cal\(k)VI") + HTML.valueCell(p.adjustedRandIndex, key: "cal\(k)ARI") + "</tr>"
        }
        let c = curve.chosen
        b += "<tr class=\"chosen\"><td class=\"num\">" + (curve.chosenCosts.map { "run (\(HTML.escape($0)) costs)" } ?? "\(HTML.number(c.cal, digits: 4)) (run)") + "</td>" + HTML.valueCell(Double(c.clusters), key: "chosenClusters")
        b += HTML.valueCell(c.clusterEntropyGivenClass, key: "chosenHClusterGivenClass") + HTML.valueCell(c.classEntropyGivenCluster, key: "chosenHClassGivenCluster")
        b += HTML.valueCell(c.variationOfInformation, key: "chosenVI") + HTML.valueCell(c.adjustedRandIndex, key: "chosenARI") + "</tr></table>"
        b += "<p class=\"note\">\(curve.points.count) solves in \(HTML.number(curve.seconds, digits: 3)) s; values in <a href=\"\(HTML.url("calibration-\(v.slug).csv"))\">calibration-\(HTML.escape(v.slug)).csv</a>.</p>"
        return b + "</section>"
    }
}
