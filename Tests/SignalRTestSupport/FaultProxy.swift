import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A TCP proxy on loopback that sits between a client and a server and breaks the
/// network on command: cut every connection, stall traffic, refuse new connections.
///
/// ```swift
/// let proxy = try await FaultProxy.start(forwardingTo: server.port)
/// // connect the client to proxy.port …
/// await proxy.cutAll()            // both sides see the TCP connection drop
/// await proxy.stop()
/// ```
public final class FaultProxy: Sendable {
    /// The loopback port clients connect to.
    public let port: Int
    private let serverChannel: any Channel
    private let state: NIOLockedValueBox<ProxyState>
    /// Connections accepted so far (refused ones included), awaitable.
    private let accepted: CountWaiters

    struct ProxyState {
        var connections: [ObjectIdentifier: (inbound: any Channel, outbound: any Channel)] = [:]
        var refusing = false
        var stalled = false
    }

    private init(port: Int, serverChannel: any Channel, state: NIOLockedValueBox<ProxyState>, accepted: CountWaiters) {
        self.port = port
        self.serverChannel = serverChannel
        self.state = state
        self.accepted = accepted
    }

    /// Starts a proxy on 127.0.0.1 (ephemeral port) that forwards to `host:targetPort`.
    /// - Throws: when binding fails.
    public static func start(forwardingTo targetPort: Int, host: String = "127.0.0.1") async throws -> FaultProxy {
        let state = NIOLockedValueBox(ProxyState())
        let accepted = CountWaiters()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { inbound in
                accepted.increment()
                let (refuse, stalled) = state.withLockedValue { ($0.refusing, $0.stalled) }
                if refuse { return inbound.close() }
                return ClientBootstrap(group: inbound.eventLoop)
                    .channelOption(.autoRead, value: !stalled)
                    .channelInitializer { outbound in
                        outbound.eventLoop.makeCompletedFuture {
                            try outbound.pipeline.syncOperations.addHandler(PipeHandler(partner: inbound))
                        }
                    }
                    .connect(host: host, port: targetPort)
                    .flatMapThrowing { outbound in
                        try inbound.pipeline.syncOperations.addHandler(PipeHandler(partner: outbound))
                        if stalled { _ = inbound.setOption(.autoRead, value: false) }
                        let key = ObjectIdentifier(inbound)
                        state.withLockedValue { $0.connections[key] = (inbound, outbound) }
                        inbound.closeFuture.whenComplete { _ in
                            _ = state.withLockedValue { $0.connections.removeValue(forKey: key) }
                        }
                    }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        guard let port = channel.localAddress?.port else {
            try? await channel.close()
            throw ChannelError.unknownLocalAddress
        }
        return FaultProxy(port: port, serverChannel: channel, state: state, accepted: accepted)
    }

    /// How many connections the proxy has accepted so far (refused ones included).
    public var acceptedConnections: Int { accepted.total }

    /// Returns once the proxy has accepted `count` connections in all (refused ones included).
    /// Bound it with a timeout.
    public func waitForAcceptedConnections(_ count: Int) async {
        await accepted.wait(for: count)
    }

    /// How many proxied connections are open now.
    public var openConnections: Int { state.withLockedValue { $0.connections.count } }

    /// Closes every proxied connection on both sides at once (no WebSocket or SignalR close).
    public func cutAll() async {
        let pairs = state.withLockedValue { Array($0.connections.values) }
        for pair in pairs {
            _ = try? await pair.inbound.close().get()
            _ = try? await pair.outbound.close().get()
        }
    }

    /// Stops (or resumes) moving bytes in both directions; connections stay open.
    public func setStalled(_ stalled: Bool) async {
        let pairs = state.withLockedValue { state in
            state.stalled = stalled
            return Array(state.connections.values)
        }
        for pair in pairs {
            _ = try? await pair.inbound.setOption(.autoRead, value: !stalled).get()
            _ = try? await pair.outbound.setOption(.autoRead, value: !stalled).get()
        }
    }

    /// Accepts and immediately closes new connections while `refusing` is true.
    public func setRefusingNewConnections(_ refusing: Bool) {
        state.withLockedValue { $0.refusing = refusing }
    }

    /// Stops listening and closes every connection.
    public func stop() async {
        _ = try? await serverChannel.close().get()
        await cutAll()
    }
}

/// Copies every byte read on one channel to its partner, and closes the partner when
/// this side closes.
private final class PipeHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let partner: any Channel

    init(partner: any Channel) { self.partner = partner }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        partner.writeAndFlush(unwrapInboundIn(data), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
