import Foundation
import Logging
import SignalRProtocol
import SignalRServer
import SignalRTestSupport
import Testing
@testable import SignalRClient

/// Raw transport tests against the in-repo hub: negotiate by hand, connect a transport to
/// `{hub}?id=<token>`, and speak the hub protocol bytes directly.
enum TransportTest {
    static let handshake = Array("{\"protocol\":\"json\",\"version\":1}\u{1E}".utf8)
    static let messagePackHandshake = Array("{\"protocol\":\"messagepack\",\"version\":1}\u{1E}".utf8)

    /// A JSON invocation of the test hub's `Add`.
    static func add(_ a: Int, _ b: Int, id: String) -> [UInt8] {
        Array("{\"type\":1,\"invocationId\":\"\(id)\",\"target\":\"Add\",\"arguments\":[\(a),\(b)]}\u{1E}".utf8)
    }

    /// The negotiated ids of a new connection.
    struct Negotiated: Sendable {
        var connectionId: String
        var connectionToken: String
        var transportURL: String
    }

    /// `POST {hub}/negotiate?negotiateVersion=1` with AsyncHTTPClient.
    static func negotiate(_ hubURL: String) async throws -> Negotiated {
        let requester = AsyncHTTPClientRequester(logger: Logger(label: "test"))
        let result = try await requester.post(
            url: hubURL + "/negotiate?negotiateVersion=1", headers: [:], timeout: .seconds(10)
        )
        #expect(result.statusCode == 200)
        let response = try NegotiateResponse.parse(result.body)
        let connectionId = try #require(response.connectionId)
        let token = try #require(response.connectionToken)
        return Negotiated(connectionId: connectionId, connectionToken: token, transportURL: hubURL + "?id=" + token)
    }

    static func request(_ url: String, _ format: TransferFormat = .text, headers: [String: String] = [:]) -> TransportRequest {
        TransportRequest(url: url, transferFormat: format, headers: headers)
    }
}

/// Reads the records (JSON texts ending in 0x1E) from a transport's frames, whatever the
/// framing: several records per frame, or one record over several frames. Every wait is bounded.
actor RecordReader {
    private let frames: AsyncThrowingStream<[UInt8], any Error>
    private var buffer: [UInt8] = []

    init(_ frames: AsyncThrowingStream<[UInt8], any Error>) {
        self.frames = frames
    }

    /// The next record without its 0x1E; nil when the frames ended cleanly.
    /// - Throws: the error the frames ended with, or ``TimeoutError`` after `limit`.
    func next(within limit: Duration = .seconds(10)) async throws -> String? {
        while true {
            if let end = buffer.firstIndex(of: 0x1E) {
                let record = String(decoding: buffer[..<end], as: UTF8.self)
                buffer.removeSubrange(...end)
                return record
            }
            guard let frame = try await nextFrame(within: limit) else { return nil }
            buffer += frame
        }
    }

    /// The next raw frame; nil when the frames ended cleanly.
    func nextFrame(within limit: Duration = .seconds(10)) async throws -> [UInt8]? {
        // An iterator is a reference to the stream's storage: each one reads where the last stopped.
        let frames = self.frames
        return try await withTimeout(limit, "a frame") {
            var iterator = frames.makeAsyncIterator()
            return try await iterator.next()
        }
    }

    /// Reads records until one contains `text`, returning it; fails at the end of the frames.
    func record(containing text: String, within limit: Duration = .seconds(10)) async throws -> String {
        while true {
            guard let record = try await next(within: limit) else {
                throw TimeoutError(what: "a record containing \(text) (frames ended)", limit: limit)
            }
            if record.contains(text) { return record }
        }
    }

    /// Reads to the end of the frames, returning the error they ended with (nil: a clean end).
    func drain(within limit: Duration = .seconds(10)) async -> (any Error)? {
        do {
            while try await next(within: limit) != nil {}
            return nil
        } catch {
            return error
        }
    }
}
