import SignalRProtocol
import Testing
@testable import SignalRClient

/// Drives ``HubConnectionStateMachine`` directly: an event in, an `Equatable` action out, no
/// actor, transport or clock (as async-http-client tests its `Transaction` state machine).
@Suite("HubConnection state machine")
struct HubConnectionStateMachineTests {
    typealias Machine = HubConnectionStateMachine

    static let keepAlive = Duration.seconds(15)
    static let serverTimeout = Duration.seconds(30)
    static let handshakeTimeout = Duration.seconds(15)

    static func timers(now: Duration = .zero) -> ConnectionTimers {
        ConnectionTimers(
            keepAliveInterval: keepAlive, serverTimeout: serverTimeout, handshakeTimeout: handshakeTimeout,
            enabled: true, now: now
        )
    }

    static func transport(_ generation: Int, session: Int? = nil) -> Machine.TransportLink {
        Machine.TransportLink(generation: generation, session: session ?? generation, connectionId: "conn-\(generation)")
    }

    /// A machine connected on transport 1 (handshake done at 0 s).
    static func connected(retryPolicy: (any RetryPolicy)? = nil, stateful: Bool = false) -> Machine {
        var machine = Machine(retryPolicy: retryPolicy)
        let r1 = machine.start()
        #expect(r1 == .connect(generation: 1))
        let r2 = machine.transportOpened(transport(1), timers: timers())
        #expect(r2 == nil)
        if stateful { machine.prepareStateful(generation: 1, bufferSize: 1_000) }
        #expect(machine.awaitHandshake(generation: 1) == nil)
        let r3 = machine.handshakeReceived(generation: 1, error: nil, now: .zero)
        #expect(r3 == .succeeded)
        let r4 = machine.startCompleted(generation: 1)
        #expect(r4 == .connected(transport(1)))
        #expect(machine.stateChange == .connected(connectionId: "conn-1"))
        return machine
    }

    static let serverError = SignalRError(.connectionClosed, "Server returned an error on close: bye")

    // MARK: Start and handshake

    @Test func startIsRefusedUnlessDisconnected() {
        var machine = Self.connected()
        let r5 = machine.start()
        #expect(r5 == .fail("Cannot start a HubConnection that is not in the 'Disconnected' state."))
    }

    @Test func aRejectedHandshakeFailsTheStart() {
        var machine = Machine()
        _ = machine.start()
        _ = machine.transportOpened(Self.transport(1), timers: Self.timers())
        let rejected = SignalRError(.handshakeRejected, "Server returned handshake error: nope")
        let r6 = machine.handshakeReceived(generation: 1, error: rejected, now: .zero)
        #expect(r6 == .rejected(rejected))
        // A second answer, or one for another attempt, is ignored.
        let r7 = machine.handshakeReceived(generation: 1, error: nil, now: .zero)
        #expect(r7 == .ignore)
        let r8 = machine.startCompleted(generation: 1)
        #expect(r8 == .fail(rejected))
        let r9 = machine.startFailed(generation: 1, error: SignalRError(.transportFailed, "later"))
        #expect(r9 == rejected)
        #expect(machine.stateChange == .disconnected(rejected))
    }

    @Test func theHandshakeTimesOutAtItsDeadline() {
        var machine = Machine()
        _ = machine.start()
        _ = machine.transportOpened(Self.transport(1), timers: Self.timers())
        // Before the deadline the timer sleeps (by the first keep-alive deadline at the latest).
        let r10 = machine.timerFired(generation: 1, now: .seconds(1))
        #expect(r10 == .sleep(until: .seconds(15)))
        let timedOut = SignalRError(.timedOut, "Handshake timed out without a response from the server.")
        let r11 = machine.timerFired(generation: 1, now: .seconds(15))
        #expect(r11 == .failHandshake(generation: 1, timedOut))
        #expect(machine.startFailure(generation: 1) == timedOut)
        let r12 = machine.transportClosed(generation: 1, error: nil, now: .seconds(15))
        #expect(r12 == .failedDuringStart(generation: 1, timedOut))
    }

