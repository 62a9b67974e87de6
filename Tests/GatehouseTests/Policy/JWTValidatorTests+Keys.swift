import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import Synchronization
import Testing

@testable import GatewayEngine

// MARK: - A6–A9: keys and algorithms

extension JWTValidatorTests {
    @Test("A6: a token signed by an unpublished key under a published kid is refused")
    func unpublishedKeySameKid() async throws {
        try await Self.withIdP { f in
            let validator = f.validator()
            for alg in ["RS256", "ES256", "EdDSA"] {
                let impostor = f.idp.unpublishedKey(alg: alg, kid: f.idp.key(alg).kid)
                let token = f.mint(algorithm: alg, signingKey: impostor)
                Self.rejected(await validator.validate(authorization: Self.bearer(token)), status: 401, token: token, containing: "signature")
            }
            // A valid token with one flipped signature byte is refused too.
            let token = f.mint()
            var signature = Array(token.split(separator: ".")[2].utf8)
            signature[10] = signature[10] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            let tampered = token.split(separator: ".")[0...1].joined(separator: ".") + "." + String(decoding: signature, as: UTF8.self)
            Self.rejected(await validator.validate(authorization: Self.bearer(tampered)), status: 401, containing: "signature")
        }
    }

    @Test("A7: alg none in any case, with or without a signature, and an empty signature are refused")
    func algNone() async throws {
        try await Self.withIdP { f in
            var settings = f.settings
            settings.allowedAlgorithms.append("none") // even listed, none is refused
            let validator = f.validator(settings)
            for alg in ["none", "None", "NONE", "nOnE"] {
                let unsigned = TestIdentityProvider.compact(header: ["alg": .string(alg), "typ": "JWT"], claims: f.claims()) { _ in [] }
                #expect(unsigned.hasSuffix("."))
                Self.rejected(await validator.validate(authorization: Self.bearer(unsigned)), status: 401, token: unsigned, containing: "none")
                let signed = TestIdentityProvider.compact(header: ["alg": .string(alg), "kid": .string(f.idp.key("RS256").kid)], claims: f.claims()) {
                    f.idp.key("RS256").sign($0)
                }
                Self.rejected(await validator.validate(authorization: Self.bearer(signed)), status: 401, containing: "none")
            }
            let valid = f.mint()
            let stripped = valid.split(separator: ".")[0...1].joined(separator: ".") + "."
            Self.rejected(await validator.validate(authorization: Self.bearer(stripped)), status: 401, containing: "signature")
            // Nothing was fetched for the unsigned tokens (the header is refused before any key lookup).
            #expect(f.idp.totalHits == 0)
        }
    }

    @Test("A8: HS256 signed with the RSA public key (PEM and JWK bytes) is refused, even with HS256 allowed")
    func hmacWithPublicKey() async throws {
        try await Self.withIdP { f in
            let rsa = f.idp.key("RS256")
            guard case .rsa(let material) = rsa.material else {
                Issue.record("not an RSA key")
                return
            }
            let secrets = [
                Array(material.publicPEM.utf8), Array(JSONValue.object(rsa.publicJWK).jsonString.utf8),
                Array(JSONValue.object(["keys": [.object(rsa.publicJWK)]]).jsonString.utf8),
            ]
            var withHS = f.settings
            withHS.allowedAlgorithms += ["HS256", "HS384", "HS512"]
            for validator in [f.validator(), f.validator(withHS)] {
                for secret in secrets {
                    for kid: String? in [rsa.kid, nil] {
                        var header: JSONObject = ["alg": "HS256", "typ": "at+jwt"]
                        if let kid { header["kid"] = .string(kid) }
                        let token = TestIdentityProvider.compact(header: header, claims: f.claims()) {
                            TestIdentityProvider.hmac("HS256", key: secret, $0)
                        }
                        Self.rejected(await validator.validate(authorization: Self.bearer(token)), status: 401, token: token)
                    }
                }
            }
            // A symmetric key published in the remote key set is never used.
            let secret = [UInt8](repeating: 7, count: 32)
            f.idp.publish(extraJWKs: [["kty": "oct", "kid": "remote-hmac", "alg": "HS256", "k": .string(TestIdentityProvider.base64URL(secret))]])
            let fresh = f.validator(withHS)
            let token = TestIdentityProvider.compact(header: ["alg": "HS256", "kid": "remote-hmac"], claims: f.claims()) {
                TestIdentityProvider.hmac("HS256", key: secret, $0)
            }
            Self.rejected(await fresh.validate(authorization: Self.bearer(token)), status: 401, containing: "unknown signing key")
            #expect(f.logs.text.contains("symmetric keys are only accepted inline"))
        }
    }

