import SignalRProtocol
import Testing

@testable import SignalRServer

/// The server connection's state machine driven directly: events in, actions out, with times
/// as offsets on the server's clock.
@Suite struct ServerConnectionStateMachineTests {
    typealias Machine = ServerConnectionStateMachine

    static let timeouts: Machine.Timeouts = {
        var configuration = HubServerConfiguration()
        configuration.keepAliveInterval = .seconds(15)
        configuration.clientTimeoutInterval = .seconds(30)
        configuration.handshakeTimeout = .seconds(15)
        configuration.disconnectTimeout = .seconds(15)
        configuration.ackInterval = .seconds(1)
        return Machine.Timeouts(configuration)
    }()

    /// A machine whose WebSocket request is attached and whose handshake completed at `at`.
    static func connected(_ kind: TransportKind = .webSockets, stateful: Bool = false, at now: Duration = .seconds(1)) -> Machine {
        var machine = Machine(now: .zero)
        #expect(machine.attach(kind, now: now) == .attached(session: 1, first: true, resume: false, abortPrevious: false))
        machine.handshakeCompleted(stateful: stateful, now: now)
        return machine
    }

    // MARK: Negotiated

    @Test func aNegotiatedConnectionThatNeverConnectsEndsAfterTheDisconnectTimeout() {
        var machine = Machine(now: .seconds(2))
        #expect(machine.isNegotiated)
        #expect(machine.nextDeadline(Self.timeouts) == .seconds(17))
        #expect(machine.timerFired(now: .seconds(16), Self.timeouts) == .none)
        #expect(machine.timerFired(now: .seconds(17), Self.timeouts) == .close(.failed(nil)))
    }

    // MARK: Handshake

    @Test func theHandshakeTimeoutStartsWithTheFirstRequest() {
        var machine = Machine(now: .zero)
        #expect(machine.attach(.webSockets, now: .seconds(5)) == .attached(session: 1, first: true, resume: false, abortPrevious: false))
        #expect(machine.transport == .webSockets)
        #expect(machine.nextDeadline(Self.timeouts) == .seconds(20))
        #expect(machine.timerFired(now: .seconds(19), Self.timeouts) == .none)
        #expect(machine.timerFired(now: .seconds(20), Self.timeouts) == .failHandshake)
        // Once failed, the handshake has no timer of its own; closing is the connection's next step.
        #expect(machine.nextDeadline(Self.timeouts) == nil)
        #expect(machine.close(.failed(nil)) == .close(.failed(nil), closeMessage: nil, clearOutbox: false, abortTransport: false))
    }

    @Test func aCompletedHandshakeArmsTheKeepAlive() {
        var machine = Self.connected(at: .seconds(1))
        #expect(machine.nextDeadline(Self.timeouts) == .seconds(16))
        machine.sent(now: .seconds(10))
        #expect(machine.nextDeadline(Self.timeouts) == .seconds(25))
        #expect(machine.timerFired(now: .seconds(24), Self.timeouts) == .none)
        #expect(machine.timerFired(now: .seconds(25), Self.timeouts) == .send(ping: true, ack: false))
    }

    @Test func aRefusedHandshakeStopsTheTimers() {
        var machine = Machine(now: .zero)
        _ = machine.attach(.serverSentEvents, now: .zero)
        machine.handshakeFailed()
        #expect(machine.nextDeadline(Self.timeouts) == nil)
        #expect(machine.timerFired(now: .seconds(100), Self.timeouts) == .none)
    }

    // MARK: Client timeout

    @Test func theClientTimeoutAppliesFromTheClientsFirstPing() {
        var machine = Self.connected(at: .zero)
        machine.sent(now: .seconds(100))
        #expect(machine.timerFired(now: .seconds(100), Self.timeouts) == .none)
        machine.pingReceived()
        machine.received(now: .seconds(101))
        #expect(machine.nextDeadline(Self.timeouts) == .seconds(115))  // keep-alive comes first
        machine.sent(now: .seconds(129))
        #expect(machine.nextDeadline(Self.timeouts) == .seconds(131))  // then the client timeout
        #expect(machine.timerFired(now: .seconds(130), Self.timeouts) == .none)
        #expect(machine.timerFired(now: .seconds(131), Self.timeouts) == .close(.failed(nil)))
    }