    @Test func theTransportClosingDuringTheHandshakeFailsTheStart() {
        var machine = Machine()
        _ = machine.start()
        _ = machine.transportOpened(Self.transport(1), timers: Self.timers())
        let expected = SignalRError(.connectionClosed, "The underlying connection was closed before the hub handshake could complete.")
        let r13 = machine.transportClosed(generation: 1, error: nil, now: .zero)
        #expect(r13 == .failedDuringStart(generation: 1, expected))
        let r14 = machine.startCompleted(generation: 1)
        #expect(r14 == .fail(expected))
    }

    // MARK: Invocations, keep-alive and server timeout

    @Test func anInvocationCompletesOnce() throws {
        var machine = Self.connected()
        let waiter = InvocationWaiter()
        let r15 = machine.beginInvocation(waiter, uploads: 2)
        let begun = try #require(r15)
        // Stream ids first, then the call's id, from one counter (as the official client).
        #expect(begun.streamIds == ["0", "1"])
        #expect(begun.id == "2")
        #expect(begun.transport == Self.transport(1))
        let r16 = machine.completionReceived(generation: 1, invocationId: "2")
        #expect(r16 == .invocation(waiter))
        let r17 = machine.completionReceived(generation: 1, invocationId: "2")
        #expect(r17 == nil)
        // A Completion from an older transport is not this connection's.
        _ = machine.beginInvocation(InvocationWaiter())
        let r18 = machine.completionReceived(generation: 0, invocationId: "3")
        #expect(r18 == nil)
    }

    @Test func aStreamIsAPendingCallInTheSameTable() throws {
        var machine = Self.connected()
        _ = machine.beginInvocation(InvocationWaiter())
        let channel = StreamChannel(capacity: 4)
        let streamBegun = machine.beginStream(channel, uploads: 1)
        let begun = try #require(streamBegun)
        #expect(begun.streamIds == ["1"])
        #expect(begun.id == "2")
        #expect(machine.stream("2") === channel)
        #expect(machine.stream("0") == nil)
        // Its Completion ends it once, like an invocation's.
        let completed = machine.completionReceived(generation: 1, invocationId: "2")
        #expect(completed == .stream(channel))
        #expect(machine.stream("2") == nil)
        // A stream whose consumer left is removed once; the connection's end fails the rest.
        let second = StreamChannel(capacity: 4)
        let secondBegun = machine.beginStream(second, uploads: 0)
        let other = try #require(secondBegun)
        let removed = machine.removeStream(other.id)
        #expect(removed === second)
        let again = machine.removeStream(other.id)
        #expect(again == nil)
        let third = StreamChannel(capacity: 4)
        _ = machine.beginStream(third, uploads: 0)
        let closed = machine.transportClosed(generation: 1, error: nil, now: .zero)
        guard case .closed(let outcome) = closed else { throw TestFailure("Expected closed, got \(closed).") }
        #expect(outcome.pending.count == 2)
        #expect(outcome.pending.contains(.stream(third)))
        var disconnected = Machine()
        let refused = disconnected.beginStream(StreamChannel(capacity: 1), uploads: 0)
        #expect(refused == nil)
    }

    @Test func keepAlivePingsAndTheServerTimeout() {
        var machine = Self.connected()
        let r21 = machine.timerFired(generation: 1, now: .seconds(1))
        #expect(r21 == .sleep(until: .seconds(15)))
        let r22 = machine.timerFired(generation: 1, now: .seconds(15))
        #expect(r22 == .sendPing(generation: 1, thenSleepUntil: .seconds(30)))
        machine.messageSent(generation: 1, now: .seconds(20))
        let r23 = machine.dataReceived(generation: 1, now: .seconds(25))
        #expect(r23)
        let r24 = machine.timerFired(generation: 1, now: .seconds(30))
        #expect(r24 == .sleep(until: .seconds(35)))
        let r25 = machine.timerFired(generation: 1, now: .seconds(55))
        #expect(r25 == .close(generation: 1))
        #expect(machine.stateChange == .disconnecting)
        let timedOut = SignalRError(.timedOut, "Server timeout elapsed without receiving a message from the server.")
        let r26 = machine.transportClosed(generation: 1, error: nil, now: .seconds(55))
        #expect(r26 == .closed(.init(pending: [], error: timedOut)))
    }

    // MARK: Server Close

