import NIOSSL

/// How the HTTP connection negotiates and which transports it uses
/// (`IHttpConnectionOptions` of the official client).
///
/// ```swift
/// var options = HttpConnectionOptions()
/// options.headers = ["X-Tenant": "blue"]
/// options.accessTokenFactory = { try await tokenStore.currentToken() }
/// let connection = try HubConnectionBuilder().withUrl("https://example.com/chathub", options: options).build()
/// ```
///
/// A private CA and a client certificate (mutual TLS) are fields of ``tlsConfiguration``:
///
/// ```swift
/// import NIOSSL
///
/// var tls = TLSConfiguration.makeClientConfiguration()   // full verification, system roots
/// tls.trustRoots = .file("/etc/ssl/private-ca.pem")       // or .certificates(try NIOSSLCertificate.fromPEMFile(…))
/// tls.additionalTrustRoots = [.file("/etc/ssl/extra-ca.pem")]  // keep the system roots and add one
/// tls.certificateChain = try NIOSSLCertificate.fromPEMFile("client.pem").map { .certificate($0) }
/// tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: "client.key", format: .pem))
/// options.tlsConfiguration = tls
/// ```
public struct HttpConnectionOptions: Sendable {
    /// Headers sent with every HTTP request and the WebSocket upgrade request.
    /// They override the library's own (User-Agent included), as in the official client.
    public var headers: [String: String]
    /// Provides the bearer token sent as `Authorization: Bearer <token>`. Asked before each negotiate
    /// and each WebSocket connect; Server-Sent Events and Long Polling requests reuse the last token.
    /// Any request answered 401 asks it for a fresh token and is sent once more (the official
    /// client's `AccessTokenHttpClient`). A nil or empty token sends no header. Never logged.
    public var accessTokenFactory: (@Sendable () async throws -> String?)?
    /// Connects straight to the hub URL without negotiating. Only valid when ``transports``
    /// is exactly ``HttpTransportType/webSockets``; `connectionId` is then nil.
    public var skipNegotiation: Bool
    /// The transports the client may use (default: all; tried in preference order).
    public var transports: HttpTransportType
    /// Cookies sent with every request, as `name → value`. Cookies the server sets on any response
    /// of the connection (negotiate or transport, e.g. a load balancer's affinity cookie) are added
    /// to these and sent on every later request of that connection (sticky sessions).
    public var cookies: [String: String]
    /// How long the negotiate request may take (default 100 s, as the official client).
    public var timeout: Duration
    /// Builds the transport for a transport type; nil uses the built-in transports.
    /// This is the seam for custom transports (the official client's `transport: ITransport`).
    public var transportFactory: (any TransportFactory)?
    /// The TLS settings of every `https`/`wss` request (negotiate, WebSockets, Server-Sent Events,
    /// Long Polling): extra or replacement trust roots, a client certificate for mutual TLS, the
    /// TLS versions. Nil (the default) verifies the server's certificate and host name against the
    /// system's trust roots. Ignored for `http`/`ws` URLs.
    public var tlsConfiguration: TLSConfiguration?

    /// Creates options with the official client's defaults.
    public init(
        headers: [String: String] = [:],
        accessTokenFactory: (@Sendable () async throws -> String?)? = nil,
        skipNegotiation: Bool = false,
        transports: HttpTransportType = .all,
        cookies: [String: String] = [:],
        timeout: Duration = .seconds(100),
        transportFactory: (any TransportFactory)? = nil,
        tlsConfiguration: TLSConfiguration? = nil
    ) {
        self.headers = headers
        self.accessTokenFactory = accessTokenFactory
        self.skipNegotiation = skipNegotiation
        self.transports = transports
        self.cookies = cookies
        self.timeout = timeout
        self.transportFactory = transportFactory
        self.tlsConfiguration = tlsConfiguration
    }
}
