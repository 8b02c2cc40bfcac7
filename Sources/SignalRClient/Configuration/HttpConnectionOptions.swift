/// How the HTTP connection negotiates and which transports it uses
/// (`IHttpConnectionOptions` of the official client).
///
/// ```swift
/// var options = HttpConnectionOptions()
/// options.headers = ["X-Tenant": "blue"]
/// options.accessTokenFactory = { try await tokenStore.currentToken() }
/// let connection = try HubConnectionBuilder().withUrl("https://example.com/chathub", options: options).build()
/// ```
public struct HttpConnectionOptions: Sendable {
    /// Headers sent with every HTTP request and the WebSocket upgrade request.
    /// They override the library's own (User-Agent included), as in the official client.
    public var headers: [String: String]
    /// Provides the bearer token sent as `Authorization: Bearer <token>`; asked before each
    /// negotiate and transport connect. A nil or empty token sends no header. Never logged.
    public var accessTokenFactory: (@Sendable () async throws -> String?)?
    /// Connects straight to the hub URL without negotiating. Only valid when ``transports``
    /// is exactly ``HttpTransportType/webSockets``; `connectionId` is then nil.
    public var skipNegotiation: Bool
    /// The transports the client may use (default: all; tried in preference order).
    public var transports: HttpTransportType
    /// Cookies sent with every request, as `name → value`. Cookies the server sets on the
    /// negotiate response are added to these for the rest of the connection (sticky sessions).
    public var cookies: [String: String]
    /// How long the negotiate request may take (default 100 s, as the official client).
    public var timeout: Duration
    /// Builds the transport for a transport type; nil uses the built-in transports.
    /// This is the seam for custom transports (the official client's `transport: ITransport`).
    public var transportFactory: (any TransportFactory)?

    /// Creates options with the official client's defaults.
    public init(
        headers: [String: String] = [:],
        accessTokenFactory: (@Sendable () async throws -> String?)? = nil,
        skipNegotiation: Bool = false,
        transports: HttpTransportType = .all,
        cookies: [String: String] = [:],
        timeout: Duration = .seconds(100),
        transportFactory: (any TransportFactory)? = nil
    ) {
        self.headers = headers
        self.accessTokenFactory = accessTokenFactory
        self.skipNegotiation = skipNegotiation
        self.transports = transports
        self.cookies = cookies
        self.timeout = timeout
        self.transportFactory = transportFactory
    }
}
