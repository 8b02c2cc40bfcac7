import Foundation
import Logging
import NIOHTTP1
import SignalRProtocol

/// The Long Polling transport (the official client's `LongPollingTransport`).
///
/// Receiving: `GET {url}&_={milliseconds since 1970}` over and over. The first poll is made by
/// ``connect(_:)`` and must answer 200 (ASP.NET Core answers it at once, empty). Then a poll that
/// answers 200 with a body delivers that body as one frame (it may hold several hub messages, or
/// raw MessagePack bytes); an empty 200 or a timed-out poll is reissued; 204 means the server ended
/// the connection (``TransportConnection/frames`` ends without error); any other status ends it
/// with an error like the official client's `HttpError`: `"Not Found: Status code '404'"`.
///
/// Sending: `POST {url}` with the payload as body (`Content-Type: text/plain;charset=UTF-8`, or
/// `application/octet-stream` for the binary transfer format). One `POST` is in flight at a time,
/// one per send, in order. (A ``HubConnection`` joins the messages queued during a `POST` into
/// one send, as the official client's `HttpConnection` does.)
///
/// Closing: stops polling (cancels the poll in flight), then sends `DELETE {url}` so the server
/// ends the connection (errors such as a 404 are ignored), as the official client does.
///
/// The transport keeps itself alive (``TransportConnection/hasInherentKeepAlive`` is true): no
/// Ping messages and no server timeout are needed. Every request carries the connection's headers
/// (``TransportRequest/context``, else ``TransportRequest/headers``); a 401 renews the access token
/// and retries once; cookies set by any response are sent on later requests; TLS follows
/// ``TransportRequest/tlsConfiguration``.
///
/// ```swift
/// let transport = LongPollingTransport(logger: logger)
/// let connection = try await transport.connect(
///     TransportRequest(url: "https://host/hub?id=\(token)", transferFormat: .text, headers: [:]))
/// try await connection.send(Array(#"{"protocol":"json","version":1}\#u{1E}"#.utf8))
/// for try await frame in connection.frames { … }
/// await connection.close()
/// ```
public struct LongPollingTransport: Transport {
    /// The default ``pollTimeout``: 100 s, as the official client (above ASP.NET Core's 90 s hold).
    public static let defaultPollTimeout: Duration = .seconds(100)
    /// The default ``requestTimeout`` for `POST` and `DELETE`: 100 s, the official client's HTTP timeout.
    public static let defaultRequestTimeout: Duration = .seconds(100)

    /// How long one poll may take before it is abandoned and reissued. Keep it above the time
    /// the server holds a poll (ASP.NET Core: 90 s), or messages may be lost in the race.
    public var pollTimeout: Duration
    /// How long a `POST` (send) or the closing `DELETE` may take.
    public var requestTimeout: Duration

    let logger: Logger
    let client: any HTTPTransportClient

    /// Creates the transport.
    /// - Parameters:
    ///   - pollTimeout: the poll request timeout (default 100 s).
    ///   - requestTimeout: the timeout of sends and of the closing `DELETE` (default 100 s).
    ///   - logger: where the transport logs (payloads only at trace; header values never).
    public init(
        pollTimeout: Duration = Self.defaultPollTimeout, requestTimeout: Duration = Self.defaultRequestTimeout,
        logger: Logger
    ) {
        self.init(pollTimeout: pollTimeout, requestTimeout: requestTimeout, logger: logger, client: AsyncHTTPTransportClient())
    }

    init(pollTimeout: Duration, requestTimeout: Duration, logger: Logger, client: any HTTPTransportClient) {
        self.pollTimeout = pollTimeout
        self.requestTimeout = requestTimeout
        self.logger = logger
        self.client = client
    }

    /// Makes the first poll and starts polling.
    /// - Parameter request: the connection URL (with `id=…`), the transfer format and the headers.
    /// - Returns: the open connection.
    /// - Throws: ``SignalRError`` with code ``SignalRError/Code/transportFailed``: for a first poll
    ///   that does not answer 200 (``SignalRError/statusCode`` holds the status, the message is
    ///   `"<reason>: Status code '<code>'"`), or when the request fails or times out;
    ///   `CancellationError` when the calling task is cancelled.
    public func connect(_ request: TransportRequest) async throws -> any TransportConnection {
        try await TransportJobs.connect(work(request))
    }

