import Foundation
import FrameCutPipeline

/// The one progress renderer of the pipeline commands: one line per stage on stderr, redrawn in
/// place, with count, rate, ETA and skipped files (when stderr is a terminal or
/// FRAMECUT_PROGRESS=1, like every command's progress); JSON lines with `--log-json` (always);
/// nothing with `--quiet`. Its handler also relays Ctrl-C as a stop request.
final class PipelineProgressRenderer: @unchecked Sendable {
    enum Mode { case text, json, quiet }

    private let mode: Mode
    private let live: Bool
    private let interrupt: InterruptSignal?
    private let lock = NSLock()
    private var lastDraw = Date.distantPast
    private var drawn = false

    init(mode: Mode, interrupt: InterruptSignal?) {
        self.mode = mode
        self.interrupt = interrupt
        live = ProgressReporter.enabled
    }

    /// The handler to pass to the library: renders, and returns false once Ctrl-C was pressed.
    var handler: PipelineProgressHandler {
        { [self] progress in
            render(progress)
            return !(interrupt?.requested ?? false)
        }
    }

    func render(_ p: PipelineProgress) {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        switch mode {
        case .quiet:
            return
        case .text:
            guard live else { return }
            if p.finished {
                write((drawn ? "\r\u{1B}[K" : "") + Self.line(p) + "\n")
                drawn = false
            } else if now.timeIntervalSince(lastDraw) >= 0.25 {
                write("\r\u{1B}[K" + Self.line(p))
                drawn = true
                lastDraw = now
            }
        case .json:
            if p.finished || now.timeIntervalSince(lastDraw) >= 1 {
                event(["event": "progress", "stage": p.stage.rawValue, "model": p.model.map { $0 as Any } ?? NSNull(), "done": p.done, "total": p.total,
                       "skipped": p.skipped, "seconds": Self.rounded(p.seconds), "rate": Self.rounded(p.rate),
                       "eta_seconds": p.secondsLeft.map { Self.rounded($0) as Any } ?? NSNull(), "finished": p.finished,
                       "detail": p.detail.map { $0 as Any } ?? NSNull()])
                lastDraw = now
            }
        }
    }

    /// A final JSON event (`--log-json`), e.g. the outcome of the run.
    func event(_ fields: [String: Any]) {
        guard mode == .json else { return }
        if let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes]) {
            write(String(decoding: data, as: UTF8.self) + "\n")
        }
    }

    var isJSON: Bool { mode == .json }

    static func line(_ p: PipelineProgress) -> String {
        let what = "framecut: \(p.stage.rawValue)" + (p.model.map { " \($0)" } ?? "")
        if p.stage == .embed, p.total == 0 { return what + ": nothing new to embed (all in the store)" }
        if p.stage == .write || p.stage == .analyse { return what + String(format: ": %.1f s", p.seconds) }
        let unit = p.stage == .scan ? "files" : "images"
        var parts = ["\(p.done)/\(p.total) \(unit)"]
        if p.stage == .scan || p.stage == .embed {
            parts.append(String(format: "%.1f/s", p.rate))
            if !p.finished, let left = p.secondsLeft { parts.append(String(format: "ETA %.0f s", left)) }
        }
        if p.skipped > 0 { parts.append("\(p.skipped) skipped") }
        if p.finished { parts.append(String(format: "%.1f s", p.seconds)) }
        return what + ": " + parts.joined(separator: ", ") + (p.detail.map { " (\($0))" } ?? "")
    }

    static func rounded(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
