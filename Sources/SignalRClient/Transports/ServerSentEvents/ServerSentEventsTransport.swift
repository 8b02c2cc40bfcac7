import Logging
import NIOHTTP1
import SignalRProtocol

/// The Server-Sent Events transport (the official client's `ServerSentEventsTransport`).
///
/// Receiving: one `GET {url}` with `Accept: text/event-stream`, whose body is read as it arrives
/// by a ``ServerSentEventsParser``; each event's data (its `data` lines joined with LF) is one frame.
/// The response body ending ends ``TransportConnection/frames`` without error (ASP.NET Core ends the
/// stream when the connection is over); a failed stream ends it with the error.
///
/// Sending: `POST {url}` with the payload as body (`Content-Type: text/plain;charset=UTF-8`), one at
/// a time, one per send, in order. (A ``HubConnection`` joins the messages queued during a `POST`
/// into one send, as the official client's `HttpConnection` does.)
///
/// Closing cancels the `GET` and nothing else (no `DELETE`), like the official client; the server
/// ends the connection when its stream goes away.
///
/// Text transfer format only (the protocol carries text): ``connect(_:)`` refuses the binary
/// format, so MessagePack cannot use it. ``TransportConnection/hasInherentKeepAlive`` is false.
/// Every request carries the connection's headers (``TransportRequest/context``, else
/// ``TransportRequest/headers``); a 401 renews the access token and retries once; cookies set by
/// any response are sent on later requests; TLS follows ``TransportRequest/tlsConfiguration``.
///
/// ```swift
/// let transport = ServerSentEventsTransport(logger: logger)
/// let connection = try await transport.connect(
///     TransportRequest(url: "https://host/hub?id=\(token)", transferFormat: .text, headers: [:]))
/// ```
public struct ServerSentEventsTransport: Transport {
    /// The default ``requestTimeout`` of a send: 100 s, the official client's HTTP timeout.
    public static let defaultRequestTimeout: Duration = .seconds(100)

    /// How long a `POST` (send) may take. The event stream itself has no timeout: the hub
    /// connection's server timeout notices a silent server.
    public var requestTimeout: Duration

    let logger: Logger
    let client: any HTTPTransportClient

    /// Creates the transport.
    /// - Parameters:
    ///   - requestTimeout: the timeout of each send (default 100 s).
    ///   - logger: where the transport logs (payloads only at trace; header values never).
    public init(requestTimeout: Duration = Self.defaultRequestTimeout, logger: Logger) {
        self.init(requestTimeout: requestTimeout, logger: logger, client: AsyncHTTPTransportClient())
    }

    init(requestTimeout: Duration, logger: Logger, client: any HTTPTransportClient) {
        self.requestTimeout = requestTimeout
        self.logger = logger
        self.client = client
    }

    /// Opens the event stream; returns once the server answered it with 2xx and `text/event-stream`.
    /// - Parameter request: the connection URL (with `id=…`), the transfer format and the headers.
    /// - Returns: the open connection.
    /// - Throws: ``SignalRError`` with code ``SignalRError/Code/transportFailed``: "The Server-Sent
    ///   Events transport only supports the 'Text' transfer format" for `.binary`; `"<reason>: Status
    ///   code '<code>'"` (with ``SignalRError/statusCode``) for a non-2xx answer; or when the request
    ///   fails or the answer is not an event stream.
    public func connect(_ request: TransportRequest) async throws -> any TransportConnection {
        try await TransportJobs.connect(work(request))
    }

    /// The scoped form: the `GET` and the sender run as a child of the calling task.
    /// - Throws: as ``connect(_:)``, or what `body` throws.
    public func run<Value>(
        _ request: TransportRequest, isolation: isolated (any Actor)?,
        _ body: (any TransportConnection) async throws -> Value
    ) async throws -> Value {
        try await TransportJobs.run(isolation: isolation, work(request), body)
    }

    /// The work of one connection: the `GET` and the sender loop (see ``ServerSentEventsSession``).
    private func work(_ request: TransportRequest) throws -> TransportWork {
        guard request.transferFormat == .text else { throw Self.textOnly }
        logger.trace("(SSE transport) Connecting.")
        let session = ServerSentEventsSession(
            url: request.url, requestTimeout: requestTimeout,
            http: AuthorizedHTTPClient(client: client, request: request), logger: logger
        )
        return { task, opening in
            let (frames, framesContinuation) = AsyncThrowingStream.makeStream(of: [UInt8].self)
            let (closeRequests, closeContinuation) = AsyncStream.makeStream(of: Void.self)
            let sendQueue = HTTPSendQueue()
            let connection = ServerSentEventsConnection(
                frames: frames, sendQueue: sendQueue, closeRequest: closeContinuation, task: task
            )
            await session.run(
                opened: { opening.succeed(connection) }, failed: { opening.fail($0) },
                frames: framesContinuation, sendQueue: sendQueue, closeRequests: closeRequests
            )
        }
    }

    /// The official client's text (with a final period).
    static let textOnly = SignalRError(
        .transportFailed, "The Server-Sent Events transport only supports the 'Text' transfer format"
    )
}

/// One open Server-Sent Events connection: the `GET` and the sender loop run in ``task``.
struct ServerSentEventsConnection: TransportConnection {
    let frames: AsyncThrowingStream<[UInt8], any Error>
    let sendQueue: HTTPSendQueue
    let closeRequest: AsyncStream<Void>.Continuation
    /// The connection's job (``TransportJobs``).
    let task: ChildTask

