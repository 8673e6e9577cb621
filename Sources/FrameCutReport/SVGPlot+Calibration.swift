import Foundation

extension SVGPlot {
    /// A labelled point of `calibration`.
    public struct LabelledPoint: Sendable {
        public var x: Double
        public var y: Double
        public var label: String
        public init(x: Double, y: Double, label: String) {
            self.x = x
            self.y = y
            self.label = label
        }
    }

    /// The calibration curve (supplement Figures 8-9): the grid's points joined in order, each a
    /// circle (`class="cal-point"`) with its label, and the chosen point as a red diamond
    /// (`class="cal-chosen"`) with its label. Both axes linear, from 0.
    public static func calibration(id: String, points: [LabelledPoint], chosen: LabelledPoint?, xLabel: String, yLabel: String,
                                   width: Int = 480, height: Int = 340) -> String {
        let left = 56.0, right = 24.0, top = 16.0, bottom = 40.0
        let w = Double(width) - left - right, h = Double(height) - top - bottom
        let all = (points + (chosen.map { [$0] } ?? [])).filter { $0.x.isFinite && $0.y.isFinite }
        var x1 = all.map(\.x).max() ?? 1, y1 = all.map(\.y).max() ?? 1
        if x1 <= 0 { x1 = 1 }
        if y1 <= 0 { y1 = 1 }
        x1 *= 1.08
        y1 *= 1.08
        func px(_ v: Double) -> Double { left + v / x1 * w }
        func py(_ v: Double) -> Double { top + h - v / y1 * h }
        var svg = "<svg id=\"\(HTML.escape(id))\" class=\"calibration\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\">"
        svg += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(w))\" height=\"\(f(h))\" fill=\"#fafafa\" stroke=\"#999\"/>"
        for t in ticks(0, x1) {
            svg += "<line x1=\"\(f(px(t)))\" x2=\"\(f(px(t)))\" y1=\"\(f(top + h))\" y2=\"\(f(top + h + 4))\" stroke=\"#666\"/>"
            svg += "<text x=\"\(f(px(t)))\" y=\"\(f(top + h + 16))\" text-anchor=\"middle\">\(HTML.escape(axisLabel(t, log: false)))</text>"
        }
        for t in ticks(0, y1) {
            svg += "<line x1=\"\(f(left - 4))\" x2=\"\(f(left))\" y1=\"\(f(py(t)))\" y2=\"\(f(py(t)))\" stroke=\"#666\"/>"
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(py(t) + 4))\" text-anchor=\"end\">\(HTML.escape(axisLabel(t, log: false)))</text>"
        }
        svg += "<text x=\"\(f(left + w / 2))\" y=\"\(height - 6)\" text-anchor=\"middle\">\(HTML.escape(xLabel))</text>"
        svg += "<text transform=\"translate(12,\(f(top + h / 2))) rotate(-90)\" text-anchor=\"middle\">\(HTML.escape(yLabel))</text>"
        let line = points.filter { $0.x.isFinite && $0.y.isFinite }.map { "\(f(px($0.x))),\(f(py($0.y)))" }
        if line.count > 1 {
            svg += "<polyline fill=\"none\" stroke=\"\(palette[0])\" stroke-width=\"1.4\" points=\"\(line.joined(separator: " "))\"/>"
        }
        for p in points where p.x.isFinite && p.y.isFinite {
            svg += "<circle class=\"cal-point\" cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"4\" fill=\"\(palette[0])\"><title>\(HTML.escape(p.label))</title></circle>"
            svg += "<text x=\"\(f(px(p.x) + 6))\" y=\"\(f(py(p.y) - 5))\" font-size=\"11\">\(HTML.escape(p.label))</text>"
        }
        if let c = chosen, c.x.isFinite, c.y.isFinite {
            let x = px(c.x), y = py(c.y)
            svg += "<path class=\"cal-chosen\" d=\"M\(f(x)) \(f(y - 8)) L\(f(x + 8)) \(f(y)) L\(f(x)) \(f(y + 8)) L\(f(x - 8)) \(f(y)) Z\" fill=\"none\" stroke=\"#c00\" stroke-width=\"2\"><title>\(HTML.escape(c.label))</title></path>"
            svg += "<text x=\"\(f(x + 10))\" y=\"\(f(y + 14))\" fill=\"#c00\" font-size=\"11\">\(HTML.escape(c.label))</text>"
        }
        return svg + "</svg>"
    }
}
