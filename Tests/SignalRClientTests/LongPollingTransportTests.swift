import Foundation
import Logging
import NIOHTTP1
import SignalRProtocol
import SignalRTestSupport
import Testing
@testable import SignalRClient

@Suite("LongPollingTransport", .timeLimit(.minutes(1)))
struct LongPollingTransportTests {
    let http = FakeHTTPTransportClient()

    private func transport(pollTimeout: Duration = .seconds(100)) -> LongPollingTransport {
        LongPollingTransport(
            pollTimeout: pollTimeout, requestTimeout: .seconds(7), logger: Logger(label: "test"), client: http
        )
    }

    /// Connects, answering the first poll with an empty 200.
    private func connect(_ format: TransferFormat = .text) async throws -> any TransportConnection {
        async let connection = transport().connect(.test(format))
        try await http.next().respond(200)
        return try await connection
    }

    /// Closes `connection`, answering the poll in flight by cancellation and the DELETE with `deleteStatus`.
    private func close(_ connection: any TransportConnection, deleteStatus: Int = 202) async throws -> HTTPTransportRequest {
        async let closed: Void = connection.close()
        let delete = try await http.next()
        delete.respond(deleteStatus)
        await closed
        return delete.request
    }

    @Test("the first poll: GET {url}&_=<ms> with the user's headers and the poll timeout")
    func firstPoll() async throws {
        let before = Int64(Date().timeIntervalSince1970 * 1000)
        async let connection = LongPollingTransport(
            pollTimeout: .seconds(42), requestTimeout: .seconds(1), logger: Logger(label: "t"), client: http)
            .connect(.test())
        let poll = try await http.next()
        poll.respond(200)
        let connected = try await connection
        #expect(poll.method == .GET)
        #expect(poll.url.hasPrefix("http://h/hub?id=abc&_="))
        let stamp = try #require(Int64(poll.url.dropFirst("http://h/hub?id=abc&_=".count)))
        #expect(stamp >= before && stamp <= Int64(Date().timeIntervalSince1970 * 1000))
        #expect(poll.request.header("Authorization") == "Bearer secret")
        #expect(poll.request.header("X-User") == "1")
        #expect(poll.request.timeout == .seconds(42))
        #expect(connected.hasInherentKeepAlive)
        _ = try await http.next()  // the loop's next poll
        _ = try await close(connected)
    }

    @Test("a first poll that is not 200 fails connect with the official HttpError text", arguments: [404, 204, 500])
    func firstPollFails(_ status: Int) async throws {
        let transport = transport()
        let connection = Task { try await transport.connect(.test()) }
        try await http.next().respond(status)
        let error = try await #require(throws: SignalRError.self) { try await connection.value }
        #expect(error.code == .transportFailed)
        #expect(error.statusCode == status)
        #expect(error.message == "\(HTTPResponseStatus(statusCode: status).reasonPhrase): Status code '\(status)'")
        #expect(http.methods == [.GET])  // nothing else: no loop, no DELETE
    }

    @Test("a first poll that fails or times out fails connect")
    func firstPollErrors() async throws {
        let transport = transport()
        let connection = Task { try await transport.connect(.test()) }
        try await http.next().fail(HTTPTransportTimeout())
        let error = try await #require(throws: SignalRError.self) { try await connection.value }
        #expect(error.message == "A timeout occurred.")
    }

    @Test("200 with a body delivers it; an empty 200 and a timeout poll again; 204 ends frames cleanly")
    func pollLoop() async throws {
        let connection = try await connect()
        let polls = Task { try await collectFrames(connection.frames) }
        try await http.next().respond(200, "{\"type\":6}\u{1E}{\"type\":1,\"target\":\"a\",\"arguments\":[]}\u{1E}")
        try await http.next().respond(200)
        try await http.next().fail(HTTPTransportTimeout())
        try await http.next().respond(200, "x\u{1E}")
        let last = try await http.next()
        #expect(last.method == .GET && last.url.contains("&_="))
        last.respond(204)
        let (texts, error) = try await polls.value
        #expect(texts == ["{\"type\":6}\u{1E}{\"type\":1,\"target\":\"a\",\"arguments\":[]}\u{1E}", "x\u{1E}"])
        #expect(error == nil)
        // The server ended it; close() still sends the DELETE, as the official client's stop().
        let delete = try await close(connection)
        #expect(delete.method == .DELETE)
        #expect(http.methods == [.GET, .GET, .GET, .GET, .GET, .GET, .DELETE])
        // Once only.
        await connection.close()
        #expect(http.methods.count == 7)
    }

