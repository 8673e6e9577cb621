import Foundation
import FrameCutCore
import FrameCutIO
import FrameCutPipeline

/// The report of a run folder: a static folder of HTML pages with inline SVG plots, thumbnails
/// and CSV files, relative links only, no network. `index.html` is the overview; one page per
/// model (plots, label tables, galleries, map), one or more per cluster, one per pair of models.
public struct RunReport: Sendable {
    public let run: RunFolder
    public var options: ReportOptions

    public init(run: RunFolder, options: ReportOptions = ReportOptions()) {
        self.run = run
        self.options = options
    }

    /// Reads `runFolder` and writes its report into `out` (default `runFolder/report`).
    @discardableResult
    public static func write(runFolder: URL, out: URL? = nil, options: ReportOptions = ReportOptions()) throws -> ReportSummary {
        try options.validate()
        let report = RunReport(run: try RunFolder.load(runFolder), options: options)
        return try report.write(to: out ?? runFolder.appendingPathComponent("report"))
    }

    /// A written page: its path relative to the report folder and its text.
    struct Page {
        let path: String
        let html: String
    }

    /// Writes the report folder: built beside `out`, then renamed into place (replacing an old report).
    public func write(to out: URL) throws -> ReportSummary {
        try options.validate()
        let clock = Stopwatch()
        let fm = FileManager.default
        let staging = out.deletingLastPathComponent().appendingPathComponent(".\(out.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        try? fm.removeItem(at: staging)
        do { try fm.createDirectory(at: staging, withIntermediateDirectories: true) } catch {
            throw ReportError.output(path: staging.path, reason: error.localizedDescription)
        }
        defer { try? fm.removeItem(at: staging) }

        var slugs: [String] = [], used = Set<String>()
        for m in run.models {
            var slug = HTML.fileName(m.record.folder), k = 2
            while !used.insert(slug).inserted { slug = HTML.fileName(m.record.folder) + "-\(k)"; k += 1 }
            slugs.append(slug)
        }
        let views = try zip(run.models, slugs).map { model, slug in
            try ModelView(model, slug: slug, classes: run.classes, embeddings: run.embeddings(of: model))
        }

        // Thumbnails: one per distinct image name, numbered in sorted name order.
        let allNames = Array(Set(views.flatMap(\.names))).sorted()
        var thumbs: [String: String] = [:]
        var failed = 0
        if options.thumbnails, let folder = run.imageFolder {
            let jobs = allNames.enumerated().map { (source: folder.appendingPathComponent($0.element), file: String(format: "t%06d.jpg", $0.offset)) }
            let bad = try Thumbnailer(size: options.thumbnailSize, threads: options.threads).write(jobs, into: staging.appendingPathComponent("thumbs"))
            for (i, job) in jobs.enumerated() where !bad.contains(i) { thumbs[allNames[i]] = "thumbs/" + job.file }
            failed = bad.count
        }
        let context = PageContext(thumbs: thumbs, options: options)

        var pages: [Page] = []
        for view in views {
            let map = options.map ? try mapCoordinates(view) : nil
            pages.append(modelPage(view, map: map, context: context))
            pages += clusterPages(view, context: context)
        }
        var overlaps: [(a: String, b: String, path: String, alike: Int)] = []
        for i in views.indices {
            for j in views.indices where j > i {
                let (page, alike) = try overlapPage(views[i], views[j], context: context)
                pages.append(page)
                overlaps.append((views[i].record.folder, views[j].record.folder, page.path, alike))
            }
        }
        pages.insert(indexPage(views, overlaps: overlaps), at: 0)

        var largest = 0
        do {
            try Data(HTML.stylesheet.utf8).write(to: staging.appendingPathComponent("report.css"))
            try Data(HTML.script.utf8).write(to: staging.appendingPathComponent("report.js"))
            for page in pages {
                let url = staging.appendingPathComponent(page.path)
                try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                let data = Data(page.html.utf8)
                largest = max(largest, data.count)
                try data.write(to: url)
            }
            for view in views {
                try writeClusterCSVs(view, into: staging)
                if let curve = view.record.calibration {
                    try Data(curve.csv.utf8).write(to: staging.appendingPathComponent("calibration-\(view.slug).csv"))
                }
            }
        } catch {
            throw ReportError.output(path: staging.path, reason: error.localizedDescription)
        }
        try Self.moveIntoPlace(staging, out)
        return ReportSummary(pages: pages.count, thumbnails: thumbs.count, failedThumbnails: failed, largestPageBytes: largest,
                             notes: run.notes, seconds: clock.seconds)
    }

    static func moveIntoPlace(_ staging: URL, _ out: URL) throws {
        let fm = FileManager.default
        var old: URL?
        if fm.fileExists(atPath: out.path) {
            let aside = out.deletingLastPathComponent().appendingPathComponent(".\(out.lastPathComponent).old-\(ProcessInfo.processInfo.processIdentifier)")
            try? fm.removeItem(at: aside)
            do { try fm.moveItem(at: out, to: aside) } catch { throw ReportError.output(path: out.path, reason: error.localizedDescription) }
            old = aside
        }
        guard rename(staging.path, out.path) == 0 else {
            let reason = String(cString: strerror(errno))
            if let old { try? fm.moveItem(at: old, to: out) }
            throw ReportError.output(path: out.path, reason: reason)
        }
        if let old { try? fm.removeItem(at: old) }
    }
}

/// What every page builder needs: thumbnail paths and the options.
struct PageContext: Sendable {
    let thumbs: [String: String]
    let options: ReportOptions

    /// A thumbnail figure (or the name alone when there is none); `root` leads to the report folder.
    func figure(_ name: String, root: String, caption: String? = nil, lazy: Bool = false) -> String {
        let label = HTML.escape(caption ?? name)
        guard let thumb = thumbs[name] else { return "<figure title=\"\(HTML.escape(name))\"><div class=\"note\">\(label)</div></figure>" }
        return "<figure title=\"\(HTML.escape(name))\"><img src=\"\(HTML.url(root + thumb))\" alt=\"\(HTML.escape(name))\"\(lazy ? " loading=\"lazy\"" : "")>"
            + "<figcaption>\(label)</figcaption></figure>"
    }
}
