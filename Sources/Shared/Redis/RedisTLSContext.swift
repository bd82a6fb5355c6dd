import CHiredis
import Synchronization

/// The TLS client side of Redis connections: libhiredis_ssl and OpenSSL, loaded at run time (see
/// the CHiredis shim), and one OpenSSL context that every connection shares (`shared(_:)` keeps one
/// per setting for the life of the process). It owns the context and the library handles and
/// releases them in `deinit`; each connection's TLS session belongs to that connection's hiredis
/// context and is freed with it.
///
/// `@unchecked Sendable`: after `init` configured it, OpenSSL's context is only read, which
/// OpenSSL allows from many threads at once.
public final class RedisTLSContext: @unchecked Sendable {
    private var api: cp_redis_tls
    public let settings: RedisTLSSettings

    public init(_ settings: RedisTLSSettings) throws(RedisTLSSetupError) {
        self.settings = settings
        var api = cp_redis_tls()
        var reason = [CChar](repeating: 0, count: 512)
        let status = cp_redis_tls_create(&api, settings.caFile, &reason, reason.count)
        guard Int(status) == CP_TLS_READY else {
            throw RedisTLSSetupError(
                badCAFile: Int(status) == CP_TLS_BAD_CA,
                reason: String(decoding: reason.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        self.api = api
    }

    deinit { cp_redis_tls_free(&api) }

    /// The TLS handshake on a freshly connected context, verifying the server's certificate.
    func secure(_ context: UnsafeMutablePointer<redisContext>, serverName: String) -> Bool {
        withUnsafePointer(to: &api) { cp_redis_tls_connect($0, context, serverName) == REDIS_OK }
    }

    private static let made = Mutex<[RedisTLSSettings: RedisTLSContext]>([:])

    /// The context for `settings`, made once per process: the start-up check and every client
    /// share it, rather than each loading the libraries and the CA certificates again.
    static func shared(_ settings: RedisTLSSettings) throws(RedisTLSSetupError) -> RedisTLSContext {
        try made.withLock { made throws(RedisTLSSetupError) in
            if let context = made[settings] { return context }
            let context = try RedisTLSContext(settings)
            made[settings] = context
            return context
        }
    }

    /// Why TLS cannot work as configured, as the start-up line that names the variable; nil if it can.
    public static func problem(with settings: RedisTLSSettings) -> ConfigurationError? {
        do {
            _ = try shared(settings)
            return nil
        } catch {
            return error.configurationError
        }
    }
}

public struct RedisTLSSetupError: Error, CustomStringConvertible {
    /// The libraries loaded but the CA file gave no certificates; otherwise TLS is not available at all.
    public let badCAFile: Bool
    public let reason: String

    public var description: String { reason }

    var configurationError: ConfigurationError {
        badCAFile
            ? ConfigurationError(variable: "REDIS_TLS_CA_FILE", problem: "cannot be used: \(reason)")
            : ConfigurationError(variable: "REDIS_TLS", problem: "is true, but \(reason); refusing to connect in plain text")
    }
}
