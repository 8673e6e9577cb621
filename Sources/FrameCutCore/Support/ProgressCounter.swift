import Foundation

/// Counts finished jobs of a `ParallelWork.map` and relays them to a progress callback
/// (`done, total`; return false to stop), remembering a cancel for `shouldContinue`.
public final class ProgressCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var done = 0
    private var stop = false
    public let total: Int
    let callback: (@Sendable (Int, Int) -> Bool)?

    public init(total: Int, callback: (@Sendable (Int, Int) -> Bool)?) {
        self.total = total
        self.callback = callback
    }

    /// Whether the callback asked to stop.
    public var cancelled: Bool { lock.lock(); defer { lock.unlock() }; return stop }

    /// One more job finished.
    public func tick() {
        lock.lock()
        done += 1
        let n = done
        lock.unlock()
        if let callback, !callback(n, total) {
            lock.lock(); stop = true; lock.unlock()
        }
    }
}
