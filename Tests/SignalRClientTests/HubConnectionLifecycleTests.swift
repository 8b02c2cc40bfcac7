import Foundation
import Logging
import SignalRProtocol
import SignalRTestSupport
import Testing
@testable import SignalRClient

@Suite("HubConnection close, keep-alive and timeouts")
struct HubConnectionLifecycleTests {
    private func connected() async throws -> (Harness, FakeServer, CloseRecorder) {
        let transport = FakeTransportConnection()
        let harness = try Harness(transports: [transport])
        let closes = CloseRecorder()
        await harness.connection.onClose { await closes.record($0) }
        let server = FakeServer(transport)
        try await harness.start(server)
        return (harness, server, closes)
    }

    @Test func stopSendsCloseThenClosesAndRunsOnCloseOnceWithNil() async throws {
        let (harness, server, closes) = try await connected()
        try await withTimeout { try await harness.connection.stop() }
        let payload = try await server.nextPayload()
        #expect(String(decoding: payload, as: UTF8.self) == #"{"type":7}"# + "\u{1e}")
        #expect(server.transport.isClosed)
        #expect(await closes.calls.count == 1)
        #expect(await closes.calls.first! == nil)
        #expect(await harness.connection.state == .disconnected)
        try await harness.connection.stop()
        #expect(await closes.calls.count == 1)
    }

    @Test func stopEndsTheConnectionsOwnerTask() async throws {
        let (harness, _, _) = try await connected()
        let owner = try #require(await harness.connection.taskOwner)
        try await withTimeout { try await harness.connection.stop() }
        #expect(await harness.connection.taskOwner == nil)
        // Every child (the transport's run, the session) has ended, so the owner has too.
        try await withTimeout { await owner.task.value }
    }

    @Test func transportLossRunsOnCloseOnceWithTheCause() async throws {
        let (harness, server, closes) = try await connected()
        let owner = try #require(await harness.connection.taskOwner)
        server.transport.serverClose(error: SignalRError(.transportFailed, "WebSocket closed with status code: 1006 (no reason given)."))
        try await withTimeout { try await closes.waitForCalls(1) }
        #expect(await closes.calls.first??.message == "WebSocket closed with status code: 1006 (no reason given).")
        #expect(await harness.connection.state == .disconnected)
        // Close handlers run in the connection's tasks: once its owner task has ended, no
        // second call can still come.
        try await withTimeout { await owner.task.value }
        #expect(await closes.calls.count == 1)
    }

    @Test func serverCloseWithErrorEndsTheConnection() async throws {
        let (harness, server, closes) = try await connected()
        try server.send(.close(CloseMessage(error: "Connection closed with an error. InvalidDataException")))
        try await withTimeout { try await closes.waitForCalls(1) }
        let error = await closes.calls.first ?? nil
        #expect(error?.message == "Server returned an error on close: Connection closed with an error. InvalidDataException")
        #expect(server.transport.isClosed)
        #expect(await harness.connection.state == .disconnected)
    }

    @Test func serverCloseWithoutErrorEndsCleanly() async throws {
        let (harness, server, closes) = try await connected()
        try server.send(.close(CloseMessage()))
        try await withTimeout { try await closes.waitForCalls(1) }
        #expect(await closes.calls.first! == nil)
        #expect(await harness.connection.state == .disconnected)
    }

    @Test func keepAlivePingAfterTheIntervalAndNotBefore() async throws {
        let (harness, server, _) = try await connected()
        let clock = harness.clock
        try await withTimeout { try await clock.waitForSleeper(until: .seconds(15)) }
        clock.advance(by: .seconds(10))
        // A send restarts the interval: the next ping is due 15 s after it.
        try await harness.connection.send("Work")
        _ = try await server.nextInvocation()
        clock.advance(by: .seconds(5))
        try await withTimeout { try await clock.waitForSleeper(until: .seconds(25)) }
        // Received traffic does not postpone the ping.
        try server.send(.ping)
        clock.advance(by: .seconds(10))
        guard case .ping = try await server.nextMessage() else {
            Issue.record("Expected a keep-alive Ping.")
            return
        }
        try await harness.connection.stop()
    }

    @Test func serverTimeoutClosesTheConnection() async throws {
        let (harness, server, closes) = try await connected()
        let clock = harness.clock
        try await withTimeout { try await clock.waitForSleeper(until: .seconds(15)) }
        clock.advance(by: .seconds(15))
        guard case .ping = try await server.nextMessage() else {
            Issue.record("Expected a keep-alive Ping.")
            return
        }
        try await withTimeout { try await clock.waitForSleeper(until: .seconds(30)) }
        clock.advance(by: .seconds(15))
        try await withTimeout { try await closes.waitForCalls(1) }
        let error = await closes.calls.first ?? nil
        #expect(error?.code == .timedOut)
        #expect(error?.message == "Server timeout elapsed without receiving a message from the server.")
        #expect(server.transport.isClosed)
    }

    @Test func receivedMessagesPostponeTheServerTimeout() async throws {
        let (harness, server, closes) = try await connected()
        let clock = harness.clock
        try await withTimeout { try await clock.waitForSleeper(until: .seconds(15)) }
        clock.advance(by: .seconds(14))
        try await withTimeout {
            // The Completion comes after the Ping, so once invoke returns the Ping was handled.
            async let value: Int = harness.connection.invoke("Sync")
            let invocation = try await server.nextInvocation()
            try server.send(.ping)
            server.complete(invocation.invocationId, json: "1")
            _ = try await value
        }
        clock.advance(by: .seconds(20))
        guard case .ping = try await server.nextMessage() else {
            Issue.record("Expected a keep-alive Ping.")
            return
        }
        #expect(await closes.calls.isEmpty)
        #expect(await harness.connection.state == .connected)
        try await harness.connection.stop()
    }

    @Test func malformedMessageClosesTheConnectionWithAProtocolError() async throws {
        let (harness, server, closes) = try await connected()
        server.transport.receive("{not json}\u{1e}")
        try await withTimeout { try await closes.waitForCalls(1) }
        #expect((await closes.calls.first ?? nil)?.code == .protocolError)
        #expect(await harness.connection.state == .disconnected)
    }

    @Test func restartAfterStopUsesANewTransport() async throws {
        let first = FakeTransportConnection()
        let second = FakeTransportConnection()
        let harness = try Harness(transports: [first, second])
        try await harness.start(FakeServer(first))
        try await harness.connection.stop()
        let server = FakeServer(second)
        try await harness.start(server)
        try await withTimeout {
            async let value: Int = harness.connection.invoke("Next")
            let invocation = try await server.nextInvocation()
            #expect(invocation.invocationId == "0")
            server.complete(invocation.invocationId, json: "5")
            #expect(try await value == 5)
        }
        try await harness.connection.stop()
    }

    @Test func accessTokensAndPayloadsStayOutOfLogsAboveTrace() async throws {
        let (harness, server, _) = try await connected()
        try await harness.connection.send("Secret", "payload-value")
        _ = try await server.nextInvocation()
        try await harness.connection.stop()
        let above = harness.logs.all.filter { $0.level > .trace }
        #expect(!above.contains { $0.message.contains("payload-value") || $0.metadata.contains("payload-value") })
    }
}
