import Foundation
import SignalRClient
import SignalRProtocol
import SignalRServer
import SignalRServerTesting
import SignalRTestSupport
import Testing

/// Automatic reconnect against the in-repo hub over loopback.
@Suite struct ReconnectIntegrationTests {
    /// Short real delays: reconnect attempts every 50 ms for up to 10 s.
    static let quickRetries = Array(repeating: Duration.milliseconds(50), count: 200)

    static func observe(_ connection: HubConnection) async -> EventRecorder<String> {
        let events = EventRecorder<String>()
        await connection.onReconnecting { error in events.record("reconnecting \(error == nil ? "nil" : "error")") }
        await connection.onReconnected { id in events.record("reconnected \(id ?? "nil")") }
        await connection.onClose { error in events.record("close \(error?.message ?? "nil")") }
        return events
    }

    @Test(arguments: ProtocolKind.allCases)
    func droppedConnectionReconnectsWithANewIdAndHandlersStay(kind: ProtocolKind) async throws {
        try await withServer { server in
            let connection = try await connect(await server.testHubURL, kind) { $0.withAutomaticReconnect(Self.quickRetries) }
            let events = await Self.observe(connection)
            let received = EventRecorder<String>()
            await connection.on("Echoed") { (value: String) in received.record(value) }
            let firstId = try #require(await connection.connectionId)
            #expect(await server.drop(connectionId: firstId))
            #expect(try await events.first() == "reconnecting error")
            let reconnected = try await events.first()
            let newId = try #require(await connection.connectionId)
            #expect(reconnected == "reconnected \(newId)")
            #expect(newId != firstId)
            #expect(await connection.state == .connected)
            try await connection.send("SendToCaller", "Echoed", "after reconnect")
            #expect(try await received.first() == "after reconnect")
            try await connection.stop()
            #expect(try await events.first() == "close nil")
        }
    }

    @Test func closeWithAllowReconnectReconnectsAndCloseWithErrorIsFinal() async throws {
        try await withServer { server in
            let connection = try await connect(await server.testHubURL) { $0.withAutomaticReconnect(Self.quickRetries) }
            let events = await Self.observe(connection)
            try await connection.send("CloseWithReconnect")
            #expect(try await events.next(2).map { $0.prefix(11) } == ["reconnectin", "reconnected"])
            try await connection.send("CloseWithError", "bye")
            #expect(try await events.first() == "close Server returned an error on close: bye")
            #expect(await connection.state == .disconnected)
        }
    }

    @Test func aServerCloseWithAnErrorThatAllowsReconnectReconnectsWithThatText() async throws {
        try await withServer { server in
            let connection = try await connect(await server.testHubURL) { $0.withAutomaticReconnect(Self.quickRetries) }
            let reasons = EventRecorder<String>()
            await connection.onReconnecting { error in reasons.record(error?.message ?? "nil") }
            let reconnected = EventRecorder<String?>()
            await connection.onReconnected { id in reconnected.record(id) }
            let id = try #require(await connection.connectionId)
            #expect(await server.close(connectionId: id, error: "maintenance", allowReconnect: true))
            #expect(try await reasons.first() == "Server returned an error on close: maintenance")
            _ = try await reconnected.first()
            #expect(await connection.state == .connected)
            #expect(try await connection.invoke("Add", 1, 2, returning: Int.self) == 3)
            try await connection.stop()
        }
    }

    @Test func abortFailsPendingInvokesThenReconnects() async throws {
        try await withServer { server in
            let connection = try await connect(await server.testHubURL) { $0.withAutomaticReconnect(Self.quickRetries) }
            let events = await Self.observe(connection)
            let pending = Task { try await connection.invoke("Delay", 5_000, returning: Int.self) }
            try await connection.send("Abort")
            await #expect(throws: SignalRError.self) { try await withTimeout { try await pending.value } }
            #expect(try await events.next(2).map { $0.prefix(11) } == ["reconnectin", "reconnected"])
            let sum: Int = try await connection.invoke("Add", 1, 2)
            #expect(sum == 3)
            try await connection.stop()
        }
    }

    @Test func serverDownThenBackOnTheSamePortReconnects() async throws {
        try await withServer { server in
            let port = try #require(await server.port)
            let proxy = try await FaultProxy.start(forwardingTo: port)
            let url = "http://127.0.0.1:\(proxy.port)\(SignalRTestServer.testHubPath)"
            let connection = try await connect(url) { $0.withAutomaticReconnect(Self.quickRetries) }
            let events = await Self.observe(connection)
            // The "server" goes away: connections cut, new ones refused.
            proxy.setRefusingNewConnections(true)
            await proxy.cutAll()
            #expect(try await events.first() == "reconnecting error")
            #expect(await connection.state == .reconnecting)
            let refusedBefore = proxy.acceptedConnections
            try await withTimeout(.seconds(10), "failed attempts") {
                await proxy.waitForAcceptedConnections(refusedBefore + 2)
            }
            proxy.setRefusingNewConnections(false)
            #expect(try await events.first().hasPrefix("reconnected"))
            let echo: String = try await connection.invoke("Echo", "back")
            #expect(echo == "back")
            try await connection.stop()
            await proxy.stop()
        }
    }

    @Test func policyGivingUpClosesWithTheLastAttemptsError() async throws {
        try await withServer { server in
            let port = try #require(await server.port)
            let proxy = try await FaultProxy.start(forwardingTo: port)
            let url = "http://127.0.0.1:\(proxy.port)\(SignalRTestServer.testHubPath)"
            let connection = try await connect(url) { $0.withAutomaticReconnect([.zero, .milliseconds(10)]) }
            let events = await Self.observe(connection)
            proxy.setRefusingNewConnections(true)
            await proxy.cutAll()
            let all = try await events.next(2)
            #expect(all.first == "reconnecting error")
            #expect(all.last?.hasPrefix("close ") == true)
            #expect(all.last != "close nil")
            #expect(await connection.state == .disconnected)
            await proxy.stop()
        }
    }

    @Test func initialStartFailureIsNotRetried() async throws {
        let proxy = try await FaultProxy.start(forwardingTo: 9)
        proxy.setRefusingNewConnections(true)
        let connection = try HubConnectionBuilder()
            .withUrl("http://127.0.0.1:\(proxy.port)/hubs/test").withAutomaticReconnect().build()
        let events = await Self.observe(connection)
        await #expect(throws: SignalRError.self) { try await connection.start() }
        #expect(await connection.state == .disconnected)
        #expect(proxy.acceptedConnections == 1)
        try await connection.stop()
        #expect(await caught { _ = try await events.next(1, within: .milliseconds(100)) } is TimeoutError)
        await proxy.stop()
    }

    @Test func manualReconnectFromOnClose() async throws {
        try await withServer { server in
            let connection = try await connect(await server.testHubURL)
            let restarted = EventRecorder<String>()
            await connection.onClose { error in
                guard error != nil else { return }
                for _ in 0..<50 {
                    if (try? await connection.start()) != nil {
                        restarted.record(await connection.connectionId ?? "nil")
                        return
                    }
                    await Task.yield()
                }
            }
            let firstId = try #require(await connection.connectionId)
            await server.drop(connectionId: firstId)
            let newId = try await restarted.first()
            #expect(newId != firstId)
            #expect(await connection.state == .connected)
            let sum: Int = try await connection.invoke("Add", 2, 3)
            #expect(sum == 5)
            try await connection.stop()
        }
    }
}
