import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

extension OAuthClient {
    /// A token endpoint's answer, read whole.
    struct Exchange: Sendable {
        var host: String
        var status: Int
        var body: [UInt8]
    }

    /// POSTs a form to the token endpoint after the SSRF check; a 3xx or a followed redirect is an error.
    func post(_ e: OAuthEndpoints, body: String, authorization: String?, scrubber: Scrubber) async throws(CredentialError) -> Exchange {
        let checked = try OAuthEndpoints.checkURL(e.tokenURL, role: "token URL", allowPrivateNetwork: e.allowPrivateNetwork)
        let host = checked.host
        let (client, resolution) = try await guardCheck(e.tokenURL, allowPrivateNetwork: e.allowPrivateNetwork)
        if checked.scheme == "http" {
            for address in resolution.addresses {
                let isPrivate = AddressGuard.literalAddress(address).map { AddressGuard.forbiddenReason($0) != nil } ?? false
                guard isPrivate else {
                    throw CredentialError(.invalid, "the token URL must use https: \(host) resolves to the address \(address)")
                }
            }
        }

        var request = HTTPClientRequest(url: e.tokenURL)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "gatehouse")
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        request.body = .bytes(ByteBuffer(string: body))

        let limit = maxResponseBytes
        do {
            let response = try await client.execute(request, timeout: timeout)
            let status = Int(response.status.code)
            // A client that follows redirects has already followed them: its history shows the first answer.
            let first = response.history.count > 1 ? Int(response.history[0].responseHead.status.code) : status
            if (300..<400).contains(first) {
                throw CredentialError(
                    .providerError, "the token endpoint at \(host) answered with a redirect (HTTP \(first)); redirects are not followed")
            }
            if let length = response.headers.first(name: "content-length").flatMap(Int.init), length > limit {
                throw CredentialError(.providerError, "the token endpoint at \(host) sent a response larger than \(limit / 1024) KiB")
            }
            var bytes: [UInt8] = []
            for try await chunk in response.body {
                guard bytes.count + chunk.readableBytes <= limit else {
                    throw CredentialError(.providerError, "the token endpoint at \(host) sent a response larger than \(limit / 1024) KiB")
                }
                bytes.append(contentsOf: chunk.readableBytesView)
            }
            return Exchange(host: host, status: status, body: bytes)
        } catch let error as CredentialError {
            throw error
        } catch let error as HTTPClientError {
            throw CredentialError(.providerError, "the token endpoint at \(host) \(Self.describe(error, timeout: timeout, scrubber: scrubber))")
        } catch {
            throw CredentialError(
                .providerError, "the token endpoint at \(host) could not be reached: \(scrubber.scrub(String(describing: error)).prefix(200))")
        }
    }

    static func describe(_ error: HTTPClientError, timeout: TimeAmount, scrubber: Scrubber) -> String {
        switch error {
        case .deadlineExceeded, .readTimeout, .writeTimeout:
            "did not answer within \(Double(timeout.nanoseconds) / 1e9) s"
        case .connectTimeout, .tlsHandshakeTimeout, .getConnectionFromPoolTimeout:
            "could not be connected to in time"
        case .remoteConnectionClosed:
            "closed the connection before answering"
        case .cancelled:
            "call was cancelled"
        default:
            "could not be reached: \(scrubber.scrub(String(describing: error)).prefix(200))"
        }
    }

    /// Runs the SSRF guard off the cooperative pool (it resolves names with the blocking system resolver) and maps
    /// its refusal to `.invalid`.
    /// Returns the client pinned to the approved address with the guard's resolution.
    func guardCheck(_ url: String, allowPrivateNetwork: Bool) async throws(CredentialError) -> (HTTPClient, AddressGuard.Resolution) {
        do throws(GatewayError) {
            return try await http.approved(url, allowPrivateNetwork: allowPrivateNetwork)
        } catch {
            throw CredentialError(.invalid, "the token URL was refused: \(error.message)")
        }
    }
}
