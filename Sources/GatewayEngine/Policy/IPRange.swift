import Foundation
import GatewayFoundation

/// An IP address as 16 bytes; IPv4 addresses are held IPv4-mapped (`::ffff:a.b.c.d`), so `10.0.0.1` and
/// `::ffff:10.0.0.1` are the same address.
struct IPAddressBytes: Sendable, Hashable, Comparable, CustomStringConvertible {
    var bytes: [UInt8]

    /// Parses dotted IPv4 or IPv6 text (brackets and a zone suffix are accepted and ignored).
    init?(_ text: String) {
        var t = Substring(text.trimmingCharacters(in: .whitespaces))
        if t.hasPrefix("["), t.hasSuffix("]") { t = t.dropFirst().dropLast() }
        if let percent = t.firstIndex(of: "%") { t = t[..<percent] }
        var v4 = in_addr()
        if inet_pton(AF_INET, String(t), &v4) == 1 {
            let b = withUnsafeBytes(of: v4.s_addr) { Array($0) }
            bytes = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff] + b
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, String(t), &v6) == 1 else { return nil }
        bytes = withUnsafeBytes(of: v6) { Array($0) }
    }

    /// Whether this is an IPv4 (or IPv4-mapped) address.
    var isV4: Bool { bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xff && bytes[11] == 0xff }

    var description: String {
        if isV4 { return bytes[12...].map(String.init).joined(separator: ".") }
        var a = in6_addr()
        withUnsafeMutableBytes(of: &a) { $0.copyBytes(from: bytes) }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        inet_ntop(AF_INET6, &a, &buffer, socklen_t(buffer.count))
        return String(nulTerminated: buffer)
    }

    static func < (a: IPAddressBytes, b: IPAddressBytes) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }
}

/// A set of addresses: one address, a CIDR block (`10.0.0.0/8`, `2001:db8::/32`) or an inclusive range
/// (`10.0.0.1-10.0.0.9`, as API Management's from–to).
public struct IPRange: Sendable, Hashable, CustomStringConvertible {
    var low: IPAddressBytes
    var high: IPAddressBytes
    /// The range as configured (an address, a CIDR block or `low-high`), for messages.
    public var description: String

    /// Parses the forms above; nil when the text is none of them.
    public init?(_ text: String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        description = t
        if let slash = t.firstIndex(of: "/") {
            guard let base = IPAddressBytes(String(t[..<slash])), let bits = Int(t[t.index(after: slash)...]) else { return nil }
            let total = base.isV4 ? 32 : 128
            guard bits >= 0, bits <= total else { return nil }
            let prefix = base.isV4 ? 96 + bits : bits
            var lo = base.bytes
            var hi = base.bytes
            for i in 0..<16 {
                let keep = max(0, min(8, prefix - i * 8))
                let mask: UInt8 = keep == 0 ? 0 : UInt8(truncatingIfNeeded: 0xff << (8 - keep))
                lo[i] &= mask
                hi[i] |= ~mask
            }
            low = IPAddressBytes(bytes: lo)
            high = IPAddressBytes(bytes: hi)
            return
        }
        if let dash = t.firstIndex(of: "-"), !t.contains(":") || t.filter({ $0 == "-" }).count == 1 {
            guard let a = IPAddressBytes(String(t[..<dash])), let b = IPAddressBytes(String(t[t.index(after: dash)...])), a.isV4 == b.isV4, a <= b
            else {
                return nil
            }
            low = a
            high = b
            return
        }
        guard let a = IPAddressBytes(t) else { return nil }
        low = a
        high = a
    }

    /// Whether the range holds the address.
    func contains(_ address: IPAddressBytes) -> Bool { low <= address && address <= high }
}

extension IPAddressBytes {
    init(bytes: [UInt8]) { self.bytes = bytes }
}
