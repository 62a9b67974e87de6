extension CredentialManager {
    /// A connection's current secret on its own: the token of a bearer or OAuth connection (without `Bearer `), the
    /// key of an api-key connection, the encoded pair of a basic one. For `get-authorization-context` and for stdio
    /// upstream environments (`{{credential:NAME}}`).
    public func secret(for connectionName: String) async throws(CredentialError) -> SecretValue {
        let injection = try await injection(for: connectionName)
        let value =
            injection.headers.first.map { h in
                h.value.hasPrefix("Bearer ") ? String(h.value.dropFirst(7)) : h.value
            } ?? injection.query.first?.value ?? ""
        return SecretValue(value)
    }
}