    @Test func longPollingSendsNoPings() {
        var machine = Self.connected(.longPolling, at: .zero)
        #expect(machine.nextDeadline(Self.timeouts) == nil)
        #expect(machine.timerFired(now: .seconds(60), Self.timeouts) == .none)
    }

    // MARK: Acks (stateful reconnect)

    @Test func aStatefulConnectionAcknowledgesEverySecond() {
        var machine = Self.connected(stateful: true, at: .zero)
        #expect(machine.nextDeadline(Self.timeouts) == .seconds(1))
        #expect(machine.timerFired(now: .seconds(1), Self.timeouts) == .send(ping: false, ack: true))
        #expect(machine.nextDeadline(Self.timeouts) == .seconds(2))
        #expect(machine.timerFired(now: .seconds(15), Self.timeouts) == .send(ping: true, ack: true))
    }

    // MARK: Transport requests

    @Test func aSecondWebSocketOrStreamIsAConflict() {
        var machine = Self.connected(.webSockets)
        #expect(machine.attach(.webSockets, now: .seconds(2)) == .refused(.conflict))
        var events = Self.connected(.serverSentEvents)
        #expect(events.attach(.serverSentEvents, now: .seconds(2)) == .refused(.conflict))
        #expect(events.attach(.longPolling, now: .seconds(2)) == .refused(.wrongTransport))
    }

    @Test func aNewerPollTakesOverAndTheOlderOnesEndIsIgnored() {
        var machine = Self.connected(.longPolling)
        #expect(machine.attach(.longPolling, now: .seconds(2)) == .attached(session: 2, first: false, resume: false, abortPrevious: false))
        #expect(machine.frameSource(session: 1) == .gone)
        #expect(machine.frameSource(session: 2) == .attached)
        #expect(machine.detach(session: 1, now: .seconds(3)) == .none)
        #expect(machine.detach(session: 2, now: .seconds(3)) == .detached(clearOutbox: false))
        // Between polls the disconnect timeout runs.
        #expect(machine.nextDeadline(Self.timeouts) == .seconds(18))
        #expect(machine.attach(.longPolling, now: .seconds(17)) == .attached(session: 3, first: false, resume: false, abortPrevious: false))
        #expect(machine.timerFired(now: .seconds(18), Self.timeouts) == .none)
    }

    @Test func aPollerThatStopsPollingTimesOut() {
        var machine = Self.connected(.longPolling, at: .zero)
        #expect(machine.detach(session: 1, now: .seconds(1)) == .detached(clearOutbox: false))
        #expect(machine.timerFired(now: .seconds(16), Self.timeouts) == .close(.failed(nil)))
    }

    @Test func aWebSocketThatGoesAwayEndsTheConnection() {
        var machine = Self.connected(.webSockets)
        #expect(machine.detach(session: 1, now: .seconds(2)) == .close(.client))
    }

    // MARK: Stateful reconnect

    @Test func aStatefulSocketThatGoesAwayWaitsForItsClient() {
        var machine = Self.connected(.webSockets, stateful: true, at: .zero)
        #expect(machine.detach(session: 1, now: .seconds(2)) == .detached(clearOutbox: true))
        #expect(machine.isDetachedStateful)
        #expect(machine.nextDeadline(Self.timeouts) == .seconds(17))
        #expect(machine.attach(.webSockets, now: .seconds(5)) == .attached(session: 2, first: false, resume: true, abortPrevious: false))
        #expect(!machine.isDetachedStateful)
    }

