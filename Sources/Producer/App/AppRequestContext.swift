import Hummingbird
import NIOCore

/// The public port's request context: Hummingbird's basics plus the peer address, which the rate
/// limit counts against when no trusted proxy names the client.
struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
