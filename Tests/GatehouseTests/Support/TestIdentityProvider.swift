import Crypto
import Foundation
import GatewayEngine
import Hummingbird
import JWTKit
import Logging
import NIOCore
import Synchronization

/// A private key a test can sign tokens with.
enum TestKeyMaterial: Sendable {
    case rsa(TestRSAKey)
    case p256(P256.Signing.PrivateKey)
    case p384(P384.Signing.PrivateKey)
    case ed25519(Curve25519.Signing.PrivateKey)
    case hmac([UInt8])
}

/// One of the fixed RSA-2048 test keys, with a jwt-kit signer for every RSA algorithm.
struct TestRSAKey: Sendable {
    let publicPEM: String
    let n: String
    let e: String
    let signers: [String: any JWTAlgorithm]

    /// Four RSA-2048 keys, parsed once per test process (generating RSA keys per test would be slow).
    static let pool: Task<[TestRSAKey], Never> = Task {
        var out: [TestRSAKey] = []
        for pem in [TestRSAPEMs.rsa1, TestRSAPEMs.rsa2, TestRSAPEMs.rsa3, TestRSAPEMs.rsa4] {
            let key = try! JWTKit.Insecure.RSA.PrivateKey(pem: pem)
            let primitives = try! key.publicKey.getKeyPrimitives()
            var signers: [String: any JWTAlgorithm] = [:]
            for (alg, digest) in [("256", DigestAlgorithm.sha256), ("384", .sha384), ("512", .sha512)] {
                let rs = JWTKeyCollection()
                let ps = JWTKeyCollection()
                await rs.add(rsa: key, digestAlgorithm: digest, kid: "k")
                await ps.add(pss: key, digestAlgorithm: digest, kid: "k")
                signers["RS" + alg] = try! await rs.getKey(for: "k")
                signers["PS" + alg] = try! await ps.getKey(for: "k")
            }
            out.append(
                TestRSAKey(
                    publicPEM: key.publicKey.pemRepresentation, n: TestIdentityProvider.base64URL(primitives.modulus),
                    e: TestIdentityProvider.base64URL(primitives.publicExponent), signers: signers))
        }
        return out
    }
}

/// A signing key with the `kid` and `alg` it is published under.
struct TestSigningKey: Sendable {
    var kid: String
    var alg: String
    var material: TestKeyMaterial

    /// Generates an EC, Ed25519 or HMAC key (`ES256`, `ES384`, `EdDSA`, `HS256`…); RSA keys come from the pool.
    static func generate(alg: String, kid: String) -> TestSigningKey {
        switch alg {
        case "ES256": TestSigningKey(kid: kid, alg: alg, material: .p256(P256.Signing.PrivateKey()))
        case "ES384": TestSigningKey(kid: kid, alg: alg, material: .p384(P384.Signing.PrivateKey()))
        case "EdDSA": TestSigningKey(kid: kid, alg: alg, material: .ed25519(Curve25519.Signing.PrivateKey()))
        default: TestSigningKey(kid: kid, alg: alg, material: .hmac((0..<64).map { _ in UInt8.random(in: 0...255) }))
        }
    }

    /// The public JWK: `kty`, `kid`, `alg`, `use` and the public parameters (`k` for HMAC keys).
    var publicJWK: JSONObject {
        var jwk: JSONObject
        switch material {
        case .rsa(let key): jwk = ["kty": "RSA", "n": .string(key.n), "e": .string(key.e)]
        case .p256(let key): jwk = Self.ec("P-256", key.publicKey.x963Representation, size: 32)
        case .p384(let key): jwk = Self.ec("P-384", key.publicKey.x963Representation, size: 48)
        case .ed25519(let key):
            jwk = ["kty": "OKP", "crv": "Ed25519", "x": .string(TestIdentityProvider.base64URL(key.publicKey.rawRepresentation))]
        case .hmac(let secret): jwk = ["kty": "oct", "k": .string(TestIdentityProvider.base64URL(secret))]
        }
        jwk["kid"] = .string(kid)
        jwk["alg"] = .string(alg)
        jwk["use"] = "sig"
        return jwk
    }

