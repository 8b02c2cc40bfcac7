import HTTPTypes
import Hummingbird
import NIOCore

/// Adds the HTTP endpoints of each hub to a router: negotiate, SSE and Long Polling GETs,
/// sends (POST) and Long Polling DELETE. WebSocket upgrades are handled before routing.
enum HubRoutes {
    static func add(_ endpoint: HubEndpoint, to router: Router<BasicRequestContext>) {
        let path = RouterPath(endpoint.path)
        router.post(RouterPath(endpoint.path + "/negotiate")) { request, _ in
            await NegotiateEndpoint.respond(to: request, endpoint: endpoint)
        }
        router.get(path) { request, _ in
            await get(request, endpoint: endpoint)
        }
        router.post(path) { request, _ in
            await send(request, endpoint: endpoint)
        }
        router.delete(path) { request, _ in
            let transportRequest = HTTPHelpers.transportRequest(headers: request.headers, uri: request.uri)
            switch await lookup(transportRequest, endpoint: endpoint) {
            case .failure(let response): return response
            case .success(let connection): return await LongPollingTransport.delete(connection: connection)
            }
        }
    }

    private enum Lookup {
        case success(ServerConnection)
        case failure(Response)
    }

    private static func lookup(_ request: TransportRequest, endpoint: HubEndpoint, headers: HTTPFields = [:]) async -> Lookup {
        guard let token = request.query["id"], !token.isEmpty else {
            return .failure(HTTPHelpers.text(.badRequest, "Connection ID required", headers: headers))
        }
        guard let connection = await endpoint.registry.connection(token: token) else {
            return .failure(HTTPHelpers.text(.notFound, "No Connection with that ID", headers: headers))
        }
        return .success(connection)
    }

    private static func get(_ request: Request, endpoint: HubEndpoint) async -> Response {
        let transportRequest = HTTPHelpers.transportRequest(headers: request.headers, uri: request.uri)
        let wantsEvents = request.headers[.accept]?.lowercased().contains("text/event-stream") == true
        let kind: TransportKind = wantsEvents ? .serverSentEvents : .longPolling
        let headers = wantsEvents ? HTTPFields() : HTTPHelpers.noCacheHeaders
        let connection: ServerConnection
        switch await lookup(transportRequest, endpoint: endpoint, headers: headers) {
        case .failure(let response): return response
        case .success(let found): connection = found
        }
        let disabled = await endpoint.hooks.disabledTransports()
        guard endpoint.configuration.transports.contains(kind), !disabled.contains(kind) else {
            return HTTPHelpers.text(.notFound, "\(kind.rawValue) transport not supported by this end point type", headers: headers)
        }
        await endpoint.counters.update { $0.transportRequests[kind, default: 0] += 1 }
        if wantsEvents {
            return await ServerSentEventsTransport.respond(connection: connection, request: transportRequest)
        }
        return await LongPollingTransport.poll(
            connection: connection, request: transportRequest, timeout: endpoint.configuration.longPollTimeout)
    }

    private static func send(_ request: Request, endpoint: HubEndpoint) async -> Response {
        let transportRequest = HTTPHelpers.transportRequest(headers: request.headers, uri: request.uri)
        let connection: ServerConnection
        switch await lookup(transportRequest, endpoint: endpoint) {
        case .failure(let response): return response
        case .success(let found): connection = found
        }
        if await connection.currentTransport() == .webSockets {
            return HTTPHelpers.text(.methodNotAllowed, "POST requests are not allowed for WebSocket connections.")
        }
        if await connection.awaitsFirstTransportRequest() {
            // Nothing reads the connection yet: the body waits whole for the first transport
            // request, within the message limit and 4 KiB, or is refused whole.
            var request = request
            let body: ByteBuffer
            do {
                body = try await request.collectBody(upTo: endpoint.configuration.maximumReceiveMessageSize + 4096)
            } catch {
                return HTTPHelpers.text(.contentTooLarge, "The request body is too large.")
            }
            guard await connection.receive(Array(body.readableBytesView)) else { return HTTPHelpers.text(.notFound) }
            return HTTPHelpers.text(.ok)
        }
        // The body goes to the connection as it arrives, as ASP.NET Core copies a POST into the
        // connection's pipe: the hub protocol limits each message (`maximumReceiveMessageSize`),
        // not the body, so a client that joins the messages queued behind a send into one POST
        // (as the official clients do) is not refused however many it joined.
        do {
            for try await chunk in request.body {
                guard await connection.receive(Array(chunk.readableBytesView)) else { return HTTPHelpers.text(.notFound) }
            }
        } catch {
            return HTTPHelpers.text(.badRequest, "The request body could not be read.")
        }
        return HTTPHelpers.text(.ok)
    }
}
