import Foundation
import Logging
import Metrics
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#endif

/// Gives memory back to the operating system after a peak. glibc's allocator keeps the pages a burst of large
/// answers or requests used, so without this the resident size after a burst stays at its peak for the life of
/// the process. Every ``Policy/interval`` the trimmer reads the resident size (cheap: one read of
/// `/proc/self/statm`) and, only when it grew by ``Policy/growth`` since the last trim, asks glibc to release its
/// free pages (`malloc_trim`), which briefly holds the allocator's locks — hence not on every tick.
/// `gatehouse_memory_trim_total` counts trims, `gatehouse_memory_trimmed_bytes_total` what they gave back.
struct MemoryTrimmer: Service {
    /// When to trim: a value, apart from the I/O, so its decisions are tested alone.
    struct Policy: Sendable, Equatable {
        /// How often the resident size is looked at. Default 30 s.
        var interval: Duration = .seconds(30)
        /// How much the resident size must grow above the size after the last trim before trimming again.
        /// Default 64 MiB.
        var growth: Int = 64 << 20
        /// The resident size after the last trim (or at start).
        var floor: Int?

        /// Whether to trim at resident size `rss`; the first look only sets the floor.
        mutating func shouldTrim(rss: Int) -> Bool {
            guard let floor else {
                self.floor = rss
                return false
            }
            if rss < floor { self.floor = rss }
            return rss - floor >= growth
        }

        /// The size the trim left.
        mutating func trimmed(to rss: Int) { floor = rss }
    }

    var policy: Policy
    let logger: Logger
    let trims: Metrics.Counter
    let trimmedBytes: Metrics.Counter

    init(policy: Policy, factory: any MetricsFactory, logger: Logger) {
        self.policy = policy
        self.logger = logger
        trims = Metrics.Counter(label: "gatehouse_memory_trim_total", dimensions: [], factory: factory)
        trimmedBytes = Metrics.Counter(label: "gatehouse_memory_trimmed_bytes_total", dimensions: [], factory: factory)
    }

    func run() async throws {
        // A graceful shutdown cancels the wait (a plain sleep would hold `serve` up for a whole interval).
        await cancelWhenGracefulShutdown {
            var policy = self.policy
            if let start = Self.residentBytes() { _ = policy.shouldTrim(rss: start) } // the floor is the size at start
            while !Task.isCancelled {
                do { try await Task.sleep(for: policy.interval) } catch { return }
                guard let before = Self.residentBytes(), policy.shouldTrim(rss: before) else { continue }
                Self.trim()
                let after = Self.residentBytes() ?? before
                policy.trimmed(to: after)
                trims.increment()
                trimmedBytes.increment(by: Int64(max(0, before - after)))
                logger.debug("memory trimmed", metadata: ["before_mib": "\(before >> 20)", "after_mib": "\(after >> 20)"])
            }
        }
    }

    /// The process's resident size in bytes (Linux), nil where it cannot be read.
    static func residentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Releases the allocator's free pages to the system (glibc's `malloc_trim`, which `<malloc.h>` declares and
    /// Swift's Glibc module does not import; looked up once, absent with other C libraries).
    static func trim() { _ = mallocTrim?(0) }

    private typealias MallocTrim = @convention(c) (Int) -> Int32
    private static let mallocTrim: MallocTrim? = {
        #if canImport(Glibc)
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
            return unsafeBitCast(symbol, to: MallocTrim.self)
        #else
            return nil
        #endif
    }()
}
