import Logging
import SignalRProtocol

/// Builds a ``HubConnection`` (`HubConnectionBuilder` of the official client).
///
/// ```swift
/// let connection = try HubConnectionBuilder()
///     .withUrl("https://example.com/chathub")
///     .withHubProtocol(MessagePackHubProtocol())
///     .configureLogging(.information)
///     .build()
/// ```
///
/// Each method returns a changed copy; ``build()`` checks the settings.
public struct HubConnectionBuilder: Sendable {
    /// The default server timeout: 30 s.
    public static let defaultServerTimeout: Duration = .seconds(30)
    /// The default keep-alive interval: 15 s.
    public static let defaultKeepAliveInterval: Duration = .seconds(15)
    /// The default handshake timeout: 15 s.
    public static let defaultHandshakeTimeout: Duration = .seconds(15)

    private var url: String?
    private var options = HttpConnectionOptions()
    private var hubProtocol: any HubProtocol = JSONHubProtocol()
    private var logger: Logger = .disabled
    private var serverTimeout = defaultServerTimeout
    private var keepAliveInterval = defaultKeepAliveInterval
    private var handshakeTimeout = defaultHandshakeTimeout
    private var clock = ErasedClock(ContinuousClock())
    private var automaticReconnect = AutomaticReconnect.disabled
    private var statefulReconnect: StatefulReconnectOptions?
    var connectionFactory: (any ConnectionFactory)?

    /// Creates a builder with the official client's defaults (JSON, no logging).
    public init() {}

    /// Sets the hub URL and the HTTP connection options.
    /// - Parameters:
    ///   - url: an absolute `http` or `https` URL; its query is kept.
    ///   - options: headers, access token, transports, skipNegotiation, cookies.
    public func withUrl(_ url: String, options: HttpConnectionOptions = HttpConnectionOptions()) -> Self {
        var copy = self
        copy.url = url
        copy.options = options
        return copy
    }

    /// Sets the hub URL and the allowed transports.
    /// - Parameters:
    ///   - url: an absolute `http` or `https` URL.
    ///   - transports: the transports the client may use.
    public func withUrl(_ url: String, transports: HttpTransportType) -> Self {
        withUrl(url, options: HttpConnectionOptions(transports: transports))
    }

    /// Sets the hub protocol: ``JSONHubProtocol`` (default) or ``MessagePackHubProtocol``.
    public func withHubProtocol(_ hubProtocol: any HubProtocol) -> Self {
        var copy = self
        copy.hubProtocol = hubProtocol
        return copy
    }

    /// Logs at `level` and above through swift-log's `LoggingSystem` (label `SignalRClient`);
    /// ``SignalRLogLevel/none`` turns logging off. Without this call nothing is logged.
    public func configureLogging(_ level: SignalRLogLevel) -> Self {
        var copy = self
        copy.logger = .signalR(level: level)
        return copy
    }

    /// Logs to `logger`, at the level it is set to.
    public func configureLogging(_ logger: Logger) -> Self {
        var copy = self
        copy.logger = logger
        return copy
    }

    /// Sets how long the server may stay silent before the connection closes (default 30 s).
    /// It should be at least double the server's keep-alive interval.
    public func withServerTimeout(_ timeout: Duration) -> Self {
        var copy = self
        copy.serverTimeout = timeout
        return copy
    }

    /// Sets how long the client may stay silent before it sends a Ping (default 15 s).
    public func withKeepAliveInterval(_ interval: Duration) -> Self {
        var copy = self
        copy.keepAliveInterval = interval
        return copy
    }

    /// Sets how long the server has to answer the handshake (default 15 s).
    public func withHandshakeTimeout(_ timeout: Duration) -> Self {
        var copy = self
        copy.handshakeTimeout = timeout
        return copy
    }

    /// Reconnects automatically after a lost connection, after 0, 2, 10 and 30 seconds, then
    /// gives up (the official client's `withAutomaticReconnect()`). Without it a lost
    /// connection is final. See ``HubConnection/onReconnecting(_:)`` and
    /// ``HubConnection/onReconnected(_:)``.
    public func withAutomaticReconnect() -> Self {
        withAutomaticReconnect(AutomaticReconnect.default)
    }

