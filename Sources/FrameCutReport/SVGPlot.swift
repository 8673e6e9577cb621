import Foundation

/// Small inline-SVG plots for the report: line charts (linear or log axes), a box plot, a
/// heat map with values in the cells and a scatter plot. Every plot has a fixed, non-zero size.
public enum SVGPlot {
    /// A named series of points.
    public struct Series: Sendable {
        public var name: String
        public var x: [Double]
        public var y: [Double]
        public var color: String
        public init(name: String, x: [Double], y: [Double], color: String) {
            self.name = name
            self.x = x
            self.y = y
            self.color = color
        }
    }

    /// A vertical (x = value) or horizontal (y = value) reference line with a label.
    public struct Marker: Sendable {
        public var value: Double
        public var label: String
        public var color: String
        public var vertical: Bool
        public init(value: Double, label: String, color: String, vertical: Bool = true) {
            self.value = value
            self.label = label
            self.color = color
            self.vertical = vertical
        }
    }

    /// A categorical palette (Tableau 10), cycled.
    public static let palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]

    static func f(_ x: Double) -> String { String(format: "%.2f", x) }

    /// "Nice" ticks covering `lo...hi`.
    static func ticks(_ lo: Double, _ hi: Double, count: Int = 5) -> [Double] {
        guard hi > lo, lo.isFinite, hi.isFinite else { return [lo] }
        let raw = (hi - lo) / Double(count)
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var out: [Double] = []
        var t = ceil(lo / step) * step
        while t <= hi + step * 1e-9, out.count < 50 { out.append(abs(t) < step * 1e-9 ? 0 : t); t += step }
        return out
    }

    /// A line chart. With `logX`/`logY` the axis shows log10 (values must be positive; others are dropped).
    public static func lines(id: String, series: [Series], markers: [Marker] = [], xLabel: String, yLabel: String,
                             logX: Bool = false, logY: Bool = false, width: Int = 480, height: Int = 300) -> String {
        let left = 56.0, right = 16.0, top = 16.0, bottom = 40.0
        let w = Double(width) - left - right, h = Double(height) - top - bottom
        func tx(_ v: Double) -> Double? { logX ? (v > 0 ? log10(v) : nil) : v }
        func ty(_ v: Double) -> Double? { logY ? (v > 0 ? log10(v) : nil) : v }
        var xs: [Double] = [], ys: [Double] = []
        for s in series { for (x, y) in zip(s.x, s.y) { if let a = tx(x), let b = ty(y), a.isFinite, b.isFinite { xs.append(a); ys.append(b) } } }
        for m in markers { if m.vertical { if let a = tx(m.value) { xs.append(a) } } else if let b = ty(m.value) { ys.append(b) } }
        var x0 = xs.min() ?? 0, x1 = xs.max() ?? 1, y0 = ys.min() ?? 0, y1 = ys.max() ?? 1
        if !logY { y0 = min(y0, 0) }
        if x1 <= x0 { x1 = x0 + 1 }
        if y1 <= y0 { y1 = y0 + 1 }
        y1 += (y1 - y0) * 0.05
        func px(_ v: Double) -> Double { left + (v - x0) / (x1 - x0) * w }
        func py(_ v: Double) -> Double { top + h - (v - y0) / (y1 - y0) * h }
        var svg = "<svg id=\"\(HTML.escape(id))\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\">"
        svg += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(w))\" height=\"\(f(h))\" fill=\"#fafafa\" stroke=\"#999\"/>"
        for t in ticks(x0, x1) {
            svg += "<line x1=\"\(f(px(t)))\" x2=\"\(f(px(t)))\" y1=\"\(f(top + h))\" y2=\"\(f(top + h + 4))\" stroke=\"#666\"/>"
            svg += "<text x=\"\(f(px(t)))\" y=\"\(f(top + h + 16))\" text-anchor=\"middle\">\(HTML.escape(axisLabel(t, log: logX)))</text>"
        }
        for t in ticks(y0, y1) {
            svg += "<line x1=\"\(f(left - 4))\" x2=\"\(f(left))\" y1=\"\(f(py(t)))\" y2=\"\(f(py(t)))\" stroke=\"#666\"/>"
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(py(t) + 4))\" text-anchor=\"end\">\(HTML.escape(axisLabel(t, log: logY)))</text>"
        }
        svg += "<text x=\"\(f(left + w / 2))\" y=\"\(height - 6)\" text-anchor=\"middle\">\(HTML.escape(xLabel))</text>"
        svg += "<text transform=\"translate(12,\(f(top + h / 2))) rotate(-90)\" text-anchor=\"middle\">\(HTML.escape(yLabel))</text>"
        for s in series {
            var points: [String] = []
            for (x, y) in zip(s.x, s.y) {
                if let a = tx(x), let b = ty(y), a.isFinite, b.isFinite { points.append("\(f(px(a))),\(f(py(b)))") }
            }
            if points.count == 1 { points.append(points[0]) }
            svg += "<polyline fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"1.6\" points=\"\(points.joined(separator: " "))\"><title>\(HTML.escape(s.name))</title></polyline>"
        }
        for (k, m) in markers.enumerated() {
            if m.vertical, let a = tx(m.value) {
                svg += "<line x1=\"\(f(px(a)))\" x2=\"\(f(px(a)))\" y1=\"\(f(top))\" y2=\"\(f(top + h))\" stroke=\"\(m.color)\" stroke-dasharray=\"4 3\"/>"
                svg += "<text x=\"\(f(px(a) + 3))\" y=\"\(f(top + 12 + Double(k) * 12))\" fill=\"\(m.color)\">\(HTML.escape(m.label))</text>"
            } else if !m.vertical, let b = ty(m.value) {
                svg += "<line x1=\"\(f(left))\" x2=\"\(f(left + w))\" y1=\"\(f(py(b)))\" y2=\"\(f(py(b)))\" stroke=\"\(m.color)\" stroke-dasharray=\"4 3\"/>"
                svg += "<text x=\"\(f(left + w - 4))\" y=\"\(f(py(b) - 4))\" text-anchor=\"end\" fill=\"\(m.color)\">\(HTML.escape(m.label))</text>"
            }
        }
        if series.count > 1 {
            for (k, s) in series.enumerated() {
                let y = top + 14 + Double(k) * 14
                svg += "<rect x=\"\(f(left + w - 130))\" y=\"\(f(y - 8))\" width=\"10\" height=\"10\" fill=\"\(s.color)\"/>"
                svg += "<text x=\"\(f(left + w - 116))\" y=\"\(f(y + 1))\">\(HTML.escape(s.name))</text>"
            }
        }
        return svg + "</svg>"
    }

    static func axisLabel(_ t: Double, log: Bool) -> String {
        log ? HTML.number(pow(10, t), digits: 3) : HTML.number(t, digits: 3)
    }

    /// Horizontal box plots (min, quartiles, max) on a log10 axis, one row per entry.
    public static func boxes(id: String, rows: [(name: String, min: Double, q1: Double, median: Double, q3: Double, max: Double)],
                             xLabel: String, reference: Marker? = nil, width: Int = 480) -> String {
        let left = 120.0, right = 16.0, top = 12.0, rowHeight = 30.0, bottom = 36.0
        let height = Int(top + rowHeight * Double(max(rows.count, 1)) + bottom)
        let w = Double(width) - left - right
        var values = rows.flatMap { [$0.min, $0.max] }
        if let reference { values.append(reference.value) }
        let logs = values.filter { $0 > 0 }.map(log10)
        let x0 = min(0, logs.min() ?? 0), x1 = max((logs.max() ?? 1), x0 + 1)
        func px(_ v: Double) -> Double { left + (log10(max(v, 1e-12)) - x0) / (x1 - x0) * w }
        var svg = "<svg id=\"\(HTML.escape(id))\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\">"
        let axisY = top + rowHeight * Double(max(rows.count, 1))
        svg += "<line x1=\"\(f(left))\" x2=\"\(f(left + w))\" y1=\"\(f(axisY))\" y2=\"\(f(axisY))\" stroke=\"#666\"/>"
        for t in ticks(x0, x1) where t == t.rounded() {
            let x = left + (t - x0) / (x1 - x0) * w
            svg += "<line x1=\"\(f(x))\" x2=\"\(f(x))\" y1=\"\(f(axisY))\" y2=\"\(f(axisY + 4))\" stroke=\"#666\"/>"
            svg += "<text x=\"\(f(x))\" y=\"\(f(axisY + 16))\" text-anchor=\"middle\">\(HTML.number(pow(10, t)))</text>"
        }
        svg += "<text x=\"\(f(left + w / 2))\" y=\"\(height - 4)\" text-anchor=\"middle\">\(HTML.escape(xLabel))</text>"
        for (k, r) in rows.enumerated() {
            let cy = top + rowHeight * (Double(k) + 0.5)
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(cy + 4))\" text-anchor=\"end\">\(HTML.escape(r.name))</text>"
            svg += "<line x1=\"\(f(px(r.min)))\" x2=\"\(f(px(r.max)))\" y1=\"\(f(cy))\" y2=\"\(f(cy))\" stroke=\"#333\"/>"
            svg += "<rect x=\"\(f(px(r.q1)))\" y=\"\(f(cy - 9))\" width=\"\(f(max(1, px(r.q3) - px(r.q1))))\" height=\"18\" fill=\"#a0c4e4\" stroke=\"#333\"/>"
            svg += "<line x1=\"\(f(px(r.median)))\" x2=\"\(f(px(r.median)))\" y1=\"\(f(cy - 9))\" y2=\"\(f(cy + 9))\" stroke=\"#c00\" stroke-width=\"2\"/>"
            svg += "<title>\(HTML.escape("\(r.name): min \(HTML.number(r.min)), q1 \(HTML.number(r.q1)), median \(HTML.number(r.median)), q3 \(HTML.number(r.q3)), max \(HTML.number(r.max))"))</title>"
        }
        if let reference {
            svg += "<line x1=\"\(f(px(reference.value)))\" x2=\"\(f(px(reference.value)))\" y1=\"\(f(top))\" y2=\"\(f(axisY))\" stroke=\"\(reference.color)\" stroke-dasharray=\"4 3\"/>"
            svg += "<text x=\"\(f(px(reference.value) + 3))\" y=\"\(f(top + 10))\" fill=\"\(reference.color)\">\(HTML.escape(reference.label))</text>"
        }
        return svg + "</svg>"
    }

    /// A square heat map with the value printed in every cell (darker = larger).
    public static func heatMap(id: String, names: [String], values: [[Double]], cell: Int = 64) -> String {
        let n = names.count
        let left = 140.0, top = 110.0
        let size = Double(cell)
        let width = Int(left + size * Double(max(n, 1)) + 10), height = Int(top + size * Double(max(n, 1)) + 10)
        let maxValue = max(values.flatMap { $0 }.filter(\.isFinite).max() ?? 1, 1e-12)
        var svg = "<svg id=\"\(HTML.escape(id))\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\">"
        for (i, name) in names.enumerated() {
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(top + size * (Double(i) + 0.5) + 4))\" text-anchor=\"end\">\(HTML.escape(name))</text>"
            let cx = left + size * (Double(i) + 0.5)
            svg += "<text transform=\"translate(\(f(cx)),\(f(top - 6))) rotate(-45)\">\(HTML.escape(name))</text>"
            for j in 0..<n {
                let v = i < values.count && j < values[i].count ? values[i][j] : .nan
                let t = v.isFinite ? v / maxValue : 0
                let shade = Int(255 - 180 * t)
                let color = "rgb(\(shade),\(shade),255)"
                svg += "<rect x=\"\(f(left + size * Double(j)))\" y=\"\(f(top + size * Double(i)))\" width=\"\(cell)\" height=\"\(cell)\" fill=\"\(color)\" stroke=\"#fff\"/>"
                svg += "<text x=\"\(f(left + size * (Double(j) + 0.5)))\" y=\"\(f(top + size * (Double(i) + 0.5) + 4))\" text-anchor=\"middle\" data-key=\"vi-\(i)-\(j)\" data-value=\"\(v)\">\(HTML.number(v, digits: 3))</text>"
            }
        }
        return svg + "</svg>"
    }

    /// A scatter plot; each point has a colour and a tooltip (title), optionally a link and a
    /// thumbnail path (`data-thumb`, shown on hover by the report script).
    public static func scatter(id: String, x: [Double], y: [Double], colors: [String], titles: [String], links: [String?],
                               thumbs: [String?] = [], width: Int = 720, height: Int = 720, radius: Double = 2.5) -> String {
        let pad = 12.0
        let x0 = x.min() ?? 0, x1 = max(x.max() ?? 1, x0 + 1e-9), y0 = y.min() ?? 0, y1 = max(y.max() ?? 1, y0 + 1e-9)
        let w = Double(width) - 2 * pad, h = Double(height) - 2 * pad
        var svg = "<svg id=\"\(HTML.escape(id))\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\">"
        svg += "<rect x=\"0\" y=\"0\" width=\"\(width)\" height=\"\(height)\" fill=\"#fafafa\" stroke=\"#ccc\"/>"
        for i in x.indices {
            let cx = pad + (x[i] - x0) / (x1 - x0) * w, cy = pad + h - (y[i] - y0) / (y1 - y0) * h
            let thumb = i < thumbs.count ? thumbs[i].map { " data-thumb=\"\(HTML.url($0))\"" } ?? "" : ""
            let dot = "<circle cx=\"\(f(cx))\" cy=\"\(f(cy))\" r=\"\(f(radius))\" fill=\"\(colors[i])\"\(thumb)><title>\(HTML.escape(titles[i]))</title></circle>"
            if let link = links[i] { svg += "<a href=\"\(HTML.url(link))\">\(dot)</a>" } else { svg += dot }
        }
        return svg + "</svg>"
    }
}
