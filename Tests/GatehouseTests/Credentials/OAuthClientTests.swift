import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization
import Testing

@testable import GatewayEngine

/// The OAuth 2.0 client, PKCE and the token cache against a real authorization server on 127.0.0.1.
@Suite("OAuth client")
struct OAuthClientTests {
    static let http = OAuthClient.makeHTTPClient()
    static let fixedNow = Date(timeIntervalSince1970: 1_800_000_000)
    static let client = OAuthClient(http: OAuthClientTests.http, now: { OAuthClientTests.fixedNow })

    /// The error a throwing call ends with, or nil when it succeeds.
    static func failure<T>(_ body: () async throws -> T) async -> CredentialError? {
        do {
            _ = try await body()
            return nil
        } catch let error as CredentialError {
            return error
        } catch {
            Issue.record("expected a CredentialError, got \(error)")
            return nil
        }
    }

    static func endpoints(
        _ auth: TestAuthorizationServer, clientID: String = "cid", scopes: [String] = [], audience: String? = nil,
        method: OAuthEndpoints.ClientAuthentication = .basic
    ) throws -> OAuthEndpoints {
        try OAuthEndpoints(
            tokenURL: auth.tokenURL, authorizationURL: auth.authorizeURL, clientID: clientID, scopes: scopes, audience: audience,
            allowPrivateNetwork: true, clientAuthentication: method)
    }

    // MARK: Client credentials

    @Test("client credentials with Basic: form-urlencoded id and secret in the header only; scopes and audience sent")
    func clientCredentialsBasic() async throws {
        let secret = "s3cr3t+/ v=&:é"
        let auth = try await TestAuthorizationServer.start(
            clients: ["cid:1": secret], scopes: ["read", "write"], audiences: ["https://api.example"])
        defer { auth.stop() }
        auth.require(.basic, for: "cid:1")
        let e = try Self.endpoints(auth, clientID: "cid:1", scopes: ["read", "write"], audience: "https://api.example")
        let tokens = try await Self.client.clientCredentials(e, clientSecret: SecretValue(secret))
        #expect(auth.isValid(accessToken: tokens.accessToken.unmasked))
        #expect(tokens.tokenType == "Bearer")
        #expect(tokens.scope == "read write")
        #expect(tokens.refreshToken == nil)
        #expect(tokens.expiresAt == Self.fixedNow.addingTimeInterval(3600))
        let info = try #require(auth.info(accessToken: tokens.accessToken.unmasked))
        #expect(info.clientID == "cid:1" && info.scope == "read write" && info.audience == "https://api.example")
        #expect(auth.issued(grant: "client_credentials") == 1)

        let request = try #require(auth.received.last)
        let expected = "Basic " + Data("cid%3A1:s3cr3t%2B%2F+v%3D%26%3A%C3%A9".utf8).base64EncodedString()
        #expect(request.authorization == expected)
        #expect(request.contentType == "application/x-www-form-urlencoded")
        #expect(request.accept == "application/json")
        #expect(request.form["grant_type"] == "client_credentials")
        #expect(request.form["scope"] == "read write")
        #expect(request.form["audience"] == "https://api.example")
        #expect(request.form["client_secret"] == nil)
        #expect(!request.body.contains("s3cr3t"))
        // The token prints masked.
        #expect(!"\(tokens.accessToken)".contains(tokens.accessToken.unmasked))
    }

