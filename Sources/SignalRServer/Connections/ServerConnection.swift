import Logging
import SignalRProtocol

/// One SignalR connection of a hub: its transport attachment, handshake, outgoing queue,
/// stateful-reconnect buffer and running invocations.
///
/// Transports talk to it through ``attach(_:request:abort:)``, ``nextFrames(session:timeout:)``,
/// ``receive(_:session:)`` and ``detach(session:clean:)``. Its lifetime task (``run()``) is a
/// child of the server's task and owns every invocation it starts.
actor ServerConnection {
    nonisolated let id: String
    nonisolated let token: String
    nonisolated let negotiateVersion: Int
    nonisolated let statefulReconnect: Bool
    let endpoint: HubEndpoint
    let logger: Logger
    let createdAt = ContinuousClock.now

    /// Where the connection is in its life.
    enum Phase {
        /// Negotiated; no transport request yet.
        case idle
        /// A transport request is attached (open WebSocket or SSE stream, or a poll in progress).
        case attached(session: Int)
        /// The transport went away; a new request may resume the connection (Long Polling
        /// between polls, or a stateful reconnect).
        case detached(since: ContinuousClock.Instant)
        /// Over; transports get 404.
        case closed(CloseReason)
    }

    /// Why a connection ended.
    enum CloseReason: Sendable, Equatable {
        /// The client sent Close, closed its transport, or sent DELETE.
        case client
        /// The server closed it with a Close message.
        case server(error: String?, allowReconnect: Bool)
        /// The server dropped the transport without a Close message.
        case dropped
        /// Handshake, client or disconnect timeout, or a handshake or protocol failure.
        case failed(String?)
        /// The server is stopping.
        case serverStopping
    }

    var phase: Phase = .idle
    var transportKind: TransportKind?
    var session = 0
    var abortTransport: (@Sendable () -> Void)?
    var firstRequest: TransportRequest?
    /// Whether a Long Polling client learned that the connection ended (a 204, or its DELETE).
    var longPollEndDelivered = false {
        didSet { if longPollEndDelivered { releaseLongPollEndWaiter() } }
    }
    /// ``finish()`` waiting for ``longPollEndDelivered``.
    var longPollEndWaiter: CheckedContinuation<Void, Never>?
    var inputBeforeTransport: [UInt8] = []

    var handshake: HandshakeState = .waiting(.server())
    var handshakeStartedAt: ContinuousClock.Instant?
    var info: HubConnectionInfo?

    var outbox = Outbox()
    var lastSendAt = ContinuousClock.now
    var lastReceiveAt = ContinuousClock.now
    var clientTimeoutActive = false
    var messageBuffer: MessageBuffer?
    var lastAckAt = ContinuousClock.now
    let closeSignal = CloseSignal()

    let jobs = TaskSpawner()
    let invocationQueue = TaskSpawner.Serial()
    var nextClientInvocationId = 0
    var pendingClientResults: [String: CheckedContinuation<HubValue, any Error>] = [:]
    var activeStreams: [String: Task<Void, Never>] = [:]
    var uploads: [String: AsyncThrowingStream<HubValue, any Error>.Continuation] = [:]

    init(id: String, token: String, negotiateVersion: Int, statefulReconnect: Bool, endpoint: HubEndpoint) {
        self.id = id
        self.token = token
        self.negotiateVersion = negotiateVersion
        self.statefulReconnect = statefulReconnect
        self.endpoint = endpoint
        var logger = endpoint.logger
        logger[metadataKey: "signalr.connection.id"] = .string(id)
        self.logger = logger
    }

    var isClosed: Bool {
        if case .closed = phase { return true }
        return false
    }

    /// The protocol chosen in the handshake; nil before it completed or after close.
    func negotiatedProtocol() -> (any HubProtocol)? {
        guard !isClosed, case .done(let hubProtocol, _, _) = handshake else { return nil }
        return hubProtocol
    }

    /// The caller details for hub methods, once the handshake completed.
    func connectionInfo() -> HubConnectionInfo? { info }

    // MARK: Sending

    /// Encodes and queues a message with the connection's protocol.
    /// - Returns: false when the connection has no protocol yet or is closed.
    @discardableResult
    func send(_ message: HubMessage) -> Bool {
        guard let hubProtocol = negotiatedProtocol() else { return false }
        do {
            let bytes = try hubProtocol.writeMessage(message)
            enqueueEncoded(bytes, sequenced: message.isSequenced)
            return true
        } catch {
            logger.debug("Failed to encode a hub message", metadata: ["signalr.error": "\(error)"])
            if case .completion(let completion) = message, completion.error == nil {
                let text = ErrorText.build(ErrorText.invokeFailed("result"), error, detailed: endpoint.configuration.enableDetailedErrors)
                return send(.completion(CompletionMessage(invocationId: completion.invocationId, result: .error(text))))
            }
            return false
        }
    }

    /// Queues an encoded message, numbering and buffering it when stateful reconnect is on.
    func enqueueEncoded(_ bytes: [UInt8], sequenced: Bool) {
        guard !isClosed, case .done(let hubProtocol, _, _) = handshake else { return }
        if sequenced, messageBuffer != nil {
            messageBuffer?.append(bytes)
        }
        // While detached (stateful reconnect), buffered messages are replayed on resume.
        if case .detached = phase, messageBuffer != nil { return }
        push(OutboundFrame(bytes: bytes, isBinary: hubProtocol.transferFormat == .binary))
    }

    /// Queues raw bytes for the transport (handshake responses, already framed messages).
    func push(_ frame: OutboundFrame) {
        outbox.frames.append(frame)
        lastSendAt = .now
        wakeWaiter()
    }

    func wakeWaiter() {
        if let waiter = outbox.waiter {
            outbox.waiter = nil
            waiter.continuation.resume()
        }
    }
}

/// Bytes for one transport write: one WebSocket frame, one SSE event, part of a poll body.
struct OutboundFrame: Sendable {
    var bytes: [UInt8]
    /// Binary WebSocket frame (MessagePack after the handshake) rather than text.
    var isBinary: Bool
}

/// The queue between the connection and its transport.
struct Outbox {
    var frames: [OutboundFrame] = []
    var waiter: (id: Int, continuation: CheckedContinuation<Void, Never>)?
    var nextWaiterId = 0
}

/// The handshake's progress.
enum HandshakeState {
    /// Reading the handshake request; once read, later bytes wait in the decoder until the
    /// request is accepted.
    case waiting(HubFrameDecoder)
    /// The protocol, the decoder keeping partial messages, and the handshake version.
    case done(any HubProtocol, HubFrameDecoder, version: Int)
    /// The handshake was refused; the connection is closing.
    case failed
}
