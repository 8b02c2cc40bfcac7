import Foundation
import HTTPTypes
import NIOHTTP1
import SignalRServer
import SignalRTestSupport
import Testing

@Suite("WebSockets with JSON")
struct WebSocketJSONTests {
    @Test("handshake then Add: exact response bytes")
    func addExactBytes() async throws {
        try await withTestServer { server in
            let token = try #require(try await negotiate(server)["connectionToken"] as? String)
            try await withWebSocket(await server.url(for: "/hubs/test") + "?id=\(token)") { socket in
                try await socket.handshakeJSON()
                try await socket.send(#"{"type":1,"invocationId":"1","target":"Add","arguments":[1,2]}"# + rs)
                #expect(try await socket.nextText() == #"{"type":3,"invocationId":"1","result":3}"# + rs)
                try await socket.send(#"{"type":7}"# + rs)
            }
        }
    }

    @Test("a handshake and a Close in one frame: the connection is counted as handshaken, then ends")
    func handshakeAndCloseInOneFrame() async throws {
        try await withTestServer { server in
            try await withWebSocket(await server.url(for: "/hubs/test")) { socket in
                // Every message before the Close is handled: the OnConnected work queued by the
                // handshake runs although the Close ends the connection in the same turn.
                try await socket.send(#"{"protocol":"json","version":1}"# + rs + #"{"type":7}"# + rs)
                try await withTimeout(.seconds(10), "the connection to be counted and to end") {
                    await server.waitForCounters { $0.handshakesCompleted == 1 && $0.openConnections == 0 }
                }
            }
        }
    }

    @Test("invocations received before a Close all run, as ASP.NET Core handles every message it read")
    func invocationsBeforeCloseRun() async throws {
        try await withTestServer { server in
            let url = await server.url(for: "/hubs/test")
            try await withWebSocket(url) { socket in
                // The Delay keeps the Echoes queued behind it when the Close arrives.
                let echo = #"{"type":1,"target":"Echo","arguments":["x"]}"# + rs
                let frame = #"{"protocol":"json","version":1}"# + rs
                    + #"{"type":1,"target":"Delay","arguments":[50]}"# + rs
                    + String(repeating: echo, count: 20) + #"{"type":7}"# + rs
                try await socket.send(frame)
                try await withTimeout(.seconds(10), "the connection to end") {
                    await server.waitForCounters { $0.handshakesCompleted == 1 && $0.openConnections == 0 }
                }
            }
            try await withWebSocket(url) { socket in
                try await socket.handshakeJSON()
                try await socket.send(#"{"type":1,"invocationId":"1","target":"EchoCalls","arguments":[]}"# + rs)
                #expect(try await socket.nextText() == #"{"type":3,"invocationId":"1","result":20}"# + rs)
            }
        }
    }

    @Test("a WebSocket without id creates a connection (skipNegotiation)")
    func skipNegotiation() async throws {
        try await withTestServer { server in
            try await withWebSocket(await server.url(for: "/hubs/test")) { socket in
                try await socket.handshakeJSON()
                try await socket.send(#"{"type":1,"invocationId":"0","target":"echo","arguments":["hi"]}"# + rs)
                #expect(try await socket.nextText() == #"{"type":3,"invocationId":"0","result":"hi"}"# + rs)
                try await socket.send(#"{"type":1,"invocationId":"1","target":"GetTransport","arguments":[]}"# + rs)
                #expect(try await socket.nextRecord()?["result"] as? String == "WebSockets")
            }
            #expect(await server.counters.connectionsCreated == 1)
        }
    }

    @Test("an unknown protocol gets ASP.NET Core's handshake error and the socket closes")
    func unknownProtocol() async throws {
        try await withTestServer { server in
            try await withWebSocket(await server.url(for: "/hubs/test")) { socket in
                try await socket.send(#"{"protocol":"xyz","version":1}"# + rs)
                #expect(try await socket.nextText() == #"{"error":"The protocol 'xyz' is not supported."}"# + rs)
                #expect(try await socket.next() == nil)
            }
        }
    }

    @Test("error texts: unknown method, argument count, argument type, hub error, other error, void")
    func errorTexts() async throws {
        try await withTestServer { server in
            try await withWebSocket(await server.url(for: "/hubs/test")) { socket in
                try await socket.handshakeJSON()
                let cases: [(String, String)] = [
                    (#""target":"Missing","arguments":[]"#,
                     #""error":"Failed to invoke 'Missing' due to an error on the server. HubException: Method does not exist.""#),
                    (#""target":"Add","arguments":[1]"#,
                     #""error":"Failed to invoke 'Add' due to an error on the server.""#),
                    (#""target":"Add","arguments":["a",2]"#,
                     #""error":"Failed to invoke 'Add' due to an error on the server.""#),
                    (#""target":"Throw","arguments":["boom"]"#,
                     #""error":"An unexpected error occurred invoking 'Throw' on the server. HubException: boom""#),
                    (#""target":"ThrowUnexpected","arguments":[]"#,
                     #""error":"An unexpected error occurred invoking 'ThrowUnexpected' on the server.""#),
                    (#""target":"Void","arguments":[]"#, #""result":null"#),
                    (#""target":"Counter","arguments":[1,1]"#,
                     #""error":"The client attempted to invoke the streaming 'Counter' method with a non-streaming invocation.""#),
                ]
                for (index, (call, answer)) in cases.enumerated() {
                    try await socket.send(#"{"type":1,"invocationId":"\#(index)",\#(call)}"# + rs)
                    #expect(try await socket.nextText() == #"{"type":3,"invocationId":"\#(index)",\#(answer)}"# + rs)
                }
            }
        }
    }

    @Test("detailed errors add the exception text, as EnableDetailedErrors does")
    func detailedErrors() async throws {
        var configuration = HubServerConfiguration()
        configuration.enableDetailedErrors = true
        try await withTestServer(configuration: configuration) { server in
            try await withWebSocket(await server.url(for: "/hubs/test")) { socket in
                try await socket.handshakeJSON()
                try await socket.send(#"{"type":1,"invocationId":"1","target":"Add","arguments":[1]}"# + rs)
                let expected = "Failed to invoke 'Add' due to an error on the server. "
                    + "InvalidDataException: Invocation provides 1 argument(s) but target expects 2."
                #expect(try await socket.nextRecord()?["error"] as? String == expected)
            }
        }
    }

    @Test("SendMessage reaches every client as ReceiveMessage; groups")
    func broadcastAndGroups() async throws {
        try await withTestServer { server in
            let url = await server.url(for: "/hubs/test")
            try await withWebSocket(url) { first in
                try await first.handshakeJSON()
                try await first.send(#"{"type":1,"invocationId":"1","target":"JoinGroup","arguments":["g"]}"# + rs)
                #expect(try await first.nextRecord()?["type"] as? Int == 3)
                try await withWebSocket(url) { second in
                    try await second.handshakeJSON()
                    try await second.send(#"{"type":1,"target":"SendMessage","arguments":["ana","hi"]}"# + rs)
                    for socket in [first, second] {
                        let message = try #require(try await socket.nextRecord())
                        #expect(message["target"] as? String == "ReceiveMessage")
                        #expect(message["arguments"] as? [String] == ["ana", "hi"])
                        #expect(message["invocationId"] == nil)
                    }
                    try await second.send(#"{"type":1,"invocationId":"2","target":"SendToGroup","arguments":["g","m"]}"# + rs)
                    #expect(try await second.nextRecord()?["type"] as? Int == 3)
                    let group = try #require(try await first.nextRecord())
                    #expect(group["target"] as? String == "ReceiveGroupMessage")
                    #expect(group["arguments"] as? [String] == ["g", "m"])
                }
            }
        }
    }

    @Test("headers, query and access token reach the hub")
    func connectionInfo() async throws {
        try await withTestServer { server in
            let url = await server.url(for: "/hubs/test") + "?access_token=tok&flavor=mint"
            try await withWebSocket(url, headers: [.init("X-Test")!: "yes"]) { socket in
                try await socket.handshakeJSON()
                let calls = [
                    (#""GetHeader","arguments":["x-test"]"#, "yes"),
                    (#""GetQuery","arguments":["flavor"]"#, "mint"),
                    (#""GetAccessToken","arguments":[]"#, "tok"),
                ]
                for (index, (call, expected)) in calls.enumerated() {
                    try await socket.send(#"{"type":1,"invocationId":"\#(index)","target":\#(call)}"# + rs)
                    #expect(try await socket.nextRecord()?["result"] as? String == expected)
                }
            }
        }
    }
}
