import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /oauth/callback`: completes an authorization-code connection. The `state` is single-use and expires after
/// ten minutes; the page cannot be framed and is never cached.
extension GatewayResponder {
    static let callbackPath = "/oauth/callback"

    func oauthCallback(_ request: Request) async -> Response {
        guard request.method == .get else { return HTTPReplies.empty(.methodNotAllowed, headers: [.allow: "GET"]) }
        let query = request.uri.queryParameters
        func page(_ status: HTTPResponse.Status, _ text: String) -> Response {
            var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"]
            headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
            headers[HTTPField.Name("Content-Security-Policy")!] = "frame-ancestors 'none'; default-src 'none'"
            headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
            return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text + "\n")))
        }
        guard let state = query["state"].map(String.init), !state.isEmpty, state.count <= 512 else {
            return page(.badRequest, "Missing state. Start again with: gatehouse credential connect NAME")
        }
        if let error = query["error"].map(String.init) {
            // Burn the state so it cannot be replayed, then report the provider's refusal.
            let service = try? credentials.service()
            _ = try? service?.vault.store.takeOAuthState(hash: CredentialService.hash(state))
            return page(.badRequest, "The provider refused the authorization: \(String(error.prefix(100)).filter { $0.isASCII && !$0.isNewline })")
        }
        guard let code = query["code"].map(String.init), !code.isEmpty, code.count <= 4096 else {
            return page(.badRequest, "Missing code.")
        }
        do {
            let service = try credentials.service()
            let name = try await service.completeAuthorization(state: state, code: code)
            monitor.event(.info, "credential connection '\(name)' authorised")
            return page(.ok, "Gatehouse: connection '\(name)' is authorised. You can close this window.")
        } catch let error as CredentialError {
            // Vault errors name the master-key file: the detail goes to the admin's log, the caller gets the code only.
            // Errors of the flow itself (unknown state, the provider's refusal) are the caller's to read.
            monitor.event(.warning, "OAuth callback failed: \(error.message)")
            if [.locked, .invalidKey, .unsealFailed].contains(error.code) {
                return page(.badRequest, "Gatehouse could not complete the authorization (\(error.code)). The administrator's log has the details.")
            }
            return page(.badRequest, "Gatehouse could not complete the authorization: \(error.message)")
        } catch {
            monitor.event(.error, "OAuth callback failed: \(error)")
            return page(.internalServerError, "Gatehouse could not complete the authorization. The administrator's log has the details.")
        }
    }
}