    @Test("a 404 while polling ends frames with the official HttpError text")
    func notFoundWhilePolling() async throws {
        let connection = try await connect()
        try await http.next().respond(404, "No Connection with that ID")
        let (texts, error) = try await collectFrames(connection.frames)
        #expect(texts.isEmpty)
        let signalRError = try #require(error as? SignalRError)
        #expect(signalRError.message == "Not Found: Status code '404'")
        #expect(signalRError.statusCode == 404)
        _ = try await close(connection, deleteStatus: 404)
        await #expect(throws: SignalRError.self) { try await connection.send([1]) }
    }

    @Test("a failed poll ends frames with the error")
    func failedPoll() async throws {
        struct Broken: Error {}
        let connection = try await connect()
        try await http.next().fail(Broken())
        let (_, error) = try await collectFrames(connection.frames)
        let signalRError = try #require(error as? SignalRError)
        #expect(signalRError.code == .transportFailed)
        #expect(signalRError.underlyingError is Broken)
        _ = try await close(connection)
    }

    @Test("close cancels the poll, then sends DELETE, then frames end without error")
    func closeSendsDelete() async throws {
        let connection = try await connect()
        let poll = try await http.next()
        let delete = try await close(connection)
        #expect(poll.method == .GET)
        #expect(delete.method == .DELETE)
        #expect(delete.url == "http://h/hub?id=abc")
        #expect(delete.header("Authorization") == "Bearer secret")
        let (_, error) = try await collectFrames(connection.frames)
        #expect(error == nil)
        let sendError = await #expect(throws: SignalRError.self) { try await connection.send(Array("x".utf8)) }
        #expect(sendError?.message == "Cannot send until the transport is connected")
        await connection.close()  // again: nothing more
        #expect(http.methods == [.GET, .GET, .DELETE])
    }

    @Test("a DELETE answered 404 or failing is ignored")
    func deleteFailureIgnored() async throws {
        let connection = try await connect()
        _ = try await http.next()
        _ = try await close(connection, deleteStatus: 404)
        let (_, error) = try await collectFrames(connection.frames)
        #expect(error == nil)
    }

    @Test("send: POST {url} with the payload and the content type of the transfer format",
          arguments: [(TransferFormat.text, "text/plain;charset=UTF-8"), (.binary, "application/octet-stream")])
    func send(_ format: TransferFormat, _ contentType: String) async throws {
        let connection = try await connect(format)
        _ = try await http.next()  // the poll in flight
        async let sent: Void = connection.send([0x01, 0x91, 0x06])
        let post = try await http.next()
        #expect(post.method == .POST)
        #expect(post.url == "http://h/hub?id=abc")
        #expect(post.request.body == [0x01, 0x91, 0x06])
        #expect(post.request.header("Content-Type") == contentType)
        #expect(post.request.header("Authorization") == "Bearer secret")
        #expect(post.request.timeout == .seconds(7))
        post.respond(200)
        try await sent
        _ = try await close(connection)
    }

    @Test("a send answered with a non-2xx status throws, and later sends still go out")
    func sendFailure() async throws {
        let connection = try await connect()
        _ = try await http.next()
        let failed = Task { try await connection.send(Array("a".utf8)) }
        try await http.next().respond(409)
        let error = await #expect(throws: SignalRError.self) { try await failed.value }
        #expect(error?.statusCode == 409)
        #expect(error?.message == "Conflict: Status code '409'")
        async let sent: Void = connection.send(Array("b".utf8))
        try await http.next().respond(200)
        try await sent
        _ = try await close(connection)
    }

