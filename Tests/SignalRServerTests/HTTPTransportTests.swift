import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import SignalRServer
import SignalRServerTesting
import SignalRTestSupport
import Testing

@Suite("Long Polling and Server-Sent Events")
struct HTTPTransportTests {
    @Test("Long Polling: first poll empty 200 at once, then messages, 204 after close, then 404")
    func longPolling() async throws {
        try await withTestServer(configuration: fastConfiguration()) { server in
            let token = try #require(try await negotiate(server)["connectionToken"] as? String)
            let url = await server.url(for: "/hubs/test") + "?id=\(token)"
            let first = try await http(.GET, url)
            #expect(first.status == 200)
            #expect(first.body.isEmpty)
            #expect(try await http(.POST, url, body: Array(#"{"protocol":"json","version":1}"#.utf8) + [0x1E]).status == 200)
            #expect(try await http(.GET, url).text == "{}" + rs)
            let invoke = #"{"type":1,"invocationId":"1","target":"Add","arguments":[2,3]}"# + rs
                + #"{"type":1,"invocationId":"2","target":"GetTransport","arguments":[]}"# + rs
            #expect(try await http(.POST, url, body: Array(invoke.utf8)).status == 200)
            var texts: [String] = []
            while texts.count < 2 { texts += records(try await http(.GET, url).text) }
            #expect(texts == [#"{"type":3,"invocationId":"1","result":5}"#, #"{"type":3,"invocationId":"2","result":"LongPolling"}"#])
            let timedOut = try await http(.GET, url)
            #expect(timedOut.status == 200 && timedOut.body.isEmpty)
            // As ASP.NET Core disposes and removes a DELETEd connection at once, the connection
            // goes without waiting for a poll to learn of the end, and its id is then unknown.
            #expect(try await http(.DELETE, url).status == 202)
            try await withTimeout(.seconds(5), "the connection to end") { await server.waitForCounters { $0.openConnections == 0 } }
            #expect(try await http(.GET, url).status == 404)
        }
    }

