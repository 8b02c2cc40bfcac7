import SignalRProtocol

/// The data the states of ``HubConnectionStateMachine`` carry, and the actions its events return.
///
/// Everything here is a value or an id: the actor keeps the live objects (transports, task
/// handles, continuations) and finds them by a transport's `generation`. So every action is
/// `Equatable` and tests compare what the machine asks for with what they expect.
extension HubConnectionStateMachine {
    /// One transport connection, by id.
    struct TransportLink: Sendable, Equatable {
        /// Counts transport connections of this ``HubConnection``; events name the one they are about.
        let generation: Int
        /// The generation of the transport that began this logical connection. A transport
        /// resumed by stateful reconnect keeps it: calls, client results and uploads belong to
        /// the connection, not to one transport.
        let session: Int
        /// The id the server gave in negotiation (nil when negotiation was skipped).
        let connectionId: String?
    }

    /// A call waiting for the server, by its invocation id: an `invoke` waiting for its
    /// Completion, or a server-to-client stream taking StreamItems until its Completion.
    enum PendingCall: Sendable, Equatable {
        case invocation(InvocationWaiter)
        case stream(StreamChannel)

        /// The same waiter or channel (they are objects; identity is what matters).
        static func == (lhs: Self, rhs: Self) -> Bool {
            switch (lhs, rhs) {
            case (.invocation(let left), .invocation(let right)): return left === right
            case (.stream(let left), .stream(let right)): return left === right
            default: return false
            }
        }

        var identity: ObjectIdentifier {
            switch self {
            case .invocation(let waiter): return ObjectIdentifier(waiter)
            case .stream(let channel): return ObjectIdentifier(channel)
            }
        }
    }

    struct Connecting: Sendable {
        var generation: Int
        var transport: TransportLink?
        var timers: ConnectionTimers?
        var handshakeCompleted = false
        /// Why start must fail: stop() was called, or the transport closed.
        var failure: SignalRError?
        /// Set when this start is an attempt of automatic reconnect (public state `reconnecting`).
        var reconnect: ReconnectProgress?
        /// stop() was called: a reconnect attempt that fails then ends reconnecting.
        var stopRequested = false
        /// Stateful reconnect, when negotiated; moves into `Connected` on success.
        var stateful: StatefulSession?
    }

    struct Connected: Sendable {
        var transport: TransportLink
        var timers: ConnectionTimers
        /// The pending invocations and streams, in one table by invocation id.
        var pending: [String: PendingCall] = [:]
        /// Stateful reconnect's buffer and transport resume; nil when not negotiated.
        var stateful: StatefulSession?
        /// The first failed write on this transport: the end reason when it closes cleanly.
        var writeFailure: SignalRError?
    }

    struct Disconnecting: Sendable {
        var transport: TransportLink
        var pending: [String: PendingCall]
        /// The cause reported to pending calls and onClose; nil for a user's stop().
        var error: SignalRError?
        /// Whether automatic reconnect may follow (false for stop() and a final server Close).
        var allowReconnect = false
    }

    enum StartAction: Equatable {
        case connect(generation: Int)
        case fail(String)
    }

    enum HandshakeAction: Equatable {
        /// Resume start()'s wait: go on.
        case succeeded
        /// Resume start()'s wait with this error.
        case rejected(SignalRError)
        case ignore
    }

    enum StartCompletedAction: Equatable {
        case connected(TransportLink)
        case fail(SignalRError)
    }

    enum StopAction: Equatable {
        /// Already disconnected.
        case none
        /// A stop is in progress: wait for it.
        case wait
        /// stop() during start: fail start()'s handshake wait with `failure`, close the
        /// transport of `generation` when one is open, wait for start to clean up.
        case closeDuringStart(generation: Int, transportOpen: Bool, failure: SignalRError)
        /// Send a Close message, close the transport, wait for the end.
        case closeConnection(generation: Int)
        /// stop() during a reconnect delay: now disconnected; end the reconnect task, run onClose.
        case endReconnectDelay
        /// stop() while stateful reconnect reconnects the transport: now disconnected; end that
        /// task and the dropped transport's session, fail the invocations, run onClose.
        case endTransportResume(ClosedOutcome, generation: Int)
    }

    enum TimerAction: Equatable {
        case sleep(until: Duration)
        case sendPing(generation: Int, thenSleepUntil: Duration)
        /// The handshake timed out: fail start()'s wait with the error, close the transport.
        case failHandshake(generation: Int, SignalRError)
        /// The server timed out: close the transport.
        case close(generation: Int)
        case stop
        /// Stateful reconnect: send this Ack, then do `then`.
        indirect case sendAck(generation: Int, AckMessage, then: TimerAction)
    }

    /// How a connection ended.
    struct ClosedOutcome: Equatable {
        /// The pending invocations and streams, to end with `error` (or the "canceled" text when nil).
        var pending: [PendingCall]
        /// The cause; nil after a user's stop() or a clean close.
        var error: SignalRError?

        /// Pending calls compare as a set: their order in the table means nothing.
        static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.error == rhs.error && Set(lhs.pending.map(\.identity)) == Set(rhs.pending.map(\.identity))
        }
    }

    enum ClosedAction: Equatable {
        case none
        /// The transport closed during start(): fail the handshake wait (start cleans up; no onClose).
        case failedDuringStart(generation: Int, SignalRError)
        /// A started connection ended: fail invocations, run onClose, resume stop() calls.
        case closed(ClosedOutcome)
        /// A started connection was lost and automatic reconnect begins (state `reconnecting`):
        /// fail invocations, run onReconnecting, then attempt after the plan's delay.
        case reconnect(ClosedOutcome, ReconnectPlan)
        /// Stateful reconnect: the transport of `generation` dropped; reconnect it with the same
        /// connection token (the state stays `connected`).
        case resumeTransport(generation: Int)
    }
}
