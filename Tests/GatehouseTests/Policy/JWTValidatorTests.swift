import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import Synchronization
import Testing

@testable import GatewayEngine

/// `validate-jwt`: the validator and its key cache against a real identity provider on 127.0.0.1, with real RS256,
/// PS256, ES256, ES384 and EdDSA keys. Time moves through the injected clock; nothing sleeps.
@Suite struct JWTValidatorTests {
    /// One client for every test's fetcher (never shut down; it lives as long as the test process).
    static let client = HTTPJWKSFetcher.makeHTTPClient()

    /// A clock the test moves by hand.
    final class Clock: Sendable {
        private let current = Mutex(Date())
        var now: Date { current.withLock { $0 } }
        func advance(_ seconds: TimeInterval) { current.withLock { $0 += seconds } }
    }

    /// Keeps every log message (with metadata) so tests can check what was, and was not, logged.
    final class LogCapture: Sendable {
        let lines = Mutex<[String]>([])
        var text: String { lines.withLock { $0.joined(separator: "\n") } }
        var logger: Logger {
            var logger = Logger(label: "jwt-test") { _ in Handler(capture: self) }
            logger.logLevel = .trace
            return logger
        }

        struct Handler: LogHandler {
            let capture: LogCapture
            var logLevel: Logger.Level = .trace
            var metadata: Logger.Metadata = [:]
            subscript(metadataKey key: String) -> Logger.Metadata.Value? {
                get { metadata[key] }
                set { metadata[key] = newValue }
            }
            func log(event: LogEvent) {
                let extra = (event.metadata ?? [:]).merging(metadata) { a, _ in a }
                let line = "\(event.level) \(event.message) " + extra.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
                capture.lines.withLock { $0.append(line) }
            }
        }
    }

    /// An identity provider, a clock, a log capture and a validator pointed at the provider's discovery document.
    struct Fixture {
        let idp: TestIdentityProvider
        let clock = Clock()
        let logs = LogCapture()
        var settings: JWTValidationSettings

        init(idp: TestIdentityProvider) {
            self.idp = idp
            settings = JWTValidationSettings(
                openIDConfigURL: idp.openIDConfigURL, audiences: [TestIdentityProvider.defaultAudience], allowPrivateNetwork: true)
        }

        func validator(_ settings: JWTValidationSettings? = nil) -> JWTValidator {
            JWTValidator(
                settings: settings ?? self.settings, fetcher: HTTPJWKSFetcher(client: JWTValidatorTests.client), logger: logs.logger,
                now: { [clock] in clock.now })
        }

        /// The claims of a valid token, for hand-made tokens.
        func claims(_ extra: JSONObject = [:]) -> JSONObject {
            let now = Int64(clock.now.timeIntervalSince1970)
            var claims: JSONObject = [
                "iss": .string(idp.issuer), "sub": "user-1", "aud": .string(TestIdentityProvider.defaultAudience),
                "iat": .int(now), "exp": .int(now + 300),
            ]
            for (k, v) in extra { claims[k] = v }
            return claims
        }

        func mint(
            scopes: [String] = [], expiresIn: TimeInterval? = 300, audience: String? = TestIdentityProvider.defaultAudience,
            extraClaims: JSONObject = [:], algorithm: String = "RS256", kid: String? = nil, omitKid: Bool = false,
            header: JSONObject = [:], omittingClaims: Set<String> = [], signingKey: TestSigningKey? = nil
        ) -> String {
            idp.mint(
                audience: audience, scopes: scopes, expiresIn: expiresIn, extraClaims: extraClaims, algorithm: algorithm, kid: kid,
                omitKid: omitKid, header: header, omittingClaims: omittingClaims, signingKey: signingKey, now: clock.now)
        }
    }

    static func withIdP(_ body: (inout Fixture) async throws -> Void) async throws {
        let idp = try await TestIdentityProvider.start()
        defer { idp.stop() }
        var fixture = Fixture(idp: idp)
        try await body(&fixture)
    }

    // MARK: Assertions

    @discardableResult
    static func accepted(
        _ result: Result<JWTPrincipal, JWTRejection>, sourceLocation: SourceLocation = #_sourceLocation
    ) -> JWTPrincipal? {
        switch result {
        case .success(let principal): return principal
        case .failure(let rejection):
            Issue.record("expected the token to be accepted, got \(rejection)", sourceLocation: sourceLocation)
            return nil
        }
    }

