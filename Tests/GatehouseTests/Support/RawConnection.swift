import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A plain TCP connection to 127.0.0.1, optionally from another loopback source address (127.0.0.2 is a second
/// "client address"), for tests that need what an HTTP client library hides: idle sockets, half-sent headers, a
/// connection the server closes. Reads block, so they run on a dispatch thread, never on a thread of Swift's
/// cooperative pool (which the gateway under test and every other test share).
final class RawConnection: Sendable {
    let fd: Int32

    /// Connects to 127.0.0.1:`port` from `source` (nil: any). Reads time out after `readTimeout` seconds.
    init(port: Int, from source: String? = nil, readTimeout: Int = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_addr.s_addr = inet_addr(source)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else { throw POSIXError(.EADDRNOTAVAIL) }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        var timeout = timeval(tv_sec: readTimeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// Closes both directions now (the server sees a FIN), as a client that goes away does.
    func hangUp() { shutdown(fd, Int32(SHUT_RDWR)) }

    /// Sends text as is.
    func send(_ text: String) {
        _ = text.withCString { Glibc.send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
    }

    /// Runs blocking socket work on a dispatch thread.
    static func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in DispatchQueue.global().async { continuation.resume(returning: body()) } }
    }

    /// Reads until the server closes the connection (`closed: true`), `stop` appears in what was read, or the read
    /// timeout passes (`closed: false`).
    func read(until stop: String? = nil) async -> (text: String, closed: Bool) { await Self.offPool { self.readBlocking(until: stop) } }

    /// Whether the server closed the connection by `seconds` from now (anything it sent first is discarded).
    func closedWithin(seconds: Int) async -> Bool { await Self.offPool { self.closedWithinBlocking(seconds: seconds) } }

    /// The indices of `connections` the server has closed within `seconds`, waiting until at least one is closed.
    static func closed(among connections: [RawConnection], within seconds: Int) async -> [Int] {
        await offPool { closedBlocking(among: connections, within: seconds) }
    }

    private func readBlocking(until stop: String?) -> (text: String, closed: Bool) {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n == 0 { return (String(decoding: received, as: UTF8.self), true) }
            if n < 0 { return (String(decoding: received, as: UTF8.self), errno == ECONNRESET) }
            received += buffer[0..<n]
            if let stop, String(decoding: received, as: UTF8.self).contains(stop) { return (String(decoding: received, as: UTF8.self), false) }
        }
    }

    private func closedWithinBlocking(seconds: Int) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let deadline = Date().addingTimeInterval(TimeInterval(seconds))
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            let ready = poll(&p, 1, Int32(max(1, deadline.timeIntervalSinceNow * 1000)))
            if ready <= 0 { return false }
            let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if n == 0 || (n < 0 && errno == ECONNRESET) { return true }
        }
        return false
    }

    private static func closedBlocking(among connections: [RawConnection], within seconds: Int) -> [Int] {
        var fds = connections.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
        guard poll(&fds, nfds_t(fds.count), Int32(seconds * 1000)) > 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: 16)
        return fds.indices.filter { i in
            guard fds[i].revents != 0 else { return false }
            let n = recv(fds[i].fd, &buffer, buffer.count, Int32(MSG_DONTWAIT) | Int32(MSG_PEEK))
            return n == 0 || (n < 0 && errno == ECONNRESET)
        }
    }
}
