import SignalRProtocol

/// The body of a negotiate response (versions 0 and 1, redirects, errors).
struct NegotiateResponse: Sendable, Equatable {
    /// One entry of `availableTransports`.
    struct AvailableTransport: Sendable, Equatable {
        var transport: String
        var transferFormats: [String]
    }

    var connectionId: String?
    /// The id for the transport URL; version 0 servers send none, so `connectionId` is used.
    var connectionToken: String?
    var negotiateVersion: Int
    var availableTransports: [AvailableTransport]
    /// Redirect (Azure SignalR Service): negotiate again here.
    var url: String?
    /// Redirect: the bearer token to use from then on.
    var accessToken: String?
    /// The server refused the connection with this text.
    var error: String?
    var useStatefulReconnect: Bool
    /// The response came from an ASP.NET (not Core) SignalR server (it has `ProtocolVersion`).
    var isAspNetSignalRServer: Bool

    /// Parses the JSON body.
    /// - Throws: ``SignalRError`` (``SignalRError/Code/negotiationFailed``) when it is not a JSON object.
    static func parse(_ body: [UInt8]) throws -> NegotiateResponse {
        let object: [String: JSONValue]
        do {
            guard case .object(let parsed) = try JSONValue(parsing: body) else {
                throw SignalRError(.negotiationFailed, "The negotiate response is not a JSON object.")
            }
            object = parsed
        } catch let error as SignalRError {
            throw error
        } catch {
            throw SignalRError(.negotiationFailed, "Failed to parse the negotiate response: \(error)", underlyingError: error)
        }
        var response = NegotiateResponse(
            connectionId: object["connectionId"]?.stringValue,
            connectionToken: object["connectionToken"]?.stringValue,
            negotiateVersion: object["negotiateVersion"]?.intValue ?? 0,
            availableTransports: [],
            url: object["url"]?.stringValue,
            accessToken: object["accessToken"]?.stringValue,
            error: object["error"]?.stringValue,
            useStatefulReconnect: object["useStatefulReconnect"]?.boolValue ?? false,
            isAspNetSignalRServer: object["ProtocolVersion"] != nil
        )
        if case .array(let transports)? = object["availableTransports"] {
            response.availableTransports = transports.compactMap { entry in
                guard case .object(let fields) = entry, let name = fields["transport"]?.stringValue else { return nil }
                var formats: [String] = []
                if case .array(let values)? = fields["transferFormats"] {
                    formats = values.compactMap(\.stringValue)
                }
                return AvailableTransport(transport: name, transferFormats: formats)
            }
        }
        if response.negotiateVersion < 1 {
            // Version 0 servers have no connection token: the id is the connection id.
            response.connectionToken = response.connectionId
        }
        return response
    }
}

extension JSONValue {
    fileprivate var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    fileprivate var intValue: Int? {
        switch self {
        case .int(let value): return Int(exactly: value)
        case .double(let value): return Int(exactly: value)
        default: return nil
        }
    }

    fileprivate var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }
}
