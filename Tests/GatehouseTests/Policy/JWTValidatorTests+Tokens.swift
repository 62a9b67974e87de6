import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import Synchronization
import Testing

@testable import GatewayEngine

// MARK: - A15–A17 and other token checks

extension JWTValidatorTests {
    @Test("A15: an ID token (typ JWT, aud = client id) is refused")
    func idToken() async throws {
        try await Self.withIdP { f in
            let validator = f.validator()
            let now = Int64(f.clock.now.timeIntervalSince1970)
            let token = f.mint(
                audience: TestIdentityProvider.clientID,
                extraClaims: ["nonce": "n-0S6_WzA2Mj", "auth_time": .int(now), "azp": .string(TestIdentityProvider.clientID)],
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
            #expect(
                Self.rejected(await validator.validate(authorization: Self.bearer(none)), status: 403, error: "insufficient_scope")?.missingScopes
                    == ["pets:read", "pets:write"])
            Self.accepted(await validator.validate(authorization: Self.bearer(f.mint(scopes: ["pets:write", "pets:read"]))))
            Self.accepted(await validator.validate(authorization: Self.bearer(f.mint(extraClaims: ["scp": ["pets:read", "pets:write"]]))))
            Self.accepted(await validator.validate(authorization: Self.bearer(f.mint(extraClaims: ["scp": "pets:read  pets:write"]))))
            Self.accepted(await validator.validate(authorization: Self.bearer(f.mint(scopes: ["pets:read"], extraClaims: ["scp": ["pets:write"]]))))
            // A repeated (cached) token is still checked for scopes.
            #expect(
                Self.rejected(await validator.validate(authorization: Self.bearer(partial)), status: 403, error: "insufficient_scope")?.missingScopes
                    == ["pets:write"])
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
            Self.rejected(await validator.validate(authorization: token), status: 401, error: nil) // no scheme
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
                parts[0] + "." + parts[1], // two segments
                token + "." + parts[2], // four segments
                parts[0] + ".." + parts[2], // empty payload
                "." + parts[1] + "." + parts[2], // empty header
                "..", "a.b.c",
                parts[0] + "." + parts[1] + "." + parts[2] + "=", // padding
                "x" + parts[0] + "." + parts[1] + "." + parts[2], // header not base64url (length)
                encode("not json") + "." + parts[1] + "." + parts[2],
                encode("[\"alg\",\"RS256\"]") + "." + parts[1] + "." + parts[2],
                encode(#"{"alg":"RS256","alg":"none"}"#) + "." + parts[1] + "." + parts[2], // duplicate key
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
            Self.rejected(
                await validator.validate(authorization: Self.bearer(f.mint(header: ["crit": ["exp"], "exp": 1]))), status: 401, containing: "crit")
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
            #expect(
                JWKSCache.issuer("https://idp.example/t/1", matchesDiscoveryURL: "https://idp.example/.well-known/oauth-authorization-server/t/1"))
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
                (good.merging(["roles": "admin ops"]), "roles"), // no separator: one value
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
