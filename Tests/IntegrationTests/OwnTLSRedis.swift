import Foundation
import Queue
import Redis

/// A redis-server of a test's own that speaks only TLS (Debian 12's redis-server is built with it),
/// with certificates made here by openssl: a CA, the server's certificate from it with the
/// subject alternative names `names`, and a foreign CA that signed nothing of the server's.
/// Stopped and deleted when released.
final class OwnTLSRedis: @unchecked Sendable {  // used by one test task at a time
    let port: Int
    let directory: URL
    private let server: RedisServerProcess

    var caFile: String { directory.appendingPathComponent("ca.crt").path }
    var foreignCAFile: String { directory.appendingPathComponent("foreign-ca.crt").path }

    /// - Parameter names: what the certificate names. swift-nio-ssl accepts a certificate that
    ///   carries the address connected to whatever name was asked for, so a test of a wrong name
    ///   needs a certificate without 127.0.0.1.
    init(names: String = "DNS:localhost,IP:127.0.0.1") throws {
        // Below 32768, where Linux hands out ephemeral ports, and clear of OwnCluster's 20000–22765.
        port = Int.random(in: 23000..<26000)
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("count-pipeline-tls-\(port)")
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Self.makeCertificates(naming: names, in: directory)
        server = try RedisServerProcess(port: port, directory: directory, arguments: [
            "--port", "0", "--tls-port", String(port), "--appendonly", "no", "--tls-cert-file", "server.crt", "--tls-key-file", "server.key",
            "--tls-ca-cert-file", "ca.crt", "--tls-auth-clients", "no",
        ])
        guard server.waitUntilListening() else {
            throw TestServices.SetupError(description: "redis-server with --tls-port \(port) did not start (is it built with TLS?)")
        }
    }

    deinit {
        server.kill()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Settings that reach it by `host` over TLS, trusting `caFile` (default: the server's CA).
    func settings(host: String = "127.0.0.1", caFile: String? = nil, serverName: String? = nil) -> TestRedis {
        TestRedis(
            settings: RedisSettings(host: host, port: port, tls: RedisTLSSettings(caFile: caFile ?? self.caFile, serverName: serverName)),
            queue: QueueSettings(name: TestServices.uniqueName("tls")))
    }

    private static func makeCertificates(naming names: String, in directory: URL) throws {
        let steps = [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=count-pipeline test CA", "-keyout", "ca.key", "-out", "ca.crt"],
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=impostor CA", "-keyout", "foreign-ca.key", "-out", "foreign-ca.crt"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key", "-out", "server.csr"],
            ["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
             "-extfile", "server.ext", "-out", "server.crt"],
        ]
        try "subjectAltName=\(names)\nextendedKeyUsage=serverAuth\n"
            .write(to: directory.appendingPathComponent("server.ext"), atomically: true, encoding: .utf8)
        for arguments in steps {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = arguments
            process.currentDirectoryURL = directory
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw TestServices.SetupError(description: "openssl \(arguments.joined(separator: " ")) failed")
            }
        }
    }
}
