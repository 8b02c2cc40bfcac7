import Logging
import NIOSSL

/// Settings of a ``HubServer``; the defaults are ASP.NET Core's.
///
/// ```swift
/// var configuration = HubServerConfiguration()
/// configuration.keepAliveInterval = .milliseconds(200)   // tests use short values
/// let server = try await SignalRTestServer.start(configuration: configuration)
/// ```
public struct HubServerConfiguration: Sendable {
    /// A Ping is sent when nothing was sent for this long (ASP.NET Core `KeepAliveInterval`, 15 s).
    /// Not used over Long Polling, which keeps itself alive.
    public var keepAliveInterval: Duration = .seconds(15)
    /// After the client's first Ping, the connection is closed when nothing arrives for this long
    /// (ASP.NET Core `ClientTimeoutInterval`, 30 s).
    public var clientTimeoutInterval: Duration = .seconds(30)
    /// How long a connection may take to send its handshake request (15 s).
    public var handshakeTimeout: Duration = .seconds(15)
    /// How long a Long Polling GET is held when there is nothing to send (90 s).
    public var longPollTimeout: Duration = .seconds(90)
    /// How long a connection lives without an active transport: a negotiated connection that
    /// never connects, a Long Polling client that stops polling, or a stateful-reconnect
    /// connection waiting for its client to come back (ASP.NET Core `DisconnectTimeout`, 15 s).
    public var disconnectTimeout: Duration = .seconds(15)
    /// The clock of the connection timers: the handshake, keep-alive, client and disconnect
    /// timeouts, acks, the Long Polling hold and client-result timeouts are deadlines on it
    /// (tests pass a manual clock). The continuous clock by default. The 5 s grace of
    /// ``HubServer/stop()`` keeps to real time.
    public var clock: any Clock<Duration> & Sendable = ContinuousClock()
    /// How long the server waits for a client result before failing the call (30 s).
    public var clientResultTimeout: Duration = .seconds(30)
    /// Whether negotiate grants `useStatefulReconnect=true` requests.
    public var allowStatefulReconnects: Bool = true
    /// Bytes of unacknowledged messages kept for replay (100,000, as ASP.NET Core).
    public var statefulReconnectBufferSize: Int = 100_000
    /// How often received messages are acknowledged with an Ack (stateful reconnect; 1 s).
    public var ackInterval: Duration = .seconds(1)
    /// Include exception details in error texts sent to clients (ASP.NET Core `EnableDetailedErrors`,
    /// off by default). A ``HubError`` text is always sent.
    public var enableDetailedErrors: Bool = false
    /// The largest hub message accepted from a client, in bytes (1 MiB; ASP.NET Core uses 32 KiB).
    public var maximumReceiveMessageSize: Int = 1 << 20
    /// The transports offered by negotiate and accepted at the connection endpoint.
    public var transports: Set<TransportKind> = Set(TransportKind.allCases)
    /// Serve `https`/`wss` with these TLS settings (HummingbirdTLS); nil (the default) serves plain
    /// `http`/`ws`. For mutual TLS, set `certificateVerification` and `trustRoots` so that clients
    /// must present a certificate signed by a trusted CA:
    ///
    /// ```swift
    /// var tls = TLSConfiguration.makeServerConfiguration(
    ///     certificateChain: try NIOSSLCertificate.fromPEMFile("server.pem").map { .certificate($0) },
    ///     privateKey: .privateKey(try NIOSSLPrivateKey(file: "server.key", format: .pem)))
    /// tls.certificateVerification = .noHostnameVerification     // require a client certificate
    /// tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile("ca.pem"))
    /// configuration.tlsConfiguration = tls
    /// ```
    ///
    /// ``HubServer/stop()`` closes each connection and waits up to `shutdownTimeout` (NIOSSL's
    /// default: 5 s) for the client's TLS close_notify; idle pooled client connections may never
    /// send it, so a short `shutdownTimeout` makes stops quick.
    public var tlsConfiguration: TLSConfiguration?
    /// Decides whether a request may go on, given its bearer token (from `Authorization: Bearer …`
    /// or the `access_token` query parameter) and its kind. Asked for negotiate and for every transport
    /// request (WebSocket upgrade, SSE stream, poll, send, DELETE); false answers 401, as ASP.NET
    /// Core's `[Authorize]` does, except for a WebSocket upgrade, which Hummingbird can only refuse
    /// with 400. Nil (the default) lets everything through.
    public var authorize: (@Sendable (HubAuthorizationRequest) async -> Bool)?
    /// Where the server logs; by default nothing is logged.
    public var logger: Logger = Logger(label: "signalr.server", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Creates the default configuration.
    /// Fault injection and request recording for tests (`SignalRTestServer` installs
    /// `SignalRServerTesting`'s); nil for a server that answers as ASP.NET Core does.
    public var hooks: (any HubServerHooks)?

    public init() {}
}
