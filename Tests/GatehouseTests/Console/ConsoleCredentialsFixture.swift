import Foundation
import Store

@testable import ConsoleUI
@testable import GatewayEngine

/// Fixed credential providers and connections for the console tests, turned into rows by the sampler's own builder
/// with fixed masks (the sealed texts below must never reach a screen).
extension ConsoleFixture {
    static let keySource = "/var/lib/gatehouse/master.key"
    static let lockedReason = "no master key; set GATEHOUSE_MASTER_KEY or restore /var/lib/gatehouse/master.key"
    /// Stands for sealed text in the store: it must never be shown.
    static let sealed = "v1:k7:SEALED-TEXT-NEVER-SHOWN"

    static func provider(
        _ id: Int64, _ name: String, _ kind: CredentialKind, _ settings: CredentialProviderSettings, secret: Bool = true, privateNetwork: Bool = false
    )
        -> CredentialProviderRecord
    {
        CredentialProviderRecord(
            id: id,
            .init(
                name: name, kind: kind.rawValue, settings: settings.encoded, secret: secret ? sealed + name : nil,
                allowPrivateNetwork: privateNetwork,
                createdAt: now.addingTimeInterval(-40 * 86400), updatedAt: now.addingTimeInterval(-2 * 86400)))
    }

    static let providerRecords = [
        provider(1, "petstore-key", .apiKey, CredentialProviderSettings(headerName: "X-API-Key")),
        provider(
            2, "github", .authorizationCode,
            CredentialProviderSettings(
                tokenURL: "https://github.com/login/oauth/access_token", authorizationURL: "https://github.com/login/oauth/authorize",
                clientID: "Iv1.8a61f9b3a7aba766", scopes: ["repo", "read:user"])),
        provider(
            3, "billing-oauth", .clientCredentials,
            CredentialProviderSettings(
                tokenURL: "http://10.0.0.12:9000/oauth/token", clientID: "gatehouse", audience: "billing", clientAuthentication: "post"),
            privateNetwork: true),
        provider(4, "weather-token", .bearer, CredentialProviderSettings()),
        provider(5, "legacy-basic", .basic, CredentialProviderSettings(username: "svc-gatehouse")),
    ]

    static let masks = [
        "petstore-key": "••••9f3c", "github": "••••c0de", "billing-oauth": "••••", "weather-token": "••••Zq1w", "legacy-basic": "••••",
    ]

    static func connection(
        _ name: String, _ provider: Int64, _ status: String, _ reason: String? = nil, expiresIn: TimeInterval? = nil, tokens: Bool = false
    )
        -> CredentialConnectionRecord.New
    {
        CredentialConnectionRecord.New(
            name: name, providerId: provider, status: status, statusReason: reason, accessToken: tokens ? sealed + "-access" : nil,
            refreshToken: tokens ? sealed + "-refresh" : nil, expiresAt: expiresIn.map { now.addingTimeInterval($0) },
            updatedAt: now.addingTimeInterval(-300))
    }

    static let connectionRecords = [
        connection("billing-oauth", 3, "error", "token endpoint answered 401: invalid_client", expiresIn: -7200, tokens: true),
        connection("github-alice", 2, "connected", expiresIn: 52 * 60, tokens: true),
        connection("github-bob", 2, "pending", "waiting for authorization in a browser"),
        connection("github-carol", 2, "expired", "the refresh token was revoked: authorise again", expiresIn: -3 * 86400, tokens: true),
        connection("petstore-key", 1, "connected"),
        connection("weather-token", 4, "connected"),
    ].enumerated().map { CredentialConnectionRecord(id: Int64($0.offset + 1), $0.element) }

    /// The credentials as sampled with the master key loaded, or locked.
    static func credentials(locked: Bool = false) -> ConsoleData.Credentials {
        ConsoleDataSampler.credentials(
            providers: providerRecords, connections: connectionRecords,
            vault: locked ? .locked(reason: lockedReason) : .unlocked(keySource: keySource), mask: { locked ? nil : masks[$0.name] })
    }

    /// `data` with credentials: petstore, billing and weather carry one (weather's base URL moved since it was bound).
    static func credentialed(_ data: ConsoleData) -> ConsoleData {
        var d = data
        let bindings = [
            "petstore": ("petstore-key", "https://petstore3.example.com:443"), "billing": ("billing-oauth", "http://10.0.0.12:9000"),
            "weather": ("weather-token", "https://old-weather.example.com:443"),
        ]
        for i in d.apis.indices {
            guard let (connection, origin) = bindings[d.apis[i].name] else { continue }
            d.apis[i].credential = connection
            d.apis[i].credentialOrigin = origin
        }
        d.credentials = credentials()
        return d
    }
}
