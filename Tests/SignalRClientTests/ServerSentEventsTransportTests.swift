import Logging
import NIOHTTP1
import SignalRProtocol
import Testing
@testable import SignalRClient

@Suite("ServerSentEventsTransport", .timeLimit(.minutes(1)))
struct ServerSentEventsTransportTests {
    let http = FakeHTTPTransportClient()

    private var transport: ServerSentEventsTransport {
        ServerSentEventsTransport(requestTimeout: .seconds(7), logger: Logger(label: "test"), client: http)
    }

    /// Connects, answering the GET with 200 `text/event-stream`; returns the connection and the GET.
    private func connect() async throws -> (any TransportConnection, FakeHTTPTransportClient.Exchange) {
        let transport = self.transport
        let connection = Task { try await transport.connect(.test()) }
        let get = try await http.next()
        get.respond(200, ":\r\n", contentType: "text/event-stream")
        return (try await connection.value, get)
    }

    @Test("the binary transfer format is refused with the official text")
    func binaryRefused() async throws {
        let error = await #expect(throws: SignalRError.self) { try await transport.connect(.test(.binary)) }
        #expect(error?.message == "The Server-Sent Events transport only supports the 'Text' transfer format")
        #expect(error?.code == .transportFailed)
        #expect(http.methods.isEmpty)
    }

    @Test("GET {url} with Accept: text/event-stream, the user's headers and no timeout")
    func getRequest() async throws {
        let (connection, get) = try await connect()
        #expect(get.method == .GET)
        #expect(get.url == "http://h/hub?id=abc")
        #expect(get.request.header("Accept") == "text/event-stream")
        #expect(get.request.header("Authorization") == "Bearer secret")
        #expect(get.request.header("X-User") == "1")
        #expect(get.request.timeout == nil)
        #expect(!connection.hasInherentKeepAlive)
        await connection.close()
    }

    @Test("a non-2xx answer fails connect with the status code", arguments: [404, 400, 409])
    func notOK(_ status: Int) async throws {
        let transport = self.transport
        let connection = Task { try await transport.connect(.test()) }
        try await http.next().respond(status, "No Connection with that ID", contentType: "text/plain")
        let error = await #expect(throws: SignalRError.self) { try await connection.value }
        #expect(error?.statusCode == status)
        #expect(error?.message == "\(HTTPResponseStatus(statusCode: status).reasonPhrase): Status code '\(status)'")
    }

    @Test("a 200 that is not an event stream fails connect")
    func notAnEventStream() async throws {
        let transport = self.transport
        let connection = Task { try await transport.connect(.test()) }
        try await http.next().respond(200, "<html>", contentType: "text/html")
        let error = await #expect(throws: SignalRError.self) { try await connection.value }
        #expect(error?.code == .transportFailed)
    }

    @Test("events split across reads become frames; the stream ending ends frames without error")
    func eventsToFrames() async throws {
        let (connection, get) = try await connect()
        let frames = Task { try await collectFrames(connection.frames) }
        get.chunk("data: {}\u{1E}\r")
        get.chunk("\n\r\ndata: {\"type\":6}\u{1E}\r\n\r\ndata: {\"type\":1,")
        get.chunk("\"target\":\"a\",\"arguments\":[]}\u{1E}\r\n\r\n")
        get.chunk("data:\r\n\r\n")  // empty event: nothing to deliver
        get.end()
        let (texts, error) = try await frames.value
        #expect(texts == ["{}\u{1E}", "{\"type\":6}\u{1E}", "{\"type\":1,\"target\":\"a\",\"arguments\":[]}\u{1E}"])
        #expect(error == nil)
        await connection.close()
        #expect(http.methods == [.GET])
    }

    @Test("a failed stream ends frames with the error")
    func streamFails() async throws {
        struct Broken: Error {}
        let (connection, get) = try await connect()
        get.chunk("data: a\n\n")
        get.fail(Broken())
        let (texts, error) = try await collectFrames(connection.frames)
        #expect(texts == ["a"])
        let signalRError = try #require(error as? SignalRError)
        #expect(signalRError.underlyingError is Broken)
        await connection.close()
    }

    @Test("close cancels the GET and sends nothing else; frames end without error")
    func close() async throws {
        let (connection, _) = try await connect()
        await connection.close()
        let (_, error) = try await collectFrames(connection.frames)
        #expect(error == nil)
        #expect(http.methods == [.GET])
        let sendError = await #expect(throws: SignalRError.self) { try await connection.send(Array("x".utf8)) }
        #expect(sendError?.message == "Cannot send until the transport is connected")
        await connection.close()
    }

    @Test("send: POST {url} with the payload as text/plain; a non-2xx answer throws")
    func send() async throws {
        let (connection, _) = try await connect()
        let sent = Task { try await connection.send(Array("{\"type\":6}\u{1E}".utf8)) }
        let post = try await http.next()
        #expect(post.method == .POST)
        #expect(post.url == "http://h/hub?id=abc")
        #expect(post.bodyText == "{\"type\":6}\u{1E}")
        #expect(post.request.header("Content-Type") == "text/plain;charset=UTF-8")
        #expect(post.request.header("Authorization") == "Bearer secret")
        #expect(post.request.timeout == .seconds(7))
        post.respond(200)
        try await sent.value
        let failed = Task { try await connection.send(Array("x".utf8)) }
        try await http.next().respond(404)
        let error = await #expect(throws: SignalRError.self) { try await failed.value }
        #expect(error?.statusCode == 404)
        await connection.close()
    }

    @Test("sends made while a POST is in flight wait for it, then go one per POST, in order (the hub connection joins them)")
    func sendsQueueInOrder() async throws {
        let (connection, _) = try await connect()
        let sse = try #require(connection as? ServerSentEventsConnection)
        let first = Task { try await connection.send(Array("1".utf8)) }
        let post1 = try await http.next()
        let second = Task { try await connection.send(Array("2".utf8)) }
        try await waitUntil { sse.sendQueue.queuedCount == 1 }
        let third = Task { try await connection.send(Array("3".utf8)) }
        try await waitUntil { sse.sendQueue.queuedCount == 2 }
        post1.respond(200)
        try await first.value
        let post2 = try await http.next()
        #expect(post2.bodyText == "2")
        #expect(sse.sendQueue.queuedCount == 1)
        post2.respond(200)
        try await second.value
        let post3 = try await http.next()
        #expect(post3.bodyText == "3")
        post3.respond(200)
        try await third.value
        await connection.close()
    }
}
