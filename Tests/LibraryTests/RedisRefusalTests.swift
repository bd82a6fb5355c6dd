import Redis
import Testing

/// How replies that refuse a command on this connection are told apart (issue 24): READONLY after a
/// failover means the connection points at a replica, so it is closed and the retry goes out anew.
@Suite struct RedisRefusalTests {
    @Test func aRedisReadOnlyReplyIsToldApartFromOtherErrors() {
        #expect(RedisValue.error("READONLY You can't write against a read only replica.").isReadOnlyReplicaError)
        #expect(!RedisValue.error("LOADING Redis is loading the dataset in memory").isReadOnlyReplicaError)
        #expect(!RedisValue.bulk(Array("READONLY".utf8)).isReadOnlyReplicaError)
        #expect(!RedisValue.status("OK").isReadOnlyReplicaError)
    }
}
