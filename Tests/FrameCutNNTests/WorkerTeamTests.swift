import Dispatch
import Foundation
import Synchronization
import Testing
import FrameCutCore
@testable import FrameCutNN

@Suite("Engine: the persistent worker team behind ComputeContext.forEach")
struct WorkerTeamTests {
    /// Counts per part, filled concurrently.
    final class Counts: @unchecked Sendable {
        let values: Mutex<[Int]>
        let threads = Mutex<[Int: Set<String>]>([:])
        init(_ n: Int) { values = Mutex(Array(repeating: 0, count: n)) }
        func hit(_ part: Int) {
            values.withLock { $0[part] += 1 }
            // GCD's threads (the fallback's) share one name: tell threads apart by their pthread.
            let thread = "\(pthread_self())"
            threads.withLock { $0[part, default: []].insert(thread) }
        }
        var all: [Int] { values.withLock { $0 } }
    }

    @Test("every part runs exactly once, for 1 to 9 parts on teams of 2, 3 and 4, over many consecutive jobs")
    func everyPartOnce() {
        for threads in [2, 3, 4] {
            let context = ComputeContext(threads: threads)
            for parts in 1...9 {
                let counts = Counts(parts)
                for _ in 0..<200 { context.forEach(parts) { counts.hit($0) } }
                #expect(counts.all == Array(repeating: 200, count: parts), "\(threads) threads, \(parts) parts")
            }
        }
    }

    @Test("the fallback's shares are contiguous runs that cover the parts")
    func shares() {
        for size in 2...5 {
            for parts in 0...12 {
                let runs = (0..<size).map { WorkerTeam.share(of: $0, parts: parts, size: size) }
                #expect(runs.flatMap { Array($0) } == Array(0..<parts), "size \(size), parts \(parts)")
            }
        }
    }

    @Test("a worker that is busy elsewhere delays nothing: the caller claims the parts itself")
    func callerRunsWhatWorkersDoNot() {
        let context = ComputeContext(threads: 2)
        let counts = Counts(64)
        // Part 0 waits until another part has run: whoever claimed it, the other participant
        // must take the rest (the job would otherwise only end at the 10 s timeout).
        let start = Date()
        context.forEach(64) { part in
            if part == 0 {
                while counts.all.dropFirst().allSatisfy({ $0 == 0 }) && Date().timeIntervalSince(start) < 10 {
                    Thread.sleep(forTimeInterval: 0.001)
                }
            }
            counts.hit(part)
        }
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(counts.all == Array(repeating: 1, count: 64))
        let names = counts.threads.withLock { $0 }
        #expect(Set(names.values.flatMap { $0 }).count == 2, "both participants ran parts: \(names)")
    }

    @Test("workers asleep after the spin window wake for the next job")
    func wakesAfterSleeping() async throws {
        let context = ComputeContext(threads: 3)
        for round in 0..<3 {
            let counts = Counts(6)
            context.forEach(6) { counts.hit($0) }
            #expect(counts.all == Array(repeating: 1, count: 6), "round \(round)")
            try await Task.sleep(nanoseconds: 5 * WorkerTeam.spinNanoseconds)
        }
    }

    @Test("concurrent callers and calls from inside a part fall back and still run every part once")
    func busyFallsBack() {
        let context = ComputeContext(threads: 2)
        let inner = Counts(16)
        let outer = Counts(8)
        DispatchQueue.concurrentPerform(iterations: 8) { caller in
            for _ in 0..<100 {
                context.forEach(2) { part in
                    outer.hit(caller)
                    // A nested call while the team runs this job: it must not wait for the team.
                    context.forEach(2) { inner.hit(caller * 2 + $0) }
                    _ = part
                }
            }
        }
        #expect(outer.all == Array(repeating: 200, count: 8))
        #expect(inner.all == Array(repeating: 200, count: 16))
    }

    @Test("a layer split by the team gives the same bits as on one thread (sums in a fixed order per part)")
    func sameBits() {
        let n = 100_003
        let values = (0..<n).map { Float(sin(Double($0)) * 1e3) }
        func partSums(_ context: ComputeContext) -> [Float] {
            var sums = [Float](repeating: 0, count: ComputeContext.partitions)
            sums.withUnsafeMutableBufferPointer { s in
                let out = SendablePointer(s.baseAddress!)
                values.withUnsafeBufferPointer { v in
                    let src = UncheckedSendable(v.baseAddress!)
                    context.forEach(ComputeContext.partitions) { p in
                        var total: Float = 0
                        for i in (n * p / 4)..<(n * (p + 1) / 4) { total += src.value[i] * 1.0001 }
                        out.base[p] = total
                    }
                }
            }
            return sums
        }
        let one = partSums(ComputeContext(threads: 1))
        for threads in [2, 3, 5] { #expect(partSums(ComputeContext(threads: threads)) == one, "\(threads) threads") }
    }
}
