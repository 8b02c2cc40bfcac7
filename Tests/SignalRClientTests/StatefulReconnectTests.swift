import Foundation
import Logging
import SignalRProtocol
import SignalRTestSupport
import Testing
@testable import SignalRClient

/// Hands out one transport for start(), then resumed transports (or failures) for stateful reconnect.
final class StatefulFakeFactory: ConnectionFactory {
    private let starts: Locked<[FakeTransportConnection]>
    private let resumes: Locked<[Result<FakeTransportConnection, SignalRError>]>
    let resumeCount = Locked(0)

    init(starts: [FakeTransportConnection], resumes: [Result<FakeTransportConnection, SignalRError>]) {
        self.starts = Locked(starts)
        self.resumes = Locked(resumes)
    }

    func connect(transferFormat: TransferFormat, logger: Logger, opener: TransportOpener) async throws -> EstablishedConnection {
        guard let transport = starts.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else {
            throw SignalRError(.transportFailed, "No fake transport left.")
        }
        var established = EstablishedConnection(scope: try await opener.open(transport), connectionId: "conn-1", transportName: "Fake")
        established.resumeTransport = { [resumes, resumeCount] opener in
            resumeCount.withLock { $0 += 1 }
            switch resumes.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
            case .success(let next)?: return try await opener.open(next)
            case .failure(let error)?: throw error
            case nil: throw SignalRError(.transportFailed, "No resume left.")
            }
        }
        return established
    }
}

@Suite("Stateful reconnect")
struct StatefulReconnectTests {
    struct Setup {
        let connection: HubConnection
        let factory: StatefulFakeFactory
        let clock: ManualClock
        let events = ReconnectEvents()
    }

    private func setup(
        starts: [FakeTransportConnection], resumes: [Result<FakeTransportConnection, SignalRError>],
        configure: (HubConnectionBuilder) -> HubConnectionBuilder = { $0 }
    ) async throws -> Setup {
        let factory = StatefulFakeFactory(starts: starts, resumes: resumes)
        let clock = ManualClock()
        var builder = configure(HubConnectionBuilder().withUrl("http://localhost/hub").withClock(clock).withStatefulReconnect())
        builder.connectionFactory = factory
        let setup = Setup(connection: try builder.build(), factory: factory, clock: clock)
        await setup.events.observe(setup.connection)
        return setup
    }

    private func start(_ setup: Setup, on transport: FakeTransportConnection) async throws -> (FakeServer, String) {
        let server = FakeServer(transport)
        let connection = setup.connection
        let request = try await withTimeout {
            async let started: Void = connection.start()
            let request = try await server.completeHandshake()
            try await started
            return request
        }
        guard case .ping = try await server.nextMessage() else { throw TestFailure("Expected the first Ping.") }
        return (server, request)
    }

    @Test func handshakeUsesVersionTwo() async throws {
        let first = FakeTransportConnection()
        let setup = try await setup(starts: [first], resumes: [])
        let (_, request) = try await start(setup, on: first)
        #expect(request == #"{"protocol":"json","version":2}"# + "\u{1e}")
        try await setup.connection.stop()
    }

    @Test func dropReplaysUnacknowledgedMessagesAndTheInvocationCompletes() async throws {
        let first = FakeTransportConnection()
        let second = FakeTransportConnection()
        let setup = try await setup(starts: [first], resumes: [.success(second)])
        let (server, _) = try await start(setup, on: first)
        let connection = setup.connection
        let pending = Task { try await connection.invoke("Add", 1, 2, returning: Int.self) }
        let invocation = try await server.nextInvocation()
        try server.send(.ack(AckMessage(sequenceId: 0)))
        first.serverClose(error: lossError)
        // The same connection resumes on `second`: Sequence 1, then the replayed Invocation, no handshake.
        let resumed = FakeServer(second)
        guard case .sequence(let sequence) = try await resumed.nextMessage() else { throw TestFailure("Expected Sequence.") }
        #expect(sequence.sequenceId == 1)
        let replayed = try await resumed.nextInvocation()
        #expect(replayed.invocationId == invocation.invocationId)
        #expect(await connection.state == .connected)
        try resumed.send(.sequence(SequenceMessage(sequenceId: 1)))
        resumed.complete(invocation.invocationId, json: "3")
        #expect(try await withTimeout { try await pending.value } == 3)
        #expect(await setup.events.all.isEmpty)
        #expect(setup.factory.resumeCount.withLock { $0 } == 1)
        try await withTimeout { try await connection.stop() }
    }

