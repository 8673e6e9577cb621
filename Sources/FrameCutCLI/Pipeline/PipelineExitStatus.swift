import ArgumentParser

/// Exit statuses of the pipeline commands (`run`, `embed`), documented in README.md:
/// 0 completed, 1 error, 3 completed but some files were skipped, 130 interrupted (Ctrl-C;
/// finished batches are kept in the store). Usage errors exit with 64, as for every command.
enum PipelineExitStatus {
    static let completed: Int32 = 0
    static let completedWithSkipped: Int32 = 3
    static let interrupted: Int32 = 130

    /// Throws the exit code for a completed run with `skipped` files (nothing for 0).
    static func finish(skipped: Int) throws {
        if skipped > 0 { throw ExitCode(completedWithSkipped) }
    }
}
