/// Loose checks for the string `format`s the validator honours: `date-time`, `date`, `uuid`, `email`, `ipv4`.
/// Other formats are not checked.
enum FormatChecker {
    /// Why `string` is not a valid `format`, or nil when it is (or the format is not checked).
    static func problem(_ string: String, format: String) -> String? {
        let b = Array(string.utf8)
        switch format {
        case "date-time":
            return isDateTime(b) ? nil : "expected RFC 3339, e.g. 2024-05-01T12:00:00Z"
        case "date":
            return isDate(b[...]) ? nil : "expected YYYY-MM-DD"
        case "uuid":
            return isUUID(b) ? nil : "expected 8-4-4-4-12 hexadecimal digits"
        case "email":
            return isEmail(string) ? nil : "expected an address like name@example.com"
        case "ipv4":
            return isIPv4(string) ? nil : "expected four decimal numbers 0-255 separated by dots"
        default:
            return nil
        }
    }

    private static func digits(_ b: ArraySlice<UInt8>, _ from: Int, _ count: Int) -> Int? {
        var n = 0
        for i in from..<(from + count) {
            guard i < b.endIndex, (0x30...0x39).contains(b[i]) else { return nil }
            n = n * 10 + Int(b[i] - 0x30)
        }
        return n
    }

    static func isDate(_ b: ArraySlice<UInt8>) -> Bool {
        let o = b.startIndex
        guard b.count == 10, b[o + 4] == UInt8(ascii: "-"), b[o + 7] == UInt8(ascii: "-"),
            let year = digits(b, o, 4), let month = digits(b, o + 5, 2), let day = digits(b, o + 8, 2),
            (1...12).contains(month), day >= 1
        else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return day <= days
    }

    static func isDateTime(_ bytes: [UInt8]) -> Bool {
        let b = bytes[...]
        guard b.count >= 20, isDate(b[0..<10]), [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")].contains(b[10]),
            let hour = digits(b, 11, 2), b[13] == UInt8(ascii: ":"), let minute = digits(b, 14, 2),
            b[16] == UInt8(ascii: ":"), let second = digits(b, 17, 2),
            hour <= 23, minute <= 59, second <= 60
        else { return false }
        var i = 19
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            while i < b.count, (0x30...0x39).contains(b[i]) { i += 1 }
            guard i > start else { return false }
        }
        guard i < b.count else { return false }
        switch b[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            return i + 1 == b.count
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard i + 6 == b.count, let oh = digits(b, i + 1, 2), b[i + 3] == UInt8(ascii: ":"),
                let om = digits(b, i + 4, 2)
            else { return false }
            return oh <= 23 && om <= 59
        default:
            return false
        }
    }

    static func isUUID(_ b: [UInt8]) -> Bool {
        guard b.count == 36 else { return false }
        for (i, c) in b.enumerated() {
            if [8, 13, 18, 23].contains(i) {
                guard c == UInt8(ascii: "-") else { return false }
            } else {
                let hex = (0x30...0x39).contains(c) || (0x41...0x46).contains(c) || (0x61...0x66).contains(c)
                guard hex else { return false }
            }
        }
        return true
    }

    static func isEmail(_ s: String) -> Bool {
        guard let at = s.lastIndex(of: "@") else { return false }
        let local = s[..<at]
        let domain = s[s.index(after: at)...]
        guard !local.isEmpty, local.utf8.count <= 64, !domain.isEmpty, domain.utf8.count <= 255 else { return false }
        if s.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 }) { return false }
        if domain.hasPrefix("[") { return domain.hasSuffix("]") }
        return !domain.contains("@") && !domain.hasPrefix(".") && !domain.hasSuffix(".") && !domain.contains("..")
    }

    static func isIPv4(_ s: String) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { p in
            guard (1...3).contains(p.count), p.allSatisfy({ $0.isASCII && $0.isNumber }),
                p.count == 1 || !p.hasPrefix("0"), let n = Int(p)
            else { return false }
            return n <= 255
        }
    }
}
