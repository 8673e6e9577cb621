import Foundation

/// Runs the `framecut` binary with `posix_spawn` and measures that one child's peak memory: its
/// `VmHWM` in /proc, read every 2 ms while it runs (the high-water mark only grows, so the last
/// reading before exit is the peak up to then). Neither `RUSAGE_CHILDREN` (the largest of every
/// child the test process ever started, other suites' included) nor `wait4`'s `ru_maxrss`
/// (Linux folds the spawning process's own high-water mark in at `exec`) measure the child.
enum MeasuredRun {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
        /// Ended by a signal (`status` is the signal number).
        let signalled: Bool
        /// Killed after the time limit.
        let timedOut: Bool
        /// The child's peak resident set, KiB.
        let peakKiB: Int
    }

    static func run(_ arguments: [String], timeout: TimeInterval) throws -> Result {
        guard let binary = CLIHarness.binary else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "framecut binary beside the tests"])
        }
        let folder = try CLIHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let outPath = folder + "/stdout", errPath = folder + "/stderr"

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        var environment = ProcessInfo.processInfo.environment
        environment["COLUMNS"] = "100"
        environment["FRAMECUT_PROGRESS"] = "0"
        let argv = ([binary.path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, binary.path, &actions, nil, argv, envp)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EINVAL) }

        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        var usage = rusage()
        var timedOut = false
        var peakKiB = 0
        while true {
            peakKiB = max(peakKiB, Self.highWaterKiB(pid))
            let reaped = wait4(pid, &status, WNOHANG, &usage)
            if reaped == pid { break }
            if reaped < 0 && errno != EINTR { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .ECHILD) }
            if !timedOut && Date() > deadline {
                timedOut = true
                kill(pid, SIGKILL)
            }
            usleep(2000)
        }
        let signalNumber = status & 0x7F
        let signalled = signalNumber != 0 && signalNumber != 0x7F
        let out = (try? Data(contentsOf: URL(fileURLWithPath: outPath))) ?? Data()
        let err = (try? Data(contentsOf: URL(fileURLWithPath: errPath))) ?? Data()
        return Result(status: signalled ? signalNumber : (status >> 8) & 0xFF,
                      stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self),
                      signalled: signalled, timedOut: timedOut, peakKiB: peakKiB)
    }

    /// `VmHWM` of a running process, KiB (0 once it has exited).
    static func highWaterKiB(_ pid: pid_t) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) } ?? 0
        }
        return 0
    }
}

import Testing

@Suite("CLI harness: per-child measurements")
struct MeasuredRunTests {
    @Test("exit status, output and the child's own peak memory")
    func measuresOneChild() throws {
        let result = try MeasuredRun.run(["--version"], timeout: 30)
        #expect(result.status == 0 && !result.signalled && !result.timedOut)
        #expect(!result.stdout.isEmpty)
        #expect(result.peakKiB < 256 * 1024, "\(result.peakKiB) KiB")
        // A command that holds memory for a while is measured: a 3000 x 3000 dense matrix is 36 MB.
        let dir = try CLIHarness.temporaryFolder()
        var state: UInt64 = 1
        let values = (0..<(3000 * 8)).map { _ -> Float in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 24)
        }
        try CLIHarness.writeNPY(values, rows: 3000, columns: 8, to: dir + "/x.npy")
        let cluster = try MeasuredRun.run(["cluster", "--embeddings", dir + "/x.npy", "--cal", "0.5", "--out", dir + "/out"], timeout: 120)
        #expect(cluster.status == 0, "\(cluster.stderr)")
        #expect(cluster.peakKiB > 36 * 1024, "\(cluster.peakKiB) KiB")
        let failed = try MeasuredRun.run(["no-such-command"], timeout: 30)
        #expect(failed.status == 64 && !failed.stderr.isEmpty)
    }
}
