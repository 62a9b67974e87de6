/// The `Authorization` header, the token's three segments and the JOSE header.
extension JWTValidator {
    /// What the JOSE header says that matters for verification.
    struct JOSEHeader: Sendable, Equatable {
        var alg: String
        var kid: String?
    }

    /// The token's segments, as slices of the token bytes.
    struct TokenParts {
        var header: ArraySlice<UInt8>
        var payload: ArraySlice<UInt8>
        var signature: ArraySlice<UInt8>
        /// `header.payload`, what the signature signs.
        var signingInput: ArraySlice<UInt8>
    }

    static let acceptedTypes: Set<String> = ["at+jwt", "application/at+jwt", "jwt"]

    /// For each byte: 0 for base64url characters and `.`, 1 for `,`, space and tab, 2 for anything else.
    static let byteClasses: [UInt8] = (0...255).map { b in
        switch UInt8(b) {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
            0
        case UInt8(ascii: ","), 0x20, 0x09: 1
        default: 2
        }
    }

    /// The token from `Authorization: Bearer <token>` (scheme case-insensitive).
    ///
    /// No header, or another scheme → 401 without an error code; an empty header, an empty token, or more than one
    /// credential (a comma or whitespace in the token, as when two field lines were joined) → 400
    /// `invalid_request`; a token over 8 KiB or with characters outside base64url and `.` → 401 `invalid_token`.
    static func bearerToken(_ authorization: String?) -> Result<[UInt8], JWTRejection> {
        guard let authorization else { return .failure(.tokenRequired()) }
        var bytes = Array(authorization.utf8)[...]
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }
        while let first = bytes.first, isSpace(first) { bytes.removeFirst() }
        while let last = bytes.last, isSpace(last) { bytes.removeLast() }
        guard !bytes.isEmpty else { return .failure(.invalidRequest("empty Authorization header")) }
        let schemeEnd = bytes.firstIndex(where: isSpace) ?? bytes.endIndex
        let scheme = bytes[..<schemeEnd]
        guard scheme.count == 6, zip(scheme, "bearer".utf8).allSatisfy({ ($0 | 0x20) == $1 }) else {
            return .failure(.tokenRequired("authorization scheme is not Bearer; bearer token required"))
        }
        var token = bytes[schemeEnd...]
        while let first = token.first, isSpace(first) { token.removeFirst() }
        guard !token.isEmpty else { return .failure(.invalidRequest("empty bearer token")) }
        guard token.count <= maxTokenBytes else { return .failure(.invalidToken("token exceeds \(maxTokenBytes) bytes")) }
        // One table lookup per byte, the classes OR-ed: bit 0 a credential separator, bit 1 a character outside
        // base64url and '.'.
        var seen: UInt8 = 0
        Self.byteClasses.withUnsafeBufferPointer { classes in
            for b in token { seen |= classes[Int(b)] }
        }
        if seen & 1 != 0 { return .failure(.invalidRequest("Authorization header holds more than one credential")) }
        guard seen == 0 else { return .failure(.invalidToken("token is not a compact JWS (base64url segments)")) }
        return .success(Array(token))
    }

    /// Splits a compact JWS into exactly three segments.
    static func split(_ token: [UInt8]) throws(JWTRejection) -> TokenParts {
        var dots: [Int] = []
        for (i, b) in token.enumerated() where b == UInt8(ascii: ".") {
            dots.append(i)
            if dots.count > 2 { break }
        }
        guard dots.count == 2 else { throw .invalidToken("token must have three segments") }
        return TokenParts(
            header: token[..<dots[0]], payload: token[(dots[0] + 1)..<dots[1]], signature: token[(dots[1] + 1)...],
            signingInput: token[..<dots[1]])
    }

    /// Decodes a base64url segment holding a JSON object.
    static func decodeObject(_ segment: ArraySlice<UInt8>, what: String) throws(JWTRejection) -> JSONObject {
        guard let bytes = Base64URL.decode(segment) else { throw .invalidToken("\(what) is not base64url") }
        guard case .object(let object)? = try? JSONParser(maxDepth: 32).parse(bytes) else {
            throw .invalidToken("\(what) is not a JSON object")
        }
        return object
    }

    /// Checks the JOSE header before any key lookup. `jku`, `x5u`, `jwk` and `x5c` are ignored: keys only ever come
    /// from the configuration.
    func checkHeader(_ header: JSONObject) throws(JWTRejection) -> JOSEHeader {
        guard case .string(let alg)? = header["alg"] else { throw .invalidToken("token header has no alg") }
        guard alg.lowercased() != "none" else { throw .invalidToken("unsigned tokens (alg none) are not accepted") }
        guard allowedAlgorithms.contains(alg) else { throw .invalidToken("algorithm \(JWTRejection.echo(alg)) is not accepted") }
        if header["crit"] != nil { throw .invalidToken("critical header parameters (crit) are not supported") }
        if let typ = header["typ"] {
            guard case .string(let value) = typ, Self.acceptedTypes.contains(value.lowercased()) else {
                throw .invalidToken("token type is not at+jwt or JWT")
            }
        }
        var kid: String?
        if let value = header["kid"] {
            guard case .string(let k) = value, k.utf8.count <= 256, k.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else {
                throw .invalidToken("kid must be printable text of at most 256 characters")
            }
            kid = k
        }
        return JOSEHeader(alg: alg, kid: kid)
    }
}
