import Foundation
import Testing

@testable import GatewayFoundation

/// Issue #13 item 6: a backend that echoes an injected secret in an encoded form does not leak it.
@Suite("Hardening: redaction of encoded secrets")
struct EncodedSecretRedactionTests {
    static let secret = #"s3cr3t/"q\u+x y&z"#

    @Test("percent-encoded, JSON-escaped, base64 and base64url forms are redacted, in bodies and JSON values")
    func encodedForms() throws {
        let forms = [
            Self.secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!,
            Self.secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!.lowercased(),
            #"s3cr3t/\"q\\u+x y&z"#,
            Data(Self.secret.utf8).base64EncodedString(),
            Data(Self.secret.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: ""),
        ]
        for form in forms {
            let body = Array(#"{"url":"https://httpbin.example/get?key=\#(form)&a=1"}"#.utf8)
            let out = String(decoding: SecretMasker.redact(body, secrets: [Self.secret]), as: UTF8.self)
            #expect(!out.contains(form) && out.contains("[redacted]"), "\(form) → \(out)")
        }
        let echoed = JSONValue.object(["args": .object(["key": .string(forms[0])])])
        #expect(SecretMasker.redact(echoed, secrets: [Self.secret]) == .object(["args": .object(["key": "[redacted]"])]))
    }

    @Test("Basic credentials: the header token, user:secret and the secret alone, also base64url")
    func basic() {
        let pair = "alice:correct-horse-battery"
        let header = "Basic " + Data(pair.utf8).base64EncodedString()
        for form in [
            pair, "correct-horse-battery", "alice%3Acorrect-horse-battery",
            Data(pair.utf8).base64EncodedString(),
        ] {
            let out = String(decoding: SecretMasker.redact(Array("echo: \(form).".utf8), secrets: [header]), as: UTF8.self)
            #expect(out == "echo: [redacted].", "\(form) → \(out)")
        }
    }
}
