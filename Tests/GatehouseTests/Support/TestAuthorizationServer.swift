import Crypto
import Foundation
import GatewayEngine
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A real OAuth 2.0 authorization server on 127.0.0.1 (ephemeral port), for tests.
///
/// - `POST /token`: `client_credentials` (scope and audience checked), `authorization_code` with PKCE S256 and
///   `refresh_token` (rotating: a used refresh token is `invalid_grant`). Clients authenticate with HTTP Basic
///   (RFC 6749 §2.3.1, form-urlencoded id and secret) or `client_id`/`client_secret` in the body; both at once is
///   `invalid_request`; a client registered with an empty secret is public (just `client_id`).
/// - `GET /authorize?…`: approves at once (no login): checks `response_type=code`, `client_id`, `redirect_uri`,
///   `code_challenge` and `code_challenge_method=S256`, then answers 302 to `redirect_uri?code=…&state=…`. Codes
///   are single use and bound to the client, the redirect URI and the challenge.
///
/// It counts requests and issued tokens per grant, keeps every request it received (Authorization header and
/// body) so tests can check where the client secret went, and can be told to fail.
///
/// ```swift
/// let auth = try await TestAuthorizationServer.start(clients: ["cid": "csecret"])
/// defer { auth.stop() }
/// auth.tokenURL; auth.authorizeURL; auth.issued(grant: "client_credentials"); auth.isValid(accessToken: token)
/// ```
final class TestAuthorizationServer: Sendable {
    /// How the next token requests fail.
    enum Failure: Sendable, Equatable {
        /// 500 with a plain-text body.
        case serverError
        /// 401 `invalid_client` whatever the credentials.
        case invalidClient
        /// 200 with a body that is not JSON.
        case garbage
        /// Answers normally after this long.
        case slow(Duration)
        /// 302 to this URL.
        case redirect(String)
        /// 400 `invalid_request` whose description echoes the Authorization header, the body and the client secret.
        case echoSecrets
        /// This status and body as is.
        case custom(status: Int, body: String)
    }

    /// How a client authenticated.
    enum ClientAuth: String, Sendable { case basic, post, none }

    /// One request the server received.
    struct Received: Sendable {
        var method: String
        var path: String
        var query: String?
        var authorization: String?
        var contentType: String?
        var accept: String?
        var body: String
        /// The form-decoded body (last value wins).
        var form: [String: String]
    }

    /// A token the server issued.
    struct Issued: Sendable {
        var clientID: String
        var grant: String
        var scope: String?
        var audience: String?
        var expiresAt: Date?
    }

    struct PendingCode: Sendable {
        var clientID: String
        var redirectURI: String
        var challenge: String
        var scope: String?
        var audience: String?
        var created: Date
    }

    struct State: Sendable {
        var clients: [String: String] = [:]
        var requiredAuth: [String: ClientAuth] = [:]
        var allowedScopes: Set<String>?
        var allowedAudiences: Set<String>?
        var allowedRedirectURIs: Set<String>?
        var tokenLifetime: Int? = 3600
        var failure: Failure?
        var codes: [String: PendingCode] = [:]
        var accessTokens: [String: Issued] = [:]
        var refreshTokens: [String: Issued] = [:]
        var requests: [String: Int] = [:]
        var issued: [String: Int] = [:]
        var hits: [String: Int] = [:]
        var received: [Received] = []
    }

    final class Box: Sendable { let state = Mutex(State()) }

    let port: Int
    let task: Task<Void, any Error>
    let box: Box