    @Test("client credentials with post: id and secret in the body, no Authorization header")
    func clientCredentialsPost() async throws {
        let auth = try await TestAuthorizationServer.start(clients: ["cid": "csecret"])
        defer { auth.stop() }
        auth.require(.post, for: "cid")
        let e = try Self.endpoints(auth, method: .post)
        let tokens = try await Self.client.clientCredentials(e, clientSecret: SecretValue("csecret"))
        #expect(auth.isValid(accessToken: tokens.accessToken.unmasked))
        let request = try #require(auth.received.last)
        #expect(request.authorization == nil)
        #expect(request.form["client_id"] == "cid")
        #expect(request.form["client_secret"] == "csecret")
        #expect(request.form["scope"] == nil && request.form["audience"] == nil)

        // The server insisting on post refuses Basic; a wrong secret is refused either way.
        let basic = try Self.endpoints(auth)
        let refused = await Self.failure { try await Self.client.clientCredentials(basic, clientSecret: SecretValue("csecret")) }
        #expect(refused?.code == .providerError)
        #expect(refused?.message.contains("invalid_client") == true)
        let wrong = await Self.failure { try await Self.client.clientCredentials(e, clientSecret: SecretValue("nope")) }
        #expect(wrong?.code == .providerError)
        #expect(auth.issued(grant: "client_credentials") == 1)
    }