    @Test func acknowledgedMessagesAreNotReplayed() async throws {
        let first = FakeTransportConnection()
        let second = FakeTransportConnection()
        let setup = try await setup(starts: [first], resumes: [.success(second)])
        let (server, _) = try await start(setup, on: first)
        try await setup.connection.send("One")
        try await setup.connection.send("Two")
        _ = try await server.nextInvocation()
        _ = try await server.nextInvocation()
        try server.send(.ack(AckMessage(sequenceId: 1)))
        try await setup.connection.send("Three")
        _ = try await server.nextInvocation()
        first.serverClose(error: lossError)
        let resumed = FakeServer(second)
        guard case .sequence(let sequence) = try await resumed.nextMessage() else { throw TestFailure("Expected Sequence.") }
        #expect(sequence.sequenceId == 2)
        #expect(try await resumed.nextInvocation().target == "Two")
        #expect(try await resumed.nextInvocation().target == "Three")
        try await withTimeout { try await setup.connection.stop() }
    }

    @Test func duplicatesTheServerResendsAreDroppedAndAcksAreBatched() async throws {
        let first = FakeTransportConnection()
        let second = FakeTransportConnection()
        let setup = try await setup(starts: [first], resumes: [.success(second)])
        let received = ReconnectEvents()
        await setup.connection.on("Number") { (number: Int) in await received.record("\(number)") }
        let (server, _) = try await start(setup, on: first)
        for number in 1...3 { try server.send(.invocation(InvocationMessage(invocationId: nil, target: "Number", arguments: [HubValue(Int64(number))]))) }
        _ = try await withTimeout { try await received.waitFor(3) }
        // One Ack for the burst, within a second.
        setup.clock.advance(by: .seconds(1))
        guard case .ack(let ack) = try await server.nextMessage() else { throw TestFailure("Expected an Ack.") }
        #expect(ack.sequenceId == 3)
        first.serverClose(error: lossError)
        let resumed = FakeServer(second)
        guard case .sequence = try await resumed.nextMessage() else { throw TestFailure("Expected Sequence.") }
        // The server did not see the Ack for 3: it resends 3, then sends 4.
        try resumed.send(.sequence(SequenceMessage(sequenceId: 3)))
        for number in 3...4 { try resumed.send(.invocation(InvocationMessage(invocationId: nil, target: "Number", arguments: [HubValue(Int64(number))]))) }
        #expect(try await withTimeout { try await received.waitFor(4) } == ["1", "2", "3", "4"])
        try resumed.send(.invocation(InvocationMessage(invocationId: nil, target: "Number", arguments: [HubValue(5)])))
        #expect(try await withTimeout { try await received.waitFor(5) } == ["1", "2", "3", "4", "5"])
        try await withTimeout { try await setup.connection.stop() }
    }

    @Test func aFullBufferBlocksSendsUntilAcknowledged() async throws {
        let first = FakeTransportConnection()
        let setup = try await setup(starts: [first], resumes: []) { $0.withStatefulReconnect(StatefulReconnectOptions(bufferSize: 60)) }
        let (server, _) = try await start(setup, on: first)
        let connection = setup.connection
        let blocked = Task { try await connection.send("Fill", String(repeating: "x", count: 80)) }
        _ = try await server.nextInvocation()
        // The send is written, then waits for room: its continuation is registered.
        try await withTimeout {
            while await connection.reconnect.blockedSends.isEmpty { try await Task.sleep(for: .milliseconds(2)) }
        }
        #expect(await connection.machine.isSendWaiting(id: 1))
        try server.send(.ack(AckMessage(sequenceId: 1)))
        try await withTimeout { try await blocked.value }
        try await withTimeout { try await connection.stop() }
    }

    @Test func failedResumeFallsBackToAutomaticReconnect() async throws {
        let first = FakeTransportConnection()
        let second = FakeTransportConnection()
        let setup = try await setup(starts: [first, second], resumes: [.failure(attemptError)]) { $0.withAutomaticReconnect() }
        _ = try await start(setup, on: first)
        first.serverClose(error: lossError)
        let server = FakeServer(second)
        let request = try await server.completeHandshake()
        #expect(request.contains(#""version":2"#))
        #expect(try await withTimeout { try await setup.events.waitFor(2) } == ["reconnecting: \(lossError.message)", "reconnected: conn-1"])
        try await withTimeout { try await setup.connection.stop() }
    }
}
