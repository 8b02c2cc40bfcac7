import Foundation
import HTTPTypes
import NIOHTTP1
import SignalRServer
import SignalRTestSupport
import Testing

@Suite("WebSockets: MessagePack, streams, client results, keep-alive")
struct WebSocketStreamingTests {
    @Test("MessagePack handshake and Add in binary frames, exact bytes")
    func messagePackAdd() async throws {
        try await withTestServer { server in
            try await withWebSocket(await server.url(for: "/hubs/test")) { socket in
                try await socket.send(#"{"protocol":"messagepack","version":1}"# + rs)
                let handshake = try #require(try await socket.nextFrame())
                #expect(handshake.binary)
                #expect(handshake.bytes == Array("{}\u{1e}".utf8))
                // [1, {}, "1", "Add", [1, 2], []]
                try await socket.send(binary: [0x0D, 0x96, 0x01, 0x80, 0xA1, 0x31, 0xA3, 0x41, 0x64, 0x64, 0x92, 0x01, 0x02, 0x90])
                // [3, {}, "1", 3, 3]
                #expect(try await socket.nextBytes() == [0x07, 0x95, 0x03, 0x80, 0xA1, 0x31, 0x03, 0x03])
            }
        }
    }

    @Test("Counter streams items then a Completion; CancelInvocation stops Ticks")
    func serverStream() async throws {
        try await withTestServer { server in
            try await withWebSocket(await server.url(for: "/hubs/test")) { socket in
                try await socket.handshakeJSON()
                try await socket.send(#"{"type":4,"invocationId":"s","target":"Counter","arguments":[3,5]}"# + rs)
                var items: [Int] = []
                while let record = try await socket.nextRecord() {
                    if record["type"] as? Int == 2 { items.append(record["item"] as? Int ?? -1) }
                    if record["type"] as? Int == 3 {
                        #expect(record["error"] == nil && record["result"] == nil)
                        break
                    }
                }
                #expect(items == [0, 1, 2])
                // The first tick comes at once, then the stream idles, so the cancel lands while
                // the hub method awaits its next item (not mid-write) and is counted.
                try await socket.send(#"{"type":4,"invocationId":"t","target":"Ticks","arguments":[600000]}"# + rs)
                #expect(try await socket.nextRecord()?["item"] as? Int == 0)
                try await socket.send(#"{"type":5,"invocationId":"t"}"# + rs)
                while let record = try await socket.nextRecord(skipping: [2, 6]) {
                    #expect(record["type"] as? Int == 3)
                    #expect(record["invocationId"] as? String == "t")
                    break
                }
                try await socket.send(#"{"type":1,"invocationId":"c","target":"CancelledStreams","arguments":[]}"# + rs)
                #expect(try await socket.nextRecord(skipping: [2, 6])?["result"] as? Int == 1)
            }
        }
    }

    @Test("upload streams: StreamEcho echoes, UploadSum adds")
    func uploadStreams() async throws {
        try await withTestServer { server in
            try await withWebSocket(await server.url(for: "/hubs/test")) { socket in
                try await socket.handshakeJSON()
                try await socket.send(#"{"type":4,"invocationId":"1","target":"StreamEcho","arguments":[],"streamIds":["0"]}"# + rs)
                try await socket.send(#"{"type":2,"invocationId":"0","item":"a"}"# + rs + #"{"type":2,"invocationId":"0","item":"b"}"# + rs)
                try await socket.send(#"{"type":3,"invocationId":"0"}"# + rs)
                var echoed: [String] = []
                while let record = try await socket.nextRecord() {
                    if let item = record["item"] as? String { echoed.append(item) }
                    if record["type"] as? Int == 3 { break }
                }
                #expect(echoed == ["a", "b"])
                try await socket.send(#"{"type":1,"invocationId":"3","target":"UploadSum","arguments":[],"streamIds":["2"]}"# + rs)
                for value in 1...4 { try await socket.send(#"{"type":2,"invocationId":"2","item":\#(value)}"# + rs) }
                try await socket.send(#"{"type":3,"invocationId":"2"}"# + rs)
                #expect(try await socket.nextRecord()?["result"] as? Int == 10)
                try await socket.send(#"{"type":1,"invocationId":"4","target":"UploadSum","arguments":[]}"# + rs)
                let expected = "An unexpected error occurred invoking 'UploadSum' on the server. "
                    + "HubException: Client sent 0 stream(s), Hub method expects 1."
                #expect(try await socket.nextRecord()?["error"] as? String == expected)
            }
        }
    }

    @Test("client results: the server asks the caller and returns its answer or error")
    func clientResults() async throws {
        try await withTestServer { server in
            try await withWebSocket(await server.url(for: "/hubs/test")) { socket in
                try await socket.handshakeJSON()
                try await socket.send(#"{"type":1,"invocationId":"1","target":"GetClientResult","arguments":["Answer"]}"# + rs)
                let ask = try #require(try await socket.nextRecord())
                #expect(ask["target"] as? String == "Answer")
                let id = try #require(ask["invocationId"] as? String)
                try await socket.send(#"{"type":3,"invocationId":"\#(id)","result":{"x":1}}"# + rs)
                let done = try #require(try await socket.nextRecord())
                #expect(done["invocationId"] as? String == "1")
                #expect((done["result"] as? [String: Int]) == ["x": 1])

                try await socket.send(#"{"type":1,"invocationId":"2","target":"GetClientResult","arguments":["Answer"]}"# + rs)
                let second = try #require(try await socket.nextRecord()?["invocationId"] as? String)
                try await socket.send(#"{"type":3,"invocationId":"\#(second)","error":"no"}"# + rs)
                let failed = "An unexpected error occurred invoking 'GetClientResult' on the server. HubException: no"
                #expect(try await socket.nextRecord()?["error"] as? String == failed)
            }
        }
    }

    @Test("the server pings at the keep-alive interval")
    func keepAlive() async throws {
        var configuration = HubServerConfiguration()
        configuration.keepAliveInterval = .milliseconds(200)
        try await withTestServer(configuration: configuration) { server in
            try await withWebSocket(await server.url(for: "/hubs/test")) { socket in
                // Three pings take at least three intervals after the handshake answer, however
                // late this test gets the CPU (a lower bound no starvation can break), and far
                // less than the default 15 s interval.
                let start = ContinuousClock.now
                try await socket.handshakeJSON()
                for _ in 0..<3 { #expect(try await socket.nextText() == #"{"type":6}"# + rs) }
                let elapsed = ContinuousClock.now - start
                #expect(elapsed >= .milliseconds(600) && elapsed < .seconds(3), "\(elapsed)")
            }
        }
    }

    @Test("after the client's first Ping, silence longer than the client timeout closes the connection")
    func clientTimeout() async throws {
        var configuration = HubServerConfiguration()
        configuration.clientTimeoutInterval = .milliseconds(300)
        try await withTestServer(configuration: configuration) { server in
            try await withWebSocket(await server.url(for: "/hubs/test")) { socket in
                try await socket.handshakeJSON()
                try await socket.send(#"{"type":6}"# + rs)
                #expect(try await socket.nextText() == #"{"type":7}"# + rs)
                #expect(try await socket.next() == nil)
            }
            try await withTimeout(.seconds(5), "the connection to end") { await server.waitForCounters { $0.openConnections == 0 } }
        }
    }

    @Test("Close messages: CloseWithReconnect, CloseWithError; server close and drop")
    func closing() async throws {
        try await withTestServer { server in
            let url = await server.url(for: "/hubs/test")
            try await withWebSocket(url) { socket in
                try await socket.handshakeJSON()
                try await socket.send(#"{"type":1,"invocationId":"1","target":"CloseWithReconnect","arguments":[]}"# + rs)
                #expect(try await socket.nextText() == #"{"type":7,"allowReconnect":true}"# + rs)
                #expect(try await socket.next() == nil)
            }
            try await withWebSocket(url) { socket in
                try await socket.handshakeJSON()
                try await socket.send(#"{"type":1,"invocationId":"1","target":"CloseWithError","arguments":["bye"]}"# + rs)
                #expect(try await socket.nextText() == #"{"type":7,"error":"bye"}"# + rs)
            }
            try await withWebSocket(url) { socket in
                try await socket.handshakeJSON()
                try await socket.send(#"{"type":1,"invocationId":"1","target":"GetConnectionId","arguments":[]}"# + rs)
                let id = try #require(try await socket.nextRecord()?["result"] as? String)
                #expect(await server.drop(connectionId: id))
                do {
                    let next = try await socket.next()
                    #expect(next == nil)
                } catch {
                    // An abrupt TCP close may surface as an error: that is the point.
                }
            }
            try await withTimeout(.seconds(5), "the connection to end") { await server.waitForCounters { $0.openConnections == 0 } }
        }
    }
}
