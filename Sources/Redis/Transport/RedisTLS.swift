import NIOCore
import NIOSSL
import Synchronization
import Settings

/// The TLS client side of Redis connections, through swift-nio-ssl: TLS 1.2 or newer, the server's
/// certificate chain verified against `REDIS_TLS_CA_FILE` (or the system's trust store) and its
/// name against `REDIS_TLS_SERVER_NAME` (or the host connected to: for a cluster's other nodes,
/// the address the cluster reports). One context per setting serves every connection of the process.
public final class RedisTLS: Sendable {
    public let settings: RedisTLSSettings
    private let context: NIOSSLContext

    private init(_ settings: RedisTLSSettings) throws(ConfigurationError) {
        self.settings = settings
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.certificateVerification = .fullVerification
        if let caFile = settings.caFile {
            let certificates: [NIOSSLCertificate]
            do {
                certificates = try NIOSSLCertificate.fromPEMFile(caFile)
            } catch {
                throw ConfigurationError(variable: "REDIS_TLS_CA_FILE", problem: "cannot be used: no PEM certificates could be read from \(caFile) (\(error))")
            }
            guard !certificates.isEmpty else {
                throw ConfigurationError(variable: "REDIS_TLS_CA_FILE", problem: "cannot be used: \(caFile) holds no PEM certificate")
            }
            configuration.trustRoots = .certificates(certificates)
        }
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw ConfigurationError(variable: "REDIS_TLS", problem: "is true, but no TLS client context could be made (\(error)); refusing to connect in plain text")
        }
    }

    private static let made = Mutex<[RedisTLSSettings: RedisTLS]>([:])

    /// The context for `settings`, made once per process: the start-up check and every client share it.
    public static func shared(_ settings: RedisTLSSettings) throws(ConfigurationError) -> RedisTLS {
        try made.withLock { made throws(ConfigurationError) in
            if let tls = made[settings] { return tls }
            let tls = try RedisTLS(settings)
            made[settings] = tls
            return tls
        }
    }

    /// Why TLS cannot work as configured, as the start-up line that names the variable; nil if it can.
    public static func problem(with settings: RedisTLSSettings) -> ConfigurationError? {
        do {
            _ = try shared(settings)
            return nil
        } catch {
            return error
        }
    }

    /// The name the server's certificate must carry when connecting to `address`.
    func serverName(for address: RedisNodeAddress) -> String { settings.serverName ?? address.host }

    /// The channel handler for one connection. A DNS name is sent as SNI and checked against the
    /// certificate; an IP address cannot be SNI, and swift-nio-ssl checks the certificate against
    /// the address connected to instead.
    func handler(for address: RedisNodeAddress) throws -> NIOSSLClientHandler {
        let name = serverName(for: address)
        let isAddress = (try? SocketAddress(ipAddress: name, port: 0)) != nil
        return try NIOSSLClientHandler(context: context, serverHostname: isAddress ? nil : name)
    }

    /// A TLS failure as the one line that says what to fix; nil for errors that are not TLS's.
    func explain(_ error: any Error, address: RedisNodeAddress) -> RedisError? {
        let name = serverName(for: address)
        let reason: String
        switch error {
        case NIOSSLError.handshakeFailed(let failure) where "\(failure)".contains("CERTIFICATE_VERIFY_FAILED"):
            reason = "certificate verify failed: it does not chain to \(settings.caFile ?? "the system's trust store") (REDIS_TLS_CA_FILE)"
        case let failure as NIOSSLExtraError where failure == .failedToValidateHostname:
            reason = "certificate verify failed: it does not name \(name) (REDIS_TLS_SERVER_NAME)"
        case let failure as NIOSSLError:
            reason = "handshake failed: \(failure)"
        case let failure as BoringSSLError:
            reason = "handshake failed: \(failure)"
        default:
            return nil
        }
        return RedisError(kind: .tls, message: "TLS with \(address) failed: \(reason)")
    }
}
