import Foundation
import Logging
import SignalRProtocol
import SignalRServer
import SignalRServerTesting
import SignalRTestSupport
import Testing
@testable import SignalRClient

/// ``ServerSentEventsTransport`` against the in-repo hub server, speaking raw hub protocol bytes.
@Suite(.timeLimit(.minutes(1))) struct TransportServerSentEventsTests {
    /// Negotiates, connects Server-Sent Events and completes the JSON handshake.
    private func open(
        _ server: HubServer, headers: [String: String] = [:]
    ) async throws -> (TransportTest.Negotiated, any TransportConnection, RecordReader) {
        let negotiated = try await TransportTest.negotiate(await server.testHubURL)
        let connection = try await ServerSentEventsTransport(logger: Logger(label: "test"))
            .connect(TransportTest.request(negotiated.transportURL, headers: headers))
        let reader = RecordReader(connection.frames)
        try await connection.send(TransportTest.handshake)
        #expect(try await reader.next() == "{}")
        return (negotiated, connection, reader)
    }

    @Test func handshakeAndInvoke() async throws {
        try await withServer { server in
            let (_, connection, reader) = try await open(server)
            #expect(!connection.hasInherentKeepAlive)
            try await connection.send(TransportTest.add(1, 2, id: "0"))
            let completion = try await reader.record(containing: "\"invocationId\":\"0\"")
            #expect(completion.contains("\"type\":3"))
            #expect(completion.contains("\"result\":3"))
            await connection.close()
        }
    }

    @Test func headersAndTransportReachTheHub() async throws {
        try await withServer { server in
            let (_, connection, reader) = try await open(server, headers: ["X-Transport-Test": "sse-value"])
            try await connection.send(Array(
                "{\"type\":1,\"invocationId\":\"h\",\"target\":\"GetHeader\",\"arguments\":[\"X-Transport-Test\"]}\u{1E}".utf8))
            #expect(try await reader.record(containing: "\"invocationId\":\"h\"").contains("\"result\":\"sse-value\""))
            try await connection.send(Array(
                "{\"type\":1,\"invocationId\":\"t\",\"target\":\"GetTransport\",\"arguments\":[]}\u{1E}".utf8))
            #expect(try await reader.record(containing: "\"invocationId\":\"t\"").contains("\"result\":\"ServerSentEvents\""))
            await connection.close()
        }
    }

    @Test func multiLinePayloadsArriveWhole() async throws {
        try await withServer { server in
            let (_, connection, reader) = try await open(server)
            // The server writes a payload with a line break as two `data:` lines; they join with LF.
            try await connection.send(Array(
                "{\"type\":1,\"invocationId\":\"e\",\"target\":\"Echo\",\"arguments\":[\"a\\nb\"]}\u{1E}".utf8))
            #expect(try await reader.record(containing: "\"invocationId\":\"e\"").contains("\"result\":\"a\\nb\""))
            await connection.close()
        }
    }

    @Test func serverEndingTheConnectionEndsFramesWithoutError() async throws {
        try await withServer { server in
            let (negotiated, connection, reader) = try await open(server)
            #expect(await server.close(connectionId: negotiated.connectionId))
            #expect(try await reader.record(containing: "\"type\":7") != "")
            #expect(await reader.drain() == nil)  // the event stream ended
            await connection.close()
        }
    }

    @Test func messagePackIsRefused() async throws {
        try await withServer { server in
            let negotiated = try await TransportTest.negotiate(await server.testHubURL)
            let error = await caught {
                _ = try await ServerSentEventsTransport(logger: Logger(label: "test"))
                    .connect(TransportTest.request(negotiated.transportURL, .binary))
            }
            #expect((error as? SignalRError)?.message
                == "The Server-Sent Events transport only supports the 'Text' transfer format")
            #expect(await server.counters.transportRequests[.serverSentEvents] == nil)
        }
    }

    @Test func unknownConnectionIdFailsConnectWith404() async throws {
        try await withServer { server in
            let url = await server.testHubURL + "?id=unknown-token"
            let error = await caught {
                _ = try await ServerSentEventsTransport(logger: Logger(label: "test")).connect(TransportTest.request(url))
            }
            let signalRError = try #require(error as? SignalRError)
            #expect(signalRError.statusCode == 404)
            #expect(signalRError.message == "Not Found: Status code '404'")
        }
    }

    @Test func closeEndsTheStreamAndTheServerEndsTheConnection() async throws {
        // The hub server notices a closed event stream on its next write; its keep-alive Ping is
        // that write (ASP.NET Core notices at once). A short keep-alive keeps the test fast.
        var configuration = HubServerConfiguration()
        configuration.keepAliveInterval = .milliseconds(100)
        try await withServer(configuration: configuration) { server in
            let (negotiated, connection, reader) = try await open(server)
            #expect(await server.connectionIds(hub: SignalRTestServer.testHubPath).contains(negotiated.connectionId))
            #expect(await server.counters.openConnections == 1)
            await connection.close()
            #expect(await reader.drain() == nil)
            try await withTimeout(.seconds(5), "the connection to end on the server") {
                await server.waitForCounters { $0.openConnections == 0 }
            }
            await #expect(throws: SignalRError.self) { try await connection.send(TransportTest.add(1, 1, id: "9")) }
        }
    }

    @Test func concurrentSendsAllArrive() async throws {
        try await withServer { server in
            let (_, connection, reader) = try await open(server)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<20 {
                    group.addTask { try await connection.send(TransportTest.add(index, 1000, id: "\(index)")) }
                }
                try await group.waitForAll()
            }
            var seen = Set<Int>()
            while seen.count < 20 {
                let record = try #require(try await reader.next())
                for index in 0..<20 where record.contains("\"invocationId\":\"\(index)\"") {
                    #expect(record.contains("\"result\":\(index + 1000)"))
                    seen.insert(index)
                }
            }
            await connection.close()
        }
    }
}
