import CBLAS
import Foundation

/// OpenBLAS's thread count is one process-wide setting, and a GEMM's last bits depend on how
/// many threads OpenBLAS splits it over. Every BLAS caller in FrameCut goes through here:
/// single-threaded regions (the embedding engine, per-worker GEMMs) run concurrently with each
/// other, and a multi-threaded region runs alone, so no single-threaded caller ever sees
/// OpenBLAS switched to several threads half-way (which would also make results depend on
/// timing). OpenBLAS is left single-threaded after every region.
public enum BLASThreads {
    private static let lock = ReadWriteLock()

    /// Runs `body` with OpenBLAS on `threads` threads (exclusive when more than one).
    public static func run<T>(threads: Int, _ body: () throws -> T) rethrows -> T {
        if threads <= 1 {
            lock.readLock()
            defer { lock.unlock() }
            if openblas_get_num_threads() != 1 { openblas_set_num_threads(1) }
            return try body()
        }
        lock.writeLock()
        defer {
            openblas_set_num_threads(1)
            lock.unlock()
        }
        openblas_set_num_threads(Int32(threads))
        return try body()
    }
}

/// A pthread read-write lock.
private final class ReadWriteLock: @unchecked Sendable {
    private let rwlock: UnsafeMutablePointer<pthread_rwlock_t>

    init() {
        rwlock = .allocate(capacity: 1)
        pthread_rwlock_init(rwlock, nil)
    }

    deinit {
        pthread_rwlock_destroy(rwlock)
        rwlock.deallocate()
    }

    func readLock() { pthread_rwlock_rdlock(rwlock) }
    func writeLock() { pthread_rwlock_wrlock(rwlock) }
    func unlock() { pthread_rwlock_unlock(rwlock) }
}
