import Logging
import SignalRProtocol

/// Starts connections as the official client's `HttpConnection` does: negotiate (following redirects),
/// then try the allowed transports in order until one connects.
struct HTTPConnectionFactory: ConnectionFactory {
    /// The most negotiate redirects followed (the official client's `MAX_REDIRECTS`).
    static let maximumRedirects = 100

    private(set) var url: String
    let options: HttpConnectionOptions
    let requester: any HTTPRequester
    let transportFactory: any TransportFactory
    /// The hub connection asked for stateful reconnect (``HubConnectionBuilder/withStatefulReconnect(_:)``).
    let statefulReconnectRequested: Bool
    /// Ask for stateful reconnect (`useStatefulReconnect=true` on negotiate): when the builder
    /// asked, or when the hub URL's query holds `useStatefulReconnect=true`.
    var useStatefulReconnect: Bool { statefulReconnectRequested || NegotiateURL.asksForStatefulReconnect(url) }
    /// The cookies of this hub connection: every start and reconnect sends what earlier responses
    /// set (the official client's cookie jar lives as long as its `HTTPConnectionFactory`).
    let cookieJar: Locked<[String: String]>

    init(
        url: String, options: HttpConnectionOptions, requester: (any HTTPRequester)? = nil, logger: Logger,
        useStatefulReconnect: Bool = false
    ) {
        self.url = url
        self.options = options
        self.statefulReconnectRequested = useStatefulReconnect
        self.requester = requester ?? AsyncHTTPClientRequester(logger: logger, tlsConfiguration: options.tlsConfiguration)
        self.transportFactory = options.transportFactory ?? DefaultTransportFactory()
        self.cookieJar = Locked(options.cookies)
    }

    var baseUrl: String? { url }

    func replacingBaseUrl(_ url: String) -> any ConnectionFactory {
        var copy = self
        copy.url = url
        return copy
    }

    func connect(transferFormat: TransferFormat, logger: Logger, opener: TransportOpener) async throws -> EstablishedConnection {
        let session = NegotiateSession(
            options: options, requester: requester, logger: logger, useStatefulReconnect: useStatefulReconnect,
            cookieJar: cookieJar
        )
        if options.skipNegotiation {
            guard options.transports == .webSockets else {
                throw SignalRError(
                    .invalidConfiguration, "Negotiation can only be skipped when using the WebSocket transport directly."
                )
            }
            guard let transport = transportFactory.makeTransport(for: .webSockets, logger: logger) else {
                throw SignalRError(.transportFailed, "'WebSockets' is not supported in your environment.")
            }
            let request = TransportRequest(
                url: url, transferFormat: transferFormat, headers: try await session.requestHeaders(freshToken: true),
                context: session.context
            )
            let scope = try await opener.open(transport, request)
            return EstablishedConnection(scope: scope, connectionId: nil, transportName: "WebSockets")
        }
        var (negotiateURL, response) = try await negotiateFollowingRedirects(session)
        return try await connectTransport(
            session: session, url: &negotiateURL, first: response, transferFormat: transferFormat, logger: logger,
            opener: opener
        )
    }

    /// Negotiates at `url`, following redirect responses (at most ``maximumRedirects``).
    /// - Returns: the URL the final response came from and that response.
    func negotiateFollowingRedirects(_ session: NegotiateSession) async throws -> (String, NegotiateResponse) {
        var currentURL = url
        var redirects = 0
        var response: NegotiateResponse
        repeat {
            response = try await session.negotiate(currentURL)
            if let error = response.error {
                throw SignalRError(.negotiationFailed, error)
            }
            if response.isAspNetSignalRServer {
                throw SignalRError(
                    .negotiationFailed,
                    "Detected a connection attempt to an ASP.NET SignalR Server. This client only supports connecting to an ASP.NET Core SignalR Server. See https://aka.ms/signalr-core-differences for details."
                )
            }
            if let redirect = response.url {
                currentURL = redirect
                if let token = response.accessToken { session.useRedirectToken(token) }
            }
            redirects += 1
        } while response.url != nil && redirects < Self.maximumRedirects
        if response.url != nil {
            throw SignalRError(.negotiationFailed, "Negotiate redirection limit exceeded.")
        }
        return (currentURL, response)
    }