    /// Expects a rejection and checks its description is short and echoes nothing of the token.
    @discardableResult
    static func rejected(
        _ result: Result<JWTPrincipal, JWTRejection>, status: Int, error: String? = "invalid_token", token: String? = nil,
        containing fragment: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) -> JWTRejection? {
        guard case .failure(let rejection) = result else {
            Issue.record("expected a \(status) rejection, the token was accepted", sourceLocation: sourceLocation)
            return nil
        }
        #expect(rejection.status == status, "\(rejection)", sourceLocation: sourceLocation)
        #expect(rejection.error == error, "\(rejection)", sourceLocation: sourceLocation)
        #expect(rejection.description.count <= 100, "\(rejection.description)", sourceLocation: sourceLocation)
        #expect(rejection.description.unicodeScalars.allSatisfy { (0x20...0x7E).contains($0.value) }, sourceLocation: sourceLocation)
        if let fragment { #expect(rejection.description.contains(fragment), "\(rejection.description)", sourceLocation: sourceLocation) }
        if let token {
            for segment in token.split(separator: ".") where segment.count >= 8 {
                #expect(!rejection.description.contains(segment), sourceLocation: sourceLocation)
            }
        }
        return rejection
    }

    static func bearer(_ token: String) -> String { "Bearer " + token }

    /// Fails when any log line holds any part of `token` longer than 12 characters.
    static func expectNotLogged(_ token: String, in logs: LogCapture, sourceLocation: SourceLocation = #_sourceLocation) {
        let text = logs.text
        for segment in token.split(separator: ".") where segment.count > 12 {
            #expect(!text.contains(segment), "a log line holds part of a token", sourceLocation: sourceLocation)
        }
    }
}

// MARK: - A3, A4, A5: valid tokens, audience, time

extension JWTValidatorTests {
    @Test("A3: valid RS256, PS256, ES256, ES384 and EdDSA tokens are accepted, with their principal")
    func validTokens() async throws {
        try await Self.withIdP { f in
            let validator = f.validator()
            for alg in ["RS256", "ES256", "PS256", "ES384", "EdDSA"] {
                let token = f.mint(scopes: ["pets:read", "pets:write"], algorithm: alg)
                let principal = Self.accepted(await validator.validate(authorization: Self.bearer(token)))
                #expect(principal?.subject == "user-1", "\(alg)")
                #expect(principal?.issuer == f.idp.issuer)
                #expect(principal?.scopes == ["pets:read", "pets:write"])
                #expect(principal?.claims["client_id"] == .string(TestIdentityProvider.clientID))
                let exp = Double(Int64(f.clock.now.timeIntervalSince1970) + 300)
                #expect(principal?.expiresAt == Date(timeIntervalSince1970: exp))
            }
            // One discovery fetch and one key-set fetch served all five.
            #expect(f.idp.hits("/.well-known/openid-configuration") == 1)
            #expect(f.idp.hits("/jwks.json") == 1)
            // Scheme case-insensitive, extra spaces and a tab tolerated.
            let token = f.mint()
            for header in ["bearer " + token, "BEARER " + token, "Bearer    " + token, "Bearer\t" + token, "  Bearer " + token + " "] {
                Self.accepted(await validator.validate(authorization: header))
            }
        }
    }

    @Test("A4: wrong audience, missing audience and an audience array without us are refused")
    func audience() async throws {
        try await Self.withIdP { f in
            let validator = f.validator()
            let wrong = f.mint(audience: "https://other.example/mcp")
            Self.rejected(await validator.validate(authorization: Self.bearer(wrong)), status: 401, token: wrong, containing: "aud")
            let missing = f.mint(audience: nil)
            Self.rejected(await validator.validate(authorization: Self.bearer(missing)), status: 401, token: missing, containing: "aud")
            let arrayWithout = f.mint(extraClaims: ["aud": ["https://a.example", "https://b.example"]])
            Self.rejected(await validator.validate(authorization: Self.bearer(arrayWithout)), status: 401, containing: "aud")
            let notStrings = f.mint(extraClaims: ["aud": [1, .object(["x": .string(TestIdentityProvider.defaultAudience)])]])
            Self.rejected(await validator.validate(authorization: Self.bearer(notStrings)), status: 401)
            let arrayWith = f.mint(extraClaims: ["aud": ["https://a.example", .string(TestIdentityProvider.defaultAudience)]])
            Self.accepted(await validator.validate(authorization: Self.bearer(arrayWith)))
        }
    }

