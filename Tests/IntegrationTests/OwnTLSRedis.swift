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
    private let process: Process

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
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-server")
        process.arguments = [
            "--bind", "127.0.0.1", "--port", "0", "--tls-port", String(port), "--dir", directory.path, "--save", "",
            "--appendonly", "no", "--tls-cert-file", "server.crt", "--tls-key-file", "server.key",
            "--tls-ca-cert-file", "ca.crt", "--tls-auth-clients", "no",
        ]
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        guard waitUntilListening() else {
            throw TestServices.SetupError(description: "redis-server with --tls-port \(port) did not start (is it built with TLS?)")
        }
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
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

    private func waitUntilListening() -> Bool {
        let end = ContinuousClock.now + .seconds(10)
        repeat {
            let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Foundation.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            close(socket)
            if connected == 0 { return true }
            usleep(100_000)
        } while ContinuousClock.now < end && process.isRunning
        return false
    }
}
