import ArgumentParser
import Foundation
import FrameCutPipeline

/// `framecut merge OUT.sqlite SHARD.sqlite...`: the stores of `embed --shard i/N` into one.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine the shard stores of `embed --shard i/N` into one store of the whole collection.",
        discussion: """
        Every share 0/N ... (N-1)/N must be given once, all made from the same file list, with \
        the same models, weights and preprocessing; an embedding stored by two shards (the same \
        content under two paths) must be bit-identical. Anything else is refused with one line \
        naming the stores. OUT is built beside itself in a temporary file and renamed into place \
        when complete; it is never one of the inputs. `run`, `embed` or `export` with \
        --store OUT then use the merged embeddings as their own (nothing is computed again).
        """
    )

    @Argument(help: "The merged store to write (SQLite).")
    var out: String

    @Argument(help: "The shard stores (written by `framecut embed --shard i/N`).")
    var shards: [String] = []

    @Flag(help: "Replace OUT when it exists.")
    var force = false

    func validate() throws {
        guard !shards.isEmpty else { throw ValidationError("Missing expected argument '<shards> ...' (the shard stores to merge)") }
    }

    func run() throws {
        try CLIRunner.run {
            let merge = StoreMerge(output: URL(fileURLWithPath: out), shards: shards.map { URL(fileURLWithPath: $0) }, force: force)
            let summary = try merge.execute()
            print("merged \(summary.shards) shards: \(summary.images) images" + String(format: " (%.1f s)", summary.seconds))
            for count in summary.embeddings { print("  \(count.model): \(count.embeddings) embeddings") }
            if summary.duplicates > 0 { print("  \(summary.duplicates) embeddings were in more than one shard (identical; stored once)") }
            print("wrote \(out)")
        }
    }
}
