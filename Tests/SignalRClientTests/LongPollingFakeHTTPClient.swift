import Foundation
import NIOHTTP1
import SignalRProtocol
@testable import SignalRClient
import SignalRTestSupport

/// An ``HTTPTransportClient`` played by the test: each request shows up as an ``Exchange`` that
/// the test answers. Used by the Long Polling and Server-Sent Events transport tests.
final class FakeHTTPTransportClient: HTTPTransportClient {
    /// What the test sends back for one request.
    enum Answer: Sendable {
        /// A full response (for `execute`), or just the head (for `stream`).
        case response(HTTPTransportHead, [UInt8])
        /// A piece of a streamed body.
        case chunk([UInt8])
        /// The end of a streamed body.
        case end
        /// The request fails.
        case fail(any Error)
    }

    /// One request and the way to answer it.
    struct Exchange: Sendable {
        let request: HTTPTransportRequest
        let reply: AsyncStream<Answer>.Continuation

        func respond(_ status: Int, _ body: String = "", reason: String? = nil, contentType: String? = nil) {
            respond(status, Array(body.utf8), reason: reason, contentType: contentType)
        }

        func respond(_ status: Int, _ body: [UInt8], reason: String? = nil, contentType: String? = nil) {
            let head = HTTPTransportHead(
                status: status, reason: reason ?? HTTPResponseStatus(statusCode: status).reasonPhrase,
                contentType: contentType
            )
            reply.yield(.response(head, body))
        }

        func chunk(_ text: String) { reply.yield(.chunk(Array(text.utf8))) }
        func end() { reply.yield(.end) }
        func fail(_ error: any Error) { reply.yield(.fail(error)) }

        var method: HTTPMethod { request.method }
        var url: String { request.url }
        var bodyText: String { String(decoding: request.body ?? [], as: UTF8.self) }
    }

    private let exchangesContinuation: AsyncStream<Exchange>.Continuation
    private let exchanges: StreamReader<Exchange>
    /// Every request so far, in order.
    let requests = Locked<[HTTPTransportRequest]>([])

    init() {
        let (stream, continuation) = AsyncStream.makeStream(of: Exchange.self)
        exchangesContinuation = continuation
        exchanges = StreamReader(stream)
    }

    /// The next request the transport made (fails the test after `seconds`).
    func next(_ seconds: Double = 5) async throws -> Exchange {
        try await withTimeout(.seconds(seconds)) { [exchanges] in
            guard let exchange = await exchanges.next() else { throw TestTimeout() }
            return exchange
        }
    }

    var methods: [HTTPMethod] { requests.withLock { $0.map(\.method) } }

    private func open(_ request: HTTPTransportRequest) -> AsyncStream<Answer> {
        let (answers, reply) = AsyncStream.makeStream(of: Answer.self)
        requests.withLock { $0.append(request) }
        exchangesContinuation.yield(Exchange(request: request, reply: reply))
        return answers
    }

    func execute(_ request: HTTPTransportRequest) async throws -> HTTPTransportResponse {
        for await answer in open(request) {
            switch answer {
            case .response(let head, let body): return HTTPTransportResponse(head: head, body: body)
            case .fail(let error): throw error
            case .chunk, .end: fatalError("a streamed answer to a plain request")
            }
        }
        throw CancellationError()
    }

    func stream(
        _ request: HTTPTransportRequest,
        head: (HTTPTransportHead) throws -> Void,
        chunk: ([UInt8]) throws -> Void
    ) async throws {
        for await answer in open(request) {
            switch answer {
            case .response(let responseHead, let body):
                try head(responseHead)
                if !body.isEmpty { try chunk(body) }
            case .chunk(let bytes): try chunk(bytes)
            case .end: return
            case .fail(let error): throw error
            }
        }
        throw CancellationError()
    }
}

extension TransportRequest {
    /// A request to `http://h/hub?id=abc` with a user header and a token.
    static func test(_ format: TransferFormat = .text, url: String = "http://h/hub?id=abc") -> TransportRequest {
        TransportRequest(url: url, transferFormat: format, headers: ["Authorization": "Bearer secret", "X-User": "1"])
    }
}

/// Reads `frames` to the end: the payloads as text and the error it ended with.
func collectFrames(
    _ frames: AsyncThrowingStream<[UInt8], any Error>, seconds: Double = 5
) async throws -> (texts: [String], error: (any Error)?) {
    try await withTimeout(.seconds(seconds)) {
        var texts: [String] = []
        do {
            for try await frame in frames { texts.append(String(decoding: frame, as: UTF8.self)) }
            return (texts, nil)
        } catch {
            return (texts, error)
        }
    }
}
