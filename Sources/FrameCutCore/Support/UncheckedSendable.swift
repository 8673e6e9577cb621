/// Lets a value that is not `Sendable` (a non-escaping closure, a raw pointer) cross into
/// `concurrentPerform`; callers guarantee that concurrent users touch disjoint memory.
package struct UncheckedSendable<T>: @unchecked Sendable {
    package let value: T
    package init(_ value: T) { self.value = value }
}
