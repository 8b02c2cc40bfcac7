import HTTPTypes
import Hummingbird
import NIOCore

/// The Long Polling transport: `GET` polls, `DELETE` ends the connection.
enum LongPollingTransport {
    /// Answers one poll: at once (empty 200) the first time, else when messages are queued,
    /// the poll timeout passes (empty 200) or the connection ends (204).
    static func poll(connection: ServerConnection, request: TransportRequest, timeout: Duration) async -> Response {
        let headers = HTTPHelpers.noCacheHeaders
        switch await connection.poll(request: request, timeout: timeout) {
        case .messages(let body):
            var headers = headers
            headers[.contentType] = "application/octet-stream"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
        case .noContent:
            return Response(status: .noContent, headers: headers)
        case .notFound:
            return HTTPHelpers.text(.notFound, "No Connection with that ID", headers: headers)
        case .conflict(let result):
            if result == .wrongTransport {
                return HTTPHelpers.text(.badRequest, "Cannot change transports mid-connection", headers: headers)
            }
            return HTTPHelpers.text(.conflict, headers: headers)
        }
    }

    /// `DELETE {hub}?id=…`: ends a Long Polling connection (202).
    static func delete(connection: ServerConnection) async -> Response {
        guard await connection.currentTransport() == .longPolling else {
            return HTTPHelpers.text(.badRequest, "Cannot terminate this connection using the DELETE endpoint.")
        }
        await connection.deleteRequested()
        return HTTPHelpers.text(.accepted)
    }
}