    @Test func aResumingSocketReplacesOneStillOpen() {
        var machine = Self.connected(.webSockets, stateful: true)
        #expect(machine.attach(.webSockets, now: .seconds(2)) == .attached(session: 2, first: false, resume: true, abortPrevious: true))
        #expect(machine.detach(session: 1, now: .seconds(3)) == .none)
    }

    @Test func aDropDetachesAStatefulConnectionAndEndsOthers() {
        var stateful = Self.connected(.webSockets, stateful: true)
        #expect(stateful.drop(now: .seconds(2)) == .detach)
        #expect(stateful.timerFired(now: .seconds(17), Self.timeouts) == .close(.failed(nil)))
        var plain = Self.connected(.webSockets)
        #expect(plain.drop(now: .seconds(2)) == .close)
    }

    // MARK: Closing

    @Test func closeInEveryState() {
        var negotiated = Machine(now: .zero)
        #expect(negotiated.close(.serverStopping) == .close(.serverStopping, closeMessage: nil, clearOutbox: false, abortTransport: false))
        #expect(negotiated.attach(.webSockets, now: .seconds(1)) == .refused(.notFound))

        var handshaking = Machine(now: .zero)
        _ = handshaking.attach(.webSockets, now: .zero)
        #expect(handshaking.close(.server(error: "x", allowReconnect: true))
            == .close(.server(error: "x", allowReconnect: true), closeMessage: nil, clearOutbox: false, abortTransport: false))

        var connected = Self.connected()
        #expect(connected.close(.server(error: "bye", allowReconnect: true))
            == .close(.server(error: "bye", allowReconnect: true), closeMessage: CloseMessage(error: "bye", allowReconnect: true),
                      clearOutbox: false, abortTransport: false))
        // The first reason stands.
        #expect(connected.close(.client) == .none)
        #expect(connected.closeReason == .server(error: "bye", allowReconnect: true))
        #expect(connected.nextDeadline(Self.timeouts) == nil)

        var stopping = Self.connected()
        #expect(stopping.close(.serverStopping) == .close(.serverStopping, closeMessage: CloseMessage(), clearOutbox: false, abortTransport: false))
        var failing = Self.connected()
        #expect(failing.close(.failed("bad")) == .close(.failed("bad"), closeMessage: CloseMessage(error: "bad"), clearOutbox: false, abortTransport: false))
        var leaving = Self.connected()
        #expect(leaving.close(.client) == .close(.client, closeMessage: nil, clearOutbox: true, abortTransport: false))
        var dropped = Self.connected()
        #expect(dropped.close(.dropped) == .close(.dropped, closeMessage: nil, clearOutbox: true, abortTransport: true))

        var detached = Self.connected(.longPolling)
        _ = detached.detach(session: 1, now: .seconds(2))
        #expect(detached.close(.client) == .close(.client, closeMessage: nil, clearOutbox: true, abortTransport: false))
    }

    @Test func theRequestAttachedAtTheEndReadsTheRestThenEnds() {
        var machine = Self.connected(.longPolling)
        _ = machine.attach(.longPolling, now: .seconds(2))
        _ = machine.close(.server(error: nil, allowReconnect: false))
        #expect(machine.frameSource(session: 2) == .closed(.server(error: nil, allowReconnect: false)))
        #expect(machine.frameSource(session: 1) == .gone)
        #expect(machine.transport == .longPolling)
        #expect(!machine.longPollEndDelivered)
        machine.longPollEndWasDelivered()
        #expect(machine.longPollEndDelivered)
    }

    @Test func lateEventsAfterTheEndChangeNothing() {
        var machine = Self.connected()
        _ = machine.close(.client)
        machine.received(now: .seconds(5))
        machine.sent(now: .seconds(5))
        machine.pingReceived()
        machine.handshakeCompleted(stateful: true, now: .seconds(5))
        #expect(machine.detach(session: 1, now: .seconds(5)) == .none)
        #expect(machine.drop(now: .seconds(5)) == .close)
        #expect(machine.timerFired(now: .seconds(500), Self.timeouts) == .none)
        #expect(machine.closeReason == .client)
    }
}
