import Foundation
import Logging
import SignalRProtocol
import SignalRTestSupport
import Testing
@testable import SignalRClient

@Suite("Automatic reconnect")
struct ReconnectTests {
    @Test func defaultScheduleIsZeroTwoTenThirtySecondsThenGivesUpWithTheLastError() async throws {
        let first = FakeTransportConnection()
        let failures = Array(repeating: Result<FakeTransportConnection, SignalRError>.failure(attemptError), count: 4)
        let harness = try await ReconnectHarness([.success(first)] + failures) { $0.withAutomaticReconnect() }
        _ = try await harness.start(on: first)
        first.serverClose(error: lossError)
        try await withTimeout {
            #expect(try await harness.events.waitFor(1) == ["reconnecting: \(lossError.message)"])
            // Attempt 1 runs at once (delay 0) and fails; then 2, 10 and 30 s.
            var now = Duration.zero
            for delay in [Duration.seconds(2), .seconds(10), .seconds(30)] {
                try await harness.clock.waitForSleeper(until: now + delay)
                #expect(await harness.connection.state == .reconnecting)
                harness.clock.advance(by: delay)
                now += delay
            }
            _ = try await harness.events.waitFor(2)
        }
        #expect(await harness.events.all == ["reconnecting: \(lossError.message)", "close: \(attemptError.message)"])
        #expect(harness.factory.attempts.withLock { $0 } == 5)
        #expect(await harness.connection.state == .disconnected)
    }

    @Test func customDelaysAndTheRetryContext() async throws {
        let first = FakeTransportConnection()
        let policy = RecordingRetryPolicy([.seconds(1), .seconds(3)])
        let harness = try await ReconnectHarness(
            [.success(first), .failure(attemptError), .failure(attemptError)]
        ) { $0.withAutomaticReconnect(policy) }
        _ = try await harness.start(on: first)
        first.serverClose(error: lossError)
        try await withTimeout {
            try await harness.clock.waitForSleeper(until: .seconds(1))
            harness.clock.advance(by: .seconds(1))
            try await harness.clock.waitForSleeper(until: .seconds(4))
            harness.clock.advance(by: .seconds(3))
            _ = try await harness.events.waitFor(2)
        }
        let contexts = policy.contexts.withLock { $0 }
        #expect(contexts.map(\.previousRetryCount) == [0, 1, 2])
        #expect(contexts.map(\.elapsed) == [.zero, .seconds(1), .seconds(4)])
        #expect(contexts.map(\.retryReason.message) == [lossError.message, attemptError.message, attemptError.message])
    }

    @Test func delayArrayIsUsedInOrder() async throws {
        let first = FakeTransportConnection()
        let second = FakeTransportConnection()
        let harness = try await ReconnectHarness(
            [.success(first), .failure(attemptError), .success(second)]
        ) { $0.withAutomaticReconnect([.milliseconds(500), .seconds(7)]) }
        _ = try await harness.start(on: first)
        first.serverClose(error: lossError)
        try await withTimeout {
            try await harness.clock.waitForSleeper(until: .milliseconds(500))
            harness.clock.advance(by: .milliseconds(500))
            try await harness.clock.waitForSleeper(until: .milliseconds(7500))
            harness.clock.advance(by: .seconds(7))
        }
        _ = try await harness.completeReconnect(on: second)
        #expect(try await withTimeout { try await harness.events.waitFor(2) } == ["reconnecting: \(lossError.message)", "reconnected: conn-1"])
    }

    @Test func policyAnsweringNilAtOnceClosesWithoutReconnecting() async throws {
        let first = FakeTransportConnection()
        let policy = RecordingRetryPolicy([])
        let harness = try await ReconnectHarness([.success(first)]) { $0.withAutomaticReconnect(policy) }
        _ = try await harness.start(on: first)
        first.serverClose(error: lossError)
        #expect(try await withTimeout { try await harness.events.waitFor(1) } == ["close: \(lossError.message)"])
        #expect(await harness.connection.state == .disconnected)
        #expect(harness.factory.attempts.withLock { $0 } == 1)
    }

    @Test func stateAndEventOrderWithHandlersKeptAndPendingInvokeFailed() async throws {
        let first = FakeTransportConnection()
        let second = FakeTransportConnection()
        let harness = try await ReconnectHarness([.success(first), .success(second)]) {
            $0.withAutomaticReconnect([.seconds(2)])
        }
        let calls = ReconnectEvents()
        await harness.connection.on("Hello") { (name: String) in await calls.record(name) }
        let server = try await harness.start(on: first)
        let connection = harness.connection
        let pending = Task { try await connection.invoke("Slow", returning: Int.self) }
        _ = try await server.nextInvocation()
        first.serverClose(error: lossError)
        let failure = await #expect(throws: SignalRError.self) { try await pending.value }
        #expect(failure?.message == lossError.message)
        try await harness.waitForState(.reconnecting)
        #expect(await harness.connection.connectionId == nil)
        let notConnected = await #expect(throws: SignalRError.self) { try await connection.send("X") }
        #expect(notConnected?.code == .invalidState)
        try await withTimeout { try await harness.clock.waitForSleeper(until: .seconds(2)) }
        harness.clock.advance(by: .seconds(2))
        let newServer = try await harness.completeReconnect(on: second)
        #expect(try await withTimeout { try await harness.events.waitFor(2) } == ["reconnecting: \(lossError.message)", "reconnected: conn-1"])
        try newServer.send(.invocation(InvocationMessage(invocationId: nil, target: "hello", arguments: [HubValue("again")])))
        #expect(try await withTimeout { try await calls.waitFor(1) } == ["again"])
        try await withTimeout { try await connection.stop() }
        #expect(await harness.events.all.last == "close: nil")
    }

