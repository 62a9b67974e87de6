import Foundation
import Store
import Testing

@Suite("Sealed fields in the store")
struct SealedFieldsStoreTests {
    @Test("a replacement whose previous value is stale writes nothing (a token refreshed meanwhile survives rotation)")
    func compareAndSwap() throws {
        let dir = TempDir()
        let store = try GatewayStore(configuration: .init(path: dir.path + "/g.sqlite"))
        try store.createCredentialProvider(
            CredentialProviderRecord.New(name: "p", kind: "bearer", settings: "{}", secret: "gh1:old:AAAA"),
            connection: CredentialConnectionRecord.New(name: "p", providerId: 0, status: "connected"))
        try store.updateCredentialConnection(named: "p", accessToken: .some("gh1:old:TOKEN1"))
        // A running gateway refreshes the token after the rotation read it.
        try store.updateCredentialConnection(named: "p", accessToken: .some("gh1:old:TOKEN2"))
        let stale = [
            SealedField(table: "credentialProvider", row: "p", column: "secret", value: "gh1:new:BBBB", previous: "gh1:old:AAAA"),
            SealedField(table: "credentialConnection", row: "p", column: "accessToken", value: "gh1:new:TOKEN1", previous: "gh1:old:TOKEN1"),
        ]
        #expect(throws: StoreError.self) { try store.replaceSealedFields(stale) }
        #expect(try store.credentialProvider(named: "p").secret == "gh1:old:AAAA", "all or nothing")
        #expect(try store.credentialConnection(named: "p").accessToken == "gh1:old:TOKEN2")
        let fresh = [
            SealedField(table: "credentialProvider", row: "p", column: "secret", value: "gh1:new:BBBB", previous: "gh1:old:AAAA"),
            SealedField(table: "credentialConnection", row: "p", column: "accessToken", value: "gh1:new:TOKEN2", previous: "gh1:old:TOKEN2"),
        ]
        try store.replaceSealedFields(fresh)
        #expect(try store.credentialConnection(named: "p").accessToken == "gh1:new:TOKEN2")
    }
}
