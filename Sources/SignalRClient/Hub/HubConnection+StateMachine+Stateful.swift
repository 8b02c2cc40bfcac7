import SignalRProtocol

/// Stateful reconnect in ``HubConnectionStateMachine``: the Ack/Sequence buffer lives in
/// `connected`; a dropped transport is reconnected with the same connection token while the
/// state stays `connected` (the official client's `MessageBuffer` and `features.resend`).
extension HubConnectionStateMachine {
    /// How often received messages are acknowledged at most (the official client: 1 s).
    static let ackInterval: Duration = .seconds(1)

    /// The stateful reconnect part of a connection.
    struct StatefulSession: Sendable {
        var buffer: MessageBuffer
        /// The transport dropped and is being reconnected: sends are buffered, not written.
        var resuming = false
    }

    /// What to do with a sequenced message the caller wants to send.
    enum SequencedSendDecision: Equatable {
        /// Stateful reconnect is off: write it normally.
        case notStateful
        /// Buffered with `id`; write it when `write` (not while the transport is being
        /// reconnected: the replay sends it), then wait for room when `mustWait`.
        case buffered(id: Int64, write: Bool, mustWait: Bool)
    }

    /// What a received message means for stateful reconnect.
    enum StatefulReceiveDecision: Equatable {
        case process
        case skip
        /// An Ack released these waiting sends.
        case acknowledged(released: [Int64])
        /// The server's Sequence skips messages never received.
        case sequenceError
    }

    /// How the transport reconnect of stateful reconnect ends.
    enum TransportResumedAction: Equatable {
        /// Send Sequence with `firstId`, then `messages`, on the new link.
        case replay(firstId: Int64, messages: [[UInt8]])
        /// stop() came meanwhile: close the new transport.
        case close
    }

    /// The transport of start attempt `generation` supports stateful reconnect: the handshake
    /// uses version 2 and the connection keeps a buffer of `bufferSize` bytes.
    mutating func prepareStateful(generation: Int, bufferSize: Int) {
        guard case .connecting(var connecting) = state, connecting.generation == generation else { return }
        connecting.stateful = StatefulSession(buffer: MessageBuffer(limit: bufferSize))
        state = .connecting(connecting)
    }

    /// A sequenced message (`bytes`) is about to be sent on the link of `generation`.
    mutating func sequencedMessageSent(_ bytes: [UInt8], generation: Int) -> SequencedSendDecision {
        guard case .connected(let connected) = state, connected.stateful != nil else { return .notStateful }
        let decision: SequencedSendDecision?? = modifyConnected(generation: generation) { connected in
            // Changed in place (optional chaining): the buffer is not copied.
            guard let (id, mustWait) = connected.stateful?.buffer.append(bytes), let resuming = connected.stateful?.resuming
            else { return nil }
            return .buffered(id: id, write: !resuming, mustWait: mustWait)
        }
        return (decision ?? nil) ?? .notStateful
    }

    /// Whether the send with sequence `id` still waits for room in the buffer.
    func isSendWaiting(id: Int64) -> Bool {
        guard case .connected(let connected) = state, let session = connected.stateful else { return false }
        return session.buffer.isWaiting(id)
    }

    /// Counts a received message and handles Ack and Sequence.
    mutating func statefulMessageReceived(_ message: HubMessage, generation: Int) -> StatefulReceiveDecision {
        guard case .connected(let connected) = state, connected.stateful != nil else { return .process }
        let decision: StatefulReceiveDecision? = modifyConnected(generation: generation) { connected in
            guard connected.stateful?.buffer.shouldProcess(message) == true else {
                return connected.stateful == nil ? .process : .skip
            }
            switch message {
            case .ack(let ack):
                return .acknowledged(released: connected.stateful?.buffer.acknowledge(upTo: ack.sequenceId) ?? [])
            case .sequence(let sequence):
                return connected.stateful?.buffer.resetSequence(to: sequence.sequenceId) == true ? .skip : .sequenceError
            default:
                return .process
            }
        }
        return decision ?? .process
    }

    /// Adds a pending Ack to a timer action, and wakes at least every ``ackInterval`` while
    /// stateful reconnect is on.
    func withStatefulAck(_ ack: Int64?, _ action: TimerAction, generation: Int, now: Duration) -> TimerAction {
        switch state {
        case .connected(let connected) where connected.stateful != nil: break
        case .connecting(let connecting) where connecting.stateful != nil: return Self.clampForAck(action, now: now)
        default: return action
        }
        guard let ack else { return Self.clampForAck(action, now: now) }
        return .sendAck(generation: generation, AckMessage(sequenceId: ack), then: Self.clampForAck(action, now: now))
    }

    /// Wakes the timer by the next Ack check at the latest.
    private static func clampForAck(_ action: TimerAction, now: Duration) -> TimerAction {
        switch action {
        case .sleep(let deadline): return .sleep(until: min(deadline, now + ackInterval))
        case .sendPing(let generation, let deadline): return .sendPing(generation: generation, thenSleepUntil: min(deadline, now + ackInterval))
        default: return action
        }
    }

    /// Begins the transport reconnect of the dropped link `generation`.
    /// - Returns: the new link's generation, or nil when the connection moved on.
    mutating func beginTransportResume(from generation: Int) -> Int? {
        guard case .connected(let connected) = state, connected.transport.generation == generation,
            connected.stateful?.resuming == true
        else { return nil }
        nextGeneration += 1
        return nextGeneration
    }

    /// The transport is connected again (`transport`, with new timers).
    mutating func transportResumed(from generation: Int, to transport: TransportLink, timers: ConnectionTimers) -> TransportResumedAction {
        guard case .connected(var connected) = state, connected.transport.generation == generation,
            var session = connected.stateful, session.resuming
        else { return .close }
        session.resuming = false
        let (firstId, messages) = session.buffer.replay
        connected.transport = transport
        connected.timers = timers
        connected.writeFailure = nil
        connected.stateful = session
        state = .connected(connected)
        return .replay(firstId: firstId, messages: messages)
    }

    /// The transport could not be reconnected: the connection is lost as without stateful
    /// reconnect (automatic reconnect or close).
    mutating func transportResumeFailed(from generation: Int, error: SignalRError, now: Duration) -> ClosedAction {
        guard case .connected(let connected) = state, connected.transport.generation == generation,
            connected.stateful?.resuming == true
        else { return .none }
        return connectionLost(pending: Array(connected.pending.values), error: error, now: now)
    }
}
