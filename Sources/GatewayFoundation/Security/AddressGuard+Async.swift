import Foundation

extension AddressGuard {
    /// ``check(_:allowPrivateNetwork:)`` on a dispatch thread: it resolves the host with the blocking system
    /// resolver, which must not hold a thread of Swift's cooperative pool.
    package func checkOffPool(_ url: String, allowPrivateNetwork: Bool) async throws(GatewayError) -> Resolution {
        let verdict: Result<Resolution, GatewayError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Result { () throws(GatewayError) in try check(url, allowPrivateNetwork: allowPrivateNetwork) })
            }
        }
        return try verdict.get()
    }

    /// ``resolve(_:)`` on a dispatch thread (see ``checkOffPool(_:allowPrivateNetwork:)``).
    package static func resolveOffPool(_ host: String) async throws(GatewayError) -> [IPAddress] {
        let addresses: Result<[IPAddress], GatewayError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Result { () throws(GatewayError) in try resolve(host) })
            }
        }
        return try addresses.get()
    }

    /// The bytes of an IPv4 or IPv6 literal in standard notation (`192.0.2.1`, `::1`), or nil for anything else
    /// (names included: no lookup is made).
    package static func literalAddress(_ host: String) -> IPAddress? {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return IPAddress(bytes: withUnsafeBytes(of: &v4) { Array($0) }) }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 { return IPAddress(bytes: withUnsafeBytes(of: &v6) { Array($0) }) }
        return nil
    }

    /// Whether a source names a remote document or endpoint (`http://` or `https://`, any case).
    package static func isHTTPURL(_ source: String) -> Bool {
        let lower = source.lowercased()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://")
    }
}
