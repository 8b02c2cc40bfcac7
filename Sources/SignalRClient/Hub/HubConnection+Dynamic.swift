import SignalRProtocol

extension HubConnection {
    /// Invokes a hub method with arguments known only at run time (tools, scripts,
    /// generated proxies) and returns its result as a ``JSONValue``.
    ///
    /// ```swift
    /// let result = try await connection.invoke("Add", arguments: [JSONValue(1), JSONValue(2)])
    /// print(result.jsonString)   // 3
    /// ```
    ///
    /// - Parameters:
    ///   - method: the hub method's name.
    ///   - arguments: the arguments, in order.
    /// - Returns: the result; ``JSONValue/null`` for a method that returns nothing.
    /// - Throws: as ``invoke(_:_:returning:)``.
    public nonisolated func invoke(_ method: String, arguments: [any Encodable & Sendable]) async throws -> JSONValue {
        let outcome = try await invokeCore(method, arguments: arguments.map { HubValue($0) })
        switch outcome {
        case .error(let text): throw SignalRError(.hubError, text)
        case .void: return .null
        case .value(let value):
            do {
                return try hubProtocol.decode(JSONValue.self, from: value)
            } catch {
                throw SignalRError(
                    .protocolError, "The result of '\(method)' could not be read: \(error)", underlyingError: error)
            }
        }
    }

    /// Calls a hub method with arguments known only at run time, without waiting for it.
    /// - Throws: as ``send(_:_:)``.
    public func send(_ method: String, arguments: [any Encodable & Sendable]) async throws {
        try await sendCore(method, arguments: arguments.map { HubValue($0) })
    }

    /// Registers a handler that receives every argument of a server call as a ``JSONValue``,
    /// whatever their number and shape (for tools and hubs you do not model).
    ///
    /// - Parameters:
    ///   - method: the client method's name, matched case-insensitively.
    ///   - handler: receives all the arguments, in order.
    /// - Returns: a subscription that removes this handler.
    @discardableResult
    public func on(
        _ method: String, jsonArguments handler: @escaping @Sendable ([JSONValue]) async throws -> Void
    ) -> HubSubscription {
        let id = handlers.add(method) { values, hubProtocol in
            let arguments = try values.map { try hubProtocol.decode(JSONValue.self, from: $0) }
            try await handler(arguments)
            return .noResult
        }
        return HubSubscription(method: method, id: id, connection: self)
    }
}
