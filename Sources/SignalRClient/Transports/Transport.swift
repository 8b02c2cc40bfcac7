import Logging
import NIOSSL
import SignalRProtocol

/// What a transport needs to open one connection.
public struct TransportRequest: Sendable {
    /// The connection URL: `http`/`https`, the hub URL plus `id=<connectionToken>` after negotiation.
    public var url: String
    /// The transfer format of the hub protocol (text for JSON, binary for MessagePack).
    public var transferFormat: TransferFormat
    /// Headers for the connect request: the user's headers, the user agent, cookies and, when a
    /// token provider is set, `Authorization: Bearer <token>` (never log the values).
    public var headers: [String: String]
    /// The connection's shared HTTP state. When set, transports that make several requests
    /// (Server-Sent Events, Long Polling) take each request's headers from it (so a cookie set
    /// mid-connection or a renewed token is used), renew the token once on a 401, and store the
    /// cookies of every response. When nil, ``headers`` go on every request as they are.
    public var context: HTTPConnectionContext?

    /// The TLS settings for `https`/`wss` (from ``context``); nil verifies against the system's trust roots.
    public var tlsConfiguration: TLSConfiguration? { context?.tlsConfiguration }

    /// Creates a request.
    /// - Parameters:
    ///   - url: the connection URL.
    ///   - transferFormat: the hub protocol's transfer format.
    ///   - headers: the headers of the connect request.
    ///   - context: the connection's shared HTTP state (token renewal, cookies, TLS); nil for none.
    public init(
        url: String, transferFormat: TransferFormat, headers: [String: String], context: HTTPConnectionContext? = nil
    ) {
        self.url = url
        self.transferFormat = transferFormat
        self.headers = headers
        self.context = context
    }
}

/// A way to reach the server (WebSockets, Server-Sent Events, Long Polling, or a custom one).
///
/// The official client's `ITransport`, split in two: a `Transport` connects, and each
/// successful ``connect(_:)`` returns a ``TransportConnection`` for that one connection.
/// ``run(_:isolation:_:)`` is the scoped form, as swift-websocket's `WebSocketClient.connect`:
/// the connection lives while its closure runs, and the transport's own work runs as a child
/// of the calling task. A ``HubConnection`` uses that form.
public protocol Transport: Sendable {
    /// Opens a connection.
    /// - Parameter request: the URL, transfer format and headers to use.
    /// - Returns: the open connection.
    /// - Throws: ``SignalRError`` with code ``SignalRError/Code/transportFailed`` when it cannot connect.
    func connect(_ request: TransportRequest) async throws -> any TransportConnection

    /// Opens a connection, runs `body` with it and closes it when `body` returns or throws:
    /// entering connects, leaving closes. Whatever the connection runs in the background is a
    /// child of the calling task, so nothing outlives the call. Do not keep the connection
    /// after `body` returns: it is closed.
    ///
    /// The default calls ``connect(_:)``, then `body`, then ``TransportConnection/close()``.
    /// The built-in transports run their background work as a child task instead of a task
    /// of their own.
    /// - Parameters:
    ///   - request: the URL, transfer format and headers to use.
    ///   - isolation: the caller's actor (pass `#isolation`): `body` runs on it.
    ///   - body: uses the open connection.
    /// - Returns: what `body` returns.
    /// - Throws: what ``connect(_:)`` throws when it cannot connect (`CancellationError` when
    ///   the calling task is cancelled while connecting), or what `body` throws.
    func run<Value>(
        _ request: TransportRequest, isolation: isolated (any Actor)?,
        _ body: (any TransportConnection) async throws -> Value
    ) async throws -> Value
}

extension Transport {
    /// Connects with ``connect(_:)``, runs `body`, then closes.
    ///
    /// No default for `isolation`, as for ``TransportConnection/receive(isolation:_:)``: a
    /// call that left it out would bind to this method, never to a transport's own.
    public func run<Value>(
        _ request: TransportRequest, isolation: isolated (any Actor)?,
        _ body: (any TransportConnection) async throws -> Value
    ) async throws -> Value {
        try await connect(request).closing(after: body, isolation: isolation)
    }
}

extension TransportConnection {
    /// Runs `body` with this connection, then closes it, whether `body` returned or threw.
    /// - Returns: what `body` returns.
    /// - Throws: what `body` throws.
    func closing<Value>(
        after body: (any TransportConnection) async throws -> Value, isolation: isolated (any Actor)?
    ) async throws -> Value {
        let value: Value
        do {
            value = try await body(self)
        } catch {
            await close()
            throw error
        }
        await close()
        return value
    }
}

