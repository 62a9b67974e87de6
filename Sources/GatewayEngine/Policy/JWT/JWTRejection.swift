/// Why a request's bearer token was refused, ready to become an HTTP status and a `WWW-Authenticate` challenge
/// (RFC 6750 §3).
///
/// ``description`` is safe to send and to log: it never contains the token or any part of it, and anything echoed
/// from the token (a `kid`, an `alg`) is cut to 40 printable ASCII characters with quotes and backslashes replaced.
struct JWTRejection: Error, Sendable, Equatable {
    /// 400 (malformed `Authorization` header), 401 (missing or invalid token), 403 (insufficient scope), or 503 (no
    /// signing keys could be obtained).
    var status: Int
    /// `invalid_request`, `invalid_token`, `insufficient_scope`, or nil when no bearer token was presented (RFC 6750
    /// §3.1: no error code then) and for 503.
    var error: String?
    /// A short, safe explanation.
    var description: String
    /// The required scopes the token lacks (403 only), in the order they are configured.
    var missingScopes: [String]

    /// A rejection with the given status, RFC 6750 error code and description.
    init(status: Int, error: String?, description: String, missingScopes: [String] = []) {
        self.status = status
        self.error = error
        self.description = description
        self.missingScopes = missingScopes
    }

    /// 401 without an error code: no bearer token was presented.
    static func tokenRequired(_ description: String = "bearer token required") -> JWTRejection {
        JWTRejection(status: 401, error: nil, description: description)
    }

    /// 400 `invalid_request`: the `Authorization` header is malformed.
    static func invalidRequest(_ description: String) -> JWTRejection {
        JWTRejection(status: 400, error: "invalid_request", description: description)
    }

    /// 401 `invalid_token`.
    static func invalidToken(_ description: String) -> JWTRejection {
        JWTRejection(status: 401, error: "invalid_token", description: description)
    }

    /// 403 `insufficient_scope`.
    static func insufficientScope(_ missing: [String]) -> JWTRejection {
        JWTRejection(
            status: 403, error: "insufficient_scope", description: "token lacks required scope(s)", missingScopes: missing)
    }

    /// 503: no signing keys are available (the identity provider cannot be reached and no last-good keys are held).
    static let keysUnavailable = JWTRejection(status: 503, error: nil, description: "signing keys unavailable")

    /// A token-supplied value made safe to echo: at most 40 printable ASCII characters (the last three `...` when
    /// cut), with control characters, non-ASCII, `"` and `\` replaced by `?`.
    static func echo(_ value: String) -> String {
        var out = ""
        var count = 0
        for scalar in value.unicodeScalars {
            if count == 40 {
                return String(out.unicodeScalars.prefix(37)) + "..."
            }
            let v = scalar.value
            out.unicodeScalars.append((0x20...0x7E).contains(v) && v != 0x22 && v != 0x5C ? scalar : "?")
            count += 1
        }
        return out
    }
}
