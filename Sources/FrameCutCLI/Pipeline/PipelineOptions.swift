import ArgumentParser
import Foundation
import FrameCutCore
import FrameCutPipeline

/// Options shared by the commands that embed a folder through the store (`run`, `embed`).
struct PipelineOptions: ParsableArguments {
    @Option(help: "The embedding store (SQLite), one per collection; never inside the image folder.")
    var store: String = "framecut.sqlite"

    @Option(help: "Images per forward pass.")
    var batch: Int = 16

    @Flag(help: "Include files and folders whose name starts with '.'.")
    var includeHidden = false

    @Flag(help: "No progress on stderr (errors are still printed).")
    var quiet = false

    @Flag(name: .customLong("log-json"), help: "Progress and the outcome as JSON lines on stderr, for scripts.")
    var logJSON = false

    var storeURL: URL { URL(fileURLWithPath: store) }

    func validate() throws {
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
    }

    /// The renderer for these flags, relaying Ctrl-C.
    func renderer() -> PipelineProgressRenderer {
        PipelineProgressRenderer(mode: logJSON ? .json : (quiet ? .quiet : .text), interrupt: InterruptSignal.install(quiet: quiet || logJSON))
    }

    /// Runs `body`; an interruption exits with `PipelineExitStatus.interrupted` after its message.
    static func catchingInterrupt<T>(_ renderer: PipelineProgressRenderer, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PipelineError {
            if case .interrupted = error {
                CLIRunner.printError(error.description)
                renderer.event(["event": "interrupted", "message": error.description])
                throw ExitCode(PipelineExitStatus.interrupted)
            }
            throw error
        }
    }
}
