import Foundation
import Logging
import SignalRProtocol
import SignalRServer
import SignalRTestSupport
import Testing
@testable import SignalRClient

/// ``LongPollingTransport`` against the in-repo hub server, speaking raw hub protocol bytes.
@Suite(.timeLimit(.minutes(1))) struct TransportLongPollingTests {
    /// A server holding polls for `pollTimeout` (short by default, so that empty 200s happen and
    /// the server's stop does not wait for a held poll).
    private static func configuration(pollTimeout: Duration = .seconds(1)) -> HubServerConfiguration {
        var configuration = HubServerConfiguration()
        configuration.longPollTimeout = pollTimeout
        return configuration
    }

    /// Negotiates, connects Long Polling and completes the JSON handshake.
    private func open(
        _ server: HubServer, headers: [String: String] = [:]
    ) async throws -> (TransportTest.Negotiated, any TransportConnection, RecordReader) {
        let negotiated = try await TransportTest.negotiate(await server.testHubURL)
        let connection = try await LongPollingTransport(logger: Logger(label: "test"))
            .connect(TransportTest.request(negotiated.transportURL, headers: headers))
        let reader = RecordReader(connection.frames)
        try await connection.send(TransportTest.handshake)
        #expect(try await reader.next() == "{}")
        return (negotiated, connection, reader)
    }

    @Test func handshakeAndInvoke() async throws {
        try await withServer(configuration: Self.configuration()) { server in
            let (_, connection, reader) = try await open(server)
            #expect(connection.hasInherentKeepAlive)
            try await connection.send(TransportTest.add(1, 2, id: "0"))
            let completion = try await reader.record(containing: "\"invocationId\":\"0\"")
            #expect(completion.contains("\"type\":3"))
            #expect(completion.contains("\"result\":3"))
            await connection.close()
        }
    }

    @Test func headersAndTransportReachTheHub() async throws {
        try await withServer(configuration: Self.configuration()) { server in
            let (_, connection, reader) = try await open(server, headers: ["X-Transport-Test": "lp-value"])
            try await connection.send(Array(
                "{\"type\":1,\"invocationId\":\"h\",\"target\":\"GetHeader\",\"arguments\":[\"X-Transport-Test\"]}\u{1E}".utf8))
            #expect(try await reader.record(containing: "\"invocationId\":\"h\"").contains("\"result\":\"lp-value\""))
            try await connection.send(Array(
                "{\"type\":1,\"invocationId\":\"t\",\"target\":\"GetTransport\",\"arguments\":[]}\u{1E}".utf8))
            #expect(try await reader.record(containing: "\"invocationId\":\"t\"").contains("\"result\":\"LongPolling\""))
            await connection.close()
        }
    }

    @Test func emptyPollsAreReissued() async throws {
        try await withServer(configuration: Self.configuration(pollTimeout: .milliseconds(100))) { server in
            let (_, connection, reader) = try await open(server)
            let before = await server.counters.transportRequests[.longPolling] ?? 0
            // Each poll times out on the server (empty 200) and is reissued.
            try await withTimeout(.seconds(10), "five more polls") {
                await server.waitForCounters { ($0.transportRequests[.longPolling] ?? 0) >= before + 5 }
            }
            try await connection.send(TransportTest.add(20, 22, id: "0"))
            #expect(try await reader.record(containing: "\"invocationId\":\"0\"").contains("\"result\":42"))
            await connection.close()
        }
    }

    @Test func serverEndingTheConnectionEndsFramesWithoutError() async throws {
        try await withServer(configuration: Self.configuration()) { server in
            let (negotiated, connection, reader) = try await open(server)
            #expect(await server.close(connectionId: negotiated.connectionId))
            #expect(try await reader.record(containing: "\"type\":7") != "")
            #expect(await reader.drain() == nil)  // the following poll answered 204
            await connection.close()
        }
    }

    @Test func unknownConnectionIdFailsConnectWith404() async throws {
        try await withServer { server in
            let url = await server.testHubURL + "?id=unknown-token"
            let error = await caught {
                _ = try await LongPollingTransport(logger: Logger(label: "test")).connect(TransportTest.request(url))
            }
            let signalRError = try #require(error as? SignalRError)
            #expect(signalRError.statusCode == 404)
            #expect(signalRError.message == "Not Found: Status code '404'")
            #expect(signalRError.code == .transportFailed)
        }
    }

    @Test func closeSendsDeleteAndTheServerEndsTheConnection() async throws {
        try await withServer(configuration: Self.configuration(pollTimeout: .milliseconds(200))) { server in
            let (negotiated, connection, reader) = try await open(server)
            #expect(await server.counters.openConnections == 1)
            await connection.close()
            #expect(await reader.drain() == nil)
            // The DELETE was answered before close() returned, so the server already ended the
            // connection: a poll for it now gets 204, or 404 when the server's answer to the
            // aborted poll already delivered that 204 (without the DELETE it would get a 200).
            let error = await caught {
                _ = try await LongPollingTransport(logger: Logger(label: "test"))
                    .connect(TransportTest.request(negotiated.transportURL))
            }
            let status = try #require((error as? SignalRError)?.statusCode)
            #expect(status == 204 || status == 404)
            try await withTimeout(.seconds(5), "the connection to end on the server") {
                await server.waitForCounters { $0.openConnections == 0 }
            }
            // Nothing polls after close(): a leaked poll loop would poll every 200 ms. Absence
            // has no event to await, so this one wait is a sleep.
            let polls = await server.counters.transportRequests[.longPolling] ?? 0
            try await Task.sleep(for: .milliseconds(600))
            #expect(await server.counters.transportRequests[.longPolling] ?? 0 == polls)
            await #expect(throws: SignalRError.self) { try await connection.send(TransportTest.add(1, 1, id: "9")) }
        }
    }

    @Test func concurrentSendsAllArriveWhileBatched() async throws {
        try await withServer(configuration: Self.configuration()) { server in
            let (_, connection, reader) = try await open(server)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<20 {
                    group.addTask { try await connection.send(TransportTest.add(index, 1000, id: "\(index)")) }
                }
                try await group.waitForAll()
            }
            var results: [String: String] = [:]
            while results.count < 20 {
                let record = try #require(try await reader.next())
                guard record.contains("\"type\":3") else { continue }
                for index in 0..<20 where record.contains("\"invocationId\":\"\(index)\"") {
                    results["\(index)"] = record
                }
            }
            for index in 0..<20 {
                #expect(results["\(index)"]?.contains("\"result\":\(index + 1000)") == true)
            }
            await connection.close()
        }
    }

    @Test func messagePackOverBinaryPolls() async throws {
        try await withServer(configuration: Self.configuration()) { server in
            let negotiated = try await TransportTest.negotiate(await server.testHubURL)
            let connection = try await LongPollingTransport(logger: Logger(label: "test"))
                .connect(TransportTest.request(negotiated.transportURL, .binary))
            let reader = RecordReader(connection.frames)
            let hubProtocol = MessagePackHubProtocol()
            try await connection.send(TransportTest.messagePackHandshake)
            let invocation = HubMessage.invocation(
                InvocationMessage(invocationId: "0", target: "Add", arguments: [HubValue(40), HubValue(2)]))
            try await connection.send(try hubProtocol.writeMessage(invocation))
            // The handshake answer is JSON text; MessagePack messages follow, possibly in the same body.
            var buffer: [UInt8] = []
            var handshakeDone = false
            var result: Int?
            while result == nil {
                buffer += try #require(try await reader.nextFrame())
                if !handshakeDone, let end = buffer.firstIndex(of: 0x1E) {
                    #expect(String(decoding: buffer[..<end], as: UTF8.self) == "{}")
                    buffer.removeSubrange(...end)
                    handshakeDone = true
                }
                guard handshakeDone else { continue }
                let (messages, consumed) = try hubProtocol.parseMessages(buffer[...])
                buffer.removeFirst(consumed)
                for case .completion(let completion) in messages where completion.invocationId == "0" {
                    guard case .value(let value) = completion.result else { Issue.record("no result"); return }
                    result = try hubProtocol.decode(Int.self, from: value)
                }
            }
            #expect(result == 42)
            await connection.close()
        }
    }
}
