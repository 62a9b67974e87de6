import Foundation
import JWTKit

/// One key that may verify tokens: its `kid`, the one algorithm it is used with, and the jwt-kit algorithm built for
/// exactly that key (taken from a `JWTKeyCollection` holding only this key, so jwt-kit never picks a key itself).
struct JWTVerificationKey: Sendable {
    var kid: String?
    var alg: String
    var algorithm: any JWTAlgorithm

    /// Whether `signature` signs `signingInput` with this key and algorithm.
    func verify(signature: [UInt8], signingInput: ArraySlice<UInt8>) -> Bool {
        guard algorithm.name == alg else { return false }
        return (try? algorithm.verify(signature, signs: signingInput)) ?? false
    }
}

/// A JWK checked and reduced to what a verification key needs; ``makeKey()`` builds the jwt-kit key.
///
/// Refused: `use` other than `sig`, `key_ops` without `verify`, a non-string `kid`/`alg`, an `alg` that does not
/// fit the key type (RSA → RS*/PS*, EC → the curve's ES*, OKP Ed25519 → EdDSA, oct → HS*), RSA moduli under 2048
/// bits, unsupported curves, `oct` keys outside inline configuration, `oct` keys without `alg` or shorter than
/// 256 bits or than the hash. A JWK without `alg` gets the single algorithm its type allows: RSA → RS256,
/// P-256 → ES256, P-384 → ES384, P-521 → ES512, Ed25519 → EdDSA.
struct JWKDescription: Sendable {
    enum Material: Sendable {
        case rsa(n: String, e: String)
        case ec(crv: String, x: String, y: String)
        case ed25519(x: String)
        case oct([UInt8])
    }

    struct Refusal: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    var kid: String?
    var alg: String
    var material: Material

