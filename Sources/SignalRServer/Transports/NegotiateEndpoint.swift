import HTTPTypes
import Hummingbird
import SignalRProtocol

/// `POST {hub}/negotiate`: creates a connection and lists the transports (negotiate versions 0 and 1).
enum NegotiateEndpoint {
    /// The highest negotiate version this server speaks.
    static let protocolVersion = 1

    static func respond(to request: Request, endpoint: HubEndpoint) async -> Response {
        await endpoint.counters.update { $0.negotiateRequests += 1 }
        if let fault = await endpoint.hooks.negotiateOverride() {
            return faultResponse(fault)
        }
        let transportRequest = HTTPHelpers.transportRequest(headers: request.headers, uri: request.uri)
        var version = 0
        if let requested = HTTPHelpers.queryValue("negotiateVersion", in: transportRequest.query) {
            guard let parsed = Int(requested) else {
                return errorBody("The client requested a non-integer protocol version.")
            }
            guard parsed >= 0 else {
                return errorBody("The client requested version '\(parsed)', but the server does not support this version.")
            }
            version = min(parsed, protocolVersion)
        }
        let configuration = endpoint.configuration
        let stateful = configuration.allowStatefulReconnects
            && HTTPHelpers.queryValue("useStatefulReconnect", in: transportRequest.query)?.lowercased() == "true"
        let disabled = await endpoint.hooks.disabledTransports()
        let transports = TransportKind.allCases.filter { configuration.transports.contains($0) && !disabled.contains($0) }
        guard let connection = await endpoint.createConnection(negotiateVersion: version, statefulReconnect: stateful) else {
            return HTTPHelpers.text(.serviceUnavailable, "The server is stopping.")
        }
        return HTTPHelpers.json(
            body(version: version, connection: connection, stateful: stateful, transports: transports))
    }

    /// The JSON body, fields in ASP.NET Core's order.
    static func body(version: Int, connection: ServerConnection, stateful: Bool, transports: [TransportKind]) -> [UInt8] {
        var json: [UInt8] = Array("{".utf8)
        if stateful { json += Array(#""useStatefulReconnect":true,"#.utf8) }
        json += Array(#""negotiateVersion":\#(version),"connectionId":"#.utf8)
        HTTPHelpers.writeJSONString(connection.id, into: &json)
        if version > 0 {
            json += Array(#","connectionToken":"#.utf8)
            HTTPHelpers.writeJSONString(connection.token, into: &json)
        }
        json += Array(#","availableTransports":["#.utf8)
        for (index, transport) in transports.enumerated() {
            if index > 0 { json.append(UInt8(ascii: ",")) }
            json += Array(#"{"transport":"#.utf8)
            HTTPHelpers.writeJSONString(transport.rawValue, into: &json)
            json += Array(#","transferFormats":["#.utf8)
            json += Array(transport.transferFormats.map { "\"\($0.rawValue)\"" }.joined(separator: ",").utf8)
            json += Array("]}".utf8)
        }
        json += Array("]}".utf8)
        return json
    }

    private static func errorBody(_ text: String) -> Response {
        var json: [UInt8] = Array(#"{"error":"#.utf8)
        HTTPHelpers.writeJSONString(text, into: &json)
        json.append(UInt8(ascii: "}"))
        return HTTPHelpers.json(json)
    }

    private static func faultResponse(_ fault: NegotiateOverride) -> Response {
        switch fault {
        case .status(let code):
            return Response(status: HTTPResponse.Status(code: code))
        case .error(let text):
            return errorBody(text)
        case .redirect(let url, let accessToken):
            var json: [UInt8] = Array(#"{"url":"#.utf8)
            HTTPHelpers.writeJSONString(url, into: &json)
            if let accessToken {
                json += Array(#","accessToken":"#.utf8)
                HTTPHelpers.writeJSONString(accessToken, into: &json)
            }
            json.append(UInt8(ascii: "}"))
            return HTTPHelpers.json(json)
        }
    }
}
