import Foundation

/// Base64url (RFC 4648 §5): the strict unpadded form JWS compact serialisation and PKCE use, and a lenient decoder
/// for values people paste (keys in either alphabet, padded or not).
package enum Base64URL {
    private static let table: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8.enumerated() { t[Int(c)] = UInt8(i) }
        return t
    }()

    /// Decodes unpadded base64url; nil on any other character, an impossible length or non-zero trailing bits.
    package static func decode(_ input: some Collection<UInt8>) -> [UInt8]? {
        let count = input.count
        guard count % 4 != 1 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(count * 3 / 4)
        var buffer: UInt32 = 0
        var bits = 0
        for c in input {
            let v = table[Int(c)]
            guard v != 0xFF else { return nil }
            buffer = (buffer << 6) | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        // Leftover bits must be zero (canonical encoding).
        guard buffer & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
        return out
    }

    /// Decodes unpadded base64url text (see ``decode(_:)-(Collection<UInt8>)``).
    package static func decode(_ string: String) -> [UInt8]? { decode(Array(string.utf8)) }

    /// Encodes bytes as unpadded base64url.
    package static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var text = Data(bytes).base64EncodedString()
        text = text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    /// Decodes base64 or base64url, padded or not (Foundation's decoder after mapping the URL alphabet); nil when
    /// the text is neither.
    package static func decodeEitherAlphabet(_ text: String) -> [UInt8]? {
        var b64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        if b64.count % 4 != 0 { b64 += String(repeating: "=", count: 4 - b64.count % 4) }
        return Data(base64Encoded: b64).map { Array($0) }
    }
}
