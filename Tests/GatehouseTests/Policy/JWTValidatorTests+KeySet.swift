import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import Synchronization
import Testing

@testable import GatewayEngine

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
            #expect(f.idp.hits("/.well-known/openid-configuration") == 1) // the discovery document is cached

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
            let kids = [
                "../../etc/passwd", "' OR 1=1 --", long, String(repeating: "k", count: 257), "kid\u{0}\r\nX-Injected: 1", "ключ", "\"quoted\\",
            ]
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
            f.clock.advance(21 * 3600) // 23 h after the last good fetch
            Self.accepted(await validator.validate(authorization: Self.bearer(f.mint())))
            await validator.keys.settle()
            #expect(f.idp.hits("/jwks.json") == 3)
            f.clock.advance(3600 + 1) // more than 24 h after the last good fetch
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
