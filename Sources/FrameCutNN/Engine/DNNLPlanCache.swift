import Foundation

/// The oneDNN plans of one layer, one per input size (and per variant the key names), created on
/// first use and kept for the layer's lifetime; a plan oneDNN refused is remembered as nil, so
/// the layer takes its fallback without asking again. Both oneDNN paths (`Conv2d+DNNL`,
/// `Conv2d+Blocked`) keep their plans here.
final class DNNLPlanCache<Key: Hashable, Plan>: @unchecked Sendable {
    private let lock = NSLock()
    private var plans: [Key: Plan?] = [:]

    /// The plan for `key`, made by `make` on first use (under the lock: concurrent callers of a
    /// new size wait for the one plan instead of each packing the weights).
    func plan(for key: Key, make: (Key) -> Plan?) -> Plan? {
        lock.lock()
        defer { lock.unlock() }
        if let cached = plans[key] { return cached }
        let plan = make(key)
        plans[key] = .some(plan)
        return plan
    }
}
