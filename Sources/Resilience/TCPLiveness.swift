#if canImport(Glibc)
import Glibc
#endif

/// The TCP settings every Redis and database socket gets (issue 24), so that a path gone silent
/// (a NAT or load balancer that dropped its state, a frozen server) kills the connection in seconds
/// instead of the ~15 minutes of Linux's `tcp_retries2`: keepalive probes after 5 s idle, every
/// 2 s, dead after 3 unanswered (an idle connection: ~11 s); and data unacknowledged for 10 s
/// (`TCP_USER_TIMEOUT`) ends a busy one. The calls' own deadlines are shorter; these catch the
/// socket nobody is waiting on.
public enum TCPLiveness {
    /// (level, name, value) of each socket option.
    public static let options: [(level: Int32, name: Int32, value: Int32)] = [
        (SOL_SOCKET, SO_KEEPALIVE, 1),
        (Int32(IPPROTO_TCP), TCP_KEEPIDLE, 5),
        (Int32(IPPROTO_TCP), TCP_KEEPINTVL, 2),
        (Int32(IPPROTO_TCP), TCP_KEEPCNT, 3),
        (Int32(IPPROTO_TCP), TCP_USER_TIMEOUT, 10_000),
    ]

    /// Sets the options on a connected socket; false if the kernel refused one.
    @discardableResult
    public static func apply(toSocket socket: Int32) -> Bool {
        options.allSatisfy { option in
            var value = option.value
            return setsockopt(socket, option.level, option.name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0
        }
    }
}
