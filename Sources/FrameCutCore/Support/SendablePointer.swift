/// A raw pointer that may cross into concurrently executed closures. Callers guarantee that
/// concurrent users write disjoint ranges. The one home of FrameCut's unsafe Sendable wrappers
/// (with `UncheckedSendable`); `package` access keeps them out of the public API.
package struct SendablePointer<T>: @unchecked Sendable {
    package let base: UnsafeMutablePointer<T>
    package init(base: UnsafeMutablePointer<T>) { self.base = base }
    package init(_ base: UnsafeMutablePointer<T>) { self.base = base }
}