/// One open transport connection.
///
/// Implementations must release everything (sockets, tasks) by the time ``close()`` returns,
/// and end ``frames`` when the connection ends: normally for a clean close, by throwing
/// the cause otherwise.
public protocol TransportConnection: Sendable {
    /// The received payloads, in order. Only one iterator may be created. A payload may hold
    /// several hub messages or part of one; the hub connection frames them itself.
    var frames: AsyncThrowingStream<[UInt8], any Error> { get }
    /// True when the transport keeps itself alive (Long Polling): no Ping messages and no
    /// server timeout are then needed.
    var hasInherentKeepAlive: Bool { get }
    /// True when one send per batch of messages beats one per message (a Server-Sent Events or
    /// Long Polling `POST`, a WebSocket message with its write and flush): the hub connection
    /// then passes everything queued meanwhile to one ``send(_:)``, the hub messages
    /// concatenated in order, as the official clients' send queues and pipes do. The
    /// transports themselves do not join sends. False (the default) sends each message on its own.
    var prefersBatchedSends: Bool { get }
    /// The most bytes joined into one batch when ``prefersBatchedSends`` is true (a message
    /// larger than this still goes, alone). The default has no limit (a Server-Sent Events or
    /// Long Polling `POST` carries all that queued, as the official client's send queue does);
    /// the WebSockets transport keeps a batch to 64 KiB, so that no joined WebSocket message
    /// exceeds a server's frame limit where each message alone would not.
    var maximumBatchSize: Int { get }
    /// Whether a failed ``send(_:)`` means the connection is broken (true, the default: a
    /// WebSocket). False for transports whose sends are requests of their own (Server-Sent
    /// Events and Long Polling POST them): as in the official client, a failed `POST` fails only
    /// what it carried, and the receive side reports the connection's end (a Close message the
    /// next poll brings, a 404), which closing at once would lose.
    var failedSendEndsConnection: Bool { get }
    /// Writes one payload; returns once it was handed to the network.
    /// - Throws: when the connection is closed or the write fails.
    func send(_ data: [UInt8]) async throws
    /// Closes the connection (gracefully when possible) and waits until it is released.
    /// ``frames`` then ends. Calling it again does nothing.
    func close() async
    /// Reads the received payloads in the calling task, handing each to `body` in order, until
    /// the connection ends: returns for a clean close, throws the cause otherwise. Use it or
    /// ``frames``, not both, and do not call ``close()`` from `body` (it waits for the reading
    /// to end).
    ///
    /// The default reads ``frames``. A transport that reads its socket here directly saves
    /// handing every payload from its own task to the caller's (the WebSockets transport does).
    /// - Parameters:
    ///   - isolation: the caller's actor: `body` runs on it.
    ///   - body: handles one payload.
    func receive(isolation: isolated (any Actor)?, _ body: ([UInt8]) async throws -> Void) async throws
}

extension TransportConnection {
    /// Each message is sent on its own unless a transport says otherwise.
    public var prefersBatchedSends: Bool { false }

    /// No limit on a batch's size unless a transport says otherwise.
    public var maximumBatchSize: Int { .max }

    /// A failed send breaks the connection unless a transport says otherwise.
    public var failedSendEndsConnection: Bool { true }

    /// Reads ``frames``.
    ///
    /// No default for `isolation` here or in an implementation: the requirement cannot have
    /// one, and a call that leaves it out would bind statically to a method with a default
    /// (this one), never reaching a transport's own `receive`. Callers pass `#isolation`.
    public func receive(isolation: isolated (any Actor)?, _ body: ([UInt8]) async throws -> Void) async throws {
        for try await frame in frames { try await body(frame) }
    }
}

/// Makes the transport for a transport type. Set ``HttpConnectionOptions/transportFactory``
/// to plug in custom or test transports.
public protocol TransportFactory: Sendable {
    /// Returns the transport for `type` (a single type, such as ``HttpTransportType/webSockets``),
    /// or nil when this factory cannot provide it.
    func makeTransport(for type: HttpTransportType, logger: Logger) -> (any Transport)?
}

/// The transports that ship with this package: WebSockets on swift-websocket's `WebSocketClient`,
/// Server-Sent Events and Long Polling on AsyncHTTPClient.
struct DefaultTransportFactory: TransportFactory {
    func makeTransport(for type: HttpTransportType, logger: Logger) -> (any Transport)? {
        switch type {
        case .webSockets: return WebSocketTransport(logger: logger)
        case .serverSentEvents: return ServerSentEventsTransport(logger: logger)
        case .longPolling: return LongPollingTransport(logger: logger)
        default: return nil
        }
    }
}
