import GatewayFoundation
import Testing

/// The masker runs on every call's arguments before they are recorded.
@Suite("Secret masker: key names")
struct SecretMaskerKeyTests {
    @Test("a key naming a secret is found whatever its case, inside other words, and through Unicode lower-casing")
    func sensitiveKeys() {
        for key in ["password", "PassWord", "x-API-Key", "api_key", "refreshToken", "CLIENT_SECRET", "Cookie", "sessionId", "monkey"] {
            #expect(SecretMasker.isSensitive(key), "\(key)")
        }
        // U+212A KELVIN SIGN lower-cases to an ASCII "k".
        #expect(SecretMasker.isSensitive("\u{212A}EY"))
        #expect(SecretMasker.isSensitive("pässwort_token"))
        for key in ["petId", "name", "limit", "tags", "pa", "", "ke", "passwor", "Ωmega"] {
            #expect(!SecretMasker.isSensitive(key), "\(key)")
        }
    }

    @Test("masking keeps the value's shape, hides secrets and shortens long strings")
    func masked() {
        let long = String(repeating: "é", count: 600)
        let out = SecretMasker.masked(.object(["petId": .int(1), "apiKey": .string("abcdefghijklmnop"), "note": .string(long)]))
        #expect(out["petId"] == .int(1))
        #expect(out["apiKey"] == .string("***mnop"))
        #expect(out["note"]?.stringValue == String(repeating: "é", count: 512) + "…")
        let short = String(repeating: "é", count: 300) // 600 UTF-8 bytes, 300 characters: kept whole
        #expect(SecretMasker.masked(.string(short)) == .string(short))
    }
}
