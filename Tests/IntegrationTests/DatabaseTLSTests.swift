import Shared
import Testing

/// `DB_TLS=true` against the test MariaDB, which `./dev test` starts with a certificate of its own CA.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct DatabaseTLSTests {
    init() throws { try TestServices.require() }

    private func settings(caFile: String) throws -> DatabaseSettings {
        var settings = try TestServices.freshDatabase()
        settings.tls = true
        settings.tlsCAFile = caFile
        return settings
    }

    private var tlsDirectory: String { TestServices.environment["DB_TEST_TLS_DIR"] ?? "" }

    @Test func verifiedTLSSessionsAreEncrypted() throws {
        let connection = try TestServices.connect(settings(caFile: "\(tlsDirectory)/ca.pem"))
        defer { connection.close() }
        #expect(connection.tlsCipher?.isEmpty == false)
        let version = try connection.query("SHOW SESSION STATUS LIKE 'Ssl_version'").first?.last ?? nil
        #expect(version?.hasPrefix("TLS") == true)
    }

    @Test func aServerCertificateFromAnotherCAIsRefused() throws {
        #expect(throws: DatabaseError.self) {
            try TestServices.connect(settings(caFile: "\(tlsDirectory)/other-ca.pem")).close()
        }
    }
}
