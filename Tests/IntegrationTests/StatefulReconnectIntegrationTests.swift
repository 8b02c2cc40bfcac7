import Foundation
import SignalRClient
import SignalRProtocol
import SignalRServer
import SignalRServerTesting
import SignalRTestSupport
import Testing

/// Stateful reconnect against the in-repo hub, with the connection cut by a FaultProxy.
@Suite struct StatefulReconnectIntegrationTests {
    @Test(arguments: ProtocolKind.allCases)
    func cutConnectionResumesWithTheSameIdAndInvocationsComplete(kind: ProtocolKind) async throws {
        var configuration = HubServerConfiguration()
        configuration.ackInterval = .milliseconds(50)
        try await withServer(configuration: configuration) { server in
            let port = try #require(await server.port)
            let proxy = try await FaultProxy.start(forwardingTo: port)
            let url = "http://127.0.0.1:\(proxy.port)\(SignalRTestServer.testHubPath)"
            let connection = try await connect(url, kind) { $0.withStatefulReconnect().withAutomaticReconnect() }
            let events = await ReconnectIntegrationTests.observe(connection)
            let id = try #require(await connection.connectionId)
            let pending = Task { try await connection.invoke("Delay", 300, returning: Int.self) }
            let echo: String = try await connection.invoke("Echo", "before")
            #expect(echo == "before")
            await proxy.cutAll()
            #expect(try await withTimeout { try await pending.value } == 300)
            let after: String = try await connection.invoke("Echo", "after")
            #expect(after == "after")
            #expect(await connection.connectionId == id)
            #expect(await server.counters.statefulReconnects >= 1)
            try await connection.stop()
            #expect(try await events.first() == "close nil")
            await proxy.stop()
        }
    }

    @Test func negotiateAsksForStatefulReconnectOnlyWhenEnabled() async throws {
        try await withServer { server in
            let plain = try await connect(await server.testHubURL)
            let stateful = try await connect(await server.testHubURL) { $0.withStatefulReconnect() }
            // Only the stateful one got protocol version 2: a server drop keeps its connection id.
            let plainId = try #require(await plain.connectionId)
            let statefulId = try #require(await stateful.connectionId)
            await server.drop(connectionId: statefulId)
            let echo: String = try await stateful.invoke("Echo", "still here")
            #expect(echo == "still here")
            #expect(await stateful.connectionId == statefulId)
            #expect(await server.connectionIds(hub: SignalRTestServer.testHubPath).contains(plainId))
            try await plain.stop()
            try await stateful.stop()
        }
    }
}
