import NIOCore
import Redis

/// Redis for the tests' own set-up and checks, which run outside async code (initializers,
/// `defer`): each call waits for its answer. Fine in tests, which never run on an event loop.
extension RedisConnection {
    static func connect(host: String, port: Int, username: String?, password: String?, timeout: Duration) throws -> RedisConnection {
        try connect(to: RedisNodeAddress(host: host, port: port), username: username, password: password, tls: nil, deadline: .after(timeout))
            .wait()
    }

    func pipeline(_ commands: [[String]], timeout: Duration) throws -> [RedisValue] {
        try send(commands.map { $0.map { Array($0.utf8) } }, deadline: .after(timeout)).wait()
    }

    @discardableResult
    func run(_ command: [String], timeout: Duration) throws -> RedisValue {
        try pipeline([command], timeout: timeout)[0].check()
    }
}
