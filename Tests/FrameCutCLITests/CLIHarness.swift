import Foundation
import FrameCutTestSupport

/// Runs the built `framecut` binary (beside the test bundle) and captures its output.
enum CLIHarness {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static var binary: URL? {
        var candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        candidates += Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
        for folder in candidates {
            let url = folder.appendingPathComponent("framecut")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }

    /// The binary started with `arguments` (narrow columns, no progress), its stdout and stderr piped.
    static func started(_ arguments: [String], in directory: String?) throws -> (Process, Pipe, Pipe) {
        guard let binary else { throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "framecut binary beside the tests"]) }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var environment = ProcessInfo.processInfo.environment
        environment["COLUMNS"] = "100"
        environment["FRAMECUT_PROGRESS"] = "0"
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return (process, out, err)
    }

    static func run(_ arguments: [String], in directory: String? = nil) throws -> Result {
        let (process, out, err) = try started(arguments, in: directory)
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    struct TimedResult {
        let status: Int32
        let stdout: String
        let stderr: String
        /// Ended by a signal (`status` is the signal number).
        let signalled: Bool
        /// Killed after the time limit.
        let timedOut: Bool
    }

    /// Runs with a time limit: the process is killed (SIGKILL) when it runs longer.
    static func run(_ arguments: [String], timeout: TimeInterval, in directory: String? = nil) throws -> TimedResult {
        let (process, out, err) = try started(arguments, in: directory)
        let killed = LockedFlag()
        let pid = process.processIdentifier
        let deadline = DispatchWorkItem { if process.isRunning { killed.set(); kill(pid, SIGKILL) } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: deadline)
        let group = DispatchGroup()
        let errData = DataBox()
        group.enter()
        DispatchQueue.global().async { errData.set(err.fileHandleForReading.readDataToEndOfFile()); group.leave() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        deadline.cancel()
        return TimedResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                           stderr: String(decoding: errData.value, as: UTF8.self),
                           signalled: process.terminationReason == .uncaughtSignal, timedOut: killed.value)
    }

    final class DataBox: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        func set(_ value: Data) { lock.lock(); data = value; lock.unlock() }
        var value: Data { lock.lock(); defer { lock.unlock() }; return data }
    }

    final class LockedFlag: @unchecked Sendable {
        private let lock = NSLock()
        private var flag = false
        func set() { lock.lock(); flag = true; lock.unlock() }
        var value: Bool { lock.lock(); defer { lock.unlock() }; return flag }
    }

    static func temporaryFolder() throws -> String {
        try TestImages.temporaryFolder(prefix: "framecut-cli").path
    }

    static func write(_ text: String, _ path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// A float32 2-D `.npy` file written by hand, so the tests need no library import.
    static func writeNPY(_ values: [Float], rows: Int, columns: Int, to path: String) throws {
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// Compares `text` with the golden file `Golden/<group>/<name>`; FRAMECUT_UPDATE_GOLDEN=1 rewrites it.
    static func matchesGolden(_ text: String, group: String, name: String, filePath: String = #filePath) throws -> Bool {
        if ProcessInfo.processInfo.environment["FRAMECUT_UPDATE_GOLDEN"] == "1" {
            let folder = URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Golden/\(group)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: folder.appendingPathComponent(name))
        }
        let golden = Bundle.module.url(forResource: "Golden/\(group)/\(name)", withExtension: nil).flatMap { try? String(contentsOf: $0, encoding: .utf8) }
        return text == golden
    }
}
