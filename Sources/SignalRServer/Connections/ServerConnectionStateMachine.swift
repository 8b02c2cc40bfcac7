import SignalRProtocol

/// The life of one server connection: which transport request is attached, how far the
/// handshake got, and its timers (handshake timeout, keep-alive, client timeout, acks and the
/// disconnect timeout) as deadlines on the server's clock.
///
/// Events are `mutating` methods that return `Equatable` actions; ``ServerConnection`` carries
/// them out (writes, aborts, wakes) and owns the resources: the outbox, the stateful-reconnect
/// buffer, invocations, client-result calls and the frame decoder. Times are offsets on the
/// server's ``ErasedClock``.
struct ServerConnectionStateMachine {
    /// The connection's timeouts, from ``HubServerConfiguration``.
    struct Timeouts: Equatable {
        var keepAlive: Duration
        var clientTimeout: Duration
        var handshake: Duration
        var disconnect: Duration
        var ack: Duration

        init(_ configuration: HubServerConfiguration) {
            keepAlive = configuration.keepAliveInterval
            clientTimeout = configuration.clientTimeoutInterval
            handshake = configuration.handshakeTimeout
            disconnect = configuration.disconnectTimeout
            ack = configuration.ackInterval
        }
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

    enum AttachAction: Equatable {
        /// The request is the connection's transport now, under `session`. `first`: the
        /// connection's first request (its headers are what hub methods see). `resume`: a
        /// stateful reconnect (drop what was queued for the old socket, replay the buffer).
        /// `abortPrevious`: cut the socket this request replaces.
        case attached(session: Int, first: Bool, resume: Bool, abortPrevious: Bool)
        case refused(AttachResult)
    }

    enum DetachAction: Equatable {
        /// Not the current request (a poll another took over, a replaced socket): nothing to do.
        case none
        /// The connection waits for its next request (Long Polling) or for its client to come
        /// back (stateful reconnect; then drop what was queued for the old socket).
        case detached(clearOutbox: Bool)
        /// The connection ends.
        case close(CloseReason)
    }

    enum CloseAction: Equatable {
        /// Closed already: the first reason stands.
        case none
        /// Ends the connection: send `closeMessage` (when the handshake completed), drop the
        /// queued frames for client closes and drops, and cut the socket for drops.
        case close(CloseReason, closeMessage: CloseMessage?, clearOutbox: Bool, abortTransport: Bool)
    }

    enum DropAction: Equatable {
        /// Stateful reconnect: cut the socket and wait for the client to come back.
        case detach
        case close
    }

    enum TimerAction: Equatable {
        case none
        /// The handshake request did not arrive in time: answer with an error and close.
        case failHandshake
        case close(CloseReason)
        /// Send a Ping (keep-alive) and/or an Ack (stateful reconnect).
        case send(ping: Bool, ack: Bool)
    }

    /// Where the connection reads frames for a transport request from.
    enum FrameSource: Equatable {
        /// `session` is attached: wait for frames.
        case attached
        /// The connection ended while `session` was its request: the rest of the queue, then the end.
        case closed(CloseReason)
        /// `session` is not the connection's request any more.
        case gone
    }

    private enum State {
        /// Negotiated; no transport request yet.
        case negotiated(createdAt: Duration)
        case open(Open)
        case closed(Closed)
    }

    private enum Attachment: Equatable {
        case attached(session: Int)
        /// The request went away; a new one may resume the connection (Long Polling between
        /// polls, or a stateful reconnect).
        case detached(since: Duration)
    }

    private enum Handshake: Equatable {
        case waiting(since: Duration)
        case done(stateful: Bool)
        case failed
    }

    private struct Open {
        let transport: TransportKind
        var session: Int
        var attachment: Attachment
        var handshake: Handshake
        var lastSendAt: Duration
        var lastReceiveAt: Duration
        var lastAckAt: Duration
        /// Set by the client's first Ping: only then does the client timeout apply.
        var clientTimeoutActive = false

        var handshakeDone: Bool {
            if case .done = handshake { return true }
            return false
        }

        var isStateful: Bool { handshake == .done(stateful: true) }
    }