    private init(port: Int, task: Task<Void, any Error>, box: Box) {
        self.port = port
        self.task = task
        self.box = box
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var tokenURL: String { baseURL + "/token" }
    var authorizeURL: String { baseURL + "/authorize" }

    /// Starts a server with these clients (id → secret; an empty secret makes a public client). `scopes` and
    /// `audiences`, when given, are all a client may ask for.
    static func start(
        clients: [String: String], scopes: Set<String>? = nil, audiences: Set<String>? = nil, tokenLifetime: Int? = 3600
    ) async throws -> TestAuthorizationServer {
        let box = Box()
        box.state.withLock { s in
            s.clients = clients
            s.allowedScopes = scopes
            s.allowedAudiences = audiences
            s.tokenLifetime = tokenLifetime
        }
        let (port, task) = try await startApplication { ready in
            Application(
                responder: CallbackResponder<BasicRequestContext> { request, _ in try await Self.respond(to: request, box: box) },
                configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { channel in await ready(channel.localAddress?.port ?? 0) },
                logger: Logger(label: "authorization-server", factory: { _ in SwiftLogNoOpLogHandler() }))
        }
        return TestAuthorizationServer(port: port, task: task, box: box)
    }

    func stop() { task.cancel() }

    // MARK: Control and inspection

    /// Seconds until issued access tokens expire (nil: no `expires_in`).
    func setTokenLifetime(_ seconds: Int?) { box.state.withLock { $0.tokenLifetime = seconds } }
    /// Makes `/token` fail this way (nil: answer normally).
    func setFailure(_ failure: Failure?) { box.state.withLock { $0.failure = failure } }
    /// Accepts only this authentication method from `clientID`.
    func require(_ auth: ClientAuth, for clientID: String) { box.state.withLock { $0.requiredAuth[clientID] = auth } }
    /// Accepts only these redirect URIs at `/authorize` and in code exchanges (nil: any http(s) URI).
    func setAllowedRedirectURIs(_ uris: Set<String>?) { box.state.withLock { $0.allowedRedirectURIs = uris } }

    /// Tokens issued with `grant` (`client_credentials`, `authorization_code`, `refresh_token`).
    func issued(grant: String) -> Int { box.state.withLock { $0.issued[grant] ?? 0 } }
    /// Token requests received with `grant_type` = `grant`, successful or not.
    func requests(grant: String) -> Int { box.state.withLock { $0.requests[grant] ?? 0 } }
    /// Requests received on `path`.
    func hits(_ path: String) -> Int { box.state.withLock { $0.hits[path] ?? 0 } }
    /// Every request received, in order.
    var received: [Received] { box.state.withLock { $0.received } }

    /// Whether the server issued this access token and it has not expired.
    func isValid(accessToken: String) -> Bool {
        box.state.withLock { s in
            guard let issued = s.accessTokens[accessToken] else { return false }
            return issued.expiresAt.map { $0 > Date() } ?? true
        }
    }

    /// What the server knows about an access token it issued.
    func info(accessToken: String) -> Issued? { box.state.withLock { $0.accessTokens[accessToken] } }

    /// Whether this refresh token is current (issued and not yet rotated).
    func isCurrent(refreshToken: String) -> Bool { box.state.withLock { $0.refreshTokens[refreshToken] != nil } }

    // MARK: HTTP

    private static func respond(to request: Request, box: Box) async throws -> Response {
        let path = request.uri.path
        let bytes = try await request.body.collect(upTo: 1 << 20)
        let body = String(buffer: bytes)
        let received = Received(
            method: request.method.rawValue, path: path, query: request.uri.query,
            authorization: request.headers[.authorization], contentType: request.headers[.contentType],
            accept: request.headers[.accept], body: body, form: decodeForm(body))
        box.state.withLock { s in
            s.hits[path, default: 0] += 1
            s.received.append(received)
        }
        switch (request.method, path) {
        case (.get, "/authorize"): return authorize(request, box: box)
        case (.post, "/token"): return try await token(received, box: box)
        default: return json(["error": "not_found"], status: .notFound)
        }
    }

    private static func authorize(_ request: Request, box: Box) -> Response {
        let q = decodeForm(request.uri.query ?? "")
        let state = box.state.withLock { $0 }
        guard let clientID = q["client_id"], state.clients[clientID] != nil else {
            return json(["error": "invalid_request", "error_description": "unknown client"], status: .badRequest)
        }
        guard let redirectURI = q["redirect_uri"], let redirect = URLComponents(string: redirectURI),
            redirect.scheme == "http" || redirect.scheme == "https", redirect.fragment == nil,
            state.allowedRedirectURIs.map({ $0.contains(redirectURI) }) ?? true
        else {
            return json(["error": "invalid_request", "error_description": "bad redirect_uri"], status: .badRequest)
        }
        func back(_ params: [(String, String)]) -> Response {
            var items = redirect.queryItems ?? []
            items += params.map { URLQueryItem(name: $0.0, value: $0.1) }
            if let s = q["state"] { items.append(URLQueryItem(name: "state", value: s)) }
            var target = redirect
            target.percentEncodedQuery = items.map { formEncode($0.name) + "=" + formEncode($0.value ?? "") }.joined(separator: "&")
            return Response(status: .found, headers: [.location: target.string ?? redirectURI])
        }
        guard q["response_type"] == "code" else { return back([("error", "unsupported_response_type")]) }
        guard let challenge = q["code_challenge"], challenge.count == 43, q["code_challenge_method"] == "S256" else {
            return back([("error", "invalid_request"), ("error_description", "PKCE S256 required")])
        }
        if let allowed = state.allowedScopes, let scope = q["scope"], !Set(scope.split(separator: " ").map(String.init)).isSubset(of: allowed) {
            return back([("error", "invalid_scope")])
        }
        let code = randomToken("code")
        box.state.withLock { s in
            s.codes[code] = PendingCode(
                clientID: clientID, redirectURI: redirectURI, challenge: challenge, scope: q["scope"], audience: q["audience"], created: Date())
        }
        return back([("code", code)])
    }

    private static func token(_ r: Received, box: Box) async throws -> Response {
        let grant = r.form["grant_type"] ?? ""
        let failure = box.state.withLock { s -> Failure? in
            s.requests[grant, default: 0] += 1
            return s.failure
        }
        switch failure {
        case .serverError?:
            return Response(status: .internalServerError, body: .init(byteBuffer: ByteBuffer(string: "internal error")))
        case .invalidClient?:
            return json(["error": "invalid_client", "error_description": "client authentication failed"], status: .unauthorized)
        case .garbage?:
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "<html>not json")))
        case .slow(let delay)?:
            try await Task.sleep(for: delay)
        case .redirect(let target)?:
            return Response(status: .found, headers: [.location: target])
        case .echoSecrets?:
            let secret = box.state.withLock { s in authenticate(r, clients: s.clients).flatMap { s.clients[$0.id] } } ?? r.form["client_secret"] ?? ""
            return json(
                [
                    "error": "invalid_request",
                    "error_description": .string(
                        "bad request with secret \(secret), header \(r.authorization ?? "-"), body \(r.body), refresh \(r.form["refresh_token"] ?? "-")"
                    ),
                ], status: .badRequest)
        case .custom(let status, let body)?:
            return Response(
                status: .init(code: status), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
        case nil:
            break
        }
        return box.state.withLock { s -> Response in
            guard r.contentType?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else {
                return json(["error": "invalid_request", "error_description": "form body expected"], status: .badRequest)
            }
            if r.authorization != nil && r.form["client_secret"] != nil {
                return json(["error": "invalid_request", "error_description": "more than one authentication method"], status: .badRequest)
            }
            guard let client = authenticate(r, clients: s.clients), s.requiredAuth[client.id].map({ $0 == client.method }) ?? true else {
                var headers: HTTPFields = [.contentType: "application/json"]
                if r.authorization != nil { headers[.wwwAuthenticate] = "Basic realm=\"test\"" }
                return Response(
                    status: .unauthorized, headers: headers,
                    body: .init(byteBuffer: ByteBuffer(string: JSONValue.object(["error": "invalid_client"]).jsonString)))
            }
            switch grant {
            case "client_credentials":
                guard !(s.clients[client.id] ?? "").isEmpty else { return json(["error": "unauthorized_client"], status: .badRequest) }
                let scope = r.form["scope"]
                if let allowed = s.allowedScopes, let scope, !Set(scope.split(separator: " ").map(String.init)).isSubset(of: allowed) {
                    return json(["error": "invalid_scope"], status: .badRequest)
                }
                if let allowed = s.allowedAudiences, let audience = r.form["audience"], !allowed.contains(audience) {
                    return json(["error": "invalid_target", "error_description": "unknown audience"], status: .badRequest)
                }
                return issue(&s, client: client.id, grant: grant, scope: scope, audience: r.form["audience"], refresh: false)
            case "authorization_code":
                guard let code = r.form["code"], let pending = s.codes.removeValue(forKey: code) else {
                    return json(["error": "invalid_grant", "error_description": "unknown or used code"], status: .badRequest)
                }
                guard pending.clientID == client.id, pending.redirectURI == r.form["redirect_uri"],
                    Date().timeIntervalSince(pending.created) < 600
                else {
                    return json(
                        ["error": "invalid_grant", "error_description": "code not issued to this client or redirect URI"], status: .badRequest)
                }
                guard let verifier = r.form["code_verifier"], (43...128).contains(verifier.count), challenge(verifier) == pending.challenge else {
                    return json(["error": "invalid_grant", "error_description": "PKCE verification failed"], status: .badRequest)
                }
                return issue(&s, client: client.id, grant: grant, scope: pending.scope, audience: pending.audience, refresh: true)
            case "refresh_token":
                guard let old = r.form["refresh_token"], let previous = s.refreshTokens[old], previous.clientID == client.id else {
                    return json(["error": "invalid_grant", "error_description": "refresh token unknown, rotated or revoked"], status: .badRequest)
                }
                s.refreshTokens[old] = nil
                return issue(&s, client: client.id, grant: grant, scope: previous.scope, audience: previous.audience, refresh: true)
            default:
                return json(["error": "unsupported_grant_type"], status: .badRequest)
            }
        }
    }

    private static func issue(_ s: inout State, client: String, grant: String, scope: String?, audience: String?, refresh: Bool) -> Response {
        let access = randomToken("at")
        let expiresAt = s.tokenLifetime.map { Date().addingTimeInterval(TimeInterval($0)) }
        let record = Issued(clientID: client, grant: grant, scope: scope, audience: audience, expiresAt: expiresAt)
        s.accessTokens[access] = record
        s.issued[grant, default: 0] += 1
        var body: JSONObject = ["access_token": .string(access), "token_type": "Bearer"]
        if let lifetime = s.tokenLifetime { body["expires_in"] = .int(Int64(lifetime)) }
        if refresh {
            let token = randomToken("rt")
            s.refreshTokens[token] = Issued(clientID: client, grant: grant, scope: scope, audience: audience, expiresAt: nil)
            body["refresh_token"] = .string(token)
        }
        if let scope { body["scope"] = .string(scope) }
        var headers: HTTPFields = [.contentType: "application/json"]
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: JSONValue.object(body).jsonString)))
    }

    /// The authenticated client, or nil: Basic (form-decoded id and secret) or `client_id`/`client_secret` in the
    /// body; `client_id` alone for a public client (registered with an empty secret).
    private static func authenticate(_ r: Received, clients: [String: String]) -> (id: String, method: ClientAuth)? {
        if let header = r.authorization {
            guard header.lowercased().hasPrefix("basic "), let data = Data(base64Encoded: String(header.dropFirst(6))),
                let pair = String(data: data, encoding: .utf8), let colon = pair.firstIndex(of: ":")
            else { return nil }
            let id = formDecode(String(pair[..<colon]))
            let secret = formDecode(String(pair[pair.index(after: colon)...]))
            guard let expected = clients[id], !expected.isEmpty, expected == secret else { return nil }
            return (id, .basic)
        }
        guard let id = r.form["client_id"], let expected = clients[id] else { return nil }
        if let secret = r.form["client_secret"] {
            guard !expected.isEmpty, secret == expected else { return nil }
            return (id, .post)
        }
        return expected.isEmpty ? (id, .none) : nil
    }

    // MARK: Helpers

    static func challenge(_ verifier: String) -> String {
        TestIdentityProvider.base64URL(SHA256.hash(data: Array(verifier.utf8)))
    }

    static func randomToken(_ prefix: String) -> String {
        prefix + "_" + TestIdentityProvider.base64URL((0..<24).map { _ in UInt8.random(in: 0...255) })
    }

    static func decodeForm(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            out[formDecode(String(parts[0]))] = parts.count > 1 ? formDecode(String(parts[1])) : ""
        }
        return out
    }

    static func formDecode(_ text: String) -> String {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? text
    }

    static func formEncode(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    private static func json(_ object: JSONObject, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: JSONValue.object(object).jsonString)))
    }
}
