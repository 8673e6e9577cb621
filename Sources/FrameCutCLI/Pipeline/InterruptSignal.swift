import Foundation

/// Ctrl-C for long pipeline commands: the first SIGINT asks the run to stop after the batch in
/// flight (which is committed to the store); a second one ends the process at once.
final class InterruptSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    private var source: DispatchSourceSignal?

    /// Installs the handler; `quiet` suppresses the notice on stderr.
    static func install(quiet: Bool) -> InterruptSignal {
        let interrupt = InterruptSignal()
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [interrupt] in
            if interrupt.requested {
                signal(SIGINT, SIG_DFL)
                kill(getpid(), SIGINT)
                return
            }
            interrupt.lock.lock()
            interrupt.flag = true
            interrupt.lock.unlock()
            if !quiet {
                FileHandle.standardError.write(Data("\nframecut: interrupt: finishing the current batch (Ctrl-C again to stop at once)\n".utf8))
            }
        }
        source.resume()
        interrupt.source = source
        return interrupt
    }

    var requested: Bool {
        lock.lock()
        defer { lock.unlock() }
        return flag
    }
}