    @Test("A5: expired, nbf in the future and iat in the future are refused; exp and nbf within the skew are accepted")
    func timeClaims() async throws {
        try await Self.withIdP { f in
            let strict = f.validator()
            let now = Int64(f.clock.now.timeIntervalSince1970)
            let expired = f.mint(extraClaims: ["exp": .int(now - 1)])
            Self.rejected(await strict.validate(authorization: Self.bearer(expired)), status: 401, containing: "expired")
            let expiringNow = f.mint(extraClaims: ["exp": .int(now)])
            Self.rejected(await strict.validate(authorization: Self.bearer(expiringNow)), status: 401, containing: "expired")
            let notYet = f.mint(extraClaims: ["nbf": .int(now + 120)])
            Self.rejected(await strict.validate(authorization: Self.bearer(notYet)), status: 401, containing: "nbf")
            let future = f.mint(extraClaims: ["iat": .int(now + 120)])
            Self.rejected(await strict.validate(authorization: Self.bearer(future)), status: 401, containing: "iat")
            let noExp = f.mint(expiresIn: nil)
            Self.rejected(await strict.validate(authorization: Self.bearer(noExp)), status: 401, containing: "exp")
            let textExp = f.mint(extraClaims: ["exp": .string("\(now + 300)")])
            Self.rejected(await strict.validate(authorization: Self.bearer(textExp)), status: 401, containing: "exp")

            var lenient = f.settings
            lenient.clockSkew = 60
            lenient.requireExpirationTime = false
            let skewed = f.validator(lenient)
            let justExpired = f.mint(extraClaims: ["exp": .int(now - 30)])
            Self.accepted(await skewed.validate(authorization: Self.bearer(justExpired)))
            let nbfSoon = f.mint(extraClaims: ["nbf": .int(now + 30), "iat": .int(now + 30)])
            Self.accepted(await skewed.validate(authorization: Self.bearer(nbfSoon)))
            Self.accepted(await skewed.validate(authorization: Self.bearer(noExp)))
            let longExpired = f.mint(extraClaims: ["exp": .int(now - 61)])
            Self.rejected(await skewed.validate(authorization: Self.bearer(longExpired)), status: 401, containing: "expired")
            let nbfLater = f.mint(extraClaims: ["nbf": .int(now + 61)])
            Self.rejected(await skewed.validate(authorization: Self.bearer(nbfLater)), status: 401, containing: "nbf")
            // Moving the clock past exp + skew refuses a token accepted before.
            f.clock.advance(31)
            Self.rejected(await skewed.validate(authorization: Self.bearer(justExpired)), status: 401, containing: "expired")
        }
    }
}

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
            settings.allowedAlgorithms.append("none")  // even listed, none is refused
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
            guard case .rsa(let material) = rsa.material else { Issue.record("not an RSA key"); return }
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
            var rsaJWK = rsaNoAlg.publicJWK, ecJWK = ecNoAlg.publicJWK
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
            #expect(refusal(["kty": "oct", "alg": "HS256", "k": k]) != nil)  // not inline
            #expect(refusal(["kty": "oct", "alg": "HS256", "k": k], inline: true) == nil)
            #expect(refusal(["kty": "oct", "k": k], inline: true) != nil)  // no alg
            #expect(refusal(["kty": "oct", "alg": "HS384", "k": k], inline: true) != nil)  // shorter than the hash
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
                inlineKeys: [JSONValue.object(rsa.publicJWK).jsonString, JSONValue.object(oct).jsonString, JSONValue.object(weakOct).jsonString, "{not json"],
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
                inlineKeys: [rsa.publicJWK, f.idp.key("PS256").publicJWK.merging(["alg": "RS256", "kid": "second"])].map { JSONValue.object($0).jsonString },
                audiences: [TestIdentityProvider.defaultAudience], issuers: [f.idp.issuer])
            let ambiguous = f.mint(omitKid: true)
            Self.rejected(await f.validator(two).validate(authorization: Self.bearer(ambiguous)), status: 401, containing: "more than one")
        }
    }
}

fileprivate extension JSONObject {
    /// This object with `other`'s entries set over it.
    func merging(_ other: JSONObject) -> JSONObject {
        var out = self
        for (k, v) in other { out[k] = v }
        return out
    }
}

// MARK: - A10–A13: key set refresh, hostile headers, outages

extension JWTValidatorTests {
    @Test("A10: an unknown kid after rotation causes one refresh and succeeds; a flood of random kids causes at most one fetch per 5 min")
    func rotationAndKidFlood() async throws {
        try await Self.withIdP { f in
            let validator = f.validator()
            Self.accepted(await validator.validate(authorization: Self.bearer(f.mint())))
            #expect(f.idp.hits("/jwks.json") == 1)
            f.idp.rotateKeys()
            let rotated = f.mint()
            Self.accepted(await validator.validate(authorization: Self.bearer(rotated)))
            #expect(f.idp.hits("/jwks.json") == 2)
            #expect(f.idp.hits("/.well-known/openid-configuration") == 1)  // the discovery document is cached

            // Within 5 min of that refresh: 50 random kids fetch nothing.
            for _ in 0..<50 {
                let token = f.mint(kid: "random-" + UUID().uuidString)
                Self.rejected(await validator.validate(authorization: Self.bearer(token)), status: 401, containing: "unknown signing key")
            }
            #expect(f.idp.hits("/jwks.json") == 2)
            // After 5 min: 50 more random kids fetch once.
            f.clock.advance(301)
            for _ in 0..<50 {
                let token = f.mint(kid: "random-" + UUID().uuidString)
                Self.rejected(await validator.validate(authorization: Self.bearer(token)), status: 401, containing: "unknown signing key")
            }
            #expect(f.idp.hits("/jwks.json") == 3)
            // Known keys keep working throughout.
            Self.accepted(await validator.validate(authorization: Self.bearer(f.mint(algorithm: "ES256"))))
        }
    }