    @Test("A9: a header alg other than the JWK's alg is refused (PS256 or RS384 on an RS256 key)")
    func algorithmMismatch() async throws {
        try await Self.withIdP { f in
            let validator = f.validator()
            let rs = f.idp.key("RS256")
            for alg in ["PS256", "RS384", "RS512", "PS512"] {
                let token = f.mint(algorithm: alg, signingKey: rs)
                Self.rejected(await validator.validate(authorization: Self.bearer(token)), status: 401, containing: "is not used with \(alg)")
            }
            let es = f.idp.key("ES256")
            let es384 = f.mint(algorithm: "ES384", kid: es.kid, signingKey: f.idp.key("ES384"))
            Self.rejected(await validator.validate(authorization: Self.bearer(es384)), status: 401, containing: "is not used with ES384")
            // The PS256 key itself works with PS256.
            Self.accepted(await validator.validate(authorization: Self.bearer(f.mint(algorithm: "PS256"))))
            // An algorithm outside the allowed list is refused before any key lookup.
            var esOnly = f.settings
            esOnly.allowedAlgorithms = ["ES256"]
            Self.rejected(await f.validator(esOnly).validate(authorization: Self.bearer(f.mint())), status: 401, containing: "RS256 is not accepted")
        }
    }

    @Test("JWKs without alg get one algorithm by key type; weak, mismatched and unusable JWKs are refused")
    func jwkRules() async throws {
        try await Self.withIdP { f in
            let rsaNoAlg = f.idp.unpublishedKey(alg: "RS256", kid: "noalg-rsa")
            let ecNoAlg = TestSigningKey.generate(alg: "ES256", kid: "noalg-ec")
            var rsaJWK = rsaNoAlg.publicJWK
            var ecJWK = ecNoAlg.publicJWK
            rsaJWK["alg"] = nil
            ecJWK["alg"] = nil
            let weak: JSONObject = ["kty": "RSA", "kid": "weak", "alg": "RS256", "n": .string(TestWeakRSA.n), "e": .string(TestWeakRSA.e)]
            f.idp.publish(extraJWKs: [rsaJWK, ecJWK, weak])
            let validator = f.validator()
            Self.accepted(await validator.validate(authorization: Self.bearer(f.mint(signingKey: rsaNoAlg))))
            Self.accepted(await validator.validate(authorization: Self.bearer(f.mint(algorithm: "ES256", signingKey: ecNoAlg))))
            let ps = f.mint(algorithm: "PS256", signingKey: rsaNoAlg)
            Self.rejected(await validator.validate(authorization: Self.bearer(ps)), status: 401, containing: "is not used with PS256")
            let weakToken = f.mint(kid: "weak")
            Self.rejected(await validator.validate(authorization: Self.bearer(weakToken)), status: 401, containing: "unknown signing key 'weak'")
            #expect(f.logs.text.contains("smaller than 2048 bits"))

            func refusal(_ jwk: JSONObject, inline: Bool = false) -> String? {
                do {
                    _ = try JWKDescription.parse(jwk, allowSymmetric: inline)
                    return nil
                } catch { return error.description }
            }
            let ec = ecNoAlg.publicJWK
            #expect(refusal(weak)?.contains("1024 bits") == true)
            #expect(refusal(ec.merging(["alg": "ES384"])) != nil)
            #expect(refusal(ec.merging(["crv": "P-384"])) != nil)
            #expect(refusal(ec.merging(["use": "enc"])) != nil)
            #expect(refusal(ec.merging(["key_ops": ["sign"]])) != nil)
            #expect(refusal(ec.merging(["key_ops": ["verify"]])) == nil)
            #expect(refusal(rsaJWK.merging(["alg": "HS256"])) != nil)
            #expect(refusal(rsaJWK.merging(["kid": 5])) != nil)
            #expect(refusal(["kty": "OKP", "crv": "X25519", "x": "AAAA"]) != nil)
            let k = JSONValue.string(TestIdentityProvider.base64URL([UInt8](repeating: 1, count: 32)))
            #expect(refusal(["kty": "oct", "alg": "HS256", "k": k]) != nil) // not inline
            #expect(refusal(["kty": "oct", "alg": "HS256", "k": k], inline: true) == nil)
            #expect(refusal(["kty": "oct", "k": k], inline: true) != nil) // no alg
            #expect(refusal(["kty": "oct", "alg": "HS384", "k": k], inline: true) != nil) // shorter than the hash
            let short = JSONValue.string(TestIdentityProvider.base64URL([UInt8](repeating: 1, count: 16)))
            #expect(refusal(["kty": "oct", "alg": "HS256", "k": short], inline: true) != nil)
        }
    }

