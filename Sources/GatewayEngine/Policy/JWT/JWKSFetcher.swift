import AsyncHTTPClient
import Foundation
import NIOCore

/// Fetches the JSON documents the JWT validator needs: OpenID configuration documents and JSON Web Key Sets.
protocol JWKSFetching: Sendable {
    /// GETs a JSON document. Implementations pass the SSRF guard first. Throws `GatewayError` on failure.
    func fetchJSON(_ url: String, allowPrivateNetwork: Bool) async throws -> JSONValue
}

/// Fetches identity-provider documents over HTTP with AsyncHTTPClient.
///
/// Every URL passes the SSRF guard (``AddressGuard``) first; `https` is required unless private networks are allowed
/// and the host resolves only to loopback or private addresses. A redirect is a failure (3xx is never followed),
/// the body is capped at 1 MiB, each fetch has a 10 s deadline, and the body is parsed by the strict ``JSONParser``
/// (depth 32).
///
/// The client must be created with `redirectConfiguration: .disallow` (``makeHTTPClient()`` does that): a client
/// that follows redirects would connect to the redirect target before the fetcher sees it. It connects to the
/// address the guard approved (``PinnedHTTPClient``), never to a second resolution of the name.
struct HTTPJWKSFetcher: JWKSFetching {
    /// The largest document accepted: 1 MiB.
    static let maxBytes = 1024 * 1024
    /// The deadline of one fetch: 10 s.
    static let timeout: TimeAmount = .seconds(10)

    let client: PinnedHTTPClient

    /// Creates a fetcher over `client`, which must not follow redirects.
    init(client: PinnedHTTPClient) {
        self.client = client
    }

    /// A client suited to this fetcher: no redirects, 10 s timeouts, no decompression. Shut it down when done.
    static func makeHTTPClient() -> PinnedHTTPClient {
        PinnedHTTPClient(
            http: .init(
                redirectConfiguration: .disallow,
                timeout: .init(connect: .seconds(10), read: .seconds(10)),
                decompression: .disabled))
    }

    /// GETs `url` after the SSRF guard and the https rule; throws `GatewayError` (`fetch_failed`, `invalid_url`,
    /// `forbidden_address`) on any failure, the URL as its location.
    func fetchJSON(_ url: String, allowPrivateNetwork: Bool) async throws -> JSONValue {
        let http = try await Self.checkAddress(url, allowPrivateNetwork: allowPrivateNetwork, client: client)
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json, application/jwk-set+json")
        let body: ByteBuffer
        do {
            let response = try await http.execute(request, timeout: Self.timeout)
            guard response.history.count <= 1 else {
                throw GatewayError(.fetchFailed, "redirects are not followed", location: url)
            }
            guard (200..<300).contains(response.status.code) else {
                let hint = (300..<400).contains(response.status.code) ? " (redirects are not followed)" : ""
                throw GatewayError(.fetchFailed, "HTTP \(response.status.code)\(hint)", location: url)
            }
            if let length = response.headers.first(name: "content-length").flatMap(Int.init), length > Self.maxBytes {
                throw GatewayError(.fetchFailed, "document of \(length) bytes exceeds the \(Self.maxBytes)-byte limit", location: url)
            }
            body = try await response.body.collect(upTo: Self.maxBytes)
        } catch let error as GatewayError {
            throw error
        } catch is NIOTooManyBytesError {
            throw GatewayError(.fetchFailed, "document exceeds the \(Self.maxBytes)-byte limit", location: url)
        } catch {
            throw GatewayError(.fetchFailed, "fetch failed: \(error)", location: url)
        }
        do {
            return try JSONParser(maxDepth: 32).parse(body.readableBytesView)
        } catch {
            throw GatewayError(.fetchFailed, "not valid JSON: \(error)", location: url)
        }
    }

    @discardableResult
    /// Runs the SSRF guard off the cooperative pool (it resolves the host) and applies the https rule; returns the
    /// client pinned to the approved address.
    static func checkAddress(_ url: String, allowPrivateNetwork: Bool, client: PinnedHTTPClient) async throws(GatewayError) -> HTTPClient {
        do throws(GatewayError) {
            let (http, resolution) = try await client.approved(url, allowPrivateNetwork: allowPrivateNetwork)
            if resolution.scheme == "https" { return http }
            // Plain http only towards loopback or private addresses (the ones approved), and only when those are allowed.
            let allPrivate = resolution.addresses.allSatisfy {
                AddressGuard.literalAddress($0).map { AddressGuard.forbiddenReason($0) != nil } ?? false
            }
            guard allowPrivateNetwork && allPrivate else { throw GatewayError(.invalidURL, "identity provider URLs must use https", location: url) }
            return http
        } catch {
            var located = error
            if located.location == nil { located.location = url }
            throw located
        }
    }
}
