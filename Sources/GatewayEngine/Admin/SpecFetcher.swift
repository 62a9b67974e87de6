import AsyncHTTPClient
import Foundation
import NIOCore

/// Reads an OpenAPI document from a file or an `http(s)` URL. Remote URLs pass the SSRF guard, redirects are not
/// followed, and the size is capped.
struct SpecFetcher: Sendable {
    /// The largest document accepted. Default 20 MiB.
    var maxBytes = 20 * 1024 * 1024
    /// Timeout for remote documents. Default 30 s.
    var timeout: TimeAmount = .seconds(30)

    init() {}

    /// Whether a source names a remote document.
    static func isRemote(_ source: String) -> Bool { AddressGuard.isHTTPURL(source) }

    /// Reads the document. Relative paths are resolved against `baseDirectory`.
    func fetch(_ source: String, baseDirectory: String? = nil, allowPrivateNetwork: Bool) async throws(GatewayError) -> (
        data: Data, url: URL?, resolvedSource: String
    ) {
        if Self.isRemote(source) {
            return try await fetchRemote(source, allowPrivateNetwork: allowPrivateNetwork)
        }
        if source.contains("://") {
            throw GatewayError(.invalidURL, "only http(s) URLs and file paths can be imported: \(source)")
        }
        let path = Self.localPath(source, baseDirectory: baseDirectory)
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            throw GatewayError(.invalidSpec, "no such file", location: path)
        }
        if let size = attributes[.size] as? Int, size > maxBytes {
            throw GatewayError(.invalidSpec, "document is \(size) bytes; the limit is \(maxBytes)", location: path)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GatewayError(.invalidSpec, "cannot read file", location: path)
        }
        return (data, nil, path)
    }

    /// A local source as an absolute, standardised path (relative paths resolved against `baseDirectory`).
    public static func localPath(_ source: String, baseDirectory: String?) -> String {
        var path = source
        if !path.hasPrefix("/"), let baseDirectory { path = baseDirectory + "/" + path }
        return URL(fileURLWithPath: path).standardizedFileURL.path
    }

    func fetchRemote(_ source: String, allowPrivateNetwork: Bool) async throws(GatewayError) -> (data: Data, url: URL?, resolvedSource: String) {
        // The document is fetched from the address the guard approved, not from a second resolution of the name.
        let pinned = PinnedHTTPClient(http: .init(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10), read: timeout)))
        let result: Result<(data: Data, url: URL?, resolvedSource: String), GatewayError> = await {
            do {
                let client = try await pinned.approved(source, allowPrivateNetwork: allowPrivateNetwork).client
                return .success(try await download(source, client: client))
            } catch let error as GatewayError {
                return .failure(error)
            } catch {
                return .failure(GatewayError(.fetchFailed, "cannot fetch the document: \(error)", location: source))
            }
        }()
        try? await pinned.shutdown()
        return try result.get()
    }

    private func download(_ source: String, client: HTTPClient) async throws -> (data: Data, url: URL?, resolvedSource: String) {
        do {
            var request = HTTPClientRequest(url: source)
            request.headers.add(name: "Accept", value: "application/json, application/yaml, text/yaml, */*;q=0.5")
            let response = try await client.execute(request, timeout: timeout)
            guard (200..<300).contains(response.status.code) else {
                let hint = (300..<400).contains(response.status.code) ? " (redirects are not followed; use the final URL)" : ""
                throw GatewayError(.fetchFailed, "HTTP \(response.status.code) fetching the document\(hint)", location: source)
            }
            let body = try await response.body.collect(upTo: maxBytes)
            return (Data(body.readableBytesView), URL(string: source), source)
        } catch let error as GatewayError {
            throw error
        } catch {
            throw GatewayError(.fetchFailed, "cannot fetch the document: \(error)", location: source)
        }
    }
}
