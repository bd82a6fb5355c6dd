import Settings

/// Which address a request is counted against: the TCP peer, or, behind proxies the deployment
/// trusts, the X-Forwarded-For entry the nearest of them wrote about its own peer.
enum ClientAddress {
    /// Each trusted proxy appends the address it received the request from, so with `trustedHops`
    /// proxies the client is the `trustedHops`-th entry from the right; entries further left are
    /// whatever the client itself sent and prove nothing. With fewer entries than that, the
    /// leftmost one was still written by a trusted proxy. Without trust, or without a usable
    /// entry, the peer address stands.
    static func select(peer: String?, forwardedFor: [String], trustedHops: Int) -> String {
        let fallback = peer ?? "unknown"
        guard trustedHops > 0 else { return fallback }
        let entries = forwardedFor.flatMap { $0.split(separator: ",") }.map { String($0).trimmingSpaces() }
        guard !entries.isEmpty else { return fallback }
        let entry = entries[max(0, entries.count - trustedHops)]
        return isAddress(entry) ? entry : fallback
    }

    /// An IPv4 or IPv6 address as proxies write them (hex digits, dots, colons; at most 45 bytes).
    static func isAddress(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 45 && text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
                UInt8(ascii: "A")...UInt8(ascii: "F"), UInt8(ascii: "."), UInt8(ascii: ":"):
                true
            default:
                false
            }
        }
    }
}
