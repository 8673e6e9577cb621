import Foundation
import Synchronization

/// A fixed team of threads that runs one layer's parts at a time: the calling thread and
/// `size - 1` persistent workers that claim the parts one by one.
///
/// `ComputeContext.forEach` hands its parts to a team instead of `DispatchQueue.concurrentPerform`.
/// At batch 1 a network runs 50-150 small layers per image (EfficientNet-Lite0: 11 ms for the
/// whole pass), so the cost of waking a thread per layer shows in the wall time. A team's
/// workers poll for the next job for a short while after each one (`spinNanoseconds`) before
/// they sleep, so the consecutive layers of one forward pass reach them without a wake-up.
/// Parts are claimed from a shared counter, the caller included, so a worker that the system
/// has not scheduled (a loaded machine) delays nothing: the caller runs the parts itself, as
/// `concurrentPerform` would.
///
/// Results never depend on the team: the parts are fixed by the caller (by the layer's shape),
/// and each part is computed the same way whichever thread runs it. One job at a time: a
/// `run` that finds the team busy (a second forward pass on another thread, or a nested call
/// from inside a part) returns false and the caller falls back to another way of running.
final class WorkerTeam: @unchecked Sendable {
    /// Participants, the calling thread included (2 or more).
    let size: Int

    /// How long a worker keeps polling for the next job before it sleeps.
    static let spinNanoseconds: UInt64 = 100_000
    /// How long the caller polls for the workers' last parts before it sleeps.
    static let waitSpinNanoseconds: UInt64 = 50_000

    /// The job's generation (bits 40 and up), its part count (bits 20-39) and the next
    /// unclaimed part (bits 0-19), in one word: a claim succeeds only for the generation the
    /// claimer saw, so a late worker never runs a part of the next job under the previous job's body.
    private let claim = Atomic<Int>(0)
    private static let partBits = 20
    private static let partMask = (1 << partBits) - 1
    /// Parts of the current job finished.
    private let done = Atomic<Int>(0)
    /// Workers asleep on `condition`, and whether the caller is (each side wakes the other only then).
    private let sleepers = Atomic<Int>(0)
    private let callerAsleep = Atomic<Bool>(false)
    /// Held by the caller of the running job.
    private let busy = Atomic<Bool>(false)
    private let condition = NSCondition()

    /// The current job, written before its generation is published and read only by a thread
    /// holding a claimed part of it (the caller does not return before every part is done).
    nonisolated(unsafe) private var job: ((Int) -> Void)?
    /// The caller's generation counter (only the caller holding `busy` touches it).
    nonisolated(unsafe) private var generation = 0

    private init(size: Int) {
        self.size = size
        for worker in 1..<size {
            let thread = Thread { [unowned self] in self.workerLoop() }
            thread.name = "framecut-nn-\(worker)"
            thread.stackSize = 1 << 22
            thread.start()
        }
    }

    private static let teams = Mutex<[Int: WorkerTeam]>([:])

    /// The process-wide team of `size` participants (created on first use; its threads live as
    /// long as the process).
    static func shared(size: Int) -> WorkerTeam {
        teams.withLock { teams in
            if let team = teams[size] { return team }
            let team = WorkerTeam(size: size)
            teams[size] = team
            return team
        }
    }

    /// Participant `participant`'s parts of `parts` when `size` threads split them into
    /// contiguous runs (the fallback path's split): empty when there are fewer parts than participants.
    static func share(of participant: Int, parts: Int, size: Int) -> Range<Int> {
        (parts * participant / size)..<(parts * (participant + 1) / size)
    }

    /// Runs `body(part)` for every part in `0..<parts` on the team and returns when all are
    /// done; false (nothing run) when the team is running another job or `parts` is too large.
    func run(parts: Int, _ body: (Int) -> Void) -> Bool {
        guard parts > 0, parts <= Self.partMask,
              busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        withoutActuallyEscaping(body) { body in
            job = body
            done.store(0, ordering: .relaxed)
            generation = (generation + 1) & ((1 << (Int.bitWidth - 1 - 2 * Self.partBits)) - 1)
            claim.store(generation << (2 * Self.partBits) | parts << Self.partBits, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                condition.lock()
                condition.broadcast()
                condition.unlock()
            }
            // Claim parts like any worker.
            while let (part, _) = claimPart(generation: generation) {
                body(part)
                done.add(1, ordering: .releasing)
            }
            waitUntilDone(parts)
            job = nil
        }
        busy.store(false, ordering: .releasing)
        return true
    }

    /// The next part of generation `g`, claimed, and the job's part count; nil when all are
    /// claimed or the job is over.
    @inline(__always)
    private func claimPart(generation g: Int) -> (part: Int, parts: Int)? {
        var word = claim.load(ordering: .acquiring)
        while word >> (2 * Self.partBits) == g {
            let part = word & Self.partMask
            let parts = (word >> Self.partBits) & Self.partMask
            guard part < parts else { return nil }
            let (exchanged, original) = claim.compareExchange(expected: word, desired: word + 1, ordering: .acquiringAndReleasing)
            if exchanged { return (part, parts) }
            word = original
        }
        return nil
    }

    private func waitUntilDone(_ parts: Int) {
        let start = DispatchTime.now().uptimeNanoseconds
        var polls = 0
        while done.load(ordering: .acquiring) < parts {
            polls += 1
            guard polls & 63 == 0, DispatchTime.now().uptimeNanoseconds - start > Self.waitSpinNanoseconds else { continue }
            condition.lock()
            callerAsleep.store(true, ordering: .sequentiallyConsistent)
            while done.load(ordering: .sequentiallyConsistent) < parts { condition.wait() }
            callerAsleep.store(false, ordering: .sequentiallyConsistent)
            condition.unlock()
            return
        }
    }

    private func workerLoop() {
        // Generation 0 is the state before the first job (the team is created before it runs one).
        var seen = 0
        while true {
            seen = waitForJob(after: seen)
            while let (part, parts) = claimPart(generation: seen) {
                execute(part)
                if done.add(1, ordering: .sequentiallyConsistent).newValue == parts,
                   callerAsleep.load(ordering: .sequentiallyConsistent) {
                    condition.lock()
                    condition.broadcast()
                    condition.unlock()
                }
            }
        }
    }

    /// Runs part `part` of the current job. A function of its own, so that the worker's copy
    /// of the closure is released before the part is counted as done: the caller's
    /// `withoutActuallyEscaping` checks that no copy outlives the job.
    @inline(never)
    private func execute(_ part: Int) {
        job?(part)
    }

    /// The generation of the first job published after `seen`: polls for `spinNanoseconds`,
    /// then sleeps until the caller wakes the workers.
    private func waitForJob(after seen: Int) -> Int {
        let start = DispatchTime.now().uptimeNanoseconds
        var polls = 0
        while true {
            let current = claim.load(ordering: .acquiring) >> (2 * Self.partBits)
            if current != seen { return current }
            polls += 1
            if polls & 255 == 0 && DispatchTime.now().uptimeNanoseconds - start > Self.spinNanoseconds { break }
        }
        condition.lock()
        sleepers.add(1, ordering: .sequentiallyConsistent)
        var current = claim.load(ordering: .sequentiallyConsistent) >> (2 * Self.partBits)
        while current == seen {
            condition.wait()
            current = claim.load(ordering: .sequentiallyConsistent) >> (2 * Self.partBits)
        }
        sleepers.subtract(1, ordering: .sequentiallyConsistent)
        condition.unlock()
        return current
    }
}