    var hasInherentKeepAlive: Bool { false }
    var prefersBatchedSends: Bool { true }
    var failedSendEndsConnection: Bool { false }

    /// Sends `data` in a `POST` of its own, after the sends made before it.
    /// - Throws: ``SignalRError`` (``SignalRError/Code/transportFailed``) when the `POST` fails or
    ///   does not answer 2xx, or when the connection is closed.
    func send(_ data: [UInt8]) async throws {
        try await sendQueue.send(data)
    }

    /// Cancels the event stream `GET` (nothing else is sent, as in the official client), fails
    /// queued sends and waits until the connection's task ended; ``frames`` then ends without
    /// error. Calling it again only waits.
    func close() async {
        closeRequest.finish()
        await task.value
    }
}

/// What one Server-Sent Events connection needs, and its work.
struct ServerSentEventsSession: Sendable {
    let url: String
    let requestTimeout: Duration
    let http: AuthorizedHTTPClient
    let logger: Logger

    /// Runs the `GET` and the sender until the stream ends or a close is requested. `opened`
    /// is called once the server answered the `GET` with an event stream; `failed` with why
    /// it was not (after an open it does nothing).
    func run(
        opened: @escaping @Sendable () -> Void,
        failed: @escaping @Sendable (any Error) -> Void,
        frames: AsyncThrowingStream<[UInt8], any Error>.Continuation,
        sendQueue: HTTPSendQueue,
        closeRequests: AsyncStream<Void>
    ) async {
        let outcome = await sendQueue.runConnection(
            receive: { () async -> (any Error)? in
                do {
                    try await stream(opened: opened, frames: frames)
                    return nil
                } catch {
                    return error
                }
            },
            post: { payload in try await post(payload) },
            closeRequests: closeRequests)
        switch outcome {
        case .received(let error?):
            let wrapped = Self.streamError(error)
            logger.debug("(SSE transport) stream failed.", metadata: ["signalr.error": "\(wrapped.message)"])
            failed(wrapped)
            frames.finish(throwing: wrapped)
        case .received(nil):
            logger.debug("(SSE transport) stream ended.")
            failed(CancellationError())
            frames.finish()
        case .closeRequested:
            failed(CancellationError())
            frames.finish()
        }
        logger.trace("(SSE transport) closed.")
    }

    /// The `GET`: checks the answer, then parses the body into frames until it ends.
    private func stream(
        opened: @escaping @Sendable () -> Void,
        frames: AsyncThrowingStream<[UInt8], any Error>.Continuation
    ) async throws {
        var parser = ServerSentEventsParser()
        let logger = self.logger
        try await http.stream(streamRequest()) { head in
            guard (200..<300).contains(head.status) else { throw HTTPStatusError.make(head) }
            guard head.contentType?.lowercased().hasPrefix("text/event-stream") ?? false else {
                throw SignalRError(
                    .transportFailed,
                    "The Server-Sent Events response has Content-Type '\(head.contentType ?? "")', not 'text/event-stream'."
                )
            }
            opened()
        } chunk: { bytes in
            for payload in try parser.parse(bytes) where !payload.isEmpty {
                logger.trace(
                    "(SSE transport) data received.",
                    metadata: ["signalr.bytes": "\(payload.count)", "signalr.data": "\(PayloadPreview(payload))"]
                )
                frames.yield(payload)
            }
        }
    }

    /// `GET {url}` for the event stream, without timeout (the connection's headers are added when sent).
    func streamRequest() -> HTTPTransportRequest {
        HTTPTransportRequest(
            method: .GET, url: url, headers: [("Accept", "text/event-stream"), ("Cache-Control", "no-cache")],
            body: nil, timeout: nil
        )
    }

    /// `POST {url}` with `payload` (the connection's headers are added when sent).
    func sendRequest(_ payload: [UInt8]) -> HTTPTransportRequest {
        HTTPTransportRequest(
            method: .POST, url: url, headers: [("Content-Type", "text/plain;charset=UTF-8")],
            body: payload, timeout: requestTimeout
        )
    }

    /// `POST`s one payload.
    /// - Throws: ``SignalRError`` for a failed request or a non-2xx answer.
    private func post(_ payload: [UInt8]) async throws {
        logger.trace(
            "(SSE transport) sending data.",
            metadata: ["signalr.bytes": "\(payload.count)", "signalr.data": "\(PayloadPreview(payload))"]
        )
        let response: HTTPTransportResponse
        do {
            response = try await http.execute(sendRequest(payload))
        } catch {
            throw Self.streamError(error)
        }
        logger.trace("(SSE transport) request complete.", metadata: ["signalr.status": "\(response.head.status)"])
        guard (200..<300).contains(response.head.status) else { throw HTTPStatusError.make(response.head) }
    }

    static func streamError(_ error: any Error) -> SignalRError {
        if let error = error as? SignalRError { return error }
        if AsyncHTTPTransportClient.isTimeout(error) {
            return SignalRError(.transportFailed, "A timeout occurred.", underlyingError: error)
        }
        return SignalRError(.transportFailed, "Server-Sent Events request failed: \(TLSFailureText.describe(error))", underlyingError: error)
    }
}
