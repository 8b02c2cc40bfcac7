import Logging
import NIOConcurrencyHelpers
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
    /// The connection's timers run on the server's clock (injected for tests).
    let clock: ErasedClock
    let timeouts: ServerConnectionStateMachine.Timeouts

    typealias CloseReason = ServerConnectionStateMachine.CloseReason

    /// The connection's life: attachment, handshake progress, timers.
    var machine: ServerConnectionStateMachine
    /// Cuts the socket of the attached request at once (WebSockets), for drops.
    var abortTransport: (@Sendable () -> Void)?
    var firstRequest: TransportRequest?
    /// ``finish()`` waiting for the client of a closed Long Polling connection to learn of the end.
    var longPollEndWaiter: CheckedContinuation<Void, Never>?
    var inputBeforeTransport: [UInt8] = []

    /// The frame decoder, and the protocol once the handshake chose one.
    var handshake: HandshakeState = .waiting(.server())
    var info: HubConnectionInfo?

    var outbox = Outbox()
    var messageBuffer: MessageBuffer?
    /// Wakes the owner task (``run()``): new work, a due deadline, the connection's end.
    nonisolated let ownerWake: WakeSignal
    /// Wakes the transport loop waiting in ``nextFrames(session:timeout:)``.
    let outboxWake = WakeSignal()
    /// The deadline the owner task waits for (asked of the hub's ``DeadlineScheduler``); nil
    /// while none is armed. The owner reads it off the actor.
    nonisolated let armedDeadline = NIOLockedValueBox<Duration?>(nil)

    /// The connection's work, started by the owner task as its children.
    nonisolated let jobs: ConnectionJobs
    /// Invocations without upload streams, one at a time in arrival order, as children of ``jobs``.
    let invocationQueue: TaskSpawner.Serial
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
        self.clock = endpoint.clock
        self.timeouts = ServerConnectionStateMachine.Timeouts(endpoint.configuration)
        self.machine = ServerConnectionStateMachine(now: endpoint.clock.now)
        let ownerWake = WakeSignal()
        self.ownerWake = ownerWake
        let jobs = ConnectionJobs(ownerWake: ownerWake)
        self.jobs = jobs
        self.invocationQueue = TaskSpawner.Serial(on: jobs)
    }

    var isClosed: Bool { machine.isClosed }

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
        if machine.isDetachedStateful { return }
        push(OutboundFrame(bytes: bytes, isBinary: hubProtocol.transferFormat == .binary))
    }

    /// Queues raw bytes for the transport (handshake responses, already framed messages).
    func push(_ frame: OutboundFrame) {
        outbox.frames.append(frame)
        machine.sent(now: clock.now)
        wakeWaiter()
    }

    /// Wakes the transport loop waiting for frames (it re-checks its session and the queue).
    func wakeWaiter() {
        outboxWake.wake()
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