    @Test func aServerCloseWithAnErrorEndsTheConnectionWithIt() {
        var machine = Self.connected(retryPolicy: DefaultRetryPolicy())
        let waiter = InvocationWaiter()
        _ = machine.beginInvocation(waiter)
        let r27 = machine.closeWithError(generation: 1, Self.serverError, allowReconnect: false)
        #expect(r27)
        #expect(
            machine.transportClosed(generation: 1, error: nil, now: .zero) == .closed(.init(pending: [.invocation(waiter)], error: Self.serverError))
        )
        #expect(machine.stateChange == .disconnected(Self.serverError))
    }

    @Test func aServerCloseWithoutAnErrorEndsTheConnectionCleanly() {
        var machine = Self.connected()
        let r28 = machine.closeWithError(generation: 1, nil, allowReconnect: false)
        #expect(r28)
        let r29 = machine.transportClosed(generation: 1, error: nil, now: .zero)
        #expect(r29 == .closed(.init(pending: [], error: nil)))
        #expect(machine.stateChange == .disconnected(nil))
    }

    @Test func aServerCloseWithAllowReconnectStartsTheReconnectSchedule() {
        var machine = Self.connected(retryPolicy: DefaultRetryPolicy())
        let r30 = machine.closeWithError(generation: 1, Self.serverError, allowReconnect: true)
        #expect(r30)
        let action = machine.transportClosed(generation: 1, error: nil, now: .seconds(3))
        #expect(action == .reconnect(.init(pending: [], error: Self.serverError), .init(id: 1, error: Self.serverError, delay: .zero)))
        #expect(machine.stateChange == .reconnecting(Self.serverError))
    }

    // MARK: Write failures

    @Test func aFailedWriteIsTheReasonOnlyWhenTheTransportClosesWithoutOne() {
        let posted = SignalRError(.transportFailed, "Not Found: Status code '404'")
        let dropped = SignalRError(.transportFailed, "WebSocket closed with status code: 1006 (no reason given).")
        var clean = Self.connected()
        clean.writeFailed(generation: 1, error: posted)
        let cleanClose = clean.transportClosed(generation: 1, error: nil, now: .zero)
        #expect(cleanClose == .closed(.init(pending: [], error: posted)))

        var unclean = Self.connected()
        unclean.writeFailed(generation: 1, error: posted)
        let uncleanClose = unclean.transportClosed(generation: 1, error: dropped, now: .zero)
        #expect(uncleanClose == .closed(.init(pending: [], error: dropped)))

        // A server Close came first: its reason stays.
        var closing = Self.connected()
        _ = closing.closeWithError(generation: 1, Self.serverError, allowReconnect: false)
        closing.writeFailed(generation: 1, error: SignalRError.httpTransportNotConnected)
        let closed = closing.transportClosed(generation: 1, error: nil, now: .zero)
        #expect(closed == .closed(.init(pending: [], error: Self.serverError)))
    }

    // MARK: Reconnect

    @Test func theReconnectScheduleAsksThePolicyAfterEachFailedAttempt() throws {
        var machine = Self.connected(retryPolicy: DefaultRetryPolicy())
        let lost = SignalRError(.transportFailed, "WebSocket closed with status code: 1006 (no reason given).")
        let refused = SignalRError(.transportFailed, "Connection refused.")
        #expect(
            machine.transportClosed(generation: 1, error: lost, now: .zero)
                == .reconnect(.init(pending: [], error: lost), .init(id: 1, error: lost, delay: .zero))
        )
        #expect(machine.isReconnecting(id: 1))
        var now = Duration.zero
        for (attempt, next) in [(2, Duration.seconds(2)), (3, .seconds(10)), (4, .seconds(30))] {
            let r31 = machine.reconnectDelayElapsed(id: 1)
            let generation = try #require(r31)
            #expect(machine.stateChange == .reconnecting(lost))
            let r32 = machine.reconnectAttemptFailed(generation: generation, error: refused, now: now)
            #expect(r32 == .retry(delay: next, attempt: attempt))
            now += next
        }
        let r33 = machine.reconnectDelayElapsed(id: 1)
        let last = try #require(r33)
        let r34 = machine.reconnectAttemptFailed(generation: last, error: refused, now: now)
        #expect(r34 == .gaveUp(refused))
        #expect(machine.stateChange == .disconnected(refused))
        // A late delay of the finished run does nothing.
        let r35 = machine.reconnectDelayElapsed(id: 1)
        #expect(r35 == nil)
    }

    @Test func aSuccessfulAttemptIsConnectedAgainWithANewTransport() throws {
        var machine = Self.connected(retryPolicy: DefaultRetryPolicy())
        _ = machine.transportClosed(generation: 1, error: nil, now: .zero)
        let r36 = machine.reconnectDelayElapsed(id: 1)
        let generation = try #require(r36)
        #expect(generation == 2)
        let r37 = machine.transportOpened(Self.transport(2), timers: Self.timers())
        #expect(r37 == nil)
        let r38 = machine.handshakeReceived(generation: 2, error: nil, now: .zero)
        #expect(r38 == .succeeded)
        let r39 = machine.startCompleted(generation: 2)
        #expect(r39 == .connected(Self.transport(2)))
        #expect(machine.stateChange == .connected(connectionId: "conn-2"))
    }

    // MARK: Stateful reconnect

    @Test func aDroppedTransportResumesWithSequenceAndTheUnacknowledgedMessages() throws {
        var machine = Self.connected(stateful: true)
        let r40 = machine.sequencedMessageSent([1], generation: 1)
        #expect(r40 == .buffered(id: 1, write: true, mustWait: false))
        let r41 = machine.sequencedMessageSent([2], generation: 1)
        #expect(r41 == .buffered(id: 2, write: true, mustWait: false))
        let r42 = machine.statefulMessageReceived(.ack(AckMessage(sequenceId: 1)), generation: 1)
        #expect(r42 == .acknowledged(released: []))
        let r43 = machine.transportClosed(generation: 1, error: nil, now: .zero)
        #expect(r43 == .resumeTransport(generation: 1))
        // Still connected; a send while resuming is buffered, not written.
        #expect(machine.stateChange == .connected(connectionId: "conn-1"))
        let r44 = machine.sequencedMessageSent([3], generation: 1)
        #expect(r44 == .buffered(id: 3, write: false, mustWait: false))
        let r45 = machine.beginTransportResume(from: 1)
        let next = try #require(r45)
        let resumed = Self.transport(next, session: 1)
        let r46 = machine.transportResumed(from: 1, to: resumed, timers: Self.timers())
        #expect(r46 == .replay(firstId: 2, messages: [[2], [3]]))
        #expect(machine.currentTransport == resumed)
        // The dropped transport's late events are ignored.
        let r47 = machine.transportClosed(generation: 1, error: nil, now: .zero)
        #expect(r47 == .none)
        let r48 = machine.closeWithError(generation: 1, Self.serverError)
        #expect(!r48)
    }

    @Test func aResumeThatFailsFallsBackToTheRetryPolicy() {
        var machine = Self.connected(retryPolicy: DefaultRetryPolicy(), stateful: true)
        _ = machine.transportClosed(generation: 1, error: nil, now: .zero)
        let refused = SignalRError(.transportFailed, "Connection refused.")
        #expect(
            machine.transportResumeFailed(from: 1, error: refused, now: .zero)
                == .reconnect(.init(pending: [], error: refused), .init(id: 1, error: refused, delay: .zero))
        )
    }

    // MARK: stop() in every state

    @Test func stopWhenDisconnectedDoesNothing() {
        var machine = Machine()
        let r49 = machine.stop()
        #expect(r49 == .none)
        #expect(!machine.stopMustWait())
    }

    @Test func stopDuringNegotiationFailsTheStart() {
        var machine = Machine()
        _ = machine.start()
        let canceled = SignalRError(.canceled, "The connection was stopped during negotiation.")
        let r50 = machine.stop()
        #expect(r50 == .closeDuringStart(generation: 1, transportOpen: false, failure: canceled))
        #expect(machine.stopMustWait())
        let r51 = machine.transportOpened(Self.transport(1), timers: Self.timers())
        #expect(r51 == canceled)
        let r52 = machine.startFailed(generation: 1, error: canceled)
        #expect(r52 == canceled)
        #expect(!machine.stopMustWait())
    }

    @Test func stopDuringTheHandshakeClosesTheTransport() {
        var machine = Machine()
        _ = machine.start()
        _ = machine.transportOpened(Self.transport(1), timers: Self.timers())
        let canceled = SignalRError(.canceled, "The connection was stopped before the hub handshake could complete.")
        let r53 = machine.stop()
        #expect(r53 == .closeDuringStart(generation: 1, transportOpen: true, failure: canceled))
        #expect(machine.awaitHandshake(generation: 1) == canceled)
        let r54 = machine.handshakeReceived(generation: 1, error: nil, now: .zero)
        #expect(r54 == .ignore)
    }

    @Test func stopWhenConnectedClosesAndFailsTheInvocations() {
        var machine = Self.connected(retryPolicy: DefaultRetryPolicy())
        let waiter = InvocationWaiter()
        _ = machine.beginInvocation(waiter)
        let r55 = machine.stop()
        #expect(r55 == .closeConnection(generation: 1))
        #expect(machine.stateChange == .disconnecting)
        // A second stop() waits for the first; the close is final even with a retry policy.
        let r56 = machine.stop()
        #expect(r56 == .wait)
        #expect(machine.stopMustWait())
        let r57 = machine.transportClosed(generation: 1, error: nil, now: .zero)
        #expect(r57 == .closed(.init(pending: [.invocation(waiter)], error: nil)))
        #expect(machine.stateChange == .disconnected(nil))
    }

    @Test func stopAfterAServerCloseCancelsTheReconnect() {
        var machine = Self.connected(retryPolicy: DefaultRetryPolicy())
        _ = machine.closeWithError(generation: 1, Self.serverError, allowReconnect: true)
        let r58 = machine.stop()
        #expect(r58 == .wait)
        let r59 = machine.transportClosed(generation: 1, error: nil, now: .zero)
        #expect(r59 == .closed(.init(pending: [], error: Self.serverError)))
    }

    @Test func stopDuringAReconnectDelayEndsReconnecting() {
        var machine = Self.connected(retryPolicy: DefaultRetryPolicy())
        _ = machine.transportClosed(generation: 1, error: nil, now: .zero)
        let r60 = machine.stop()
        #expect(r60 == .endReconnectDelay)
        #expect(machine.stateChange == .disconnected(nil))
        let r61 = machine.reconnectDelayElapsed(id: 1)
        #expect(r61 == nil)
    }

    @Test func stopDuringAReconnectAttemptEndsReconnectingWhenItFails() throws {
        var machine = Self.connected(retryPolicy: DefaultRetryPolicy())
        _ = machine.transportClosed(generation: 1, error: nil, now: .zero)
        let r62 = machine.reconnectDelayElapsed(id: 1)
        let generation = try #require(r62)
        let canceled = SignalRError(.canceled, "The connection was stopped during negotiation.")
        let r63 = machine.stop()
        #expect(r63 == .closeDuringStart(generation: generation, transportOpen: false, failure: canceled))
        let r64 = machine.reconnectAttemptFailed(generation: generation, error: canceled, now: .zero)
        #expect(r64 == .stopped)
        #expect(machine.stateChange == .disconnected(nil))
    }

    @Test func stopWhileAStatefulResumeRunsEndsTheConnection() {
        var machine = Self.connected(stateful: true)
        let waiter = InvocationWaiter()
        _ = machine.beginInvocation(waiter)
        _ = machine.transportClosed(generation: 1, error: nil, now: .zero)
        let r65 = machine.stop()
        #expect(r65 == .endTransportResume(.init(pending: [.invocation(waiter)], error: nil), generation: 1))
        let r66 = machine.beginTransportResume(from: 1)
        #expect(r66 == nil)
    }

    // MARK: Late events

    @Test func eventsOfAnOlderConnectionAreIgnored() {
        var machine = Self.connected(retryPolicy: DefaultRetryPolicy())
        _ = machine.stop()
        _ = machine.transportClosed(generation: 1, error: nil, now: .zero)
        _ = machine.start()
        _ = machine.transportOpened(Self.transport(2), timers: Self.timers())
        let r67 = machine.handshakeReceived(generation: 1, error: nil, now: .zero)
        #expect(r67 == .ignore)
        let r68 = machine.dataReceived(generation: 1, now: .zero)
        #expect(!r68)
        let r69 = machine.timerFired(generation: 1, now: .seconds(100))
        #expect(r69 == .stop)
        let r70 = machine.closeWithError(generation: 1, Self.serverError)
        #expect(!r70)
        let r71 = machine.transportClosed(generation: 1, error: nil, now: .zero)
        #expect(r71 == .none)
        #expect(machine.stateChange == .connecting)
    }
}