    @Test("A11: hostile kids (path traversal, SQL, 10 KB, control characters) are refused with a bounded description")
    func hostileKids() async throws {
        try await Self.withIdP { f in
            let validator = f.validator()
            let long = String(repeating: "A", count: 10 * 1024)
            let kids = ["../../etc/passwd", "' OR 1=1 --", long, String(repeating: "k", count: 257), "kid\u{0}\r\nX-Injected: 1", "ключ", "\"quoted\\"]
            for kid in kids {
                let token = f.mint(kid: kid)
                let rejection = Self.rejected(await validator.validate(authorization: Self.bearer(token)), status: 401, token: token)
                #expect((rejection?.description.count ?? 0) <= 80)
                if kid.count > 40 { #expect(rejection?.description.contains(String(repeating: kid.first!, count: 41)) == false) }
            }
            // The echoed kid is at most 40 characters and carries no quotes or backslashes.
            #expect(JWTRejection.echo(long).count == 40)
            #expect(JWTRejection.echo("\"quoted\\") == "?quoted?")
            #expect(JWTRejection.echo("kid\u{0}\r\n") == "kid???")
            #expect(f.idp.hits("/jwks.json") <= 2)
            #expect(!f.logs.text.contains(long))
        }
    }

    @Test("A12: jku, x5u, jwk and x5c headers pointing at another listener are ignored: it gets no request")
    func keyURLHeadersIgnored() async throws {
        try await Self.withIdP { f in
            let attacker = try await TestIdentityProvider.start()
            defer { attacker.stop() }
            let evil = f.idp.unpublishedKey(alg: "RS256", kid: "evil")
            let headers: [JSONObject] = [
                ["jku": .string(attacker.jwksURL)], ["x5u": .string(attacker.issuer + "/cert.pem")], ["jwk": .object(evil.publicJWK)],
                ["x5c": ["MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"]],
                ["jku": .string(attacker.jwksURL), "x5u": .string(attacker.issuer + "/x5u"), "jwk": .object(evil.publicJWK)],
            ]
            let validator = f.validator()
            for header in headers {
                // Signed by the attacker's key, under its own kid and under the real kid.
                let own = f.mint(header: header, signingKey: evil)
                Self.rejected(await validator.validate(authorization: Self.bearer(own)), status: 401, containing: "unknown signing key")
                let realKid = f.mint(kid: f.idp.key("RS256").kid, header: header, signingKey: evil)
                Self.rejected(await validator.validate(authorization: Self.bearer(realKid)), status: 401, containing: "signature")
                // A genuine token with such a header is accepted: the header is simply ignored.
                Self.accepted(await validator.validate(authorization: Self.bearer(f.mint(header: header))))
            }
            #expect(attacker.totalHits == 0)
        }
    }

    @Test("A13a: identity provider down at start → 503 \"signing keys unavailable\", logged with the URL; recovers after the back-off")
    func idpDownAtStart() async throws {
        try await Self.withIdP { f in
            f.idp.setFailing(true)
            let validator = f.validator()
            let token = f.mint()
            let rejection = Self.rejected(await validator.validate(authorization: Self.bearer(token)), status: 503, error: nil)
            #expect(rejection?.description == "signing keys unavailable")
            #expect(f.logs.text.contains(f.idp.openIDConfigURL))
            #expect(f.idp.hits("/.well-known/openid-configuration") == 1)
            // Within the 30 s back-off no new fetch is made.
            f.idp.setFailing(false)
            Self.rejected(await validator.validate(authorization: Self.bearer(token)), status: 503, error: nil)
            #expect(f.idp.hits("/.well-known/openid-configuration") == 1)
            f.clock.advance(31)
            Self.accepted(await validator.validate(authorization: Self.bearer(token)))
            Self.expectNotLogged(token, in: f.logs)
        }
    }

    @Test("A13b: identity provider down later → last-good keys keep validating for up to 24 h, then 503")
    func idpDownLater() async throws {
        try await Self.withIdP { f in
            let validator = f.validator()
            Self.accepted(await validator.validate(authorization: Self.bearer(f.mint())))
            f.idp.setFailing(true)
            f.clock.advance(2 * 3600)
            Self.accepted(await validator.validate(authorization: Self.bearer(f.mint())))
            await validator.keys.settle()
            #expect(f.idp.hits("/.well-known/openid-configuration") == 2)
            #expect(f.idp.hits("/jwks.json") == 2)
            #expect(f.logs.text.contains(f.idp.jwksURL))
            // The failure starts a 30 s back-off: the next requests fetch nothing and still validate.
            for _ in 0..<5 { Self.accepted(await validator.validate(authorization: Self.bearer(f.mint(algorithm: "ES256")))) }
            #expect(f.idp.hits("/jwks.json") == 2)
            f.clock.advance(21 * 3600)  // 23 h after the last good fetch
            Self.accepted(await validator.validate(authorization: Self.bearer(f.mint())))
            await validator.keys.settle()
            #expect(f.idp.hits("/jwks.json") == 3)
            f.clock.advance(3600 + 1)  // more than 24 h after the last good fetch
            let late = f.mint()
            Self.rejected(await validator.validate(authorization: Self.bearer(late)), status: 503, error: nil, containing: "signing keys unavailable")
            // The identity provider comes back: keys are fetched again (after the back-off).
            f.idp.setFailing(false)
            f.clock.advance(31)
            Self.accepted(await validator.validate(authorization: Self.bearer(f.mint())))
        }
    }

    @Test("Keys and the discovery document are cached for 1 h, then refreshed in the background")
    func keysCachedForAnHour() async throws {
        try await Self.withIdP { f in
            let validator = f.validator()
            Self.accepted(await validator.validate(authorization: Self.bearer(f.mint())))
            f.clock.advance(59 * 60)
            Self.accepted(await validator.validate(authorization: Self.bearer(f.mint())))
            await validator.keys.settle()
            #expect(f.idp.hits("/jwks.json") == 1)
            f.clock.advance(2 * 60)
            Self.accepted(await validator.validate(authorization: Self.bearer(f.mint())))
            await validator.keys.settle()
            #expect(f.idp.hits("/jwks.json") == 2)
            #expect(f.idp.hits("/.well-known/openid-configuration") == 2)
        }
    }

    @Test("Concurrent cold validations share one discovery fetch and one key-set fetch")
    func noStampede() async throws {
        try await Self.withIdP { f in
            let validator = f.validator()
            let tokens = (0..<40).map { i in f.mint(algorithm: i % 2 == 0 ? "RS256" : "ES256") }
            let results = await withTaskGroup(of: Bool.self) { group in
                for token in tokens {
                    group.addTask { if case .success = await validator.validate(authorization: Self.bearer(token)) { true } else { false } }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(results.count == 40 && results.allSatisfy { $0 })
            #expect(f.idp.hits("/.well-known/openid-configuration") == 1)
            #expect(f.idp.hits("/jwks.json") == 1)
        }
    }
}

// MARK: - A15–A17 and other token checks

extension JWTValidatorTests {
    @Test("A15: an ID token (typ JWT, aud = client id) is refused")
    func idToken() async throws {
        try await Self.withIdP { f in
            let validator = f.validator()
            let now = Int64(f.clock.now.timeIntervalSince1970)
            let token = f.mint(
                audience: TestIdentityProvider.clientID, extraClaims: ["nonce": "n-0S6_WzA2Mj", "auth_time": .int(now), "azp": .string(TestIdentityProvider.clientID)],
                header: ["typ": "JWT"])
            Self.rejected(await validator.validate(authorization: Self.bearer(token)), status: 401, token: token, containing: "aud")
        }
    }

    @Test("A16: a missing scope answers 403 insufficient_scope with the missing scopes; scope and scp both count")
    func scopes() async throws {
        try await Self.withIdP { f in
            var settings = f.settings
            settings.requiredScopes = ["pets:read", "pets:write"]
            let validator = f.validator(settings)
            let partial = f.mint(scopes: ["pets:read", "other"])
            let rejection = Self.rejected(await validator.validate(authorization: Self.bearer(partial)), status: 403, error: "insufficient_scope")
            #expect(rejection?.missingScopes == ["pets:write"])
            let none = f.mint()
            #expect(Self.rejected(await validator.validate(authorization: Self.bearer(none)), status: 403, error: "insufficient_scope")?.missingScopes == ["pets:read", "pets:write"])
            Self.accepted(await validator.validate(authorization: Self.bearer(f.mint(scopes: ["pets:write", "pets:read"]))))
            Self.accepted(await validator.validate(authorization: Self.bearer(f.mint(extraClaims: ["scp": ["pets:read", "pets:write"]]))))
            Self.accepted(await validator.validate(authorization: Self.bearer(f.mint(extraClaims: ["scp": "pets:read  pets:write"]))))
            Self.accepted(await validator.validate(authorization: Self.bearer(f.mint(scopes: ["pets:read"], extraClaims: ["scp": ["pets:write"]]))))
            // A repeated (cached) token is still checked for scopes.
            #expect(Self.rejected(await validator.validate(authorization: Self.bearer(partial)), status: 403, error: "insufficient_scope")?.missingScopes == ["pets:write"])
        }
    }

    @Test("A17: malformed Authorization headers answer 400 or 401, never crash")
    func malformedHeaders() async throws {
        try await Self.withIdP { f in
            let validator = f.validator()
            let token = f.mint()
            let missing = Self.rejected(await validator.validate(authorization: nil), status: 401, error: nil)
            #expect(missing?.description == "bearer token required")
            Self.rejected(await validator.validate(authorization: "Basic dXNlcjpwYXNz"), status: 401, error: nil, containing: "bearer token required")
            Self.rejected(await validator.validate(authorization: token), status: 401, error: nil)  // no scheme
            Self.rejected(await validator.validate(authorization: "Bearer" + token), status: 401, error: nil)
            for header in ["Bearer \(token), Bearer \(token)", "Bearer \(token) \(token)", "Bearer a,b"] {
                Self.rejected(await validator.validate(authorization: header), status: 400, error: "invalid_request", token: token)
            }
            for header in ["", "   ", "Bearer", "Bearer   ", "bearer\t"] {
                Self.rejected(await validator.validate(authorization: header), status: 400, error: "invalid_request")
            }
            let huge = String(repeating: "a", count: 50 * 1024) + "." + String(repeating: "b", count: 50 * 1024) + ".c"
            Self.rejected(await validator.validate(authorization: Self.bearer(huge)), status: 401, containing: "8192")
            let parts = token.split(separator: ".").map(String.init)
            let encode = { (text: String) in TestIdentityProvider.base64URL(Array(text.utf8)) }
            let malformed = [
                parts[0] + "." + parts[1],  // two segments
                token + "." + parts[2],  // four segments
                parts[0] + ".." + parts[2],  // empty payload
                "." + parts[1] + "." + parts[2],  // empty header
                "..", "a.b.c",
                parts[0] + "." + parts[1] + "." + parts[2] + "=",  // padding
                "x" + parts[0] + "." + parts[1] + "." + parts[2],  // header not base64url (length)
                encode("not json") + "." + parts[1] + "." + parts[2],
                encode("[\"alg\",\"RS256\"]") + "." + parts[1] + "." + parts[2],
                encode(#"{"alg":"RS256","alg":"none"}"#) + "." + parts[1] + "." + parts[2],  // duplicate key
                encode(#"{"alg":"RS256"}"#) + "." + encode("{\"sub\":") + "." + parts[2],
                encode(#"{"alg":"RS256"}"#) + "." + encode("12") + "." + parts[2],
                parts[0] + "." + parts[1] + "." + "%%%",
                parts[0] + "." + parts[1] + "/" + "." + parts[2],
                parts[0] + "." + parts[1] + "." + parts[2] + "\u{7F}",
                parts[0] + "." + parts[1] + "." + "é",
            ]
            for candidate in malformed {
                Self.rejected(await validator.validate(authorization: Self.bearer(candidate)), status: 401, token: candidate)
            }
            Self.accepted(await validator.validate(authorization: Self.bearer(token)))
        }
    }

    @Test("JOSE header: typ must be at+jwt or JWT, crit is refused, alg and kid must be well-formed")
    func joseHeader() async throws {
        try await Self.withIdP { f in
            let validator = f.validator()
            for typ in ["at+jwt", "AT+JWT", "application/at+jwt", "JWT", "jwt"] {
                Self.accepted(await validator.validate(authorization: Self.bearer(f.mint(header: ["typ": .string(typ)]))))
            }
            let untyped = TestIdentityProvider.compact(header: ["alg": "RS256", "kid": .string(f.idp.key("RS256").kid)], claims: f.claims()) {
                f.idp.key("RS256").sign($0)
            }
            Self.accepted(await validator.validate(authorization: Self.bearer(untyped)))
            for typ: JSONValue in ["id_token+jwt", "JWS", "application/jwt", 1, .null] {
                let token = f.mint(header: ["typ": typ])
                Self.rejected(await validator.validate(authorization: Self.bearer(token)), status: 401, containing: "type")
            }
            Self.rejected(await validator.validate(authorization: Self.bearer(f.mint(header: ["crit": ["exp"], "exp": 1]))), status: 401, containing: "crit")
            Self.rejected(await validator.validate(authorization: Self.bearer(f.mint(header: ["kid": 42]))), status: 401, containing: "kid")
            Self.rejected(await validator.validate(authorization: Self.bearer(f.mint(header: ["alg": 256]))), status: 401, containing: "alg")
            let noAlg = TestIdentityProvider.compact(header: ["typ": "at+jwt", "kid": .string(f.idp.key("RS256").kid)], claims: f.claims()) {
                f.idp.key("RS256").sign($0)
            }
            Self.rejected(await validator.validate(authorization: Self.bearer(noAlg)), status: 401, containing: "alg")
            // Without a kid, the single key published for the algorithm is used; with two, none is.
            Self.accepted(await validator.validate(authorization: Self.bearer(f.mint(algorithm: "ES256", omitKid: true))))
            f.idp.rotateKeys(keepingOld: true)
            let fresh = f.validator()
            let noKid = f.mint(algorithm: "ES256", omitKid: true)
            Self.rejected(await fresh.validate(authorization: Self.bearer(noKid)), status: 401, containing: "more than one")
        }
    }

    @Test("Issuer: exact match with the configured issuers, or the discovery document's issuer")
    func issuer() async throws {
        try await Self.withIdP { f in
            let discovered = f.validator()
            Self.accepted(await discovered.validate(authorization: Self.bearer(f.mint())))
            for iss: JSONValue in ["https://evil.example", .string(f.idp.issuer + "/"), .string(f.idp.issuer.uppercased()), 7] {
                let token = f.mint(extraClaims: ["iss": iss])
                Self.rejected(await discovered.validate(authorization: Self.bearer(token)), status: 401, containing: "iss")
            }
            Self.rejected(await discovered.validate(authorization: Self.bearer(f.mint(omittingClaims: ["iss"]))), status: 401, containing: "iss")

            var configured = f.settings
            configured.openIDConfigURL = nil
            configured.jwksURI = f.idp.jwksURL
            configured.issuers = ["https://idp-a.example", f.idp.issuer]
            Self.accepted(await f.validator(configured).validate(authorization: Self.bearer(f.mint())))
            configured.issuers = ["https://idp-a.example"]
            Self.rejected(await f.validator(configured).validate(authorization: Self.bearer(f.mint())), status: 401, containing: "issuer")

            // A discovery document may only name the issuer it is published under.
            #expect(JWKSCache.issuer("https://idp.example", matchesDiscoveryURL: "https://idp.example/.well-known/openid-configuration"))
            #expect(JWKSCache.issuer("https://idp.example/", matchesDiscoveryURL: "https://idp.example/.well-known/openid-configuration"))
            #expect(JWKSCache.issuer("https://idp.example/t/1", matchesDiscoveryURL: "https://idp.example/t/1/.well-known/openid-configuration"))
            #expect(JWKSCache.issuer("https://idp.example/t/1", matchesDiscoveryURL: "https://idp.example/.well-known/oauth-authorization-server/t/1"))
            #expect(!JWKSCache.issuer("https://evil.example", matchesDiscoveryURL: "https://idp.example/.well-known/openid-configuration"))
            #expect(!JWKSCache.issuer("https://idp.example/t/2", matchesDiscoveryURL: "https://idp.example/t/1/.well-known/openid-configuration"))
        }
    }

    @Test("Required claims: presence, all values, any value, separator-split strings")
    func requiredClaims() async throws {
        try await Self.withIdP { f in
            var settings = f.settings
            settings.requiredClaims = [
                .init(name: "tenant"),
                .init(name: "roles", values: ["admin", "ops"], matchAll: true),
                .init(name: "groups", values: ["blue", "green"], matchAll: false, separator: " "),
            ]
            let validator = f.validator(settings)
            let good: JSONObject = ["tenant": "t1", "roles": ["ops", "admin", "x"], "groups": "red green"]
            Self.accepted(await validator.validate(authorization: Self.bearer(f.mint(extraClaims: good))))
            let cases: [(JSONObject, String)] = [
                (good.merging(["tenant": .null]), "tenant"),
                (["roles": ["ops", "admin"], "groups": "blue"], "tenant"),
                (good.merging(["roles": ["admin"]]), "roles"),
                (good.merging(["roles": "admin ops"]), "roles"),  // no separator: one value
                (good.merging(["groups": "red yellow"]), "groups"),
                (good.merging(["groups": ["red", "bluegreen"]]), "groups"),
            ]
            for (claims, name) in cases {
                let token = f.mint(extraClaims: claims)
                Self.rejected(await validator.validate(authorization: Self.bearer(token)), status: 401, containing: name)
            }
            Self.accepted(await validator.validate(authorization: Self.bearer(f.mint(extraClaims: good.merging(["groups": ["blue"]])))))
        }
    }
}

// MARK: - SSRF, fetch limits, the verified-token cache, logging

extension JWTValidatorTests {
    @Test("SSRF: an identity provider on 127.0.0.1 without allowPrivateNetwork → 503 and no request reaches it")
    func ssrfGuard() async throws {
        try await Self.withIdP { f in
            for settings in [
                JWTValidationSettings(openIDConfigURL: f.idp.openIDConfigURL, audiences: [TestIdentityProvider.defaultAudience]),
                JWTValidationSettings(jwksURI: f.idp.jwksURL, audiences: [TestIdentityProvider.defaultAudience], issuers: [f.idp.issuer]),
            ] {
                let token = f.mint()
                Self.rejected(await f.validator(settings).validate(authorization: Self.bearer(token)), status: 503, error: nil)
            }
            #expect(f.idp.totalHits == 0)
            #expect(f.logs.text.contains("loopback"))
            #expect(f.logs.text.contains(f.idp.jwksURL))
        }
    }

    @Test("The fetcher: https unless private networks are allowed, no redirects, 1 MiB cap, JSON only")
    func fetcherRules() async throws {
        // Plain http to a public address is refused whatever allowPrivateNetwork says; loopback needs the opt-in.
        for allow in [false, true] {
            await #expect(throws: GatewayError.self) { try await HTTPJWKSFetcher.checkAddress("http://93.184.216.34/jwks.json", allowPrivateNetwork: allow) }
        }
        await #expect(throws: GatewayError.self) { try await HTTPJWKSFetcher.checkAddress("http://127.0.0.1:9/jwks.json", allowPrivateNetwork: false) }
        await #expect(throws: GatewayError.self) { try await HTTPJWKSFetcher.checkAddress("https://127.0.0.1:9/jwks.json", allowPrivateNetwork: false) }
        await #expect(throws: GatewayError.self) { try await HTTPJWKSFetcher.checkAddress("file:///etc/passwd", allowPrivateNetwork: true) }
        try await HTTPJWKSFetcher.checkAddress("http://127.0.0.1:9/jwks.json", allowPrivateNetwork: true)
        try await HTTPJWKSFetcher.checkAddress("https://93.184.216.34/jwks.json", allowPrivateNetwork: false)

        try await Self.withIdP { f in
            let other = try await TestIdentityProvider.start()
            defer { other.stop() }
            let fetcher = HTTPJWKSFetcher(client: Self.client)
            // A redirect is not followed, so the target gets nothing.
            f.idp.redirectJWKS(to: other.jwksURL)
            await #expect(throws: GatewayError.self) { try await fetcher.fetchJSON(f.idp.jwksURL, allowPrivateNetwork: true) }
            let token = f.mint()
            Self.rejected(await f.validator().validate(authorization: Self.bearer(token)), status: 503, error: nil)
            #expect(other.totalHits == 0)
            f.idp.redirectJWKS(to: nil)
            // Over 1 MiB is refused.
            f.idp.replaceJWKSDocument(with: .object(["keys": [], "padding": .string(String(repeating: "x", count: 1024 * 1024))]))
            await #expect(throws: GatewayError.self) { try await fetcher.fetchJSON(f.idp.jwksURL, allowPrivateNetwork: true) }
            // An empty key set counts as a failed fetch.
            f.idp.replaceJWKSDocument(with: .object(["keys": []]))
            Self.rejected(await f.validator().validate(authorization: Self.bearer(token)), status: 503, error: nil)
            f.idp.replaceJWKSDocument(with: nil)
            let document = try await fetcher.fetchJSON(f.idp.jwksURL, allowPrivateNetwork: true)
            #expect(document["keys"]?.arrayValue?.count == 5)
            // Not JSON (the 404 body is JSON, but a 404 is a failure anyway).
            await #expect(throws: GatewayError.self) { try await fetcher.fetchJSON(f.idp.issuer + "/missing", allowPrivateNetwork: true) }
        }
    }

    @Test("Verified-token cache: a repeated token skips verification, still honours exp, and lives at most 5 min")
    func verifiedTokenCache() async throws {
        try await Self.withIdP { f in
            let validator = f.validator()
            let token = f.mint(expiresIn: 120)
            let first = Self.accepted(await validator.validate(authorization: Self.bearer(token)))
            #expect(validator.verified.count == 1)
            // The identity provider going away does not matter for a cached token.
            f.idp.setFailing(true)
            let started = ContinuousClock.now
            let repeats = 2000
            for _ in 0..<repeats {
                guard case .success(let again) = await validator.validate(authorization: Self.bearer(token)), again == first else {
                    Issue.record("cached token refused")
                    break
                }
            }
            let perCall = (ContinuousClock.now - started) / repeats
            print("JWTValidator: a repeated token takes \(perCall) per validation")
            #expect(perCall < .milliseconds(1))
            // Past exp, the same token is refused.
            f.clock.advance(121)
            Self.rejected(await validator.validate(authorization: Self.bearer(token)), status: 401, containing: "expired")
        }
        try await Self.withIdP { f in
            let validator = f.validator()
            let token = f.mint(expiresIn: 3600)
            Self.accepted(await validator.validate(authorization: Self.bearer(token)))
            // The provider rotates; a token under the new kid makes the validator refresh and drop the old key.
            f.idp.rotateKeys()
            Self.accepted(await validator.validate(authorization: Self.bearer(f.mint())))
            #expect(f.idp.hits("/jwks.json") == 2)
            f.clock.advance(299)
            Self.accepted(await validator.validate(authorization: Self.bearer(token)))  // cached: no key lookup
            #expect(f.idp.hits("/jwks.json") == 2)
            f.clock.advance(2)
            // Past 5 min the token is verified again, and its key is gone.
            Self.rejected(await validator.validate(authorization: Self.bearer(token)), status: 401, containing: "unknown signing key")
        }
        // The cache is bounded and evicts the oldest entry.
        let cache = VerifiedTokenCache(capacity: 3)
        let now = Date()
        let digests = (0..<5).map { SHA256.hash(data: [UInt8($0)]) }
        for d in digests { cache.insert(JWTPrincipal(subject: "s"), for: d, at: now) }
        #expect(cache.count == 3)
        #expect(cache.principal(for: digests[0], at: now) == nil)
        #expect(cache.principal(for: digests[4], at: now)?.subject == "s")
        #expect(cache.principal(for: digests[4], at: now.addingTimeInterval(301)) == nil)
    }

    @Test("Tokens never appear in logs, whatever the outcome")
    func tokensNotLogged() async throws {
        try await Self.withIdP { f in
            let validator = f.validator()
            var tokens = [f.mint(), f.mint(kid: "unknown-kid"), f.mint(audience: "x"), f.mint(signingKey: f.idp.unpublishedKey(alg: "RS256", kid: "rs256-g1"))]
            tokens.append(TestIdentityProvider.compact(header: ["alg": "none"], claims: f.claims()) { _ in [] })
            for token in tokens { _ = await validator.validate(authorization: Self.bearer(token)) }
            f.idp.setFailing(true)
            f.clock.advance(3601)
            for token in tokens { _ = await validator.validate(authorization: Self.bearer(token)) }
            await validator.keys.settle()
            #expect(!f.logs.text.isEmpty)
            for token in tokens { Self.expectNotLogged(token, in: f.logs) }
        }
    }
}