    private struct Closed {
        let reason: CloseReason
        let transport: TransportKind?
        let session: Int
        /// Whether a Long Polling client learned that the connection ended (a 204, or its DELETE).
        var longPollEndDelivered = false
    }

    private var state: State

    init(now: Duration) {
        state = .negotiated(createdAt: now)
    }

    // MARK: Reading

    var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }

    /// The transport of the connection's first request; nil before one arrived.
    var transport: TransportKind? {
        switch state {
        case .negotiated: nil
        case .open(let open): open.transport
        case .closed(let closed): closed.transport
        }
    }

    /// The number of the latest transport request (0 before the first).
    var session: Int {
        switch state {
        case .negotiated: 0
        case .open(let open): open.session
        case .closed(let closed): closed.session
        }
    }

    /// Whether no transport request arrived yet.
    var isNegotiated: Bool {
        if case .negotiated = state { return true }
        return false
    }

    /// Whether the stateful-reconnect buffer is in use (detached sockets wait for their client).
    var isDetachedStateful: Bool {
        guard case .open(let open) = state, case .detached = open.attachment else { return false }
        return open.isStateful
    }

    /// Why the connection ended; nil while it lives.
    var closeReason: CloseReason? {
        if case .closed(let closed) = state { return closed.reason }
        return nil
    }

    /// Whether a closed Long Polling connection has told its client that it ended.
    var longPollEndDelivered: Bool {
        if case .closed(let closed) = state { return closed.longPollEndDelivered }
        return false
    }

    func frameSource(session: Int) -> FrameSource {
        switch state {
        case .open(let open) where open.attachment == .attached(session: session):
            return .attached
        case .closed(let closed) where closed.session == session:
            return .closed(closed.reason)
        default:
            return .gone
        }
    }

    // MARK: Transport requests

    /// A transport request arrived.
    mutating func attach(_ kind: TransportKind, now: Duration) -> AttachAction {
        switch state {
        case .closed:
            return .refused(.notFound)
        case .negotiated:
            let open = Open(
                transport: kind, session: 1, attachment: .attached(session: 1), handshake: .waiting(since: now),
                lastSendAt: now, lastReceiveAt: now, lastAckAt: now)
            state = .open(open)
            return .attached(session: 1, first: true, resume: false, abortPrevious: false)
        case .open(var open):
            guard open.transport == kind else { return .refused(.wrongTransport) }
            var resume = false
            var abortPrevious = false
            switch open.attachment {
            case .attached:
                switch kind {
                case .longPolling:
                    break  // the newer poll takes over; the older one ends with 204
                case .webSockets where open.isStateful:
                    abortPrevious = true
                    resume = true
                case .webSockets, .serverSentEvents:
                    return .refused(.conflict)
                }
            case .detached:
                resume = kind == .webSockets
            }
            open.session += 1
            open.attachment = .attached(session: open.session)
            open.lastReceiveAt = now
            state = .open(open)
            return .attached(session: open.session, first: false, resume: resume, abortPrevious: abortPrevious)
        }
    }

    /// The transport request of `session` ended (socket closed, stream gone, poll answered).
    mutating func detach(session: Int, now: Duration) -> DetachAction {
        guard case .open(var open) = state, open.attachment == .attached(session: session) else { return .none }
        switch open.transport {
        case .longPolling:
            open.attachment = .detached(since: now)
            state = .open(open)
            return .detached(clearOutbox: false)
        case .webSockets where open.isStateful:
            open.attachment = .detached(since: now)
            state = .open(open)
            return .detached(clearOutbox: true)
        case .webSockets, .serverSentEvents:
            return .close(.client)
        }
    }

    /// The server cuts the transport without a Close message.
    mutating func drop(now: Duration) -> DropAction {
        guard case .open(var open) = state, open.isStateful, case .attached = open.attachment else { return .close }
        open.attachment = .detached(since: now)
        state = .open(open)
        return .detach
    }

    // MARK: Traffic

    /// Bytes arrived from the client.
    mutating func received(now: Duration) {
        guard case .open(var open) = state else { return }
        open.lastReceiveAt = now
        state = .open(open)
    }

