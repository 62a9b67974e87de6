/// Percent-encoding (RFC 3986 §2.1, uppercase hex), one function per place a value goes: path segments and
/// literals, query names and values, cookies, and `application/x-www-form-urlencoded` bodies.
package enum PercentEncoder {
    private static let hex = Hex.uppercaseDigits

    /// RFC 3986 unreserved: ASCII letters, digits, `-`, `.`, `_`, `~`.
    package static func isUnreserved(_ b: UInt8) -> Bool {
        (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) || (0x30...0x39).contains(b)
            || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "~")
    }

    /// Every UTF-8 byte of `s` for which `keep` is false becomes `%XX`.
    package static func encode(_ s: some StringProtocol, keeping keep: (UInt8) -> Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        for b in s.utf8 {
            if keep(b) {
                out.append(b)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A path parameter value as (part of) one segment: everything but unreserved characters is encoded, and a
    /// run of dots at the start of the value or after a `/` or `\` is encoded too, so `../x` → `%2E%2E%2Fx`.
    package static func encodePathValue(_ s: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        var previous: UInt8?
        var encodingDots = false
        for b in s.utf8 {
            if b == UInt8(ascii: ".") {
                if previous == nil || previous == UInt8(ascii: "/") || previous == UInt8(ascii: "\\") {
                    encodingDots = true
                } else if previous != UInt8(ascii: ".") {
                    encodingDots = false
                }
            }
            if isUnreserved(b) && !(b == UInt8(ascii: ".") && encodingDots) {
                out.append(b)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0xF)])
            }
            previous = b
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A literal part of a path template: keeps `/`, unreserved, sub-delims, `:`, `@` and valid `%XX` escapes (a
    /// lone `%` is encoded, so the URL stays valid and nothing downstream re-encodes it).
    package static func encodePathLiteral(_ s: some StringProtocol) -> String {
        encodeKeepingTriples(String(s)) { b in isUnreserved(b) || "/!$&'()*+,;=:@".utf8.contains(b) }
    }

    /// Whether `b` is an ASCII hex digit.
    package static func isHex(_ b: UInt8) -> Bool {
        (0x30...0x39).contains(b) || (0x41...0x46).contains(b) || (0x61...0x66).contains(b)
    }

    /// A query name or value: only unreserved characters stay; space is `%20`.
    package static func encodeQuery(_ s: String) -> String { encode(s, keeping: isUnreserved) }

    /// A query value with `allowReserved` (RFC 6570 reserved expansion): the reserved characters RFC 3986 allows in a
    /// query stay (`:/?@!$'()*+,;=`), and so do percent-encoded triples (`%2F` is sent as written); `#` and `&`
    /// (which would end the value), a lone `%`, and `[`, `]` (which RFC 3986 does not allow in a query, so that a
    /// URL parser would re-encode the whole URL) are encoded.
    package static func encodeQueryAllowingReserved(_ s: String) -> String {
        encodeKeepingTriples(s) { b in isUnreserved(b) || ":/?@!$'()*+,;=".utf8.contains(b) }
    }

    /// Like ``encode(_:keeping:)``, but a `%` followed by two hex digits stays (an escape the caller already wrote).
    package static func encodeKeepingTriples(_ s: String, keeping keep: (UInt8) -> Bool) -> String {
        let bytes = Array(s.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for (i, b) in bytes.enumerated() {
            let triple = b == UInt8(ascii: "%") && i + 2 < bytes.count && isHex(bytes[i + 1]) && isHex(bytes[i + 2])
            if triple || keep(b) {
                out.append(b)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A cookie value: RFC 6265 cookie-octets stay; everything else (space, `"`, `,`, `\`, `%`, non-ASCII) is encoded.
    package static func encodeCookie(_ s: String) -> String {
        encode(s) { b in
            b == 0x21 || (0x23...0x2B).contains(b) && b != 0x25 || (0x2D...0x3A).contains(b) || (0x3C...0x5B).contains(b)
                || (0x5D...0x7E).contains(b)
        }
    }

    /// `application/x-www-form-urlencoded`: unreserved stay, space is `+`, everything else is encoded.
    package static func encodeForm(_ s: String) -> String {
        encode(s, keeping: isUnreserved).replacingOccurrences(of: "%20", with: "+")
    }

    /// One name or value of an OAuth form body, as the WHATWG `application/x-www-form-urlencoded` serializer
    /// writes it (RFC 6749 Appendix B): ASCII letters, digits and `*-._` stay, space becomes `+`, everything else
    /// is encoded. (Unlike ``encodeForm(_:)``, `*` stays and `~` is encoded.)
    package static func encodeFormWHATWG(_ s: String) -> String {
        encode(s) { b in
            (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) || (0x30...0x39).contains(b) || b == UInt8(ascii: "*")
                || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: " ")
        }.replacingOccurrences(of: " ", with: "+")
    }

    /// A form body from fields, each name and value written by ``encodeFormWHATWG(_:)``.
    package static func formBody(_ fields: [(String, String)]) -> String {
        fields.map { encodeFormWHATWG($0.0) + "=" + encodeFormWHATWG($0.1) }.joined(separator: "&")
    }
}
