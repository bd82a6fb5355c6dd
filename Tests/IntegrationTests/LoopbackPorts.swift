import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A loopback port that accepts connections (the kernel completes them) but never sends a byte.
final class SilentListener {
    let port: Int
    private let socket: Int32

    /// - Parameter port: 0 lets the kernel choose one.
    init(port requested: Int = 0) throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(requested).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(socket, 16) == 0 else {
            close(socket)
            throw TestServices.SetupError(description: "cannot listen on loopback")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        self.socket = socket
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(socket) }
}

extension TestServices {
    /// A loopback port nothing listens on (bound for a moment, then released). Below 32768, where
    /// Linux hands out the source ports of outgoing connections: a connection to a free port in
    /// that range can be given the same port as its source and connect to itself.
    static func unusedPort() throws -> Int {
        for _ in 0..<100 {
            let port = Int.random(in: 20000..<30000)
            if let listener = try? SilentListener(port: port) { return listener.port }
        }
        throw SetupError(description: "no free loopback port below 32768")
    }
}