    /// The client sent a Ping: from now on the client timeout applies.
    mutating func pingReceived() {
        guard case .open(var open) = state, !open.clientTimeoutActive else { return }
        open.clientTimeoutActive = true
        state = .open(open)
    }

    /// Something was queued for the client.
    mutating func sent(now: Duration) {
        guard case .open(var open) = state else { return }
        open.lastSendAt = now
        state = .open(open)
    }

    mutating func handshakeCompleted(stateful: Bool, now: Duration) {
        guard case .open(var open) = state else { return }
        open.handshake = .done(stateful: stateful)
        open.lastAckAt = now
        state = .open(open)
    }

    mutating func handshakeFailed() {
        guard case .open(var open) = state else { return }
        open.handshake = .failed
        state = .open(open)
    }

    // MARK: Ending

    /// Ends the connection; the first reason wins.
    mutating func close(_ reason: CloseReason) -> CloseAction {
        let handshakeDone: Bool
        let transport: TransportKind?
        let session: Int
        switch state {
        case .closed:
            return .none
        case .negotiated:
            (handshakeDone, transport, session) = (false, nil, 0)
        case .open(let open):
            (handshakeDone, transport, session) = (open.handshakeDone, open.transport, open.session)
        }
        state = .closed(Closed(reason: reason, transport: transport, session: session))
        let message: CloseMessage? =
            switch reason {
            case .dropped, .client: nil
            case .server(let error, let allowReconnect): CloseMessage(error: error, allowReconnect: allowReconnect)
            case .failed(let error): CloseMessage(error: error)
            case .serverStopping: CloseMessage()
            }
        return .close(
            reason, closeMessage: handshakeDone ? message : nil,
            clearOutbox: reason == .dropped || reason == .client, abortTransport: reason == .dropped)
    }

    /// A poll answered 204, or the client sent DELETE after the end: the client knows.
    mutating func longPollEndWasDelivered() {
        guard case .closed(var closed) = state else { return }
        closed.longPollEndDelivered = true
        state = .closed(closed)
    }

    // MARK: Timers

    /// When ``timerFired(now:_:)`` has something to do next; nil for never (until another event).
    func nextDeadline(_ timeouts: Timeouts) -> Duration? {
        switch state {
        case .closed:
            return nil
        case .negotiated(let createdAt):
            return createdAt + timeouts.disconnect
        case .open(let open):
            if case .detached(let since) = open.attachment { return since + timeouts.disconnect }
            switch open.handshake {
            case .waiting(let since):
                return since + timeouts.handshake
            case .failed:
                return nil
            case .done(let stateful):
                let deadlines = [
                    open.clientTimeoutActive ? open.lastReceiveAt + timeouts.clientTimeout : nil,
                    open.transport != .longPolling ? open.lastSendAt + timeouts.keepAlive : nil,
                    stateful ? open.lastAckAt + timeouts.ack : nil,
                ]
                return deadlines.compactMap { $0 }.min()
            }
        }
    }

    /// The clock reached a deadline (or was woken early: then nothing is due).
    mutating func timerFired(now: Duration, _ timeouts: Timeouts) -> TimerAction {
        switch state {
        case .closed:
            return .none
        case .negotiated(let createdAt):
            return now >= createdAt + timeouts.disconnect ? .close(.failed(nil)) : .none
        case .open(var open):
            if case .detached(let since) = open.attachment {
                return now >= since + timeouts.disconnect ? .close(.failed(nil)) : .none
            }
            switch open.handshake {
            case .waiting(let since):
                guard now >= since + timeouts.handshake else { return .none }
                open.handshake = .failed
                state = .open(open)
                return .failHandshake
            case .failed:
                return .none
            case .done(let stateful):
                if open.clientTimeoutActive, now >= open.lastReceiveAt + timeouts.clientTimeout {
                    return .close(.failed(nil))
                }
                let ping = open.transport != .longPolling && now >= open.lastSendAt + timeouts.keepAlive
                let ack = stateful && now >= open.lastAckAt + timeouts.ack
                if ack {
                    open.lastAckAt = now
                    state = .open(open)
                }
                return ping || ack ? .send(ping: ping, ack: ack) : .none
            }
        }
    }
}
