import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The SSRF guard: decides whether the gateway may connect to a URL.
///
/// Only `http` and `https` are allowed. The host is resolved (numeric forms such as `0177.0.0.1`, `2130706433`
/// and IPv4-mapped IPv6 included, because the system resolver normalises them) and **every** resolved address
/// must be public unless private networks are allowed for that API or upstream: loopback, private, link-local,
/// carrier-grade NAT, multicast, reserved, documentation, 6to4/NAT64/Teredo-embedded private addresses and the
/// unspecified address are refused.
public struct AddressGuard: Sendable {
    /// The result of checking a URL: the addresses it resolved to, all of them allowed.
    public struct Resolution: Sendable, Equatable {
        /// `http` or `https`.
        public var scheme: String
        /// The host, without IPv6 brackets.
        public var host: String
        /// The port (the scheme's default when the URL has none).
        public var port: Int
        /// Resolved addresses in presentation form.
        public var addresses: [String]
    }

    /// A guard (it holds no state).
    public init() {}

    /// Checks a URL and returns its resolution, or throws `.invalidURL` / `.forbiddenAddress`.
    public func check(_ urlString: String, allowPrivateNetwork: Bool) throws(GatewayError) -> Resolution {
        guard let url = URL(string: urlString), let scheme = url.scheme?.lowercased() else {
            throw GatewayError(.invalidURL, "'\(urlString)' is not an absolute URL")
        }
        guard scheme == "http" || scheme == "https" else {
            throw GatewayError(.invalidURL, "scheme '\(scheme)' is not allowed (use http or https): \(urlString)")
        }
        guard var host = url.host, !host.isEmpty else {
            throw GatewayError(.invalidURL, "'\(urlString)' has no host")
        }
        if url.user != nil || url.password != nil {
            throw GatewayError(.invalidURL, "URLs with credentials in them are not allowed: put secrets in the credential manager")
        }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        let addresses = try Self.resolve(host)
        guard !addresses.isEmpty else { throw GatewayError(.forbiddenAddress, "host '\(host)' did not resolve to any address") }
        if !allowPrivateNetwork {
            for address in addresses {
                if let reason = Self.forbiddenReason(address) {
                    throw GatewayError(
                        .forbiddenAddress,
                        "'\(host)' resolves to \(address.presentation) (\(reason)); allow private networks for this API or upstream to use it")
                }
            }
        }
        return Resolution(scheme: scheme, host: host, port: port, addresses: addresses.map(\.presentation))
    }

    /// A resolved IP address.
    package struct IPAddress: Sendable, Equatable {
        /// 4 bytes for IPv4, 16 for IPv6.
        package var bytes: [UInt8]

        /// An address from its 4 (IPv4) or 16 (IPv6) bytes.
        package init(bytes: [UInt8]) { self.bytes = bytes }

        /// The address in presentation form (`192.0.2.1`, `2001:db8::1`).
        package var presentation: String {
            if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
            var buf = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            var addr = in6_addr()
            withUnsafeMutableBytes(of: &addr) { raw in for i in 0..<16 { raw[i] = bytes[i] } }
            inet_ntop(AF_INET6, &addr, &buf, socklen_t(buf.count))
            return String(nulTerminated: buf)
        }
    }

    /// Resolves a host with the system resolver (numeric hosts without a lookup).
    package static func resolve(_ host: String) throws(GatewayError) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, nil, &hints, &result)
        guard rc == 0, let first = result else {
            throw GatewayError(.forbiddenAddress, "cannot resolve host '\(host)': \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(first) }
        var out: [IPAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let ai = cursor {
            if ai.pointee.ai_family == AF_INET, let sa = ai.pointee.ai_addr {
                let sin = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee }
                let b = withUnsafeBytes(of: sin.sin_addr) { Array($0) }
                out.append(IPAddress(bytes: b))
            } else if ai.pointee.ai_family == AF_INET6, let sa = ai.pointee.ai_addr {
                let sin6 = sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee }
                let b = withUnsafeBytes(of: sin6.sin6_addr) { Array($0) }
                out.append(IPAddress(bytes: b))
            }
            cursor = ai.pointee.ai_next
        }
        var unique: [IPAddress] = []
        for a in out where !unique.contains(a) { unique.append(a) }
        return unique
    }

    /// Why an address is not public, or nil when it is.
    package static func forbiddenReason(_ address: IPAddress) -> String? {
        let b = address.bytes
        if b.count == 4 { return forbiddenV4(b) }
        // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) addresses.
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xFF && b[11] == 0xFF {
            return forbiddenV4(Array(b[12..<16])).map { "IPv4-mapped \($0)" } ?? nil
        }
        if b[0..<12].allSatisfy({ $0 == 0 }) {
            if b[12..<15].allSatisfy({ $0 == 0 }) && (b[15] == 0 || b[15] == 1) { return b[15] == 1 ? "loopback" : "unspecified" }
            return forbiddenV4(Array(b[12..<16])).map { "IPv4-compatible \($0)" } ?? "IPv4-compatible address"
        }
        // NAT64 64:ff9b::/96 embeds an IPv4 address.
        if b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B {
            return forbiddenV4(Array(b[12..<16])).map { "NAT64 \($0)" } ?? nil
        }
        // 6to4 2002::/16 embeds an IPv4 address in bytes 2–5.
        if b[0] == 0x20 && b[1] == 0x02 { return forbiddenV4(Array(b[2..<6])).map { "6to4 \($0)" } ?? nil }
        // Teredo 2001::/32.
        if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0 { return "Teredo tunnel" }
        if b[0] & 0xFE == 0xFC { return "unique local (fc00::/7)" }
        if b[0] == 0xFE && b[1] & 0xC0 == 0x80 { return "link-local (fe80::/10)" }
        if b[0] == 0xFE && b[1] & 0xC0 == 0xC0 { return "site-local (fec0::/10)" }
        if b[0] == 0xFF { return "multicast" }
        if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8 { return "documentation (2001:db8::/32)" }
        if b[0] == 0x01 && b[1..<8].allSatisfy({ $0 == 0 }) { return "discard-only (100::/64)" }
        return nil
    }

    static func forbiddenV4(_ b: [UInt8]) -> String? {
        switch (b[0], b[1]) {
        case (0, _): return "this-network (0.0.0.0/8)"
        case (10, _): return "private (10.0.0.0/8)"
        case (100, 64...127): return "carrier-grade NAT (100.64.0.0/10)"
        case (127, _): return "loopback (127.0.0.0/8)"
        case (169, 254): return "link-local (169.254.0.0/16)"
        case (172, 16...31): return "private (172.16.0.0/12)"
        case (192, 0) where b[2] == 0: return "IETF protocol assignments (192.0.0.0/24)"
        case (192, 0) where b[2] == 2: return "documentation (192.0.2.0/24)"
        case (192, 88) where b[2] == 99: return "6to4 relay (192.88.99.0/24)"
        case (192, 168): return "private (192.168.0.0/16)"
        case (198, 18...19): return "benchmarking (198.18.0.0/15)"
        case (198, 51) where b[2] == 100: return "documentation (198.51.100.0/24)"
        case (203, 0) where b[2] == 113: return "documentation (203.0.113.0/24)"
        case (224...239, _): return "multicast"
        case (240...255, _): return "reserved (240.0.0.0/4)"
        default: return nil
        }
    }
}