    @Test("sends made while a POST is in flight wait for it, then go one per POST, in order (the hub connection joins them)")
    func sendsQueueInOrder() async throws {
        let connection = try await connect()
        _ = try await http.next()
        let transportConnection = try #require(connection as? LongPollingConnection)
        let first = Task { try await connection.send(Array("1\u{1E}".utf8)) }
        let post1 = try await http.next()
        let second = Task { try await connection.send(Array("2\u{1E}".utf8)) }
        try await waitUntil { transportConnection.sendQueue.queuedCount == 1 }
        let third = Task { try await connection.send(Array("3\u{1E}".utf8)) }
        try await waitUntil { transportConnection.sendQueue.queuedCount == 2 }
        #expect(post1.bodyText == "1\u{1E}")
        post1.respond(200)
        try await first.value
        let post2 = try await http.next()
        #expect(post2.bodyText == "2\u{1E}")
        #expect(transportConnection.sendQueue.queuedCount == 1)
        post2.respond(200)
        try await second.value
        let post3 = try await http.next()
        #expect(post3.bodyText == "3\u{1E}")
        post3.respond(200)
        try await third.value
        #expect(http.methods.filter { $0 == .POST }.count == 3)
        _ = try await close(connection)
    }

    @Test("close fails sends still queued and cancels the POST in flight")
    func closeFailsQueuedSends() async throws {
        let connection = try await connect()
        _ = try await http.next()
        let transportConnection = try #require(connection as? LongPollingConnection)
        let first = Task { try await connection.send(Array("1".utf8)) }
        _ = try await http.next()
        let second = Task { try await connection.send(Array("2".utf8)) }
        try await waitUntil { transportConnection.sendQueue.queuedCount == 1 }
        _ = try await close(connection)
        await #expect(throws: (any Error).self) { try await first.value }
        let error = await #expect(throws: SignalRError.self) { try await second.value }
        #expect(error?.message == "Cannot send until the transport is connected")
    }

    @Test("a cancelled send still queued is not sent")
    func cancelledQueuedSend() async throws {
        let queue = HTTPSendQueue()
        let sent = Task { try await queue.send([1]) }
        try await waitUntil { queue.queuedCount == 1 }
        sent.cancel()
        await #expect(throws: CancellationError.self) { try await sent.value }
        #expect(queue.queuedCount == 0)
        queue.close(.httpTransportNotConnected)
        #expect(await queue.nextRequest() == nil)
    }

    @Test("logs never hold the Authorization value; payloads appear only at trace")
    func logging() async throws {
        for level in [Logger.Level.trace, .debug] {
            let capture = LogCapture()
            let transport = LongPollingTransport(
                pollTimeout: .seconds(5), requestTimeout: .seconds(5), logger: capture.logger(level: level), client: http)
            let connecting = Task { try await transport.connect(.test()) }
            try await http.next().respond(200)
            let connection = try await connecting.value
            try await http.next().respond(200, "payload-from-server\u{1E}")
            let poll = try await http.next()  // the next poll, made before any send
            let sent = Task { try await connection.send(Array("payload-from-client\u{1E}".utf8)) }
            let post = try await http.next()
            #expect(post.method == .POST)
            post.respond(200)
            try await sent.value
            poll.respond(404)
            _ = try await collectFrames(connection.frames)
            _ = try await close(connection, deleteStatus: 404)
            let text = capture.all.map { $0.message + " " + $0.metadata }.joined(separator: "\n")
            #expect(!capture.all.isEmpty)
            #expect(!text.contains("secret"))
            let payloadRecords = capture.all.filter { ($0.message + $0.metadata).contains("payload-from-") }
            #expect(payloadRecords.allSatisfy { $0.level == .trace })
            #expect(payloadRecords.count == (level == .trace ? 2 : 0))
        }
    }

    @Test("the cache-busting parameter goes after the query, or starts one", arguments: [
        ("http://h/hub?id=1", "http://h/hub?id=1&_=5"),
        ("http://h/hub", "http://h/hub?_=5"),
        ("http://h/hub?", "http://h/hub?_=5"),
        ("http://h/hub?id=1&", "http://h/hub?id=1&_=5"),
        ("http://h/hub?id=1#frag", "http://h/hub?id=1&_=5#frag"),
    ])
    func cacheBusting(_ url: String, _ expected: String) {
        #expect(LongPollingSession.appendingQuery(url, "_=5") == expected)
    }
}

/// Waits (bounded, yielding) until `condition` holds: for states with no event to await.
func waitUntil(seconds: Double = 5, _ condition: @escaping @Sendable () -> Bool) async throws {
    try await withTimeout(.seconds(seconds)) {
        while !condition() {
            try await Task.sleep(for: .milliseconds(1))
        }
    }
}
