import Foundation
import Logging
import SignalRProtocol
import SignalRTestSupport
import Testing
@testable import SignalRClient

@Suite("HubConnection start")
struct HubConnectionStartTests {
    @Test func startCompletesHandshakeSendsPingAndConnects() async throws {
        let transport = FakeTransportConnection()
        let harness = try Harness(transports: [transport])
        let server = FakeServer(transport)
        let connection = harness.connection
        #expect(await connection.state == .disconnected)
        let request = try await withTimeout {
            async let started: Void = connection.start()
            let request = try await server.completeHandshake()
            try await started
            return request
        }
        #expect(request == "{\"protocol\":\"json\",\"version\":1}\u{1e}")
        guard case .ping = try await server.nextMessage() else {
            Issue.record("The first message after the handshake must be a Ping.")
            return
        }
        #expect(await connection.state == .connected)
        #expect(await connection.connectionId == "conn-1")
        try await connection.stop()
        #expect(await connection.connectionId == nil)
    }

    @Test func messagePackHandshakeNamesTheProtocol() async throws {
        let transport = FakeTransportConnection()
        let harness = try Harness(transports: [transport]) { $0.withHubProtocol(MessagePackHubProtocol()) }
        let server = FakeServer(transport, hubProtocol: MessagePackHubProtocol())
        let request = try await withTimeout {
            async let started: Void = harness.connection.start()
            let request = try await server.completeHandshake()
            try await started
            return request
        }
        #expect(request == "{\"protocol\":\"messagepack\",\"version\":1}\u{1e}")
        let ping = try await server.nextPayload()
        // VarInt length 2, then fixarray(1) and the type 6 (CLIENT-FACTS says 01 91 06; the length is 2).
        #expect(ping == [0x02, 0x91, 0x06])
        try await harness.connection.stop()
    }

    @Test func handshakeErrorFailsStartWithoutOnClose() async throws {
        let transport = FakeTransportConnection()
        let harness = try Harness(transports: [transport])
        let server = FakeServer(transport)
        let closes = CloseRecorder()
        await harness.connection.onClose { await closes.record($0) }
        let error = await #expect(throws: SignalRError.self) {
            try await withTimeout {
                async let started: Void = harness.connection.start()
                try await server.completeHandshake(error: "Requested protocol 'json' is not available.")
                try await started
            }
        }
        #expect(error?.code == .handshakeRejected)
        #expect(error?.message == "Server returned handshake error: Requested protocol 'json' is not available.")
        #expect(await harness.connection.state == .disconnected)
        #expect(transport.isClosed)
        #expect(await closes.calls.isEmpty)
    }

    @Test func transportClosingBeforeHandshakeFailsStart() async throws {
        let transport = FakeTransportConnection()
        let harness = try Harness(transports: [transport])
        let server = FakeServer(transport)
        let error = await #expect(throws: SignalRError.self) {
            try await withTimeout {
                async let started: Void = harness.connection.start()
                _ = try await server.nextPayload()
                transport.serverClose()
                try await started
            }
        }
        #expect(error?.message == "The underlying connection was closed before the hub handshake could complete.")
        #expect(await harness.connection.state == .disconnected)
    }

    @Test func handshakeTimesOutWithTheInjectedClock() async throws {
        let transport = FakeTransportConnection()
        let harness = try Harness(transports: [transport])
        let server = FakeServer(transport)
        let clock = harness.clock
        let error = await #expect(throws: SignalRError.self) {
            try await withTimeout {
                async let started: Void = harness.connection.start()
                _ = try await server.nextPayload()
                try await clock.waitForSleeper(until: .seconds(15))
                clock.advance(by: .seconds(15))
                try await started
            }
        }
        #expect(error?.code == .timedOut)
        #expect(transport.isClosed)
        #expect(await harness.connection.state == .disconnected)
    }

    @Test func startInWrongStateFailsWithTheOfficialText() async throws {
        let transport = FakeTransportConnection()
        let harness = try Harness(transports: [transport])
        try await harness.start(FakeServer(transport))
        let error = await #expect(throws: SignalRError.self) { try await harness.connection.start() }
        #expect(error?.code == .invalidState)
        #expect(error?.message == "Cannot start a HubConnection that is not in the 'Disconnected' state.")
        try await harness.connection.stop()
    }

    @Test func connectFailurePropagatesAndAllowsRestart() async throws {
        let transport = FakeTransportConnection()
        let harness = try Harness(
            transports: [transport], failures: [SignalRError(.negotiationFailed, "Unexpected status code returned from negotiate '500'", statusCode: 500)]
        )
        let error = await #expect(throws: SignalRError.self) { try await harness.connection.start() }
        #expect(error?.statusCode == 500)
        #expect(await harness.connection.state == .disconnected)
        try await harness.start(FakeServer(transport))
        #expect(await harness.connection.state == .connected)
        try await harness.connection.stop()
    }

    @Test func stopDuringHandshakeFailsStart() async throws {
        let transport = FakeTransportConnection()
        let harness = try Harness(transports: [transport])
        let server = FakeServer(transport)
        let connection = harness.connection
        let error = await #expect(throws: SignalRError.self) {
            try await withTimeout {
                async let started: Void = connection.start()
                _ = try await server.nextPayload()
                try await connection.stop()
                try await started
            }
        }
        #expect(error?.message == "The connection was stopped before the hub handshake could complete.")
        #expect(await connection.state == .disconnected)
    }

    @Test func stopDuringNegotiationFailsStart() async throws {
        let transport = FakeTransportConnection()
        let harness = try Harness(transports: [transport], holdConnect: true)
        let connection = harness.connection
        let factory = harness.factory
        let error = await #expect(throws: SignalRError.self) {
            try await withTimeout {
                async let started: Void = connection.start()
                while await connection.state != .connecting { await Task.yield() }
                async let stopped: Void = connection.stop()
                while await connection.state == .connecting, factory.gate.withLock({ $0 == nil }) { await Task.yield() }
                try await factory.release()
                try await stopped
                try await started
            }
        }
        #expect(error?.message == "The connection was stopped during negotiation.")
        #expect(transport.isClosed)
        #expect(await connection.state == .disconnected)
    }

    @Test func messagesAfterTheHandshakeInTheSameFrameAreHandled() async throws {
        let transport = FakeTransportConnection()
        let harness = try Harness(transports: [transport])
        let server = FakeServer(transport)
        let received = EventRecorder<String>()
        await harness.connection.on("hello") { (text: String) in received.record(text) }
        try await withTimeout {
            async let started: Void = harness.connection.start()
            try await server.completeHandshake(trailing: Array(#"{"type":1,"target":"Hello","arguments":["early"]}"#.utf8) + [0x1E])
            try await started
        }
        #expect(try await received.next() == ["early"])
        try await harness.connection.stop()
    }
}