    @Test func stopDuringTheDelayEndsReconnectingAtOnce() async throws {
        let first = FakeTransportConnection()
        let harness = try await ReconnectHarness([.success(first), .success(FakeTransportConnection())]) {
            $0.withAutomaticReconnect([.seconds(10)])
        }
        _ = try await harness.start(on: first)
        first.serverClose(error: lossError)
        try await withTimeout { try await harness.clock.waitForSleeper(until: .seconds(10)) }
        try await withTimeout { try await harness.connection.stop() }
        #expect(await harness.events.all == ["reconnecting: \(lossError.message)", "close: nil"])
        #expect(await harness.connection.state == .disconnected)
        #expect(harness.clock.sleeperDeadlines.isEmpty)
        harness.clock.advance(by: .seconds(10))
        #expect(harness.factory.attempts.withLock { $0 } == 1)
    }

    @Test func stopFromOnReconnectingEndsReconnecting() async throws {
        let first = FakeTransportConnection()
        let harness = try await ReconnectHarness([.success(first)]) { $0.withAutomaticReconnect() }
        let connection = harness.connection
        await connection.onReconnecting { _ in try? await connection.stop() }
        _ = try await harness.start(on: first)
        first.serverClose(error: lossError)
        #expect(try await withTimeout { try await harness.events.waitFor(2) } == ["reconnecting: \(lossError.message)", "close: nil"])
        #expect(await connection.state == .disconnected)
        #expect(harness.factory.attempts.withLock { $0 } == 1)
    }

    @Test func stopDuringAnAttemptEndsReconnecting() async throws {
        let first = FakeTransportConnection()
        let second = FakeTransportConnection()
        let harness = try await ReconnectHarness([.success(first), .success(second)]) { $0.withAutomaticReconnect() }
        _ = try await harness.start(on: first)
        first.serverClose(error: lossError)
        // The attempt waits for the handshake answer on `second`.
        _ = try await FakeServer(second).nextPayload()
        #expect(await harness.connection.state == .reconnecting)
        try await withTimeout { try await harness.connection.stop() }
        #expect(await harness.events.all == ["reconnecting: \(lossError.message)", "close: nil"])
        #expect(await harness.connection.state == .disconnected)
        #expect(second.isClosed)
    }

    @Test func serverCloseWithAllowReconnectReconnectsAndWithoutIsFinal() async throws {
        let first = FakeTransportConnection()
        let second = FakeTransportConnection()
        let harness = try await ReconnectHarness([.success(first), .success(second)]) { $0.withAutomaticReconnect() }
        let server = try await harness.start(on: first)
        try server.send(.close(CloseMessage(error: nil, allowReconnect: true)))
        let newServer = try await harness.completeReconnect(on: second)
        #expect(try await withTimeout { try await harness.events.waitFor(2) } == ["reconnecting: nil", "reconnected: conn-1"])
        try newServer.send(.close(CloseMessage(error: "bye", allowReconnect: false)))
        #expect(try await withTimeout { try await harness.events.waitFor(3) }.last == "close: Server returned an error on close: bye")
        #expect(await harness.connection.state == .disconnected)
    }

    @Test func initialStartFailureIsNotRetried() async throws {
        let harness = try await ReconnectHarness([.failure(attemptError)]) { $0.withAutomaticReconnect() }
        await #expect(throws: SignalRError.self) { try await harness.connection.start() }
        #expect(await harness.connection.state == .disconnected)
        #expect(harness.factory.attempts.withLock { $0 } == 1)
        #expect(harness.clock.sleeperDeadlines.isEmpty)
        #expect(await harness.events.all.isEmpty)
    }

    @Test func withoutAutomaticReconnectALossIsFinal() async throws {
        let first = FakeTransportConnection()
        let harness = try await ReconnectHarness([.success(first)]) { $0 }
        _ = try await harness.start(on: first)
        first.serverClose(error: lossError)
        #expect(try await withTimeout { try await harness.events.waitFor(1) } == ["close: \(lossError.message)"])
        #expect(harness.factory.attempts.withLock { $0 } == 1)
    }

    @Test func manualReconnectByStartingFromOnClose() async throws {
        let first = FakeTransportConnection()
        let second = FakeTransportConnection()
        let harness = try await ReconnectHarness([.success(first), .failure(attemptError), .success(second)]) { $0 }
        let connection = harness.connection
        let clock = harness.clock
        await connection.onClose { error in
            // Not after the user's own stop() (error nil).
            guard error != nil else { return }
            // The user's own back-off: 1 s, 2 s, … measured on the injected clock.
            for attempt in 1...5 {
                do {
                    try await connection.start()
                    await harness.events.record("restarted")
                    return
                } catch {
                    await harness.events.record("start failed")
                    try? await clock.sleep(until: clock.now.advanced(by: .seconds(attempt)), tolerance: nil)
                }
            }
        }
        _ = try await harness.start(on: first)
        first.serverClose(error: lossError)
        try await withTimeout { try await harness.clock.waitForSleeper(until: .seconds(1)) }
        harness.clock.advance(by: .seconds(1))
        _ = try await harness.completeReconnect(on: second)
        #expect(try await withTimeout { try await harness.events.waitFor(3) } == ["close: \(lossError.message)", "start failed", "restarted"])
        try await withTimeout { try await connection.stop() }
    }
}
