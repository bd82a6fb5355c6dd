import Database
import Testing

/// `DB_TLS=true` against the test MariaDB and MySQL, which `./dev test` starts with a certificate of its own CA.
@Suite(.serialized, .timeLimit(.minutes(1)), .needsTestServers)
struct DatabaseTLSTests {
    private func settings(on server: DatabaseServer, caFile: String) throws -> DatabaseSettings {
        var settings = try server.freshDatabase()
        settings.tls = true
        settings.tlsCAFile = "\(server.tlsDirectory)/\(caFile)"
        return settings
    }

    @Test(arguments: DatabaseServer.all)
    func verifiedTLSSessionsAreEncrypted(on server: DatabaseServer) throws {
        let connection = try TestServices.connect(settings(on: server, caFile: "ca.pem"))
        defer { connection.close() }
        #expect(connection.tlsCipher?.isEmpty == false)
        let version = try connection.query("SHOW SESSION STATUS LIKE 'Ssl_version'").first?.last ?? nil
        #expect(version?.hasPrefix("TLS") == true)
    }

    @Test(arguments: DatabaseServer.all)
    func aServerCertificateFromAnotherCAIsRefused(on server: DatabaseServer) throws {
        #expect(throws: DatabaseError.self) {
            try TestServices.connect(settings(on: server, caFile: "other-ca.pem")).close()
        }
    }
}
