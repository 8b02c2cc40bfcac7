import Foundation
import SignalRProtocol
import SignalRTestSupport
import Testing
@testable import SignalRClient

/// Reads `count` changes from `changes` (bounded by `withTimeout`).
func nextChanges(
    _ changes: AsyncStream<HubConnectionStateChange>, _ count: Int
) async throws -> [HubConnectionStateChange] {
    try await withTimeout {
        var collected: [HubConnectionStateChange] = []
        for await change in changes {
            collected.append(change)
            if collected.count == count { break }
        }
        return collected
    }
}

@Suite("Connection state as an AsyncSequence")
struct StateChangesTests {
    @Test func startAndStopDeliverEveryStateInOrder() async throws {
        let transport = FakeTransportConnection()
        let harness = try Harness(transports: [transport])
        let changes = harness.connection.stateChanges
        let server = FakeServer(transport)
        try await harness.start(server)
        try await harness.connection.stop()
        #expect(
            try await nextChanges(changes, 5) == [
                .disconnected(nil), .connecting, .connected(connectionId: "conn-1"), .disconnecting, .disconnected(nil),
            ]
        )
    }

    @Test func aLateSubscriberStartsWithTheCurrentState() async throws {
        let transport = FakeTransportConnection()
        let harness = try Harness(transports: [transport])
        try await harness.start(FakeServer(transport))
        let first = harness.connection.stateChanges
        let second = harness.connection.stateChanges
        #expect(try await nextChanges(first, 1) == [.connected(connectionId: "conn-1")])
        try await harness.connection.stop()
        // Each subscriber has its own sequence: the second sees everything the first saw.
        #expect(try await nextChanges(second, 3) == [.connected(connectionId: "conn-1"), .disconnecting, .disconnected(nil)])
        #expect(try await nextChanges(first, 2) == [.disconnecting, .disconnected(nil)])
    }

    @Test func aFailedStartEndsDisconnectedWithItsError() async throws {
        let harness = try Harness(transports: [], failures: [attemptError])
        let changes = harness.connection.stateChanges
        await #expect(throws: SignalRError.self) { try await harness.connection.start() }
        #expect(try await nextChanges(changes, 3) == [.disconnected(nil), .connecting, .disconnected(attemptError)])
    }

    @Test func aLostConnectionReportsReconnectingWithItsErrorThenConnected() async throws {
        let first = FakeTransportConnection()
        let second = FakeTransportConnection()
        let harness = try await ReconnectHarness([.success(first), .failure(attemptError), .success(second)]) {
            $0.withAutomaticReconnect([.zero, .seconds(1)])
        }
        let changes = harness.connection.stateChanges
        _ = try await harness.start(on: first)
        first.serverClose(error: lossError)
        try await harness.clock.waitForSleeper(until: .seconds(1))
        harness.clock.advance(by: .seconds(1))
        _ = try await harness.completeReconnect(on: second)
        // One `reconnecting` for the whole run, with the error of the loss (not of the failed attempt).
        #expect(
            try await nextChanges(changes, 5) == [
                .disconnected(nil), .connecting, .connected(connectionId: "conn-1"), .reconnecting(lossError),
                .connected(connectionId: "conn-1"),
            ]
        )
        try await harness.connection.stop()
    }

    @Test func aServerCloseWithoutReconnectEndsDisconnectedWithTheServersError() async throws {
        let transport = FakeTransportConnection()
        let harness = try Harness(transports: [transport])
        let server = FakeServer(transport)
        try await harness.start(server)
        let changes = harness.connection.stateChanges
        try server.send(.close(CloseMessage(error: "bye")))
        #expect(
            try await nextChanges(changes, 3) == [
                .connected(connectionId: "conn-1"), .disconnecting,
                .disconnected(SignalRError(.connectionClosed, "Server returned an error on close: bye")),
            ]
        )
    }

    @Test func aConsumerThatNeverReadsDoesNotHoldUpTheConnection() async throws {
        let cycles = 40
        let transports = (0..<cycles).map { _ in FakeTransportConnection() }
        let harness = try Harness(transports: transports)
        let idle = harness.connection.stateChanges
        for transport in transports {
            try await harness.start(FakeServer(transport))
            try await harness.connection.stop()
        }
        // The idle consumer kept the newest changes only, ending with the current state.
        let kept = try await nextChanges(idle, StateBroadcaster.bufferSize)
        #expect(kept.last == .disconnected(nil))
        #expect(kept.suffix(4) == [.connecting, .connected(connectionId: "conn-1"), .disconnecting, .disconnected(nil)])
    }
}
