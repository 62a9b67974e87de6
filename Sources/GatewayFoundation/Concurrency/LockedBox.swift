import Synchronization

/// A value guarded by a mutex, shareable across tasks.
package final class LockedBox<Value: ~Copyable>: Sendable {
    private let mutex: Mutex<Value>
    package init(_ value: consuming sending Value) { mutex = Mutex(value) }
    package func withLock<R: ~Copyable, E: Error>(_ body: (inout sending Value) throws(E) -> sending R) throws(E) -> sending R {
        try mutex.withLock(body)
    }
}
