import SignalRProtocol

/// Which connections of a hub a message goes to.
enum ClientSelection: Sendable {
    case all(excluding: Set<String>)
    case connections(Set<String>)
    case groups([String], excluding: Set<String>)
}

/// The clients of a hub, as seen from one caller (ASP.NET Core `IHubCallerClients`).
public struct HubClients: Sendable {
    let endpoint: HubEndpoint
    let callerId: String?

    /// Every connection of the hub.
    public var all: ClientProxy { ClientProxy(endpoint: endpoint, selection: .all(excluding: [])) }

    /// Every connection except the caller.
    public var others: ClientProxy {
        ClientProxy(endpoint: endpoint, selection: .all(excluding: callerId.map { [$0] } ?? []))
    }

    /// The caller; can also ask it for a client result.
    public var caller: SingleClientProxy { SingleClientProxy(endpoint: endpoint, connectionId: callerId ?? "") }

    /// One connection, by id; can also ask it for a client result.
    public func client(_ connectionId: String) -> SingleClientProxy {
        SingleClientProxy(endpoint: endpoint, connectionId: connectionId)
    }

    /// Some connections, by id.
    public func clients(_ connectionIds: [String]) -> ClientProxy {
        ClientProxy(endpoint: endpoint, selection: .connections(Set(connectionIds)))
    }

    /// Every connection except those listed.
    public func allExcept(_ connectionIds: [String]) -> ClientProxy {
        ClientProxy(endpoint: endpoint, selection: .all(excluding: Set(connectionIds)))
    }

    /// The members of a group.
    public func group(_ name: String) -> ClientProxy {
        ClientProxy(endpoint: endpoint, selection: .groups([name], excluding: []))
    }

    /// The members of several groups (each connection once).
    public func groups(_ names: [String]) -> ClientProxy {
        ClientProxy(endpoint: endpoint, selection: .groups(names, excluding: []))
    }

    /// The members of a group except those listed.
    public func groupExcept(_ name: String, excluding connectionIds: [String]) -> ClientProxy {
        ClientProxy(endpoint: endpoint, selection: .groups([name], excluding: Set(connectionIds)))
    }

    /// The members of a group except the caller.
    public func othersInGroup(_ name: String) -> ClientProxy {
        ClientProxy(endpoint: endpoint, selection: .groups([name], excluding: callerId.map { [$0] } ?? []))
    }
}

/// Sends invocations to a set of clients.
public struct ClientProxy: Sendable {
    let endpoint: HubEndpoint
    let selection: ClientSelection

    /// Calls `method` on each selected client without waiting for an answer (a non-blocking
    /// Invocation). Returns once the message is queued on every connection.
    /// - Throws: when an argument cannot be encoded.
    public func send<each A: Encodable & Sendable>(_ method: String, _ arguments: repeat each A) async throws {
        var values: [HubValue] = []
        for argument in repeat each arguments { values.append(HubValue(argument)) }
        let message = HubMessage.invocation(InvocationMessage(invocationId: nil, target: method, arguments: values))
        let targets = await endpoint.registry.select(selection)
        var cache = EncodedMessageCache(message: message)
        for connection in targets {
            guard let hubProtocol = await connection.negotiatedProtocol() else { continue }
            let bytes = try cache.bytes(for: hubProtocol)
            await connection.enqueueEncoded(bytes, sequenced: true)
        }
    }
}

/// Sends to one client, and asks it for results.
public struct SingleClientProxy: Sendable {
    let endpoint: HubEndpoint
    /// The connection this proxy talks to.
    public let connectionId: String

    /// Calls `method` on the client without waiting for an answer.
    /// - Throws: when an argument cannot be encoded.
    public func send<each A: Encodable & Sendable>(_ method: String, _ arguments: repeat each A) async throws {
        try await ClientProxy(endpoint: endpoint, selection: .connections([connectionId])).send(method, repeat each arguments)
    }

    /// Calls `method` on the client and waits for its Completion (a client result).
    /// - Parameters:
    ///   - method: the client method name.
    ///   - arguments: its arguments.
    ///   - type: the result type.
    ///   - timeout: how long to wait; nil for ``HubServerConfiguration/clientResultTimeout``.
    /// - Returns: the client's result.
    /// - Throws: ``ClientResultError`` when the client answers with an error, the connection is
    ///   unknown or closes, or the timeout passes; a decoding error for a result of another type.
    public func invoke<R: Decodable & Sendable, each A: Encodable & Sendable>(
        _ method: String, _ arguments: repeat each A, returning type: R.Type = R.self, timeout: Duration? = nil
    ) async throws -> R {
        var values: [HubValue] = []
        for argument in repeat each arguments { values.append(HubValue(argument)) }
        guard let connection = await endpoint.registry.connection(id: connectionId) else {
            throw ClientResultError("Connection '\(connectionId)' does not exist.")
        }
        let (value, hubProtocol) = try await connection.invokeClient(
            method, arguments: values, timeout: timeout ?? endpoint.configuration.clientResultTimeout)
        return try hubProtocol.decode(R.self, from: value)
    }
}

/// Encodes one message at most once per protocol while it fans out.
struct EncodedMessageCache {
    let message: HubMessage
    private var encoded: [String: [UInt8]] = [:]

    init(message: HubMessage) { self.message = message }

    mutating func bytes(for hubProtocol: any HubProtocol) throws -> [UInt8] {
        if let bytes = encoded[hubProtocol.name] { return bytes }
        let bytes = try hubProtocol.writeMessage(message)
        encoded[hubProtocol.name] = bytes
        return bytes
    }
}
