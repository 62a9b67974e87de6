import Synchronization

/// Live readers of one kind of value: each ``subscribe(bufferSize:)`` gets its own stream, which keeps at most
/// `bufferSize` values and drops the oldest when its reader falls behind, so a slow reader never slows the writer.
package final class FanOut<Element: Sendable>: Sendable {
    private struct Readers {
        var next = 0
        var open: [Int: AsyncStream<Element>.Continuation] = [:]
    }

    private let readers = Mutex(Readers())

    package init() {}

    /// A new reader's stream; it leaves when the stream is dropped or cancelled.
    package func subscribe(bufferSize: Int) -> AsyncStream<Element> {
        let (stream, continuation) = AsyncStream.makeStream(of: Element.self, bufferingPolicy: .bufferingNewest(bufferSize))
        let id = readers.withLock { r in
            r.next += 1
            r.open[r.next] = continuation
            return r.next
        }
        continuation.onTermination = { [weak self] _ in _ = self?.readers.withLock { $0.open.removeValue(forKey: id) } }
        return stream
    }

    /// Gives `value` to every reader.
    package func yield(_ value: Element) {
        for c in readers.withLock({ Array($0.open.values) }) { c.yield(value) }
    }

    /// Ends every reader's stream.
    package func finish() {
        let open = readers.withLock { r in
            defer { r.open = [:] }
            return Array(r.open.values)
        }
        open.forEach { $0.finish() }
    }
}
