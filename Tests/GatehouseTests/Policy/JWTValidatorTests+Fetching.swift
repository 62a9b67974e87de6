import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import Synchronization
import Testing

@testable import GatewayEngine

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
            await #expect(throws: GatewayError.self) {
                try await HTTPJWKSFetcher.checkAddress("http://93.184.216.34/jwks.json", allowPrivateNetwork: allow, client: Self.client)
            }
        }
        await #expect(throws: GatewayError.self) {
            try await HTTPJWKSFetcher.checkAddress("http://127.0.0.1:9/jwks.json", allowPrivateNetwork: false, client: Self.client)
        }
        await #expect(throws: GatewayError.self) {
            try await HTTPJWKSFetcher.checkAddress("https://127.0.0.1:9/jwks.json", allowPrivateNetwork: false, client: Self.client)
        }
        await #expect(throws: GatewayError.self) {
            try await HTTPJWKSFetcher.checkAddress("file:///etc/passwd", allowPrivateNetwork: true, client: Self.client)
        }
        try await HTTPJWKSFetcher.checkAddress("http://127.0.0.1:9/jwks.json", allowPrivateNetwork: true, client: Self.client)
        try await HTTPJWKSFetcher.checkAddress("https://93.184.216.34/jwks.json", allowPrivateNetwork: false, client: Self.client)

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
            Self.accepted(await validator.validate(authorization: Self.bearer(token))) // cached: no key lookup
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
            var tokens = [
                f.mint(), f.mint(kid: "unknown-kid"), f.mint(audience: "x"), f.mint(signingKey: f.idp.unpublishedKey(alg: "RS256", kid: "rs256-g1")),
            ]
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
