import Foundation
import SignalRClient
import SignalRProtocol
import SignalRServer
import SignalRServerTesting
import SignalRTestSupport
import Testing

/// Calls that span a stateful reconnect's transport resume: a client result answered after
/// the cut and an upload whose items straddle it reach the hub once, on the new transport.
@Suite struct StatefulReconnectCallsTests {
    /// A hub behind a proxy, with a stateful-reconnect connection through it.
    static func withStatefulConnection(
        _ kind: ProtocolKind, _ body: (HubServer, FaultProxy, HubConnection) async throws -> Void
    ) async throws {
        var configuration = HubServerConfiguration()
        configuration.ackInterval = .milliseconds(50)
        try await withServer(configuration: configuration) { server in
            let port = try #require(await server.port)
            let proxy = try await FaultProxy.start(forwardingTo: port)
            let url = "http://127.0.0.1:\(proxy.port)\(SignalRTestServer.testHubPath)"
            let connection = try await connect(url, kind) { $0.withStatefulReconnect() }
            let reconnecting = EventRecorder<String>()
            await connection.onReconnecting { _ in reconnecting.record("reconnecting") }
            try await body(server, proxy, connection)
            #expect(await caught { _ = try await reconnecting.next(1, within: .milliseconds(10)) } is TimeoutError)
            try await connection.stop()
            await proxy.stop()
        }
    }

    @Test(arguments: ProtocolKind.allCases)
    func clientResultAnsweredAfterACutReachesTheHub(kind: ProtocolKind) async throws {
        try await Self.withStatefulConnection(kind) { server, proxy, connection in
            let started = EventRecorder<Void>()
            let (gate, open) = AsyncStream.makeStream(of: String.self)
            await connection.on("Ask") { () async -> String in
                started.record(())
                for await answer in gate { return answer }
                return "gate closed"
            }
            let broadcasts = EventRecorder<String>()
            await connection.on("ReceiveMessage") { (_: String, message: String) in broadcasts.record(message) }
            let call = Task { try await connection.invoke("GetClientResult", "Ask", returning: String.self) }
            _ = try await started.first()
            await proxy.cutAll()
            // The hub runs one call of a connection at a time (as ASP.NET Core), so the pending
            // GetClientResult holds back invokes: a broadcast from another client shows the resume.
            let other = try await connect(await server.testHubURL)
            try await other.send("SendMessage", "other", "resumed")
            #expect(try await broadcasts.first() == "resumed")
            try await other.stop()
            #expect(await server.counters.statefulReconnects >= 1)
            open.yield("answer")
            #expect(try await withTimeout { try await call.value } == "answer")
        }
    }

    @Test(arguments: ProtocolKind.allCases)
    func uploadItemsAcrossACutArriveOnce(kind: ProtocolKind) async throws {
        try await Self.withStatefulConnection(kind) { server, proxy, connection in
            let (numbers, source) = AsyncStream.makeStream(of: Int.self)
            let sum = Task { try await connection.invoke("UploadSum", UploadStream(numbers), returning: Int.self) }
            for number in 1...3 { source.yield(number) }
            let before: String = try await connection.invoke("Echo", "before")
            #expect(before == "before")
            await proxy.cutAll()
            let after: String = try await withTimeout { try await connection.invoke("Echo", "after") }
            #expect(after == "after")
            #expect(await server.counters.statefulReconnects >= 1)
            for number in 4...5 { source.yield(number) }
            source.finish()
            #expect(try await withTimeout { try await sum.value } == 15)
        }
    }
}
