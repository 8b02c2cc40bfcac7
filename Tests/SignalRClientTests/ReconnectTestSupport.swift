import Foundation
import Logging
import SignalRProtocol
import SignalRTestSupport
import Testing
@testable import SignalRClient

/// Records connection events ("reconnecting: …", "reconnected: …", "close: …") in order.
actor ReconnectEvents {
    private(set) var all: [String] = []
    private let arrivals = CountWaiters()

    func record(_ event: String) {
        all.append(event)
        arrivals.reached(all.count)
    }

    /// Waits (bounded by the caller's timeout) until `count` events were recorded.
    func waitFor(_ count: Int) async throws -> [String] {
        await arrivals.wait(for: count)
        return all
    }

    /// Registers handlers for the three events on `connection`.
    func observe(_ connection: HubConnection) async {
        await connection.onReconnecting { error in await self.record("reconnecting: \(error?.message ?? "nil")") }
        await connection.onReconnected { id in await self.record("reconnected: \(id ?? "nil")") }
        await connection.onClose { error in await self.record("close: \(error?.message ?? "nil")") }
    }
}

/// A retry policy that records the contexts it is asked with and answers from a list.
final class RecordingRetryPolicy: RetryPolicy {
    let delays: [Duration]
    let contexts = Locked<[RetryContext]>([])

    init(_ delays: [Duration]) { self.delays = delays }

    func nextRetryDelay(_ context: RetryContext) -> Duration? {
        contexts.withLock { $0.append(context) }
        return context.previousRetryCount < delays.count ? delays[context.previousRetryCount] : nil
    }
}

/// A connection on a scripted factory (successes and failures in any order) and a manual clock.
struct ReconnectHarness {
    let connection: HubConnection
    let factory: FakeConnectionFactory
    let clock: ManualClock
    let events = ReconnectEvents()

    init(
        _ results: [Result<FakeTransportConnection, SignalRError>],
        configure: (HubConnectionBuilder) -> HubConnectionBuilder
    ) async throws {
        factory = FakeConnectionFactory(results)
        clock = ManualClock()
        var builder = configure(
            HubConnectionBuilder().withUrl("http://localhost/hub").withClock(clock)
                .configureLogging(LogCapture().logger(level: .trace))
        )
        builder.connectionFactory = factory
        connection = try builder.build()
        await events.observe(connection)
    }

    /// Starts on `transport`, answering the handshake, and reads the first Ping.
    func start(on transport: FakeTransportConnection) async throws -> FakeServer {
        let server = FakeServer(transport)
        try await withTimeout { [connection] in
            async let started: Void = connection.start()
            try await server.completeHandshake()
            try await started
        }
        guard case .ping = try await server.nextMessage() else { throw TestFailure("Expected the first Ping.") }
        return server
    }

    /// Answers the handshake of a reconnect attempt on `transport` and waits until connected.
    func completeReconnect(on transport: FakeTransportConnection) async throws -> FakeServer {
        let server = FakeServer(transport)
        try await server.completeHandshake()
        try await waitForState(.connected)
        return server
    }

    /// Waits for the connection's state changes to reach `state`.
    func waitForState(_ state: HubConnectionState) async throws {
        try await withTimeout { [connection] in
            for await change in connection.stateChanges where change.state == state { return }
            throw TestFailure("The state changes ended before '\(state)'.")
        }
    }
}

let lossError = SignalRError(.transportFailed, "WebSocket closed with status code: 1006 (no reason given).")
let attemptError = SignalRError(.transportFailed, "Connection refused.")
