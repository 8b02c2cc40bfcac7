import SignalRProtocol

/// The data the states of ``HubConnectionStateMachine`` carry, and the actions its events return.
extension HubConnectionStateMachine {
    typealias StopWaiter = CheckedContinuation<Void, Never>

    struct Connecting {
        var generation: Int
        var link: ConnectionLink?
        var timers: ConnectionTimers?
        var handshake: CheckedContinuation<Void, any Error>?
        var handshakeCompleted = false
        /// Why start must fail: stop() was called, or the transport closed.
        var failure: SignalRError?
        var stopWaiters: [StopWaiter] = []
        /// Set when this start is an attempt of automatic reconnect (public state `reconnecting`).
        var reconnect: ReconnectProgress?
        /// stop() was called: a reconnect attempt that fails then ends reconnecting.
        var stopRequested = false
        /// Stateful reconnect, when negotiated; moves into `Connected` on success.
        var stateful: StatefulSession?
    }

    struct Connected {
        var link: ConnectionLink
        var timers: ConnectionTimers
        var invocations: [String: InvocationWaiter] = [:]
        /// Stateful reconnect's buffer and transport resume; nil when not negotiated.
        var stateful: StatefulSession?
    }

    struct Disconnecting {
        var link: ConnectionLink
        var invocations: [String: InvocationWaiter]
        /// The cause reported to invocations and onClose; nil for a user's stop().
        var error: SignalRError?
        var stopWaiters: [StopWaiter] = []
        /// Whether automatic reconnect may follow (false for stop() and a final server Close).
        var allowReconnect = false
    }

    enum StartAction: Equatable {
        case connect(generation: Int)
        case fail(String)
    }

    enum HandshakeAction {
        case succeeded(CheckedContinuation<Void, any Error>?)
        case rejected(CheckedContinuation<Void, any Error>?, SignalRError, ConnectionLink?)
        case ignore
    }

    enum StartCompletedAction {
        case connected(ConnectionLink)
        case fail(SignalRError)
    }

    enum StopAction {
        /// Already disconnected.
        case none
        /// A stop is in progress: wait for it.
        case wait
        /// stop() during start: close the transport if open, fail the handshake wait, wait for start to clean up.
        case closeDuringStart(ConnectionLink?, CheckedContinuation<Void, any Error>?, SignalRError?)
        /// Send a Close message, close the transport, wait for the end.
        case closeConnection(ConnectionLink)
        /// stop() during a reconnect delay: now disconnected; end the reconnect task, run onClose.
        case endReconnectDelay
        /// stop() while stateful reconnect reconnects the transport: now disconnected; end that
        /// task and the dropped link's session, fail the invocations, run onClose.
        case endTransportResume(ClosedOutcome, ConnectionLink)
    }

    enum TimerAction {
        case sleep(until: Duration)
        case sendPing(ConnectionLink, thenSleepUntil: Duration)
        case failHandshake(CheckedContinuation<Void, any Error>?, SignalRError, ConnectionLink)
        case close(ConnectionLink)
        case stop
        /// Stateful reconnect: send this Ack, then do `then`.
        indirect case sendAck(ConnectionLink, AckMessage, then: TimerAction)
    }

    /// How a connection ended.
    struct ClosedOutcome {
        /// The pending invocations, to fail with `error` (or the "canceled" text when nil).
        var invocations: [InvocationWaiter]
        /// The cause; nil after a user's stop() or a clean close.
        var error: SignalRError?
        /// stop() calls waiting for the end.
        var stopWaiters: [StopWaiter]
    }

    enum ClosedAction {
        case none
        /// The transport closed during start(): fail the handshake wait (start cleans up; no onClose).
        case failedDuringStart(CheckedContinuation<Void, any Error>?, SignalRError)
        /// A started connection ended: fail invocations, run onClose, resume stop() calls.
        case closed(ClosedOutcome)
        /// A started connection was lost and automatic reconnect begins (state `reconnecting`):
        /// fail invocations, run onReconnecting, then attempt after the plan's delay.
        case reconnect(ClosedOutcome, ReconnectPlan)
        /// Stateful reconnect: the transport of `generation` dropped; reconnect it with the same
        /// connection token (the state stays `connected`).
        case resumeTransport(generation: Int, @Sendable () async throws -> any TransportConnection)
    }
}
