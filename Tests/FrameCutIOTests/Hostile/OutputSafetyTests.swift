import Foundation
import Testing
import FrameCutIO

/// Outputs never destroy inputs: OutputGuard and AtomicFile.
@Suite("Output safety")
struct OutputSafetyTests {
    static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "framecut-out-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func outputThatIsAnInputIsRefused() throws {
        let dir = try Self.folder()
        let input = dir + "/x.npy"
        try Data("input".utf8).write(to: URL(fileURLWithPath: input))
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.npy", withDestinationPath: input)
        for output in [input, dir + "/link.npy", dir + "/./sub/../x.npy"] {
            var paths = OutputGuard()
            paths.input(input, flag: "--embeddings")
            paths.output(output, flag: "--write-graph")
            #expect(throws: PathError.self) { try paths.check() }
        }
        // A hard link is the same file too.
        #expect(link(input, dir + "/hard.npy") == 0)
        var paths = OutputGuard()
        paths.input(input, flag: "--embeddings")
        paths.outputFolder(dir, flag: "--out", files: ["hard.npy"])
        #expect(throws: PathError.self) { try paths.check() }
        #expect(try String(contentsOfFile: input, encoding: .utf8) == "input")
    }

    @Test func twoOutputsThatAreOneFileAreRefused() throws {
        let dir = try Self.folder()
        var paths = OutputGuard()
        paths.outputFolder(dir + "/run", flag: "--out", files: ["labels.npy"])
        paths.output(dir + "/run/../run/labels.npy", flag: "--write-graph")
        do {
            try paths.check()
            Issue.record("expected a refusal")
        } catch let error as PathError {
            #expect(error.description.contains("are the same file"))
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func nonRegularOutputsAreRefused() throws {
        let dir = try Self.folder()
        #expect(mkfifo(dir + "/fifo", 0o644) == 0)
        try FileManager.default.createDirectory(atPath: dir + "/folder", withIntermediateDirectories: true)
        for (path, kind) in [(dir + "/fifo", "FIFO"), (dir + "/folder", "folder"), ("/dev/null", "character device")] {
            var paths = OutputGuard()
            paths.output(path, flag: "--write-graph")
            #expect(throws: PathError.notRegularFile(path: path, kind: FileKind.of(path).phrase)) { try paths.check() }
            #expect(FileKind.of(path).phrase.contains(kind))
            #expect(throws: PathError.self) { try AtomicFile.write("x", to: URL(fileURLWithPath: path)) }
        }
        #expect(FileKind.of(dir + "/fifo", followLinks: false) == .fifo)
        // An output folder that is a file.
        try Data().write(to: URL(fileURLWithPath: dir + "/file"))
        var paths = OutputGuard()
        paths.outputFolder(dir + "/file", flag: "--out", files: ["a"])
        #expect(throws: PathError.notAFolder(path: dir + "/file", kind: "a regular file")) { try paths.check() }
    }

    @Test func atomicWriteGoesThroughSymlinks() throws {
        let dir = try Self.folder()
        try FileManager.default.createDirectory(atPath: dir + "/real", withIntermediateDirectories: true)
        try Data("old".utf8).write(to: URL(fileURLWithPath: dir + "/real/target.txt"))
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.txt", withDestinationPath: "real/target.txt")
        try AtomicFile.write("new", to: URL(fileURLWithPath: dir + "/link.txt"))
        #expect(FileKind.of(dir + "/link.txt", followLinks: false) == .symlink)
        #expect(try String(contentsOfFile: dir + "/real/target.txt", encoding: .utf8) == "new")
        // A dangling link creates its target.
        try FileManager.default.createSymbolicLink(atPath: dir + "/dangling.txt", withDestinationPath: "real/new.txt")
        try AtomicFile.write("made", to: URL(fileURLWithPath: dir + "/dangling.txt"))
        #expect(try String(contentsOfFile: dir + "/real/new.txt", encoding: .utf8) == "made")
        // No temporary files are left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/real").sorted() == ["new.txt", "target.txt"])
    }

    @Test func linkLoopsEnd() throws {
        let dir = try Self.folder()
        try FileManager.default.createSymbolicLink(atPath: dir + "/a", withDestinationPath: dir + "/b")
        try FileManager.default.createSymbolicLink(atPath: dir + "/b", withDestinationPath: dir + "/a")
        #expect(throws: PathError.symlinkLoop(path: dir + "/a")) { try ResolvedPath.resolve(dir + "/a") }
    }

    @Test func writeErrorsAreOneLineNamingThePath() throws {
        let dir = try Self.folder()
        let long = dir + "/" + String(repeating: "a", count: 300) + "/x.txt"
        let parentIsFile = dir + "/file/x.txt"
        try Data().write(to: URL(fileURLWithPath: dir + "/file"))
        for path in [long, parentIsFile] {
            do {
                try AtomicFile.write("x", to: URL(fileURLWithPath: path))
                Issue.record("expected an error for \(path)")
            } catch let error as PathError {
                #expect(error.description.contains(path) || error.description.contains(dir + "/file"))
                #expect(!error.description.contains("\n"))
                #expect(!error.description.contains("NSCocoaErrorDomain"))
            }
        }
    }

    @Test func streamingWriterKeepsReadersSafe() throws {
        let dir = try Self.folder()
        let url = URL(fileURLWithPath: dir + "/rows.npy")
        do {
            let writer = try NPYRowWriter(url: url, columns: 2)
            try writer.append([1, 2, 3, 4])
            // Dropped without finish(): nothing appears.
            _ = writer
        }
        #expect(!FileManager.default.fileExists(atPath: url.path))
        let writer = try NPYRowWriter(url: url, columns: 2)
        try writer.append([1, 2, 3, 4])
        #expect(throws: NPYError.self) { try writer.append([1]) }
        try writer.finish()
        #expect(try NPYFile.read(contentsOf: url).shape == [2, 2])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["rows.npy"])
    }
}
