import ArgumentParser
import Foundation
import FrameCutCore
import FrameCutPipeline

/// `framecut bench run FOLDER --model M --weights W`: the embedding job against the bare model.
struct BenchRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Embedding throughput of the whole job (scan, decode, forward, store) against the bare forward pass.",
        discussion: """
        Embeds FOLDER into a fresh temporary store (the network loaded once beforehand), after timing \
        the model's forward pass alone on one decoded batch repeated for as many images, at the same \
        batch size and threads. Prints both throughputs, their ratio, and per image the decoding, \
        forward, store-commit and read-back times. Run it alone on the machine.
        """
    )

    @Argument(help: "The image folder (read only).")
    var folder: String

    @Option(help: "Model id (see `framecut models`).")
    var model: String

    @Option(help: "Weights file.")
    var weights: String

    @Option(help: "Images per forward pass.")
    var batch: Int = 16

    @Option(help: "Threads (default: all processors).")
    var threads: Int?

    func run() throws {
        try CLIRunner.run {
            let bench = EmbeddingBenchmark(folder: URL(fileURLWithPath: folder), model: ModelSpec(model: model, weights: URL(fileURLWithPath: weights)),
                                           batchSize: batch, threads: threads ?? ParallelWork.processorCount)
            let r = try bench.run()
            print("\(model), \(r.images) images, batch \(r.batch), \(r.threads) threads (scan and hash: \(String(format: "%.2f", r.scanSeconds)) s)")
            print(String(format: "bare forward pass   %8.1f images/s", r.bareImagesPerSecond))
            print(String(format: "embedding job       %8.1f images/s  (%.2f of the bare forward pass)", r.jobImagesPerSecond, r.ratio))
            print(String(format: "per image: decode %.2f ms (worker threads, overlapping the forward), forward %.2f ms, store commit %.3f ms, read back %.3f ms",
                         r.decodeSecondsPerImage * 1000, r.forwardSecondsPerImage * 1000, r.storeSecondsPerImage * 1000, r.readSecondsPerImage * 1000))
        }
    }
}
