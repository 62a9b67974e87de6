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
