import Synchronization

/// A value guarded by a mutex, shareable across tasks.
package final class LockedBox<Value: ~Copyable>: Sendable {
    // Inlinable, so callers in other modules get a specialised lock call instead of a generic one that looks its
    // type metadata up at run time (a visible share of the request path).
    @usableFromInline let mutex: Mutex<Value>
    @inlinable package init(_ value: consuming sending Value) { mutex = Mutex(value) }
    @inlinable package func withLock<R: ~Copyable, E: Error>(_ body: (inout sending Value) throws(E) -> sending R) throws(E) -> sending R {
        try mutex.withLock(body)
    }
}
