import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import NIOCore

/// Builds the Hummingbird application of a ``HubServer``.
enum ApplicationFactory {
    /// - Throws: when the TLS configuration cannot be used (e.g. an unreadable key).
    static func make(
        host: String, port: Int, endpoints: [String: HubEndpoint], configuration: HubServerConfiguration,
        hooks: any HubServerHooks, logger: Logger, onRunning: @escaping @Sendable (Int) -> Void
    ) throws -> some ApplicationProtocol {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: HubRequestMiddleware(
            hubPaths: Set(endpoints.keys), authorize: configuration.authorize, hooks: hooks))
        for endpoint in endpoints.values { HubRoutes.add(endpoint, to: router) }
        let maximumFrame = max(endpoints.values.map(\.configuration.maximumReceiveMessageSize).max() ?? 0, 1 << 16)
        let webSocketConfiguration = WebSocketServerConfiguration(
            maxFrameSize: maximumFrame, autoPing: .disabled, closeTimeout: .seconds(1))
        var server = HTTPServerBuilder { responder in
            SilentConnectionClosingChannel(inner: HTTP1WebSocketUpgradeChannel(
                responder: responder, configuration: .init(ws: webSocketConfiguration)
            ) { head, channel, _ in
                guard let (connection, request, endpoint) = await WebSocketTransport.connection(
                    for: head, endpoints: endpoints, hooks: hooks)
                else { return .dontUpgrade }
                return .upgrade([:]) { inbound, outbound, _ in
                    await WebSocketTransport.run(
                        connection: connection, request: request, endpoint: endpoint,
                        inbound: inbound, outbound: outbound, channel: channel)
                }
            })
        }
        if let tlsConfiguration = configuration.tlsConfiguration {
            server = try .tls(server, tlsConfiguration: tlsConfiguration)
        }
        return Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in onRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }
}