    @Test("Inline keys: RSA and HS256 (oct, inline only) verify without any fetch; a token without kid needs exactly one key")
    func inlineKeys() async throws {
        try await Self.withIdP { f in
            let rsa = f.idp.key("RS256")
            let secret = (0..<32).map { UInt8($0) }
            let oct: JSONObject = ["kty": "oct", "kid": "shared", "alg": "HS256", "k": .string(TestIdentityProvider.base64URL(secret))]
            let weakOct: JSONObject = ["kty": "oct", "kid": "weak", "alg": "HS256", "k": .string(TestIdentityProvider.base64URL(secret[0..<16]))]
            let settings = JWTValidationSettings(
                inlineKeys: [
                    JSONValue.object(rsa.publicJWK).jsonString, JSONValue.object(oct).jsonString, JSONValue.object(weakOct).jsonString, "{not json",
                ],
                audiences: [TestIdentityProvider.defaultAudience], issuers: [f.idp.issuer],
                allowedAlgorithms: JWTValidationSettings.defaultAlgorithms + ["HS256"])
            let validator = f.validator(settings)
            Self.accepted(await validator.validate(authorization: Self.bearer(f.mint())))
            Self.accepted(await validator.validate(authorization: Self.bearer(f.mint(omitKid: true))))
            let hs = TestIdentityProvider.compact(header: ["alg": "HS256", "kid": "shared", "typ": "at+jwt"], claims: f.claims()) {
                TestIdentityProvider.hmac("HS256", key: secret, $0)
            }
            Self.accepted(await validator.validate(authorization: Self.bearer(hs)))
            let hsWeak = TestIdentityProvider.compact(header: ["alg": "HS256", "kid": "weak"], claims: f.claims()) {
                TestIdentityProvider.hmac("HS256", key: Array(secret[0..<16]), $0)
            }
            Self.rejected(await validator.validate(authorization: Self.bearer(hsWeak)), status: 401, containing: "unknown signing key")
            let unknown = f.mint(kid: "nope")
            Self.rejected(await validator.validate(authorization: Self.bearer(unknown)), status: 401, containing: "unknown signing key 'nope'")
            #expect(f.idp.totalHits == 0)
            #expect(f.logs.text.contains("not valid JSON"))

            // Two keys usable for RS256 and a token without kid: no key is guessed.
            let two = JWTValidationSettings(
                inlineKeys: [rsa.publicJWK, f.idp.key("PS256").publicJWK.merging(["alg": "RS256", "kid": "second"])].map {
                    JSONValue.object($0).jsonString
                },
                audiences: [TestIdentityProvider.defaultAudience], issuers: [f.idp.issuer])
            let ambiguous = f.mint(omitKid: true)
            Self.rejected(await f.validator(two).validate(authorization: Self.bearer(ambiguous)), status: 401, containing: "more than one")
        }
    }
}

extension JSONObject {
    /// This object with `other`'s entries set over it.
    func merging(_ other: JSONObject) -> JSONObject {
        var out = self
        for (k, v) in other { out[k] = v }
        return out
    }
}