    /// Tries the server's transports in order (the official client's `_createTransport`).
    private func connectTransport(
        session: NegotiateSession, url: inout String, first: NegotiateResponse,
        transferFormat: TransferFormat, logger: Logger, opener: TransportOpener
    ) async throws -> EstablishedConnection {
        var failures: [String] = []
        var negotiated: NegotiateResponse? = first
        for endpoint in first.availableTransports {
            let resolved = resolve(endpoint, transferFormat: transferFormat, logger: logger)
            guard case .success(let (type, transport)) = resolved else {
                if case .failure(let reason) = resolved { failures.append("\(endpoint.transport) failed: \(reason.message)") }
                continue
            }
            let response: NegotiateResponse
            if let negotiated {
                response = negotiated
            } else {
                // The previous attempt consumed the token: negotiate again. If that fails, start()
                // fails with its error at once, as in the official client.
                (url, response) = try await negotiateFollowingRedirects(session)
            }
            negotiated = nil
            do {
                // A WebSocket connect asks the provider for a fresh token (the official client's
                // WebSocketTransport does); HTTP transports reuse negotiate's until a 401.
                let request = TransportRequest(
                    url: NegotiateURL.connect(url, connectionToken: response.connectionToken),
                    transferFormat: transferFormat,
                    headers: try await session.requestHeaders(freshToken: type == .webSockets),
                    context: session.context
                )
                let scope = try await opener.open(transport, request)
                let name = type.name ?? endpoint.transport
                var established = EstablishedConnection(scope: scope, connectionId: response.connectionId, transportName: name)
                if useStatefulReconnect, response.useStatefulReconnect, type == .webSockets {
                    // Stateful reconnect (WebSockets only, as in the official client): same URL and token.
                    established.resumeTransport = { [url = request.url, transferFormat] opener in
                        let headers = try await session.requestHeaders(freshToken: true)
                        return try await opener.open(
                            transport,
                            TransportRequest(url: url, transferFormat: transferFormat, headers: headers, context: session.context)
                        )
                    }
                }
                return established
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                let message = SignalRError.wrapping(error).message
                logger.error("Failed to start the transport.", metadata: ["signalr.transport": "\(endpoint.transport)", "signalr.error": "\(message)"])
                failures.append("\(endpoint.transport) failed: \(message)")
            }
        }
        if !failures.isEmpty {
            throw SignalRError(
                .transportFailed,
                "Unable to connect to the server with any of the available transports. " + failures.joined(separator: " ")
            )
        }
        throw SignalRError(.transportFailed, "None of the transports supported by the client are supported by the server.")
    }

    /// The official client's `_resolveTransportOrError`.
    private func resolve(
        _ endpoint: NegotiateResponse.AvailableTransport, transferFormat: TransferFormat, logger: Logger
    ) -> Result<(HttpTransportType, any Transport), SignalRError> {
        // The debug lines are the official client's, word for word.
        guard let type = HttpTransportType(name: endpoint.transport) else {
            logger.debug("Skipping transport '\(endpoint.transport)' because it is not supported by this client.")
            return .failure(SignalRError(.transportFailed, "Skipping transport '\(endpoint.transport)' because it is not supported by this client."))
        }
        guard options.transports.contains(type) else {
            logger.debug("Skipping transport '\(endpoint.transport)' because it was disabled by the client.")
            return .failure(SignalRError(.transportFailed, "'\(endpoint.transport)' is disabled by the client."))
        }
        guard endpoint.transferFormats.contains(transferFormat.rawValue) else {
            logger.debug(
                "Skipping transport '\(endpoint.transport)' because it does not support the requested transfer format '\(transferFormat.rawValue)'."
            )
            return .failure(SignalRError(.transportFailed, "'\(endpoint.transport)' does not support \(transferFormat.rawValue)."))
        }
        guard let transport = transportFactory.makeTransport(for: type, logger: logger) else {
            return .failure(SignalRError(.transportFailed, "'\(endpoint.transport)' is not supported in your environment."))
        }
        return .success((type, transport))
    }
}
