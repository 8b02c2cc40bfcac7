import Logging
import SignalRProtocol

/// A connection to a SignalR hub (`HubConnection` of the official client).
///
/// Build one with ``HubConnectionBuilder``, register handlers, then ``start()``:
///
/// ```swift
/// let connection = try HubConnectionBuilder()
///     .withUrl("https://example.com/chathub")
///     .configureLogging(.information)
///     .build()
/// await connection.on("ReceiveMessage") { (user: String, message: String) in
///     print("\(user): \(message)")
/// }
/// try await connection.start()
/// try await connection.send("SendMessage", "ana", "hello")
/// let sum: Int = try await connection.invoke("Add", 1, 2)
/// try await connection.stop()
/// ```
///
/// Calls from the server are handled one at a time, in the order they arrived. After
/// ``stop()`` returns, no task, socket or queue of the connection is left running.
public actor HubConnection {
    /// The hub protocol (JSON by default).
    public nonisolated let hubProtocol: any HubProtocol
    /// How long the server may stay silent before the connection is closed (default 30 s).
    public nonisolated let serverTimeout: Duration
    /// How long the client may stay silent before it sends a Ping (default 15 s).
    public nonisolated let keepAliveInterval: Duration
    /// How long the server has to answer the handshake (default 15 s).
    public nonisolated let handshakeTimeout: Duration

    /// Negotiation and transports; replaced (same cookies and options) when ``setBaseUrl(_:)`` changes the URL.
    var connectionFactory: any ConnectionFactory
    let clock: ErasedClock
    let logger: Logger
    /// Every state change goes through here: a change of the public state reaches
    /// ``stateChanges`` at once (the one place that publishes it).
    ///
    /// A `_modify` accessor rather than `didSet`: `didSet` makes every `machine.event()` copy
    /// the whole machine out and back (its tables included), which showed in profiles of the
    /// invoke path; `_modify` lends it in place and publishes after the event returns.
    var machine: HubConnectionStateMachine {
        // `_read` lends it for a query too, where `get` would copy it.
        _read { yield storedMachine }
        _modify {
            yield &storedMachine
            publishState()
        }
    }
    private var storedMachine: HubConnectionStateMachine
    /// The public state last handed to ``stateBroadcaster``.
    private var publishedState = HubConnectionState.disconnected
    /// The subscribers of ``stateChanges``.
    nonisolated let stateBroadcaster = StateBroadcaster()
    /// The live side of the machine's transports, by generation: the machine names them,
    /// the actor holds them. Removed once their run task reported the close.
    var links: [Int: TransportRuntime] = [:]
    /// start()'s wait for the handshake response of start attempt `generation`.
    var handshakeWaiter: (generation: Int, continuation: CheckedContinuation<Void, any Error>)?
    /// stop() calls waiting for the connection to end (during a start or a close).
    var stopWaiters: [CheckedContinuation<Void, Never>] = []
    var handlers = HandlerRegistry()
    var closeHandlers: [@Sendable (SignalRError?) async -> Void] = []
    /// Automatic and stateful reconnect: handlers, running tasks, blocked sends.
    var reconnect = ReconnectRuntime()
    /// The stateful reconnect buffer size in bytes (used when negotiation grants it).
    let statefulBufferSize: Int
    /// The stream job queue (uploads, CancelInvocation) and closing transports.
    var streamJobs = StreamJobs()
    /// The session task of the current connection (received calls and uploads), and its session.
    var dispatchTask: (session: Int, task: ChildTask)?
    /// The owner of every task the current connection runs; nil when none runs.
    var taskOwner: ConnectionTaskOwner?

    init(
        connectionFactory: any ConnectionFactory,
        hubProtocol: any HubProtocol,
        serverTimeout: Duration,
        keepAliveInterval: Duration,
        handshakeTimeout: Duration,
        clock: ErasedClock,
        logger: Logger,
        retryPolicy: (any RetryPolicy)? = nil,
        statefulBufferSize: Int = StatefulReconnectOptions.defaultBufferSize
    ) {
        self.storedMachine = HubConnectionStateMachine(retryPolicy: retryPolicy)
        self.statefulBufferSize = statefulBufferSize
        self.connectionFactory = connectionFactory
        self.hubProtocol = hubProtocol
        self.serverTimeout = serverTimeout
        self.keepAliveInterval = keepAliveInterval
        self.handshakeTimeout = handshakeTimeout
        self.clock = clock
        self.logger = logger
    }

    deinit {
        stateBroadcaster.finish()
    }

    /// The connection's state.
    public var state: HubConnectionState { machine.publicState }

    /// The connection's state changes, as a new sequence for each caller: it starts with the
    /// current state and then delivers each change (`connecting`, `connected(connectionId:)`,
    /// `reconnecting(error)`, `disconnecting`, `disconnected(error)`) in order.
    ///
    /// ```swift
    /// for await change in connection.stateChanges {
    ///     if case .reconnecting(let error) = change { print("Reconnecting: \(error?.message ?? "-")") }
    /// }
    /// ```
    ///
    /// A consumer never holds up the connection: each sequence keeps the newest 32 changes,
    /// so one that falls further behind misses the oldest, never the latest. The same
    /// information as ``onClose(_:)``, ``onReconnecting(_:)`` and ``onReconnected(_:)``, as
    /// values. The sequence ends when the connection object is released.
    public nonisolated var stateChanges: AsyncStream<HubConnectionStateChange> {
        stateBroadcaster.subscribe()
    }

    /// Publishes when the public state changed: the hot path (every send and receive
    /// touches the machine) costs one enum comparison.
    private func publishState() {
        let state = storedMachine.publicState
        guard state != publishedState else { return }
        publishedState = state
        stateBroadcaster.publish(storedMachine.stateChange)
        if state == .disconnected {
            // The connection's last children (its close handlers among them) may still run;
            // no new ones come, so the owner task ends with them.
            taskOwner?.finish()
            taskOwner = nil
        }
    }

    /// Runs `body` as a child of the connection's owner task, which this creates when none
    /// runs (see ``ConnectionTaskOwner``).
    func spawnChild(_ body: @escaping @Sendable () async -> Void) -> ChildTask {
        if let owner = taskOwner, let child = owner.spawn(body) { return child }
        let owner = ConnectionTaskOwner()
        guard let child = owner.spawn(body) else { preconditionFailure("A new task owner refused its first child.") }
        if storedMachine.publicState == .disconnected {
            // Late work of a connection that has ended: the owner takes only this child.
            owner.finish()
        } else {
            taskOwner = owner
        }
        return child
    }

    /// Opens transports in scopes that are children of the connection's owner task (created
    /// here when none runs; once disconnected, the opener refuses).
    func transportOpener() -> TransportOpener {
        if let owner = taskOwner { return TransportOpener(owner: owner) }
        let owner = ConnectionTaskOwner()
        if storedMachine.publicState == .disconnected {
            owner.finish()
        } else {
            taskOwner = owner
        }
        return TransportOpener(owner: owner)
    }

    /// The hub URL the next ``start()`` or reconnect attempt connects to (the official client's
    /// `baseUrl`); empty when the connection was built without one.
    public var baseUrl: String { connectionFactory.baseUrl ?? "" }

    /// Changes the hub URL for the next ``start()`` or reconnect attempt (the official client's
    /// `baseUrl` setter): allowed while disconnected (also from an ``onClose(_:)`` handler) or
    /// reconnecting (from an ``onReconnecting(_:)`` handler, say).
    /// - Parameter url: an absolute `http` or `https` URL.
    /// - Throws: ``SignalRError`` with ``SignalRError/Code/invalidState`` ("The HubConnection must
    ///   be in the Disconnected or Reconnecting state to change the url.") in another state;
    ///   ``SignalRError/Code/invalidConfiguration`` ("The HubConnection url must be a valid url.")
    ///   for an empty or invalid URL.
    public func setBaseUrl(_ url: String) throws {
        guard state == .disconnected || state == .reconnecting else {
            throw SignalRError(.invalidState, "The HubConnection must be in the Disconnected or Reconnecting state to change the url.")
        }
        guard NegotiateURL.isAbsoluteHTTP(url) else {
            throw SignalRError(.invalidConfiguration, "The HubConnection url must be a valid url.")
        }
        connectionFactory = connectionFactory.replacingBaseUrl(url)
    }

    /// The id the server gave this connection in negotiation; nil when disconnected or when
    /// negotiation was skipped.
    public var connectionId: String? { machine.connectionId }

    /// Registers a handler that runs once each time the connection ends after a successful
    /// ``start()``: with the cause, or nil after ``stop()``. Not run when `start()` fails.
    ///
    /// With automatic reconnect it runs only when reconnecting ends without success: with the
    /// error of the last failed attempt when the retry policy gives up (the JavaScript client
    /// passes no error there), or nil when ``stop()`` ends reconnecting. Calling ``start()``
    /// from the handler (manual reconnect) is allowed.
    /// - Parameter handler: receives the error that ended the connection, if any.
    public func onClose(_ handler: @escaping @Sendable (SignalRError?) async -> Void) {
        closeHandlers.append(handler)
    }

    // MARK: Live objects

    /// The link of `generation`, while it is the machine's current transport.
    func link(_ generation: Int) -> TransportRuntime? {
        machine.isCurrent(generation) ? links[generation] : nil
    }

    /// The link to send on, when connected.
    func linkForSending() -> TransportRuntime? {
        machine.transportForSending().flatMap { links[$0.generation] }
    }

    /// Resumes start()'s handshake wait of `generation`, if it still waits.
    func resumeHandshake(generation: Int, throwing error: SignalRError?) {
        guard let waiter = handshakeWaiter, waiter.generation == generation else { return }
        handshakeWaiter = nil
        if let error { waiter.continuation.resume(throwing: error) } else { waiter.continuation.resume() }
    }

    /// The connection ended: every stop() call that waited returns.
    func resumeStopWaiters() {
        let waiters = stopWaiters
        stopWaiters = []
        waiters.forEach { $0.resume() }
    }

    // MARK: Writing

    /// Encodes `message` and writes it on `link`, restarting the keep-alive interval.
    /// - Throws: ``SignalRError`` when it cannot be encoded or written.
    func write(_ message: HubMessage, on link: TransportRuntime) async throws {
        try await write(encoded: encode(message), sequenced: message.isSequenced, on: link)
    }

    /// Writes an encoded message on `link`, restarting the keep-alive interval; a sequenced
    /// one goes through stateful reconnect's buffer when that is on.
    /// - Throws: the transport's error.
    func write(encoded bytes: [UInt8], sequenced: Bool, on link: TransportRuntime) async throws {
        machine.messageSent(generation: link.generation, now: clock.now)
        if sequenced, try await writeSequenced(bytes, on: link) { return }
        try await link.write(bytes)
    }

    /// Writes an Invocation whose result `waiter` awaits: like ``write(_:on:)``, but when the
    /// message has to queue behind other writes it does not wait for them, and a failed write
    /// is left to the connection's end (which fails `waiter` with the connection's cause) when
    /// it ends the connection.
    /// - Throws: ``SignalRError`` when the message cannot be encoded, or the write's error when
    ///   it does not end the connection (Server-Sent Events, Long Polling).
    func writeInvocation(_ message: HubMessage, waiter: InvocationWaiter, on link: TransportRuntime) async throws {
        let bytes = try encode(message)
        machine.messageSent(generation: link.generation, now: clock.now)
        if try await writeSequenced(bytes, on: link) { return }
        do {
            try await link.outbound.writeInvocation(bytes, waiter: waiter)
        } catch {
            // Unless the transport's sends are requests of their own, the failed write ends the
            // connection, whose end fails the invocation with the cause.
            guard link.transport.failedSendEndsConnection else { throw error }
            logger.debug("Writing an invocation failed.", metadata: ["signalr.error": "\(error)"])
        }
    }

    /// A write on transport `generation` failed: the transport closes; the write's error is
    /// the end reason if the transport closes without one of its own (see
    /// ``HubConnectionStateMachine/writeFailed(generation:error:)``).
    func writeFailed(generation: Int, error: SignalRError) async {
        logger.debug("Sending failed; closing the transport.", metadata: ["signalr.error": "\(error.message)"])
        machine.writeFailed(generation: generation, error: error)
        await closeTransport(links[generation])
    }

    /// Encodes `message` with the hub protocol.
    /// - Throws: ``SignalRError`` with ``SignalRError/Code/protocolError``.
    func encode(_ message: HubMessage) throws -> [UInt8] {
        do {
            let bytes = try hubProtocol.writeMessage(message)
            if logger.logLevel <= .trace {
                logger.trace("Sending message.", metadata: ["signalr.type": "\(message.messageType)", "signalr.bytes": "\(bytes.count)"])
            }
            return bytes
        } catch {
            throw SignalRError(.protocolError, "Failed to write the message: \(error)", underlyingError: error)
        }
    }
}