    private static func ec(_ crv: String, _ x963: Data, size: Int) -> JSONObject {
        let bytes = Array(x963)
        return [
            "kty": "EC", "crv": .string(crv), "x": .string(TestIdentityProvider.base64URL(bytes[1...size])),
            "y": .string(TestIdentityProvider.base64URL(bytes[(size + 1)...])),
        ]
    }

    /// Signs `input` with `alg` (default: the key's own; an RSA key can sign with any RS*/PS* algorithm).
    func sign(_ input: [UInt8], alg: String? = nil) -> [UInt8] {
        let alg = alg ?? self.alg
        switch material {
        case .rsa(let key): return try! key.signers[alg]!.sign(input)
        case .p256(let key): return Array(try! key.signature(for: input).rawRepresentation)
        case .p384(let key): return Array(try! key.signature(for: input).rawRepresentation)
        case .ed25519(let key): return Array(try! key.signature(for: input))
        case .hmac(let secret): return TestIdentityProvider.hmac(alg, key: secret, input)
        }
    }
}

/// A real identity provider on 127.0.0.1 (ephemeral port): `/.well-known/openid-configuration` and `/jwks.json`,
/// with RS256, PS256, ES256, ES384 and EdDSA keys. It counts hits per path (every path), can rotate or replace its
/// keys, fail with 503 or redirect the key set on demand, and mints real tokens.
///
/// ```swift
/// let idp = try await TestIdentityProvider.start()
/// defer { idp.stop() }
/// let token = idp.mint(scopes: ["pets:read"])   // RS256, aud = TestIdentityProvider.defaultAudience
/// ```
final class TestIdentityProvider: Sendable {
    /// The audience minted tokens carry unless told otherwise.
    static let defaultAudience = "https://gatehouse.test/mcp"
    /// The `client_id` claim minted tokens carry (and the `aud` of an ID token in tests).
    static let clientID = "test-client"
    static let algorithms = ["RS256", "PS256", "ES256", "ES384", "EdDSA"]

    struct State {
        var port = 0
        var rsaPool: [TestRSAKey] = []
        var generation = 1
        var keys: [String: TestSigningKey] = [:]
        var retired: [TestSigningKey] = []
        var extraJWKs: [JSONObject] = []
        var documentOverride: JSONValue?
        var failing = false
        var redirectJWKSTo: String?
        var hits: [String: Int] = [:]
    }

    final class Box: Sendable {
        let state = Mutex(State())
    }

    let port: Int
    let task: Task<Void, any Error>
    let box: Box

    private init(port: Int, task: Task<Void, any Error>, box: Box) {
        self.port = port
        self.task = task
        self.box = box
    }

    /// `http://127.0.0.1:PORT`, the `iss` of minted tokens and the discovery document's issuer.
    var issuer: String { "http://127.0.0.1:\(port)" }
    var openIDConfigURL: String { issuer + "/.well-known/openid-configuration" }
    var jwksURL: String { issuer + "/jwks.json" }

    /// Starts the provider on 127.0.0.1 with a fresh set of keys.
    static func start() async throws -> TestIdentityProvider {
        let box = Box()
        let pool = await TestRSAKey.pool.value
        box.state.withLock { s in
            s.rsaPool = pool
            s.keys = Self.keys(generation: 1, pool: pool)
        }
        let (port, task) = try await startApplication { ready in
            Application(
                responder: CallbackResponder<BasicRequestContext> { request, _ in Self.respond(to: request, box: box) },
                configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { channel in await ready(channel.localAddress?.port ?? 0) },
                logger: Logger(label: "idp", factory: { _ in SwiftLogNoOpLogHandler() }))
        }
        box.state.withLock { $0.port = port }
        return TestIdentityProvider(port: port, task: task, box: box)
    }

    func stop() { task.cancel() }

