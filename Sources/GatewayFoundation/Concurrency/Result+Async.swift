extension Result where Success: Sendable {
    /// Runs an async throwing body and captures its outcome.
    package static func capture(_ body: () async throws(Failure) -> Success) async -> Result<Success, Failure> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }
}
