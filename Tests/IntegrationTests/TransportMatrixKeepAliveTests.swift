import Foundation
import SignalRClient
import SignalRProtocol
import SignalRServer
import SignalRTestSupport
import Testing

/// Keep-alive and automatic reconnect on every transport × hub protocol cell (see
/// ``TransportMatrixTests``).
@Suite(.timeLimit(.minutes(1))) struct TransportMatrixKeepAliveTests {
    /// Both sides with short timeouts: the server pings every 200 ms and drops a client silent
    /// for 2 s; the client pings every 300 ms and gives up on a server silent for 2 s (six
    /// intervals or more each: the whole suite in parallel on two cores may stall a process for
    /// about a second and a half, which the former 1.2 s did not survive).
    /// Over WebSockets and SSE the Pings keep the connection up; Long Polling sends none and
    /// needs none (its polls keep it alive on both sides).
    @Test(arguments: TransportCase.all)
    func pingsKeepAnIdleConnectionAlive(cell: TransportCase) async throws {
        var configuration = TransportCase.serverConfiguration
        configuration.keepAliveInterval = .milliseconds(200)
        configuration.clientTimeoutInterval = .seconds(2)
        configuration.longPollTimeout = .milliseconds(500)
        try await withServer(configuration: configuration) { server in
            let connection = try await cell.connect(await server.testHubURL) {
                $0.withKeepAliveInterval(.milliseconds(300)).withServerTimeout(.seconds(2))
            }
            #expect(try await connection.invoke("GetTransport", returning: String.self) == cell.transportName)
            let closes = EventRecorder<String>()
            await connection.onClose { error in closes.record(error?.message ?? "no error") }
            // Idle for more than twice both timeouts. Nothing happening is the point, so there
            // is no event to await: this wait is a sleep.
            try await Task.sleep(for: .milliseconds(4_200))
            let state = await connection.state
            #expect(state == .connected)
            if state != .connected {
                // Says which side gave up, so a failure here can be told from a slow machine.
                let reason = (try? await closes.first(within: .seconds(2))) ?? "no close recorded"
                Issue.record("closed while idle: \(reason)")
                return
            }
            #expect(try await connection.invoke("Add", 2, 3, returning: Int.self) == 5)
            try await connection.stop()
            #expect(try await closes.first() == "no error")
        }
    }

    /// A dropped connection reconnects on the same transport (a fresh negotiate, a new id) and
    /// carries calls again; handlers stay registered.
    @Test(arguments: TransportCase.all)
    func automaticReconnectComesBackOnTheSameTransport(cell: TransportCase) async throws {
        try await withServer(configuration: TransportCase.serverConfiguration) { server in
            let connection = try await cell.connect(await server.testHubURL) { $0.withAutomaticReconnect([.zero]) }
            let events = EventRecorder<String>()
            await connection.onReconnecting { _ in events.record("reconnecting") }
            await connection.onReconnected { id in events.record("reconnected \(id != nil)") }
            await connection.on("Notify") { (value: Int) in events.record("notify \(value)") }
            let firstId = try #require(await connection.connectionId)
            #expect(await server.drop(connectionId: firstId))
            #expect(try await events.next(2) == ["reconnecting", "reconnected true"])
            #expect(await connection.state == .connected)
            #expect(await connection.connectionId != firstId)
            #expect(try await connection.invoke("GetTransport", returning: String.self) == cell.transportName)
            try await connection.invoke("SendToCaller", "Notify", 7)
            #expect(try await events.next(1) == ["notify 7"])
            try await connection.stop()
        }
    }
}