    private static func keys(generation g: Int, pool: [TestRSAKey]) -> [String: TestSigningKey] {
        var keys: [String: TestSigningKey] = [:]
        keys["RS256"] = TestSigningKey(kid: "rs256-g\(g)", alg: "RS256", material: .rsa(pool[(2 * g) % pool.count]))
        keys["PS256"] = TestSigningKey(kid: "ps256-g\(g)", alg: "PS256", material: .rsa(pool[(2 * g + 1) % pool.count]))
        for alg in ["ES256", "ES384", "EdDSA"] { keys[alg] = .generate(alg: alg, kid: "\(alg.lowercased())-g\(g)") }
        return keys
    }

    private static func respond(to request: Request, box: Box) -> Response {
        let path = request.uri.path
        let state = box.state.withLock { s -> State in
            s.hits[path, default: 0] += 1
            return s
        }
        if state.failing { return json(#"{"error":"unavailable"}"#, status: .serviceUnavailable) }
        let issuer = "http://127.0.0.1:\(state.port)"
        switch path {
        case "/.well-known/openid-configuration":
            let document: JSONObject = [
                "issuer": .string(issuer), "jwks_uri": .string(issuer + "/jwks.json"),
                "authorization_endpoint": .string(issuer + "/authorize"), "token_endpoint": .string(issuer + "/token"),
            ]
            return json(JSONValue.object(document).jsonString)
        case "/jwks.json":
            if let target = state.redirectJWKSTo {
                return Response(status: .found, headers: [.location: target])
            }
            if let document = state.documentOverride { return json(document.jsonString) }
            let published = Self.algorithms.compactMap { state.keys[$0]?.publicJWK } + state.retired.map(\.publicJWK) + state.extraJWKs
            return json(JSONValue.object(["keys": .array(published.map(JSONValue.object))]).jsonString)
        default:
            return json(#"{"error":"not found"}"#, status: .notFound)
        }
    }

    private static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    // MARK: Control

    /// Requests received on `path` (any path counts, known or not).
    func hits(_ path: String) -> Int { box.state.withLock { $0.hits[path] ?? 0 } }
    /// Requests received on every path.
    var totalHits: Int { box.state.withLock { $0.hits.values.reduce(0, +) } }

    /// Replaces every key with new ones under new `kid`s (`rs256-g2`, …); `keepingOld` keeps publishing the old ones.
    func rotateKeys(keepingOld: Bool = false) {
        box.state.withLock { s in
            if keepingOld { s.retired += Self.algorithms.compactMap { s.keys[$0] } }
            s.generation += 1
            s.keys = Self.keys(generation: s.generation, pool: s.rsaPool)
        }
    }

    /// While true every path answers 503.
    func setFailing(_ failing: Bool) { box.state.withLock { $0.failing = failing } }

    /// Publishes these JWKs besides the provider's own keys.
    func publish(extraJWKs: [JSONObject]) { box.state.withLock { $0.extraJWKs = extraJWKs } }

    /// Serves this document at `/jwks.json` instead of the key set (nil: back to the key set).
    func replaceJWKSDocument(with document: JSONValue?) { box.state.withLock { $0.documentOverride = document } }

    /// Answers `/jwks.json` with a 302 to `url` (nil: stop redirecting).
    func redirectJWKS(to url: String?) { box.state.withLock { $0.redirectJWKSTo = url } }

    /// The published key for `alg` (`RS256`, `PS256`, `ES256`, `ES384`, `EdDSA`).
    func key(_ alg: String) -> TestSigningKey {
        box.state.withLock { $0.keys[alg] }!
    }

    /// A key that is not published: an RSA pool key not in use (for RS*/PS*) or a freshly generated one.
    func unpublishedKey(alg: String, kid: String) -> TestSigningKey {
        box.state.withLock { s in
            if alg.hasPrefix("RS") || alg.hasPrefix("PS") {
                return TestSigningKey(kid: kid, alg: alg, material: .rsa(s.rsaPool[(2 * s.generation + 2) % s.rsaPool.count]))
            }
            return .generate(alg: alg, kid: kid)
        }
    }

    // MARK: Tokens

    /// Mints a signed access token.
    ///
    /// Header: `alg`, `typ: at+jwt`, `kid` (the signing key's unless `kid` is given; none with `omitKid`), then
    /// `header` entries. Claims: `iss`, `sub`, `aud`, `iat`, `exp` (now + `expiresIn`; none when nil), `scope`
    /// (when `scopes` is not empty), `client_id`, `jti`, then `extraClaims`; `omittingClaims` removes claims.
    /// `signingKey` (default: the provider's key for `algorithm`) signs with `algorithm`.
    func mint(
        subject: String? = "user-1", audience: String? = TestIdentityProvider.defaultAudience, scopes: [String] = [],
        expiresIn: TimeInterval? = 300, extraClaims: JSONObject = [:], algorithm: String = "RS256", kid: String? = nil,
        omitKid: Bool = false, header: JSONObject = [:], omittingClaims: Set<String> = [], signingKey: TestSigningKey? = nil,
        now: Date = Date()
    ) -> String {
        let key = signingKey ?? key(algorithm)
        var head: JSONObject = ["alg": .string(algorithm), "typ": "at+jwt"]
        if !omitKid { head["kid"] = .string(kid ?? key.kid) }
        for (name, value) in header { head[name] = value }
        let iat = Int64(now.timeIntervalSince1970)
        var claims: JSONObject = ["iss": .string(issuer)]
        if let subject { claims["sub"] = .string(subject) }
        if let audience { claims["aud"] = .string(audience) }
        claims["iat"] = .int(iat)
        if let expiresIn { claims["exp"] = .int(iat + Int64(expiresIn)) }
        if !scopes.isEmpty { claims["scope"] = .string(scopes.joined(separator: " ")) }
        claims["client_id"] = .string(Self.clientID)
        claims["jti"] = .string(UUID().uuidString)
        for (name, value) in extraClaims { claims[name] = value }
        for name in omittingClaims { claims[name] = nil }
        return Self.compact(header: head, claims: claims) { key.sign($0, alg: algorithm) }
    }

    /// Builds a compact JWS from a header and claims; `sign` receives the signing input (`header.payload`).
    static func compact(header: JSONObject, claims: JSONObject, sign: ([UInt8]) -> [UInt8]) -> String {
        let input = base64URL(JSONValue.object(header).serialized()) + "." + base64URL(JSONValue.object(claims).serialized())
        return input + "." + base64URL(sign(Array(input.utf8)))
    }

    /// Builds a compact token from raw segment text (already encoded), for hand-crafted malformed tokens.
    static func raw(_ segments: String...) -> String { segments.joined(separator: ".") }

    static func base64URL(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func hmac(_ alg: String, key: [UInt8], _ input: [UInt8]) -> [UInt8] {
        let key = SymmetricKey(data: key)
        switch alg {
        case "HS384": return Array(HMAC<SHA384>.authenticationCode(for: input, using: key))
        case "HS512": return Array(HMAC<SHA512>.authenticationCode(for: input, using: key))
        default: return Array(HMAC<SHA256>.authenticationCode(for: input, using: key))
        }
    }
}

/// An RSA-1024 public key (modulus and exponent) that validators must refuse.
enum TestWeakRSA {
    static let n =
        "so87Dg4h4WdTiAcKNggGG51DAoBv848maZEZIplVbya7T0Et86D6bo_V-et8TUEQwq_PO7fEsoqtiRE6XAHMn3yB3MBK3SYTpyGw_1B9s7n4tZsGQ5qcF1FFsAY6RYlYrhIECGZGXmhg5iJjhUrFv0wf1sOILn8lnjQmVIgyfsc"
    static let e = "AQAB"
}

/// Four RSA-2048 private keys generated with `openssl genpkey` for the tests only.
enum TestRSAPEMs {
    static let rsa1 = """
        -----BEGIN PRIVATE KEY-----
        MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDObHmCylHD1R+N
        6fiLsNv22iosIuXzHBJH0YliV0+RiCi48Q2U2WgudKf1u7MS98b4YiAX59fT9rqn
        Q7LQ/RAFUsLYuRQrXjEz8hcmama+65jbgDnbm2K4yWAc5L9pRfJkMb5lD5KW6FSg
        4UlqHKY/MwXMHX+PlQ8VlB5Ui2SDaa74oVTJqX+5+rXtky4NjxYn8LXZS+K0BXSI
        u4hkgBJYYDAVYRAIxqcmGEUx137Nn9p4g+WKueo7XUTsRasswQU22tJH1SoHgU/r
        z9obOkwwGz2vvSpMp6suusi/r/7EE0/6vyBj5nZx6WHDMaa7mkZvxcpsD9xVcgGn
        EVfe5mNrAgMBAAECggEAIpUawFYr356fdDOL/78oAtGm+hD4rEN6Lo0EsrSE8JE6
        nU1JJLRNl2bU0r7Y7+cR7v/ld4vQZULzH12gohGbcwDcAtny7pcPsC+xQC7YOskW
        qUNwrgF4xxN5pi2OgdEFnFKXHrA+s0iGERPdLElTcsgWAw24FrJ2vfs8H5bgxoEL
        UYPmr3O1T6YSgiNFfnjgVNyVxcUtQ7/UybGXPZ0N8rbDWRgg92NgASpwogi3+M1Y
        ShgOaWbpQwjohl+9Y6nDNehZkUfjlh+fmeiJXx6fmu/5hOAT95fJF3kpKpRhJPdW
        fvSOdoCoqfoON6SAfVXnoNy58GQ2uDXXlSv8mTCLZQKBgQD6M3mKiaUn2hmlarbK
        9X63bkMqNOFEzTD/XaK8eU3h7Q6KTKiQ5Mb/qQwgQA+mJiEP9QAiz41sRDV73zOI
        d35xoSExq9sSq1A82pNtUiB+UknpMruQBJqdBDLNiopdi0gG1s+FvdLMtj7Xvjjr
        O62Exan05pID5/79uPskB+nUJQKBgQDTNUEnQwEAvsvU2hGLfslRi84maCI4INad
        EsrmEyE5pWr9p4fYlMJnt79JhzSyoAbWvpb/EwuB6zar3UE9Yk8olTvrNNPAOi4e
        p5xLZ6Cr3rygU+LLQ8c7ESs/5Dcoh3ySN9XIiJoxiPXDpwOSRNIeXQdg9gwAZ6dd
        cMW1cEx8TwKBgHQzFd5+gMKaa1DE1/I4w8ojHnRqrLiMZ5YiAaNw3vfvZdJbOepZ
        Jga0lxofRmVOzgogKhkAtdizcPd/uOpHPOU/BTCRdSQdhh1NEi0yeD7SrtrsIeoI
        CVqlCYcmMY6yUhhDCYw+lblXZqZCBSNSywqf1ogT0XqY83cYwyJ/vlw1AoGBAKRA
        uy2kbyg8OVqMSK66aCgR2L2HqG0MJLs8/SwWXnVtTpp7aisl7VYp0QqGqpXr28Wv
        rNAr6HweB4N66xyo0rTV8iZGDBNna6yNXwBJU+u1qe3pruuzB0LJZGAoxDixvVAd
        OhXdHkU9pRuGTEG5YcsZP/7I+qZp9f+2Dxu+fM0DAoGAdFxL0H0G4dHtY/kgiIxn
        6kaH5/D8T0MJA9oAk1VfqXk+O16Kuysz8ActVavBg5xKfBr+Cw647sM6Jro7zl0V
        yATQHMbnMju0f+shSePKKwn5rz/rbkvzzUX0lzhmLQcS/YRJh+R2ZrmQxuf+qLG/
        Ijzizdxrm1V03ufmKiNuCL8=
        -----END PRIVATE KEY-----
        """
    static let rsa2 = """
        -----BEGIN PRIVATE KEY-----
        MIIEugIBADANBgkqhkiG9w0BAQEFAASCBKQwggSgAgEAAoIBAQDAvw3IuaqsdGzf
        XFw+/RmdqBoY3xVNWcb7CLRDme2yYJEYJHuBQdjPP5cbhjnscVHX4detjq+t9FGl
        bPohuk1tcWGxl54jR0berjQ5cyciQw1w7UF7AMO8OgZZohefiFsQ7XpAncAQclVV
        tZSxsX+xVc0IuigCkaoIYTD13macOWL3IZNdg9oahczySGQPl3FwGbkUBijn+z5A
        BaBuKap4DhgLkQlh1OVjsezZByHoiyIPzpZzKwSU1eKwlTN/wjwdWLQDo2oHw324
        vZ9Kh1Fx9A6nGIANS7tzyV4VqePnEQUPxhJuw9Dte4ZGBPgjkb8/UedoblluStvR
        mWFxOCKpAgMBAAECgf8EVEY6+/CZbwQDAFASGh05LU1owZn44stVWBy0aACuwPyB
        TlB31sLH5OW/+IPUi7cK4ke13j6T6ajrzkbP+x9CFgnbs0wZ/r/YwJDruWpnmpny
        r2GJIbtDvwnleX6OVsG036CfUuu9ctP32Nw+IX58vTCdwZCkfiETjxtKanRjjdxt
        rBZhsHyiw9FaHqrMF40ApntV4thzDPrfpHZFqLC/r/c7LNxgVOH2NlaXZGjyH2I6
        HTk8I3bwoexWEb133UaJEaEoxYT5J10EIA3X254p9u/xvcZmTGJEDWgiDxWR9HrL
        V11+W7s+7ReeCKanLCQWqMOlywJKUxj1SuC8N4ECgYEA6SQEONXfZJwqDUMZPuF5
        XwonsQ9dYA+Ee4F4q7HXt6d3YOQuDnlb8tNk4sAW/t8OkSgUuumx66tjRKLpPH+A
        UfWbEqjrCoW6J72G6nDW8JzcuaW5Oh9lMKI6Go8DxcOs4aDfMY3bJ9P+ESJUOZ6p
        eqF4KuO/IH6uBvBYgbASBWkCgYEA06UcpgwDW+J0E4VxEp0Dclz93CDNP3jpNWsw
        Ge6WZjo0HvSWiU81xBzFP1yXCNuEKEv+1yBO0qJXUYhw6jNCMWZSHMNMPljvOCg+
        tkHIX9yNQszmNIZ1v5y/O0Vkynqv1Y0ijzAACKMrn7nnlM+NRCEuNGvf51ARIVV0
        sf+3S0ECgYBuLfNA2PJmHddRxTAdI3m0jJwNdXFvgGXf6GQa4EVOKfqk87FAbeIi
        c/ztnFJByTCdMQ/69Y58DdcwDL2lNaxzD1tmCiZqJqC/PzaPfRxXQgqeQc+zxDqS
        LVjATG4//CWry9cvGBdGT012035ybKUzqzObMV6WAMhFxzhMseUSYQKBgDDNefWv
        /3ZImYuG0bQBELJmTwNbbPid4Oi4drcEFRotgadBrxSqdzNpjvI1X35jX+4K2BCz
        GnnnhUr/s0nN2A2cEoMfZY1a5I6GeS99q76vFMO6i7rA5pXwhwgb0EoAUFtl1/o8
        j0VumriSHZxq36A+JnFgDplAFTMiiW4iERoBAoGAAdRJT9ccWcRQgp4HyDm08zCT
        IfaC/GwmD4a+7MXrzstxGXOR1pSdsn/NvMd8WPUzza4cb0QuZQa/9zMQ/QdRXQK+
        T09C1sa/XBLAGp0Z1nSP7VdDuNtiQCgAyDmJZBO/6e3xtVpobN1PkN9SG5D+JCBT
        /7Iife+rQO+tglkFg44=
        -----END PRIVATE KEY-----
        """
    static let rsa3 = """
        -----BEGIN PRIVATE KEY-----
        MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC5UF+WiR1d/BnF
        SgtXP0FSeQYJOPzT0ygZ2hjACFMjeX3gN7k5DQjZVrx56t/ZBCaUR3+8S+ZngOZi
        KaoVHqVMjhSWgaXYrr+xA4tQNmvUwGsyG1rM+blVe17j9cIt6X031l0SY9GBcTk+
        nQPtJo0DVc/f9Buwa4qSKKE3tv4DaTMvWQ7yN8pEg/z9XppFr1HMieU1RBPgAOo9
        oPqxQt1QEZhFkjMUzcm9qltrdYCFPWi8RYV0nXvhfEiinn6CifjbHsO6ary850+q
        7wPWMCEd929ukgkR+KQJOfZaNOqgWqAG1rrauNQ81cmTibHvRa+P6fcPi7iYlFEJ
        4alCLnP3AgMBAAECggEAAkGRsT59cSa1I9Xff3k1HynQe1Tt84QIRiy+lCxiN6Cu
        efnMlvByPelfM54eUR2DfPNUHcqlb8zvnY6OTP5pvla/mhXvGxRaA4xADdgPVD7D
        68gjed1hy+y9l1fK9YcGwZS4NEBVvzKxW9XnGRzR0ZJ3Gt+uSNd2VopQUJs5Lgdu
        NYaf7mOT1XFRgRX98umrz5y10cymRkM1AiNL2v5fAZJhLZn/RMszupl/DNL9AXzr
        u6uvSFRaNoUzP+/axlhCD7/KH8qVe+sBGkSwXO9HO62mKBY2h6T1xfdlYnGDlr92
        XMAsH0bSEtjYtgFFrCv0t7zzUKAhBt55cYxQXS9QSQKBgQDlh/hcZePMcsAWz5b2
        gcruMsB9ZaKGnbWHnT0zNzC9jqc7j6QUnIvncKLO05WYkFGYNmTR3Kn0FKOm+aYy
        +6riIErc9QVbhR0yzxCsCy4OvRJe/5vJOe3B6ffa+YyZLOHC8L6PDoHUKH88OcnP
        MbtDIy2f8q4TGE5vDFIyAFdiRQKBgQDOrw9gaDHEhiOiq9sg/0ylWs4LR4NMFYGz
        HqJh0Wk3VpelaAPfC3tcm2wNCwK4Ea2kV29QqUmFhhd7+FQBz4ztuvuDXyzbp+3c
        2gKlRgHpN5Q6aBHk1yweCX5HIrIBJ8WCt6pN13Z8o5F67oVYdKZEBmKX2I+vcqwY
        z/iW00l/CwKBgQCbrmy7JvSqQA6fqi+HhSNCCrRamSvySFfO4syWx1FM0MwG7vdo
        b4HI+bHDvOkTcJeXORWK7jNr9O/HGj8rB12xQBvm4F3A5HmYc6+oMXEM2Br0ykQ8
        6QilZO8S2/4MCtAZq7ZkS3+ticY68Cs8WEveTqbsfOqq0uqoEWBSv76FTQKBgHJj
        QsBZikm475oFQSa3BQVzBxwI/SqrsHeg2cAHdRLycsVRlurn4ON1BU0Grf+PkSmm
        Vm4u8wjaGL88xcmmw9mCpdakYyBChYu4gMRVxZL8dqYImPas+7a4DFJ0ak3nZBGf
        crrYJ7R9lnOR9OzqymZVnlVpvsQcVBD7cRqQX1nXAoGAV/+h91J+PHav8Y4DCeq0
        nAzHUQ/cbJPpFKM77TftSn8pajr+KlwzxzsPNxbvaZ+mT0QswJXd+/1tAepyEui6
        pQrK3Tn7aD+iuGQXdTIQ7OVuQEymghv2O+vj97V2fJtHpK06JXa0sMxop8/ec8bJ
        uBzzDIILcr/ZM/F0wkPQBuE=
        -----END PRIVATE KEY-----
        """
    static let rsa4 = """
        -----BEGIN PRIVATE KEY-----
        MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDc90A6QRYjC68O
        uTS2oEkRdnvZ7VNkI5q7JKrD6RJYWSafx590DxpnasUCbABq2ywlGHyT8Z8HfOyv
        Xj4Y510qVw8Gj0UoBGvi1b1pWgTLET1u9z6jLc0vuF5s97+NHWcNLOWxl/cnwWtB
        N+hFbG98+6wZfTLblHzT45/DRcJxbpJBlvZv7rLd6iT70FApoxEsfrW1tKxBl+KV
        XV2ELeBusQkcJUn8iDAWa130Wi8ZJMWALm4kO+O4NcVMjY9AAZLbi/GhBWa7ReiF
        vSTb+j+d4gPRRVVrCv9r/6I/6fIZLjprVN4o2XM9HU19uPS68UCxw9zJ4RdyEq9/
        otHrGpkpAgMBAAECggEAVvlraoKb+AdtTFpSCWBl4l3Eui7UGCJ7kRYJsTtYYTYW
        IeYtOT2IoxQ/n4hrUaQbaC6POpxsgEIH1688ugi3fybtXyOdkPbMkGiZOZKZOGT8
        zWS8XvZ0QUhMwo9x8lWUbncxogmy2w8i7HTZFBpud7+IKjBBiHSV/cEm7XHT61lj
        MCr+fXrUsGiJ7qMtqF7dQ1Px4PaG+/P7334D/bIj70A5hnBKFYmzvVQl3R0qUiCz
        6fWoRw+qDes7BMG06kbI9MsArWesxS5Uy/JT4H+Ezn2zWnkJJ9zMQa7IIx+j11um
        8PkGZlCFy+yIgusM/193JZiVIfKAqzw6hRleGzTfEQKBgQDw+WHRgBdavEna0BrR
        LC6NFmbCC9baOn5a+6EeKNWZ3dpA0YC+nypXLdHIaYspx+2Lo2VLsBLkWRV+g+el
        34EpatbRIwMeY8IMyVJ0hNPHG6zgdYHjEyNp1KuaAvYwTras3yG88tYElK5j8Hre
        QDXsnobcIzOHG5oMsBrUzw/xewKBgQDqvnrxfG58Qyg5vqcfhoVAYfsAW3Zzzeht
        aARhYRRhEaaz5quGlULDC7FAQzTi8ozesZ7WCBumCinp0NF7OHOErQvE1HamX5UR
        Gshz5RwEiVP2stpQtj4pCZVGQ5+SZ1nWYj3GRhncBCXT1+pKTGberu3STPftpWDN
        CLv/ms0kqwKBgCIaeSCIK0X5Hc6s4w61XQU0pWhS+p455wYDVKMLDmfPQQMpYzoX
        Fovt/SGK5loMZG79uelDSvksLmGQU2ljP0lYSHyiot9bKOxcVaIN5lbocMf3eWFk
        pP9mTL7oKmVdznaawZCXIXjWffPA5fKsTbVmHhnrlXBKlLu09Kcngs8fAoGBAJdq
        cGEN8zJiGzNMH/68xXzm9oGffYNrIO5ZNuIdPYjzWsUWGDPCWYL4KsgZ0aZF78nB
        ZoQGTNdIHQr9r/G8Uv8Uo8+9gB8G7l9PGFdxRCZE8ozhhuKi+ut7i/b7rZVA5vja
        +5/GHe4GGuRPlIeCSqR+z1ZkYVO/5fW7GZDhKEvrAoGAMCd1zooW/Nj99ekntV6m
        x8I5rrUwojbUw7q4H7z/WJ6YHuyUuida9kKiPHQpwV+pqYZVr51/HXqJZ2xFOCZb
        WvQzZ1rXRXbH1Spalvx81VxhIPLuApcNDJh/vYPkY/z1lhNUnVV8XgjNCXiCCsJi
        MVU4waVGRXyo/XlpzYJo57Q=
        -----END PRIVATE KEY-----
        """
}