    /// The scoped form: the first poll, the poll loop and the sender run as a child of the
    /// calling task.
    /// - Throws: as ``connect(_:)``, or what `body` throws.
    public func run<Value>(
        _ request: TransportRequest, isolation: isolated (any Actor)?,
        _ body: (any TransportConnection) async throws -> Value
    ) async throws -> Value {
        try await TransportJobs.run(isolation: isolation, work(request), body)
    }

    /// The work of one connection: the first poll, then ``LongPollingLoop``.
    private func work(_ request: TransportRequest) -> TransportWork {
        let session = LongPollingSession(
            url: request.url, transferFormat: request.transferFormat,
            pollTimeout: pollTimeout, requestTimeout: requestTimeout,
            client: AuthorizedHTTPClient(client: client, request: request), logger: logger
        )
        return { task, opening in
            session.logger.trace("(LongPolling transport) Connecting.")
            // The server uses the first poll to finish setting up the connection; it answers at once.
            let first: HTTPTransportResponse
            do {
                first = try await session.client.execute(session.pollRequest())
            } catch {
                opening.fail(Task.isCancelled ? CancellationError() : Self.requestError(error))
                return
            }
            guard first.head.status == 200 else {
                session.logger.debug(
                    "(LongPolling transport) Unexpected response code.", metadata: ["signalr.status": "\(first.head.status)"]
                )
                opening.fail(HTTPStatusError.make(first.head))
                return
            }
            let (connection, closeRequests) = LongPollingConnection.make(session: session, firstBody: first.body, task: task)
            guard opening.succeed(connection) else {
                // Nobody waits any more (a cancelled start): ask the server to end the connection.
                // This task is cancelled by then, so the request may be cut short; the server
                // then ends the connection at its disconnect timeout.
                await connection.loop.delete()
                return
            }
            await connection.loop.run(closeRequests: closeRequests)
        }
    }

    /// Wraps a failed request as ``SignalRError/Code/transportFailed`` (a timeout gets the
    /// official `TimeoutError` text).
    static func requestError(_ error: any Error) -> SignalRError {
        if let error = error as? SignalRError { return error }
        if AsyncHTTPTransportClient.isTimeout(error) {
            return SignalRError(.transportFailed, "A timeout occurred.", underlyingError: error)
        }
        return SignalRError(.transportFailed, "Long polling request failed: \(TLSFailureText.describe(error))", underlyingError: error)
    }
}

/// What one Long Polling connection needs to make its requests.
struct LongPollingSession: Sendable {
    let url: String
    let transferFormat: TransferFormat
    let pollTimeout: Duration
    let requestTimeout: Duration
    /// Adds the connection's headers to each request, retries a 401 once, keeps cookies.
    let client: AuthorizedHTTPClient
    let logger: Logger

    /// `GET {url}&_={now in ms}` with the poll timeout.
    func pollRequest(now: Date = Date()) -> HTTPTransportRequest {
        HTTPTransportRequest(
            method: .GET, url: Self.appendingQuery(url, "_=\(Self.milliseconds(now))"),
            headers: [], body: nil, timeout: pollTimeout
        )
    }

    /// `POST {url}` with `payload`.
    func sendRequest(_ payload: [UInt8]) -> HTTPTransportRequest {
        let contentType = transferFormat == .binary ? "application/octet-stream" : "text/plain;charset=UTF-8"
        return HTTPTransportRequest(
            method: .POST, url: url, headers: [("Content-Type", contentType)],
            body: payload, timeout: requestTimeout
        )
    }

    /// `DELETE {url}`.
    func deleteRequest() -> HTTPTransportRequest {
        HTTPTransportRequest(method: .DELETE, url: url, headers: [], body: nil, timeout: requestTimeout)
    }

    /// Adds `item` (`name=value`) to the query of `url`, before any fragment.
    static func appendingQuery(_ url: String, _ item: String) -> String {
        let fragmentStart = url.firstIndex(of: "#") ?? url.endIndex
        let base = url[..<fragmentStart]
        let separator: String
        if let question = base.firstIndex(of: "?") {
            separator = base.index(after: question) == base.endIndex || base.hasSuffix("&") ? "" : "&"
        } else {
            separator = "?"
        }
        return base + separator + item + url[fragmentStart...]
    }

    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }
}
