import ArgumentParser
import Foundation
import FrameCutCore
import FrameCutIO

/// Turns library errors into one clear line on stderr and a non-zero exit.
enum CLIRunner {
    static func run(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as UserError {
            printError(oneLine(error.description))
            throw ExitCode(1)
        } catch let error as FrameCutError {
            printError(oneLine(error.description))
            throw ExitCode(1)
        } catch let error as ExitCode {
            throw error
        } catch {
            let foundation = error is CocoaError || (error as NSError).domain == NSCocoaErrorDomain || (error as NSError).domain == NSPOSIXErrorDomain
            if !foundation, let described = error as? CustomStringConvertible {
                printError(oneLine(described.description))
            } else {
                printError(oneLine(describe(error)))
            }
            throw ExitCode(1)
        }
    }

    /// Foundation errors without their `UserInfo={...}` dump: the path and the reason.
    static func describe(_ error: Error) -> String {
        let ns = error as NSError
        let path = (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
        var reason = ns.localizedDescription
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            reason = String(cString: strerror(Int32(underlying.code)))
        }
        return path.map { "\($0): \(reason)" } ?? reason
    }

    /// Messages are one line: line breaks inside (e.g. in a name) are shown escaped.
    static func oneLine(_ text: String) -> String {
        text.replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    }
}

/// Progress on stderr (only when it is a terminal or FRAMECUT_PROGRESS=1).
enum ProgressReporter {
    static var enabled: Bool {
        ProcessInfo.processInfo.environment["FRAMECUT_PROGRESS"] == "1" || isatty(STDERR_FILENO) != 0
    }

    static func stageReporter(nodes: Int) -> (MulticutStage) -> Bool {
        let on = enabled
        var last: MulticutStage?
        return { stage in
            if on, stage != last {
                last = stage
                let text: String
                switch stage {
                case .costs: text = "computing \(nodes) x \(nodes) costs"
                case .gaec: text = "greedy additive edge contraction"
                case .kernighanLin: text = "Kernighan-Lin local search"
                case .energy: text = "energy"
                }
                FileHandle.standardError.write(Data("framecut: \(text)...\n".utf8))
            }
            return true
        }
    }
}