    static let rsaAlgorithms: Set<String> = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]
    static let curveAlgorithms = ["P-256": "ES256", "P-384": "ES384", "P-521": "ES512"]
    static let curveCoordinateBytes = ["P-256": 32, "P-384": 48, "P-521": 66]
    static let hmacMinimumBytes = ["HS256": 32, "HS384": 48, "HS512": 64]

    static func parse(_ jwk: JSONObject, allowSymmetric: Bool) throws(Refusal) -> JWKDescription {
        guard case .string(let kty)? = jwk["kty"] else { throw Refusal("JWK has no kty") }
        if let use = jwk["use"], use != .string("sig") { throw Refusal("JWK use is not sig") }
        if let ops = jwk["key_ops"], !(ops.arrayValue ?? []).contains(.string("verify")) {
            throw Refusal("JWK key_ops does not include verify")
        }
        var kid: String?
        if let value = jwk["kid"] {
            guard case .string(let k) = value, k.utf8.count <= 256 else { throw Refusal("JWK kid is not a string of at most 256 bytes") }
            kid = k
        }
        var alg: String?
        if let value = jwk["alg"] {
            guard case .string(let a) = value else { throw Refusal("JWK alg is not a string") }
            alg = a
        }
        func field(_ name: String) throws(Refusal) -> String {
            guard case .string(let s)? = jwk[name], !s.isEmpty else { throw Refusal("\(kty) JWK has no \(name)") }
            return s
        }
        switch kty {
        case "RSA":
            let n = try field("n")
            let e = try field("e")
            guard let modulus = Base64URL.decode(n) else { throw Refusal("RSA modulus is not base64url") }
            let bits = Self.bitLength(modulus)
            guard bits >= 2048 else { throw Refusal("RSA key of \(bits) bits is smaller than 2048 bits") }
            guard bits <= 16384 else { throw Refusal("RSA key of \(bits) bits is larger than 16384 bits") }
            let a = alg ?? "RS256"
            guard rsaAlgorithms.contains(a) else { throw Refusal("RSA key cannot be used with \(JWTRejection.echo(a))") }
            return JWKDescription(kid: kid, alg: a, material: .rsa(n: n, e: e))
        case "EC":
            let crv = try field("crv")
            guard let curveAlg = curveAlgorithms[crv], let size = curveCoordinateBytes[crv] else {
                throw Refusal("EC curve \(JWTRejection.echo(crv)) is not supported")
            }
            let x = try field("x")
            let y = try field("y")
            guard Base64URL.decode(x)?.count == size, Base64URL.decode(y)?.count == size else {
                throw Refusal("EC coordinates do not fit \(crv)")
            }
            let a = alg ?? curveAlg
            guard a == curveAlg else { throw Refusal("\(crv) key cannot be used with \(JWTRejection.echo(a))") }
            return JWKDescription(kid: kid, alg: a, material: .ec(crv: crv, x: x, y: y))
        case "OKP":
            let crv = try field("crv")
            guard crv == "Ed25519" else { throw Refusal("OKP curve \(JWTRejection.echo(crv)) is not supported") }
            let x = try field("x")
            guard Base64URL.decode(x)?.count == 32 else { throw Refusal("Ed25519 key is not 32 bytes") }
            let a = alg ?? "EdDSA"
            guard a == "EdDSA" else { throw Refusal("Ed25519 key cannot be used with \(JWTRejection.echo(a))") }
            return JWKDescription(kid: kid, alg: a, material: .ed25519(x: x))
        case "oct":
            guard allowSymmetric else { throw Refusal("symmetric keys are only accepted inline") }
            guard let a = alg, let minimum = hmacMinimumBytes[a] else { throw Refusal("oct key needs alg HS256, HS384 or HS512") }
            guard let secret = Base64URL.decode(try field("k")) else { throw Refusal("oct key is not base64url") }
            guard secret.count >= minimum else { throw Refusal("\(a) secret must be at least \(minimum * 8) bits") }
            return JWKDescription(kid: kid, alg: a, material: .oct(secret))
        default:
            throw Refusal("key type \(JWTRejection.echo(kty)) is not supported")
        }
    }

    /// The number of significant bits in a big-endian unsigned integer.
    static func bitLength(_ bytes: [UInt8]) -> Int {
        guard let first = bytes.firstIndex(where: { $0 != 0 }) else { return 0 }
        return (bytes.count - first - 1) * 8 + (8 - bytes[first].leadingZeroBitCount)
    }

    /// Builds the jwt-kit algorithm for this key alone.
    func makeKey() async throws -> JWTVerificationKey {
        let collection = JWTKeyCollection()
        let id = JWKIdentifier(string: "key")
        let digest: DigestAlgorithm =
            switch alg.suffix(3) {
            case "384": .sha384
            case "512": .sha512
            default: .sha256
            }
        switch material {
        case .rsa(let n, let e):
            let key = try JWTKit.Insecure.RSA.PublicKey(modulus: n, exponent: e)
            if alg.hasPrefix("PS") {
                await collection.add(pss: key, digestAlgorithm: digest, kid: id)
            } else {
                await collection.add(rsa: key, digestAlgorithm: digest, kid: id)
            }
        case .ec(let crv, let x, let y):
            switch crv {
            case "P-256": await collection.add(ecdsa: try ES256PublicKey(parameters: (x, y)), kid: id)
            case "P-384": await collection.add(ecdsa: try ES384PublicKey(parameters: (x, y)), kid: id)
            default: await collection.add(ecdsa: try ES512PublicKey(parameters: (x, y)), kid: id)
            }
        case .ed25519(let x):
            await collection.add(eddsa: try EdDSA.PublicKey(x: x, curve: .ed25519), kid: id)
        case .oct(let secret):
            await collection.add(hmac: HMACKey(from: secret), digestAlgorithm: digest, kid: id)
        }
        let algorithm = try await collection.getKey(for: id)
        guard algorithm.name == alg else { throw Refusal("jwt-kit built \(algorithm.name) for \(alg)") }
        return JWTVerificationKey(kid: kid, alg: alg, algorithm: algorithm)
    }
}