    /// Reconnects automatically after each of `delays`, then gives up.
    /// - Parameter delays: the delay before each attempt, e.g. `[.zero, .seconds(5), .seconds(30)]`.
    public func withAutomaticReconnect(_ delays: [Duration]) -> Self {
        withAutomaticReconnect(AutomaticReconnect.delays(delays))
    }

    /// Reconnects automatically as long as `policy` answers a delay.
    /// - Parameter policy: asked after the loss and after each failed attempt; nil gives up.
    public func withAutomaticReconnect(_ policy: any RetryPolicy) -> Self {
        withAutomaticReconnect(AutomaticReconnect.policy(policy))
    }

    /// Sets automatic reconnect: ``AutomaticReconnect/default``, ``AutomaticReconnect/delays(_:)``,
    /// ``AutomaticReconnect/policy(_:)`` or ``AutomaticReconnect/disabled``.
    public func withAutomaticReconnect(_ setup: AutomaticReconnect) -> Self {
        var copy = self
        copy.automaticReconnect = setup
        return copy
    }

    /// Asks the server for stateful reconnect (the official client's `withStatefulReconnect`).
    ///
    /// When the server grants it (WebSockets only), a dropped transport is reconnected with the
    /// same connection token and nothing sent or received is lost or duplicated: sent messages
    /// stay buffered until the server acknowledges them and are replayed after the drop.
    /// `onReconnecting` does not run for such a drop; when the transport cannot be reconnected,
    /// automatic reconnect (if set) takes over with a new connection.
    /// - Parameter options: the replay buffer's size (default 100,000 bytes).
    public func withStatefulReconnect(_ options: StatefulReconnectOptions = StatefulReconnectOptions()) -> Self {
        var copy = self
        copy.statefulReconnect = options
        return copy
    }

    /// Uses `clock` for the handshake timeout, keep-alive, server timeout and reconnect delays
    /// (tests pass a manual clock).
    public func withClock<C: Clock & Sendable>(_ clock: C) -> Self where C.Duration == Duration {
        var copy = self
        copy.clock = ErasedClock(clock)
        return copy
    }

    /// Creates the connection.
    /// - Returns: a disconnected ``HubConnection``.
    /// - Throws: ``SignalRError`` with ``SignalRError/Code/invalidConfiguration`` when no URL was set,
    ///   the URL is not an absolute http(s) URL, a duration is not positive, or the server timeout
    ///   is not greater than the keep-alive interval.
    public func build() throws -> HubConnection {
        guard let url else {
            throw SignalRError(
                .invalidConfiguration, "The 'HubConnectionBuilder.withUrl' method must be called before building the connection."
            )
        }
        guard connectionFactory != nil || NegotiateURL.isAbsoluteHTTP(url) else {
            throw SignalRError(.invalidConfiguration, "Cannot resolve '\(url)'. The hub URL must be an absolute http or https URL.")
        }
        for (name, value) in [("server timeout", serverTimeout), ("keep-alive interval", keepAliveInterval), ("handshake timeout", handshakeTimeout)]
        where value <= .zero {
            throw SignalRError(.invalidConfiguration, "The \(name) must be greater than zero.")
        }
        guard serverTimeout > keepAliveInterval else {
            throw SignalRError(
                .invalidConfiguration,
                "The server timeout (\(serverTimeout)) must be greater than the keep-alive interval (\(keepAliveInterval))."
            )
        }
        if let statefulReconnect, statefulReconnect.bufferSize <= 0 {
            throw SignalRError(.invalidConfiguration, "The stateful reconnect buffer size must be greater than zero.")
        }
        let factory =
            connectionFactory
            ?? HTTPConnectionFactory(url: url, options: options, logger: logger, useStatefulReconnect: statefulReconnect != nil)
        return HubConnection(
            connectionFactory: factory,
            hubProtocol: hubProtocol, serverTimeout: serverTimeout, keepAliveInterval: keepAliveInterval,
            handshakeTimeout: handshakeTimeout, clock: clock, logger: logger,
            retryPolicy: automaticReconnect.retryPolicy,
            statefulBufferSize: statefulReconnect?.bufferSize ?? StatefulReconnectOptions.defaultBufferSize
        )
    }
}
