import Database
import Testing

@testable import WriteBenchmark

/// `LOAD DATA LOCAL INFILE` fed from memory through libmariadb's local-infile handler.
@Suite(.serialized, .timeLimit(.minutes(1)), .needsTestServers)
struct LocalDataTests {
    private static let load = """
        LOAD DATA LOCAL INFILE 'any-name-the-server-asks-for' IGNORE INTO TABLE t FIELDS TERMINATED BY '\\t' (value, key_text)
        """

    @Test(arguments: DatabaseServer.all)
    func rowsComeFromMemoryAndDuplicatesAreSkipped(on server: DatabaseServer) throws {
        let settings = try server.freshDatabase()
        let connection = try DatabaseConnection.connect(
            settings: settings, database: settings.name, connectTimeout: .seconds(5), ioTimeout: .seconds(30), localData: true)
        defer { connection.close() }
        try connection.query("CREATE TABLE t (value BIGINT NOT NULL, key_text VARCHAR(64) NOT NULL UNIQUE)")
        let data = Array("1\ta\n2\tb\n3\ta\n".utf8)
        switch server.kind {
        case .mySQL:
            // MySQL's local_infile is OFF unless turned on: a setting to fix, never a refusal of the rows.
            #expect {
                try connection.loadData(Self.load, from: data)
            } throws: { error in
                (error as? DatabaseError).map { $0.code == 3948 && $0.disposition == .retry } == true
            }
        default:
            #expect(try connection.loadData(Self.load, from: data) == 2)
            #expect(try connection.query("SELECT GROUP_CONCAT(value ORDER BY value) FROM t").first?.first == "1,2")
            // A second, larger load on the same session: the handler is set for each statement.
            let many = (10..<5010).map { "\($0)\tk\($0)\n" }.joined()
            #expect(try connection.loadData(Self.load, from: Array(many.utf8)) == 5000)
        }
    }
}
