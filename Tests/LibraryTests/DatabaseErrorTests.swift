import Database
import Testing

@Suite struct DatabaseErrorTests {
    @Test(arguments: [
        (2013, "lost connection"), (2006, "server gone"), (2026, "TLS handshake"), (1213, "deadlock"), (1205, "lock wait"),
        (1290, "read-only"), (1836, "read-only mode"), (1021, "disk full"), (1114, "table full"), (1040, "too many connections"),
        (1045, "access denied"), (1142, "command denied"), (1146, "no such table"), (3024, "MySQL statement timeout"),
        (1969, "MariaDB statement timeout"),
    ])
    func theMomentOrTheEnvironmentIsRetriedAsItIs(code: Int, what: String) {
        #expect(DatabaseError(code: UInt32(code), message: what).disposition == .retry, "\(what)")
    }

    @Test(arguments: [
        (1264, "out of range"), (1406, "data too long"), (1366, "incorrect value"), (1048, "cannot be null"),
        (1644, "trigger SIGNAL"), (3819, "MySQL CHECK constraint"), (4025, "MariaDB CHECK constraint"),
        (1869, "auto-increment conflict"), (1062, "duplicate entry of another key"), (1153, "packet too large"),
    ])
    func aRefusalOfTheRowsIsIsolated(code: Int, what: String) {
        #expect(DatabaseError(code: UInt32(code), message: what).disposition == .refusal, "\(what)")
    }

    @Test func theTextNamesTheServerItCameFrom() {
        #expect("\(DatabaseError(code: 1644, sqlState: "45000", message: "no", server: .mySQL))" == "MySQL error 1644 (45000): no")
        #expect("\(DatabaseError(code: 1644, message: "no", server: .mariaDB))".hasPrefix("MariaDB error 1644"))
        #expect("\(DatabaseError(code: 2003, message: "can't connect"))".hasPrefix("database error 2003"))
        #expect(DatabaseServerKind(serverVersion: "10.11.6-MariaDB-0+deb12u1") == .mariaDB)
        #expect(DatabaseServerKind(serverVersion: "9.7.4-2") == .mySQL)
    }

    @Test func aRefusedLoginIsToldApartFromAnOutage() {
        #expect(DatabaseError(code: 1045, message: "denied").isRefusedLogin)
        #expect(DatabaseError(code: 2061, message: "Authentication requires secure connection").isRefusedLogin)
        #expect(!DatabaseError(code: 2003, message: "can't connect").isRefusedLogin)
    }

    @Test func onlyNoAnswerAtAllIsAnOutageForTheRecoveryLine() {
        for code: UInt32 in [2003, 2013, 2006, 2026] {
            #expect(DatabaseError(code: code, message: "no answer").isUnanswered, "\(code)")
        }
        for code: UInt32 in [1290, 1836, 1213, 1644, 1045] {
            #expect(!DatabaseError(code: code, message: "an answer").isUnanswered, "\(code): the server answered")
        }
    }

    @Test func aReadOnlyServerDropsTheConnectionButIsRetried() {
        for code: UInt32 in [1290, 1836, 1792] {
            let error = DatabaseError(code: code, message: "read-only")
            #expect(error.isReadOnlyServer && error.disposition == .retry, "\(code)")
        }
        #expect(!DatabaseError(code: 1213, message: "deadlock").isReadOnlyServer)
        #expect(!DatabaseError(code: 2013, message: "lost connection").isReadOnlyServer)
    }
}