    @Test("A POST may carry more than one message's limit: the limit is per message, as in ASP.NET Core")
    func postLargerThanTheMessageLimit() async throws {
        try await withNegotiatedConnection(messageLimit: 2048) { url async throws in
            #expect(try await http(.GET, url).status == 200)
            #expect(try await http(.POST, url, body: Array(#"{"protocol":"json","version":1}"#.utf8) + [0x1E]).status == 200)
            #expect(try await http(.GET, url).text == "{}" + rs)
            // Five invocations of about 1.9 KiB each: every one within the limit, the body
            // (about 9.6 KiB) more than the limit and the 4 KiB the server once added to it.
            let text = String(repeating: "x", count: 1_850)
            let body = (1...5).map { #"{"type":1,"invocationId":"\#($0)","target":"Echo","arguments":["\#(text)"]}"# + rs }.joined()
            #expect(body.utf8.count > 2048 + 4096)
            #expect(try await http(.POST, url, body: Array(body.utf8)).status == 200)
            var completions: [String] = []
            while completions.count < 5 { completions += records(try await http(.GET, url).text) }
            let answered = try completions.map { try object($0) }
            #expect(answered.map { $0["invocationId"] as? String } == ["1", "2", "3", "4", "5"])
            #expect(answered.allSatisfy { $0["result"] as? String == text })
            #expect(try await http(.DELETE, url).status == 202)
        }
    }

    @Test("Bytes POSTed before the first poll wait for it, up to the message limit and 4 KiB; more gets 413")
    func postBeforeTheFirstPollIsLimited() async throws {
        try await withNegotiatedConnection(messageLimit: 2048) { url async throws in
            let handshake = Array(#"{"protocol":"json","version":1}"#.utf8) + [0x1E]
            #expect(try await http(.POST, url, body: handshake).status == 200)
            #expect(try await http(.POST, url, body: Array(repeating: 0x20, count: 2048 + 4096 + 1)).status == 413)
            // What waited is handled once the first poll starts the connection.
            #expect(try await http(.GET, url).status == 200)
            #expect(try await http(.GET, url).text == "{}" + rs)
            #expect(try await http(.DELETE, url).status == 202)
        }
    }

    /// Runs `body` with the URL of a negotiated connection on a hub whose messages may be at
    /// most `messageLimit` bytes.
    private func withNegotiatedConnection(
        messageLimit: Int, _ body: @escaping @Sendable (String) async throws -> Void
    ) async throws {
        var configuration = fastConfiguration()
        configuration.maximumReceiveMessageSize = messageLimit
        try await withTestServer(configuration: configuration) { server in
            let token = try #require(try await negotiate(server)["connectionToken"] as? String)
            try await body(await server.url(for: "/hubs/test") + "?id=\(token)")
        }
    }

    @Test("Server-Sent Events: handshake answer and a Completion as data lines; POST to send")
    func serverSentEvents() async throws {
        try await withTestServer(configuration: fastConfiguration()) { server in
            let token = try #require(try await negotiate(server)["connectionToken"] as? String)
            let url = await server.url(for: "/hubs/test") + "?id=\(token)"
            var request = HTTPClientRequest(url: url)
            request.headers.add(name: "Accept", value: "text/event-stream")
            let events = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            _ = try await http(.POST, url, body: Array(#"{"protocol":"json","version":1}"#.utf8) + [0x1E])
            _ = try await http(.POST, url, body: Array((#"{"type":1,"invocationId":"1","target":"Echo","arguments":["sse"]}"# + rs).utf8))
            var body = events.body.makeAsyncIterator()
            var text = ""
            // The client closes once the Completion has arrived on the stream.
            while !text.contains(#""result":"sse""#), let chunk = try await body.next() {
                text += String(buffer: chunk)
            }
            _ = try await http(.POST, url, body: Array((#"{"type":7}"# + rs).utf8))
            while let chunk = try await body.next() { text += String(buffer: chunk) }
            #expect(events.status == .ok)
            #expect(events.headers["content-type"].first == "text/event-stream")
            #expect(text == ":\r\n" + "data: {}\(rs)\r\n\r\n" + "data: {\"type\":3,\"invocationId\":\"1\",\"result\":\"sse\"}\(rs)\r\n\r\n")
        }
    }

    @Test("MessagePack over Server-Sent Events is refused in the handshake, as ASP.NET Core does")
    func messagePackOverSSE() async throws {
        try await withTestServer(configuration: fastConfiguration()) { server in
            let token = try #require(try await negotiate(server)["connectionToken"] as? String)
            let url = await server.url(for: "/hubs/test") + "?id=\(token)"
            let sender = Task {
                await server.waitForCounters { ($0.transportRequests[.serverSentEvents] ?? 0) >= 1 }
                _ = try await http(.POST, url, body: Array(#"{"protocol":"messagepack","version":1}"#.utf8) + [0x1E])
            }
            let events = try await http(.GET, url, headers: [("Accept", "text/event-stream")])
            try await sender.value
            #expect(events.text.contains(
                "Cannot use the 'messagepack' protocol on the current transport. The transport does not support 'Binary' transfer format."))
        }
    }

    @Test("stateful reconnect: a dropped WebSocket resumes with Sequence and the unacknowledged messages")
    func statefulReconnect() async throws {
        try await withTestServer(configuration: fastConfiguration()) { server in
            let body = try await negotiate(server, query: "negotiateVersion=1&useStatefulReconnect=true")
            #expect(body["useStatefulReconnect"] as? Bool == true)
            let token = try #require(body["connectionToken"] as? String)
            let url = await server.url(for: "/hubs/test") + "?id=\(token)"
            // The server cuts this socket on purpose: its client may see a reset, which is no failure.
            _ = try? await withWebSocket(url) { socket in
                try await socket.handshakeJSON(version: 2)
                try await socket.send(#"{"type":1,"invocationId":"1","target":"Echo","arguments":["one"]}"# + rs)
                #expect(try await socket.nextRecord(skipping: [6, 8])?["result"] as? String == "one")
                try await socket.send(#"{"type":1,"invocationId":"2","target":"GetConnectionId","arguments":[]}"# + rs)
                let id = try #require(try await socket.nextRecord(skipping: [6, 8])?["result"] as? String)
                #expect(await server.drop(connectionId: id))
                _ = try? await socket.next()
            }
            try await withWebSocket(url) { socket in
                try await socket.send(#"{"type":9,"sequenceId":3}"# + rs)
                let sequence = try #require(try await socket.nextRecord(skipping: [6, 8]))
                #expect(sequence["type"] as? Int == 9)
                #expect(sequence["sequenceId"] as? Int == 1)
                let replayed = try #require(try await socket.nextRecord(skipping: [6, 8]))
                #expect(replayed["result"] as? String == "one")
                try await socket.send(#"{"type":1,"invocationId":"3","target":"Add","arguments":[1,1]}"# + rs)
                var result: Int?
                while let record = try await socket.nextRecord(skipping: [6, 8]) {
                    if record["invocationId"] as? String == "3" { result = record["result"] as? Int; break }
                }
                #expect(result == 2)
            }
            #expect(await server.counters.statefulReconnects == 1)
        }
    }

    @Test("stop() ends everything and the port can be bound again by restart()")
    func restart() async throws {
        let server = try await SignalRTestServer.start()
        let port = try #require(await server.port)
        try await server.restart()
        #expect(await server.port == port)
        let body = try await negotiate(server)
        #expect(body["connectionId"] != nil)
        await server.stop()
        #expect(await server.port == nil)
    }
}
