import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The SSRF guard: decides whether the gateway may connect to a URL.
///
/// Only `http` and `https` are allowed. The host is resolved (numeric forms such as `0177.0.0.1`, `2130706433`
/// and IPv4-mapped IPv6 included, because the system resolver normalises them) and **every** resolved address
/// must be public unless private networks are allowed for that API or upstream: loopback, private, link-local,
/// carrier-grade NAT, multicast, reserved, documentation, the unspecified address and every IPv6 form that embeds
/// an IPv4 address (mapped, compatible, SIIT-translated, NAT64, 6to4, ISATAP) whose IPv4 address would be refused.
/// Cloud metadata addresses (169.254.169.254, fd00:ec2::254 …) stay refused when private networks are allowed,
/// unless ``allowMetadataAddress`` is set.
///
/// The guard only decides; connecting to the address it approved (not to a second resolution of the name, which a
/// DNS-rebinding attacker controls) is the job of the engine's pinned HTTP client.
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

    /// Resolves a host name to its addresses (it may block). Default: the system resolver.
    package typealias Resolver = @Sendable (String) throws -> [IPAddress]

    /// How names are resolved: the system resolver unless a test gives its own.
    package var resolver: Resolver
    /// Whether cloud metadata addresses may be connected to where private networks are allowed. Default: false, or
    /// true when the environment has `GATEHOUSE_ALLOW_METADATA_ADDRESS=1`; `serve`/`console --allow-metadata-address`
    /// set it for the engine.
    public var allowMetadataAddress: Bool

    /// A guard on the system resolver.
    public init() {
        resolver = { host in try AddressGuard.resolve(host) }
        allowMetadataAddress = ProcessInfo.processInfo.environment["GATEHOUSE_ALLOW_METADATA_ADDRESS"] == "1"
    }

    /// A guard on `resolver` (tests: a resolver they control).
    package init(resolver: @escaping Resolver, allowMetadataAddress: Bool = false) {
        self.resolver = resolver
        self.allowMetadataAddress = allowMetadataAddress
    }

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
        let addresses: [IPAddress]
        if let literal = Self.literalAddress(host) {
            addresses = [literal]
        } else {
            do { addresses = try resolver(host) } catch let error as GatewayError { throw error } catch {
                throw GatewayError(.forbiddenAddress, "cannot resolve host '\(host)': \(error)")
            }
        }
        guard !addresses.isEmpty else { throw GatewayError(.forbiddenAddress, "host '\(host)' did not resolve to any address") }
        if !allowMetadataAddress {
            for address in addresses {
                if let name = Self.metadataService(address) {
                    throw GatewayError(
                        .forbiddenAddress,
                        "'\(host)' resolves to \(address.presentation), the \(name) metadata service, which is never connected to unless the gateway runs with --allow-metadata-address"
                    )
                }
            }
        }
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
        if b[0..<15].allSatisfy({ $0 == 0 }) && (b[15] == 0 || b[15] == 1) { return b[15] == 1 ? "loopback" : "unspecified" }
        if let (form, v4) = embeddedIPv4(b) {
            if form == "Teredo" { return "Teredo tunnel" }
            if let reason = forbiddenV4(v4) { return "\(form) \(reason)" }
            return form == "IPv4-compatible" ? "IPv4-compatible address" : nil
        }
        if b[0] & 0xFE == 0xFC { return "unique local (fc00::/7)" }
        if b[0] == 0xFE && b[1] & 0xC0 == 0x80 { return "link-local (fe80::/10)" }
        if b[0] == 0xFE && b[1] & 0xC0 == 0xC0 { return "site-local (fec0::/10)" }
        if b[0] == 0xFF { return "multicast" }
        if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8 { return "documentation (2001:db8::/32)" }
        if b[0] == 0x01 && b[1..<8].allSatisfy({ $0 == 0 }) { return "discard-only (100::/64)" }
        return nil
    }

    /// The IPv4 address an IPv6 address carries, with the name of the form: IPv4-mapped `::ffff:a.b.c.d`,
    /// IPv4-compatible `::a.b.c.d`, SIIT-translated `::ffff:0:a.b.c.d`, NAT64 `64:ff9b::/96` and `64:ff9b:1::/48`,
    /// 6to4 `2002::/16`, ISATAP (interface identifier `0:5efe` or `200:5efe`) and Teredo `2001::/32` (its client
    /// address, inverted).
    package static func embeddedIPv4(_ b: [UInt8]) -> (form: String, address: [UInt8])? {
        guard b.count == 16 else { return nil }
        let tail = Array(b[12..<16])
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xFF && b[11] == 0xFF { return ("IPv4-mapped", tail) }
        if b[0..<8].allSatisfy({ $0 == 0 }) && b[8] == 0xFF && b[9] == 0xFF && b[10] == 0 && b[11] == 0 { return ("SIIT-translated", tail) }
        if b[0..<12].allSatisfy({ $0 == 0 }) { return ("IPv4-compatible", tail) }
        if b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B {
            if b[4..<12].allSatisfy({ $0 == 0 }) { return ("NAT64", tail) }
            if b[4] == 0 && b[5] == 1 { return ("NAT64", tail) }
        }
        if b[0] == 0x20 && b[1] == 0x02 { return ("6to4", Array(b[2..<6])) }
        if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0 { return ("Teredo", tail.map { ~$0 }) }
        if (b[8] == 0x00 || b[8] == 0x02) && b[9] == 0 && b[10] == 0x5E && b[11] == 0xFE { return ("ISATAP", tail) }
        return nil
    }

    /// The cloud whose instance-metadata service answers at this address (in any embedded form), or nil.
    package static func metadataService(_ address: IPAddress) -> String? {
        let b = address.bytes
        let v4: [UInt8]? = b.count == 4 ? b : embeddedIPv4(b).map(\.address)
        if let v4 {
            switch (v4[0], v4[1], v4[2], v4[3]) {
            case (169, 254, 169, 254): return "cloud instance (AWS, Azure, GCP, OpenStack, DigitalOcean)"
            case (169, 254, 170, 2), (169, 254, 170, 23): return "AWS container (ECS/EKS)"
            case (100, 100, 100, 200): return "Alibaba Cloud"
            case (192, 0, 0, 192): return "Oracle Cloud"
            default: break
            }
        }
        // fd00:ec2::254 and fd00:ec2::23 (AWS over IPv6).
        if b.count == 16 && b[0] == 0xFD && b[1] == 0x00 && b[2] == 0x0E && b[3] == 0xC2 && b[4..<14].allSatisfy({ $0 == 0 }) {
            if (b[14] == 0x02 && b[15] == 0x54) || (b[14] == 0 && b[15] == 0x23) { return "AWS (IPv6)" }
        }
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
