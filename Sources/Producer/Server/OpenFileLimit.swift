import Settings

#if canImport(Glibc)
import Glibc
#endif

/// Every connection is a file descriptor: MAX_CONNECTIONS must fit under the process's open-file
/// limit with room left for Redis, MariaDB and the operations port, or the cap would never be
/// reached and accept() would fail first.
enum OpenFileLimit {
    /// Descriptors kept free for everything that is not a public connection.
    static let reserve = 256

    /// Raises the soft limit to the hard one (what a server is allowed to do without privileges)
    /// and returns the limit now in force.
    static func raisedToHardLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return Int.max }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        // RLIM_INFINITY is all ones, beyond Int: clamping turns it into "no limit".
        return Int(clamping: limit.rlim_cur)
    }

    static func check(maxConnections: Int, openFiles: Int) throws(ConfigurationError) {
        guard maxConnections <= openFiles - reserve else {
            throw ConfigurationError(
                variable: "MAX_CONNECTIONS",
                problem: "is \(maxConnections), but the open-file limit is \(openFiles) and \(reserve) are kept for the Producer's own connections: lower it or raise the limit (ulimit -n)")
        }
    }
}