    @Test("expires_in is honoured: now + lifetime, and no expiry when the server gives none")
    func expiresIn() async throws {
        let auth = try await TestAuthorizationServer.start(clients: ["cid": "csecret"])
        defer { auth.stop() }
        let e = try Self.endpoints(auth)
        auth.setTokenLifetime(1)
        #expect(try await Self.client.clientCredentials(e, clientSecret: SecretValue("csecret")).expiresAt == Self.fixedNow.addingTimeInterval(1))
        auth.setTokenLifetime(nil)
        #expect(try await Self.client.clientCredentials(e, clientSecret: SecretValue("csecret")).expiresAt == nil)
        auth.setFailure(.custom(status: 200, body: #"{"access_token":"abc","token_type":"bearer","expires_in":"120"}"#))
        let tokens = try await Self.client.clientCredentials(e, clientSecret: SecretValue("csecret"))
        #expect(tokens.expiresAt == Self.fixedNow.addingTimeInterval(120))
        #expect(tokens.tokenType == "bearer")
    }

    // MARK: Errors

    @Test("error responses map to provider errors naming the host; bad success bodies are refused")
    func errorMapping() async throws {
        let auth = try await TestAuthorizationServer.start(clients: ["cid": "csecret"])
        defer { auth.stop() }
        let e = try Self.endpoints(auth)
        let secret = SecretValue("csecret")
        func fail(_ failure: TestAuthorizationServer.Failure) async -> CredentialError? {
            auth.setFailure(failure)
            return await Self.failure { try await Self.client.clientCredentials(e, clientSecret: secret) }
        }
        let invalidClient = await fail(.invalidClient)
        #expect(invalidClient?.code == .providerError)
        #expect(invalidClient?.message.contains("invalid_client") == true)
        #expect(invalidClient?.message.contains("client authentication failed") == true)
        #expect(invalidClient?.message.contains("127.0.0.1") == true)

        let serverError = await fail(.serverError)
        #expect(serverError?.code == .providerError)
        #expect(serverError?.message.contains("HTTP 500") == true)
        #expect(serverError?.message.contains("internal error") == false)

        #expect(await fail(.garbage)?.message.contains("JSON") == true)
        #expect(await fail(.custom(status: 200, body: #"{"token_type":"Bearer"}"#))?.message.contains("access_token") == true)
        #expect(await fail(.custom(status: 200, body: #"{"access_token":"abc"}"#))?.message.contains("token_type") == true)
        let mac = await fail(.custom(status: 200, body: #"{"access_token":"abc","token_type":"mac"}"#))
        #expect(mac?.message.contains("'mac'") == true)
        #expect(await fail(.custom(status: 200, body: #"{"access_token":"a\nb","token_type":"Bearer"}"#))?.code == .providerError)
        #expect(await fail(.custom(status: 200, body: #"{"access_token":"abc","token_type":"Bearer","expires_in":"soon"}"#))?.code == .providerError)

        // The description is capped at 200 characters and loses control characters.
        let long = String(repeating: "x", count: 1000)
        let capped = try #require(await fail(.custom(status: 400, body: #"{"error":"invalid_scope","error_description":"a\u001b[31m\#(long)"}"#)))
        #expect(capped.message.contains("invalid_scope"))
        #expect(!capped.message.contains("\u{1b}"))
        #expect(capped.message.count < 400)
        #expect(capped.message.contains(String(repeating: "x", count: 190)))

        // A 64 KiB cap on responses.
        let huge = #"{"access_token":"\#(String(repeating: "a", count: 70_000))","token_type":"Bearer"}"#
        #expect(await fail(.custom(status: 200, body: huge))?.message.contains("64 KiB") == true)
        auth.setFailure(nil)
        #expect(try await Self.client.clientCredentials(e, clientSecret: secret).tokenType == "Bearer")
    }

    @Test("an identity provider echoing the secret, the Basic header, the body or the refresh token leaks none of them")
    func secretEchoScrubbed() async throws {
        let secret = "Echo-Me s3cr3t+/=&"
        let auth = try await TestAuthorizationServer.start(clients: ["cid": secret])
        defer { auth.stop() }
        auth.setFailure(.echoSecrets)
        for method in OAuthEndpoints.ClientAuthentication.allCases {
            let e = try Self.endpoints(auth, method: method)
            let error = try #require(await Self.failure { try await Self.client.clientCredentials(e, clientSecret: SecretValue(secret)) })
            let refresh = "rt_TOPSECRETREFRESH"
            let refreshError = try #require(
                await Self.failure {
                    try await Self.client.refresh(e, clientSecret: SecretValue(secret), refreshToken: SecretValue(refresh))
                })
            for error in [error, refreshError] {
                #expect(error.code == .providerError)
                #expect(error.message.contains("invalid_request"))
                #expect(error.message.contains("[redacted]"))
                for leak in [
                    secret, "s3cr3t", PercentEncoder.encodeFormWHATWG(secret), "TOPSECRETREFRESH",
                    Data("cid:\(PercentEncoder.encodeFormWHATWG(secret))".utf8).base64EncodedString().prefix(20).description,
                ] {
                    #expect(!error.message.contains(leak), "leaked \(leak) with \(method)")
                    #expect(!"\(error)".contains(leak))
                }
            }
        }
    }

    @Test("a network failure names the host, never the secret")
    func networkFailure() async throws {
        // Bind and stop a server so its port is closed.
        let auth = try await TestAuthorizationServer.start(clients: ["cid": "csecret"])
        let e = try Self.endpoints(auth)
        auth.stop()
        try? await auth.task.value
        // AsyncHTTPClient retries refused connections until the deadline: keep it short.
        var client = Self.client
        client.timeout = .seconds(1)
        let error = try #require(await Self.failure { try await client.clientCredentials(e, clientSecret: SecretValue("csecret")) })
        #expect(error.code == .providerError)
        #expect(error.message.contains("127.0.0.1"))
        #expect(!error.message.contains("csecret"))
    }

    @Test("a slow token endpoint times out")
    func slowEndpoint() async throws {
        let auth = try await TestAuthorizationServer.start(clients: ["cid": "csecret"])
        defer { auth.stop() }
        auth.setFailure(.slow(.seconds(5)))
        var client = Self.client
        client.timeout = .milliseconds(300)
        let e = try Self.endpoints(auth)
        let error = try #require(await Self.failure { try await client.clientCredentials(e, clientSecret: SecretValue("csecret")) })
        #expect(error.code == .providerError)
        #expect(error.message.contains("did not answer"))
    }

    // MARK: Redirects and SSRF

    @Test("a 302 from the token endpoint is an error and its target is never contacted")
    func noRedirects() async throws {
        let auth = try await TestAuthorizationServer.start(clients: ["cid": "csecret"])
        defer { auth.stop() }
        let backend = try await TestBackend.start()
        defer { backend.stop() }
        auth.setFailure(.redirect("http://127.0.0.1:\(backend.port)/pets/1"))
        let e = try Self.endpoints(auth)
        let error = try #require(await Self.failure { try await Self.client.clientCredentials(e, clientSecret: SecretValue("csecret")) })
        #expect(error.code == .providerError)
        #expect(error.message.contains("redirect"))
        #expect(backend.hitCount == 0)
        #expect(auth.hits("/token") == 1)

        // With an HTTP client that follows redirects (misconfigured), the answer is still refused.
        let following = PinnedHTTPClient(http: .init(redirectConfiguration: .follow(max: 3, allowCycles: false)))
        let lax = OAuthClient(http: following)
        let laxError = await Self.failure { try await lax.clientCredentials(e, clientSecret: SecretValue("csecret")) }
        try await following.shutdown()
        #expect(laxError?.code == .providerError)
        #expect(laxError?.message.contains("redirect") == true)
    }

    @Test("SSRF: loopback token URLs are refused without allowPrivateNetwork, before any request")
    func ssrfRefused() async throws {
        let auth = try await TestAuthorizationServer.start(clients: ["cid": "csecret"])
        defer { auth.stop() }
        // https passes the syntax check; the guard refuses the loopback address.
        let https = try OAuthEndpoints(tokenURL: "https://127.0.0.1:\(auth.port)/token", clientID: "cid")
        let guarded = await Self.failure { try await Self.client.clientCredentials(https, clientSecret: SecretValue("csecret")) }
        #expect(guarded?.code == .invalid)
        #expect(guarded?.message.contains("loopback") == true)
        // Plain http needs private networks allowed, at construction and again at call time.
        #expect(await Self.failure { try OAuthEndpoints(tokenURL: auth.tokenURL, clientID: "cid") }?.code == .invalid)
        var e = try Self.endpoints(auth)
        e.allowPrivateNetwork = false
        #expect(await Self.failure { try await Self.client.clientCredentials(e, clientSecret: SecretValue("csecret")) }?.code == .invalid)
        let localhost = try OAuthEndpoints(tokenURL: "https://localhost:\(auth.port)/token", clientID: "cid")
        #expect(
            await Self.failure { try await Self.client.refresh(localhost, clientSecret: SecretValue("csecret"), refreshToken: SecretValue("r")) }?
                .code == .invalid)
        #expect(auth.hits("/token") == 0)
        #expect(auth.received.isEmpty)
    }

    @Test("endpoint URLs: https unless private, no user info, no fragment, no other schemes")
    func endpointValidation() async throws {
        func invalid(_ token: String, _ authorize: String? = nil, allowPrivate: Bool = false) async -> Bool {
            await Self.failure {
                try OAuthEndpoints(tokenURL: token, authorizationURL: authorize, clientID: "cid", allowPrivateNetwork: allowPrivate)
            }?.code == .invalid
        }
        #expect(
            try OAuthEndpoints(tokenURL: "https://idp.example/token", authorizationURL: "https://idp.example/authorize", clientID: "c")
                .clientAuthentication == .basic)
        #expect(try OAuthEndpoints(tokenURL: "http://10.1.2.3/token", clientID: "c", allowPrivateNetwork: true).allowPrivateNetwork)
        #expect(try OAuthEndpoints(tokenURL: "http://[::1]:8080/token", clientID: "c", allowPrivateNetwork: true).allowPrivateNetwork)
        #expect(try OAuthEndpoints(tokenURL: "http://localhost:8080/token", clientID: "c", allowPrivateNetwork: true).allowPrivateNetwork)
        #expect(await invalid("http://idp.example/token"))
        #expect(await invalid("http://8.8.8.8/token", allowPrivate: true))
        #expect(await invalid("https://user:pass@idp.example/token"))
        #expect(await invalid("https://idp.example/token#frag"))
        #expect(await invalid("ftp://idp.example/token"))
        #expect(await invalid("/token"))
        #expect(await invalid("https:///token"))
        #expect(await invalid("https://idp.example/token", "javascript:alert(1)"))
        #expect(await invalid("https://idp.example/token", "data:text/html,hi"))
        #expect(await invalid("https://idp.example/token", "file:///etc/passwd"))
        #expect(await invalid("https://idp.example/token", "http://idp.example/authorize"))
        #expect(await Self.failure { try OAuthEndpoints(tokenURL: "https://idp.example/token", clientID: "") }?.code == .invalid)
        // A mutated authorization URL is checked again when the URL is built.
        var e = try OAuthEndpoints(tokenURL: "https://idp.example/token", authorizationURL: "https://idp.example/a", clientID: "c")
        e.authorizationURL = "javascript:alert(1)//"
        #expect(
            await Self.failure { try OAuthClient.authorizationURL(e, redirectURI: "http://127.0.0.1:1/cb", state: "s", codeChallenge: "c") }?.code
                == .invalid)
        e.authorizationURL = nil
        #expect(
            await Self.failure { try OAuthClient.authorizationURL(e, redirectURI: "http://127.0.0.1:1/cb", state: "s", codeChallenge: "c") }?.code
                == .invalid)
    }

    // MARK: PKCE and the authorization URL

    @Test("PKCE: 43-character unreserved verifiers, the RFC 7636 S256 example, random state")
    func pkce() {
        #expect(PKCE.challenge(for: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        var seen: Set<String> = []
        for _ in 0..<50 {
            let verifier = PKCE.verifier()
            #expect(verifier.count == 43)
            #expect(verifier.allSatisfy { unreserved.contains($0) })
            #expect(PKCE.challenge(for: verifier).count == 43)
            let state = PKCE.state()
            #expect(state.count == 43 && state.allSatisfy { unreserved.contains($0) })
            seen.insert(verifier)
            seen.insert(state)
        }
        #expect(seen.count == 100)
    }

    @Test("the authorization URL carries every parameter, percent-encoded, after the URL's own query")
    func authorizationURLEncoding() throws {
        let e = try OAuthEndpoints(
            tokenURL: "https://idp.example/token", authorizationURL: "https://idp.example/authorize?tenant=a%20b", clientID: "my client+1",
            scopes: ["read:pets", "write pets"], audience: "https://api.example/?x=1&y=2")
        let url = try OAuthClient.authorizationURL(e, redirectURI: "http://127.0.0.1:8123/callback?x=1", state: "a+b&c=d", codeChallenge: "CHAL")
        #expect(url.hasPrefix("https://idp.example/authorize?tenant=a%20b&response_type=code&"))
        #expect(url.contains("client_id=my%20client%2B1"))
        #expect(url.contains("redirect_uri=http%3A%2F%2F127.0.0.1%3A8123%2Fcallback%3Fx%3D1"))
        #expect(url.contains("scope=read%3Apets%20write%20pets"))
        #expect(url.contains("state=a%2Bb%26c%3Dd"))
        #expect(url.contains("code_challenge=CHAL&code_challenge_method=S256"))
        let items = try #require(URLComponents(string: url)?.queryItems)
        let query = Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
        #expect(query["audience"] == "https://api.example/?x=1&y=2")
        #expect(query["state"] == "a+b&c=d")
        #expect(query["tenant"] == "a b")
        #expect(items.count == 9)

        var duplicate = e
        duplicate.authorizationURL = "https://idp.example/authorize?client_id=other"
        #expect(throws: CredentialError.self) {
            try OAuthClient.authorizationURL(duplicate, redirectURI: "http://127.0.0.1:1/cb", state: "s", codeChallenge: "c")
        }
        #expect(throws: CredentialError.self) {
            try OAuthClient.authorizationURL(e, redirectURI: "javascript:alert(1)", state: "s", codeChallenge: "c")
        }
        #expect(throws: CredentialError.self) {
            try OAuthClient.authorizationURL(e, redirectURI: "http://127.0.0.1:1/cb#x", state: "s", codeChallenge: "c")
        }
    }

    // MARK: Authorization code

    /// Opens the authorization URL like a browser that does not follow the redirect, and returns the query of the
    /// 302's Location.
    static func authorize(_ url: String) async throws -> [String: String] {
        let response = try await http.execute(HTTPClientRequest(url: url), allowPrivateNetwork: true, timeout: .seconds(5))
        #expect(response.status == .found)
        let location = try #require(response.headers.first(name: "location"))
        let items = try #require(URLComponents(string: location)?.queryItems)
        return Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
    }

    @Test("authorization code + PKCE round trip: authorize, exchange, refresh with rotation; codes are single use")
    func authorizationCodeRoundTrip() async throws {
        let auth = try await TestAuthorizationServer.start(clients: ["app": "appsecret"], scopes: ["read", "write"])
        defer { auth.stop() }
        let redirectURI = "http://127.0.0.1:9/callback"
        auth.setAllowedRedirectURIs([redirectURI])
        let e = try Self.endpoints(auth, clientID: "app", scopes: ["read", "write"])
        let verifier = PKCE.verifier()
        let state = PKCE.state()
        let url = try OAuthClient.authorizationURL(e, redirectURI: redirectURI, state: state, codeChallenge: PKCE.challenge(for: verifier))
        #expect(url.hasPrefix(auth.authorizeURL + "?"))
        let answer = try await Self.authorize(url)
        #expect(answer["state"] == state)
        let code = try #require(answer["code"])

        let tokens = try await Self.client.exchangeCode(
            e, clientSecret: SecretValue("appsecret"), code: code, verifier: verifier, redirectURI: redirectURI)
        #expect(auth.isValid(accessToken: tokens.accessToken.unmasked))
        #expect(tokens.scope == "read write")
        let refresh = try #require(tokens.refreshToken)
        #expect(auth.issued(grant: "authorization_code") == 1)
        let exchange = try #require(auth.received.last)
        #expect(exchange.form["code_verifier"] == verifier)
        #expect(exchange.form["redirect_uri"] == redirectURI)
        #expect(exchange.form["client_secret"] == nil)
        #expect(exchange.authorization?.hasPrefix("Basic ") == true)
        // The secret never went to the authorization endpoint.
        let authorizeRequest = try #require(auth.received.first { $0.path == "/authorize" })
        #expect(authorizeRequest.authorization == nil)
        #expect(!(authorizeRequest.query ?? "").contains("appsecret"))

        // A code works once.
        let reused = await Self.failure {
            try await Self.client.exchangeCode(e, clientSecret: SecretValue("appsecret"), code: code, verifier: verifier, redirectURI: redirectURI)
        }
        #expect(reused?.code == .providerError)
        #expect(reused?.message.contains("invalid_grant") == true)
        #expect(reused?.message.contains(code) == false)

        // Refresh rotates: the new refresh token works, the old one is refused as not connected.
        let refreshed = try await Self.client.refresh(e, clientSecret: SecretValue("appsecret"), refreshToken: refresh)
        #expect(auth.isValid(accessToken: refreshed.accessToken.unmasked))
        #expect(refreshed.accessToken != tokens.accessToken)
        let rotated = try #require(refreshed.refreshToken)
        #expect(rotated != refresh)
        #expect(auth.issued(grant: "refresh_token") == 1)
        let old = await Self.failure { try await Self.client.refresh(e, clientSecret: SecretValue("appsecret"), refreshToken: refresh) }
        #expect(old?.code == .notConnected)
        #expect(old?.message == "the refresh token was refused (invalid_grant); reconnect with gatehouse credential connect NAME")
        let again = try await Self.client.refresh(e, clientSecret: SecretValue("appsecret"), refreshToken: rotated)
        #expect(auth.isValid(accessToken: again.accessToken.unmasked))
        #expect(auth.issued(grant: "refresh_token") == 2)
    }

    @Test("a wrong verifier, another redirect URI or another client cannot redeem a code")
    func codeBindings() async throws {
        let auth = try await TestAuthorizationServer.start(clients: ["app": "appsecret", "other": "othersecret"])
        defer { auth.stop() }
        let redirectURI = "http://127.0.0.1:9/callback"
        let e = try Self.endpoints(auth, clientID: "app")
        func code(_ verifier: String) async throws -> String {
            let url = try OAuthClient.authorizationURL(e, redirectURI: redirectURI, state: PKCE.state(), codeChallenge: PKCE.challenge(for: verifier))
            return try #require(try await Self.authorize(url)["code"])
        }
        let verifier = PKCE.verifier()
        let c1 = try await code(verifier)
        let wrongVerifier = await Self.failure {
            try await Self.client.exchangeCode(
                e, clientSecret: SecretValue("appsecret"), code: c1, verifier: PKCE.verifier(), redirectURI: redirectURI)
        }
        #expect(wrongVerifier?.code == .providerError)
        #expect(wrongVerifier?.message.contains("invalid_grant") == true)

        let c2 = try await code(verifier)
        let otherRedirect = await Self.failure {
            try await Self.client.exchangeCode(
                e, clientSecret: SecretValue("appsecret"), code: c2, verifier: verifier, redirectURI: "http://127.0.0.1:9/other")
        }
        #expect(otherRedirect?.message.contains("invalid_grant") == true)

        let c3 = try await code(verifier)
        let other = try Self.endpoints(auth, clientID: "other")
        let otherClient = await Self.failure {
            try await Self.client.exchangeCode(
                other, clientSecret: SecretValue("othersecret"), code: c3, verifier: verifier, redirectURI: redirectURI)
        }
        #expect(otherClient?.message.contains("invalid_grant") == true)
        #expect(auth.issued(grant: "authorization_code") == 0)

        // /authorize itself refuses a missing or plain challenge (back to the redirect URI with an error).
        let plain = try await Self.authorize(
            auth.authorizeURL
                + "?response_type=code&client_id=app&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback&state=s&code_challenge=\(verifier)&code_challenge_method=plain"
        )
        #expect(plain["error"] == "invalid_request" && plain["code"] == nil && plain["state"] == "s")
    }

    @Test("a public client (empty secret) sends its id in the body and no Authorization header")
    func publicClient() async throws {
        let auth = try await TestAuthorizationServer.start(clients: ["pub": ""])
        defer { auth.stop() }
        let redirectURI = "http://127.0.0.1:9/callback"
        let e = try Self.endpoints(auth, clientID: "pub")
        let verifier = PKCE.verifier()
        let url = try OAuthClient.authorizationURL(e, redirectURI: redirectURI, state: "st", codeChallenge: PKCE.challenge(for: verifier))
        let code = try #require(try await Self.authorize(url)["code"])
        let tokens = try await Self.client.exchangeCode(e, clientSecret: SecretValue(""), code: code, verifier: verifier, redirectURI: redirectURI)
        #expect(auth.isValid(accessToken: tokens.accessToken.unmasked))
        let request = try #require(auth.received.last)
        #expect(request.authorization == nil)
        #expect(request.form["client_id"] == "pub")
    }

    @Test("a refresh answered without a new refresh token keeps the old one")
    func refreshWithoutRotation() async throws {
        let auth = try await TestAuthorizationServer.start(clients: ["cid": "csecret"])
        defer { auth.stop() }
        auth.setFailure(.custom(status: 200, body: #"{"access_token":"new","token_type":"Bearer","expires_in":60}"#))
        let tokens = try await Self.client.refresh(
            try Self.endpoints(auth), clientSecret: SecretValue("csecret"), refreshToken: SecretValue("keep-me"))
        #expect(tokens.accessToken.unmasked == "new")
        #expect(tokens.refreshToken?.unmasked == "keep-me")
        #expect(tokens.expiresAt == Self.fixedNow.addingTimeInterval(60))
        // invalid_grant anywhere but a refresh stays a provider error.
        auth.setFailure(.custom(status: 400, body: #"{"error":"invalid_grant"}"#))
        let e = try Self.endpoints(auth)
        #expect(await Self.failure { try await Self.client.clientCredentials(e, clientSecret: SecretValue("csecret")) }?.code == .providerError)
    }
}
