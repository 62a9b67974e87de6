import Foundation

extension SecretMasker {
    /// The byte strings to redact for `secrets`: each secret, its token after a `Bearer `/`Basic ` scheme, and the
    /// forms a backend predictably echoes them in: percent-encoding (upper- and lower-case hex, `+` for space),
    /// JSON string escaping, base64 and base64url (with and without padding); for `Basic` credentials also the
    /// decoded `user:secret` and the secret alone, in the same forms. Shorter than 8 bytes: left alone.
    package static func needles(for secrets: [String]) -> [[UInt8]] {
        var plain: [String] = []
        for s in secrets {
            plain.append(s)
            for scheme in ["Bearer ", "Basic "] where s.hasPrefix(scheme) {
                let token = String(s.dropFirst(scheme.count))
                plain.append(token)
                if scheme == "Basic ", let data = Data(base64Encoded: token), let pair = String(data: data, encoding: .utf8) {
                    plain.append(pair)
                    if let colon = pair.firstIndex(of: ":") { plain.append(String(pair[pair.index(after: colon)...])) }
                }
            }
        }
        var out = Set<[UInt8]>()
        for p in plain {
            for form in encodedForms(p) where form.utf8.count >= 8 { out.insert(Array(form.utf8)) }
        }
        return out.sorted { $0.count > $1.count }
    }

    /// `text` and its predictable encodings.
    static func encodedForms(_ text: String) -> [String] {
        var forms = [text]
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        if let upper = text.addingPercentEncoding(withAllowedCharacters: unreserved) {
            forms.append(upper)
            forms.append(lowerHex(upper))
            forms.append(upper.replacingOccurrences(of: "%20", with: "+"))
        }
        var json = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": json += "\\\""
            case "\\": json += "\\\\"
            case "\n": json += "\\n"
            case "\r": json += "\\r"
            case "\t": json += "\\t"
            case _ where scalar.value < 0x20: json += String(format: "\\u%04x", scalar.value)
            default: json.unicodeScalars.append(scalar)
            }
        }
        forms.append(json)
        forms.append(json.replacingOccurrences(of: "/", with: "\\/"))
        let b64 = Data(text.utf8).base64EncodedString()
        let unpadded = b64.replacingOccurrences(of: "=", with: "")
        forms += [b64, unpadded]
        let url = unpadded.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        forms += [url, url + String(repeating: "=", count: b64.count - unpadded.count)]
        return Array(Set(forms))
    }

    /// `%2F` → `%2f`.
    private static func lowerHex(_ s: String) -> String {
        var out = ""
        var pending = 0
        for c in s {
            if c == "%" {
                pending = 2
                out.append(c)
                continue
            }
            if pending > 0 {
                out += c.lowercased()
                pending -= 1
            } else {
                out.append(c)
            }
        }
        return out
    }
}
