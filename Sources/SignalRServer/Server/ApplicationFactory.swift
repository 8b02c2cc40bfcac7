import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore

/// Builds the Hummingbird application of a ``HubServer``.
enum ApplicationFactory {
    static func make(
        host: String, port: Int, endpoints: [String: HubEndpoint], logger: Logger,
        onRunning: @escaping @Sendable (Int) -> Void
    ) -> some ApplicationProtocol {
        let router = Router(context: BasicRequestContext.self)
        for endpoint in endpoints.values { HubRoutes.add(endpoint, to: router) }
        let maximumFrame = max(endpoints.values.map(\.configuration.maximumReceiveMessageSize).max() ?? 0, 1 << 16)
        let webSocketConfiguration = WebSocketServerConfiguration(
            maxFrameSize: maximumFrame, autoPing: .disabled, closeTimeout: .seconds(1))
        return Application(
            router: router,
            server: .http1WebSocketUpgrade(configuration: .init(ws: webSocketConfiguration)) { head, channel, _ in
                guard let (connection, request, endpoint) = await WebSocketTransport.connection(for: head, endpoints: endpoints)
                else { return .dontUpgrade }
                return .upgrade([:]) { inbound, outbound, _ in
                    await WebSocketTransport.run(
                        connection: connection, request: request, endpoint: endpoint,
                        inbound: inbound, outbound: outbound, channel: channel)
                }
            },
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in onRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }
}
