import Foundation
import Testing
import FrameCutReport

/// Renders report pages in headless Chromium (Debian `chromium`, scripts/setup_browser.sh).
/// Every `console.*` call of a page appears on Chromium's stderr in a line with `:CONSOLE`; the
/// report script logs `framecut-error: ...` for a plot of zero size or a broken image and one
/// `framecut-check: N plots, M images, P problems` line per page.
@Suite("Report: headless browser")
struct ReportBrowserTests {
    static func chromium() -> String? {
        for path in ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"] where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        return nil
    }

    /// The console lines of `page` rendered with a 1280x2400 window, and the screenshot's size.
    static func render(_ page: URL, browser: String) throws -> (console: [String], screenshotBytes: Int) {
        let shot = try ReportTestSupport.temporaryFolder().appendingPathComponent("shot.png")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: browser)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0", "--window-size=1280,2400",
                             "--user-data-dir=\(shot.deletingLastPathComponent().path)/profile", "--screenshot=\(shot.path)", page.absoluteString]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let data = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        let size = (try? FileManager.default.attributesOfItem(atPath: shot.path)[.size] as? Int) ?? 0
        return (text.split(separator: "\n").map(String.init).filter { $0.contains(":CONSOLE") }, size ?? 0)
    }

    static func problems(_ console: [String]) -> [String] {
        console.filter { $0.contains("framecut-error") || $0.contains("Uncaught") || $0.contains("Error") }
    }

    @Test("the overview, a model page, a cluster page and an overlap page render without console errors, empty plots or broken images")
    func renders() throws {
        guard let browser = Self.chromium() else {
            if ProcessInfo.processInfo.environment["FRAMECUT_NO_BROWSER"] == "1" { return }
            Issue.record("chromium is not installed: run scripts/setup_browser.sh (or set FRAMECUT_NO_BROWSER=1 to skip this test)")
            return
        }
        let run = try ReportTestSupport.run()
        let out = try ReportTestSupport.temporaryFolder().appendingPathComponent("report")
        try RunReport.write(runFolder: run.folder, out: out)
        let clusterPage = try #require(try ReportTestSupport.pages(out).first { $0.hasPrefix("c/efficientnet-lite0/") && !$0.contains("singletons") })
        for page in ["index.html", "m-efficientnet-lite0.html", clusterPage, "overlap-efficientnet-lite0-vs-efficientnet-lite0-2.html"] {
            let (console, bytes) = try Self.render(out.appendingPathComponent(page), browser: browser)
            #expect(Self.problems(console).isEmpty, "\(page): \(Self.problems(console))")
            let summary = console.first { $0.contains("framecut-check:") }
            #expect(summary?.contains(" 0 problems") == true, "\(page): the page's self-check did not run: \(console)")
            if page == "index.html" || page.hasPrefix("m-") { #expect(summary?.contains(" 0 plots") == false, "\(page): no plots counted") }
            #expect(bytes > 10_000, "\(page): screenshot of \(bytes) bytes")
        }
    }

    @Test("the check fails on a broken image and on a plot of zero size")
    func detectsProblems() throws {
        guard let browser = Self.chromium() else {
            if ProcessInfo.processInfo.environment["FRAMECUT_NO_BROWSER"] == "1" { return }
            Issue.record("chromium is not installed: run scripts/setup_browser.sh (or set FRAMECUT_NO_BROWSER=1 to skip this test)")
            return
        }
        let run = try ReportTestSupport.run()
        let out = try ReportTestSupport.temporaryFolder().appendingPathComponent("report")
        try RunReport.write(runFolder: run.folder, out: out)
        let page = out.appendingPathComponent("m-efficientnet-lite0.html")
        var html = try String(contentsOf: page, encoding: .utf8)
        html = html.replacingOccurrences(of: "<svg id=\"size-box\" width=\"480\"", with: "<svg id=\"size-box\" style=\"display:none\" width=\"480\"")
        try html.write(to: page, atomically: true, encoding: .utf8)
        for thumb in try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("thumbs").path) {
            try Data("not a jpeg".utf8).write(to: out.appendingPathComponent("thumbs/\(thumb)"))
        }
        let (console, _) = try Self.render(page, browser: browser)
        #expect(console.contains { $0.contains("framecut-error: broken image") }, "\(console)")
        #expect(console.contains { $0.contains("framecut-error: plot of zero size size-box") }, "\(console)")
    }
}
