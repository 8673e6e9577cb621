import Foundation

/// Runs independent jobs on a fixed number of threads, handing out indices in order.
/// Used to decode and hash many files at once; the work closure must be thread-safe.
public enum ParallelWork {
    /// The number of active processors, at least 1.
    public static var processorCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// Calls `body(i)` for every `i` in `0..<count` on `threads` threads and returns the results
    /// in index order. `shouldContinue` is polled between jobs; once it returns false the
    /// remaining jobs are skipped and their results are nil.
    public static func map<T: Sendable>(count: Int, threads: Int, shouldContinue: @escaping @Sendable () -> Bool = { true },
                                        _ body: @escaping @Sendable (Int) -> T) -> [T?] {
        guard count > 0 else { return [] }
        let box = ResultBox<T>(count: count)
        let workers = max(1, min(threads, count))
        if workers == 1 {
            for i in 0..<count {
                guard shouldContinue() else { break }
                box.store(body(i), at: i)
            }
            return box.results
        }
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let i = box.next(), shouldContinue() {
                box.store(body(i), at: i)
            }
        }
        return box.results
    }
}

/// Index dispenser and result slots shared by the workers, guarded by a lock.
private final class ResultBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var cursor = 0
    private let count: Int
    private(set) var results: [T?]

    init(count: Int) {
        self.count = count
        self.results = Array(repeating: nil, count: count)
    }

    func next() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard cursor < count else { return nil }
        cursor += 1
        return cursor - 1
    }

    func store(_ value: T, at i: Int) {
        lock.lock(); defer { lock.unlock() }
        results[i] = value
    }
}
