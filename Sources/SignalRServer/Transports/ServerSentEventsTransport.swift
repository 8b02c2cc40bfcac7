import HTTPTypes
import Hummingbird
import NIOCore

/// The Server-Sent Events transport: `GET {hub}?id=…` with `Accept: text/event-stream`.
enum ServerSentEventsTransport {
    /// Opens the event stream for `connection`; each outgoing message is one event.
    static func respond(connection: ServerConnection, request: TransportRequest) async -> Response {
        switch await connection.attach(.serverSentEvents, request: request, abort: nil) {
        case .notFound:
            return HTTPHelpers.text(.notFound, "No Connection with that ID")
        case .conflict:
            return HTTPHelpers.text(.conflict)
        case .wrongTransport:
            return HTTPHelpers.text(.badRequest, "Cannot change transports mid-connection")
        case .attached(let session):
            var headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache,no-store"]
            if let pragma = HTTPField.Name("Pragma") { headers[pragma] = "no-cache" }
            headers[.contentEncoding] = "identity"
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                do {
                    try await stream(connection: connection, session: session, writer: &writer)
                } catch {
                    await connection.detach(session: session)
                    throw error
                }
                await connection.detach(session: session)
                try await writer.finish(nil)
            })
        }
    }

    private static func stream(
        connection: ServerConnection, session: Int, writer: inout any ResponseBodyWriter
    ) async throws {
        // ASP.NET Core starts with a comment so that browsers fire `open` at once.
        try await writer.write(ByteBuffer(string: ":\r\n"))
        while true {
            switch await connection.nextFrames(session: session, timeout: nil) {
            case .frames(let frames):
                var event: [UInt8] = []
                for frame in frames { format(frame.bytes, into: &event) }
                try await writer.write(ByteBuffer(bytes: event))
            case .timedOut:
                continue
            case .ended(let abrupt):
                if abrupt { throw CancellationError() }
                return
            }
        }
    }

    /// One event: a `data: ` line per line of the payload, then an empty line.
    static func format(_ payload: [UInt8], into event: inout [UInt8]) {
        var lineStart = payload.startIndex
        var index = payload.startIndex
        func emitLine(_ end: Int) {
            var line = payload[lineStart..<end]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            event += Array("data: ".utf8)
            event += line
            event += [UInt8(ascii: "\r"), UInt8(ascii: "\n")]
        }
        while index < payload.endIndex {
            if payload[index] == UInt8(ascii: "\n") {
                emitLine(index)
                lineStart = index + 1
            }
            index += 1
        }
        emitLine(payload.endIndex)
        event += [UInt8(ascii: "\r"), UInt8(ascii: "\n")]
    }
}
