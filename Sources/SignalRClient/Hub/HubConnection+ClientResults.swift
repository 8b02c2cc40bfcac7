import SignalRProtocol

extension HubConnection {
    /// Registers a handler whose return value answers the server's calls of `method` that
    /// expect a result (client results: the server's `Clients.Client(id).InvokeAsync<T>`).
    ///
    /// ```swift
    /// await connection.on("GetMessage") { (question: String) -> String in
    ///     "answer to \(question)"
    /// }
    /// ```
    ///
    /// When the server's Invocation carries an invocation id, the client answers with a
    /// Completion holding the returned value; `nil`, `false`, `0` and `""` are values too. A
    /// handler that throws answers with the error's text (a ``SignalRError``'s message, a
    /// `LocalizedError`'s description, or the error's description). Several handlers
    /// returning values answer "Client provided multiple results.", and a call no handler
    /// answers gets "Client didn't provide a result.". Such a call runs beside later calls,
    /// so the handler may await the hub (for example ``invoke(_:_:returning:)`` on this
    /// connection) without blocking the connection. A call without an invocation id runs
    /// the handler and drops its value, as the official client does.
    ///
    /// - Parameters:
    ///   - method: the client method's name, matched case-insensitively.
    ///   - handler: receives the arguments, decoded as its parameter types; returns the result.
    /// - Returns: a subscription that removes this handler.
    @discardableResult
    public func on<Result: Encodable & Sendable, each Argument: Decodable & Sendable>(
        _ method: String, _ handler: @escaping @Sendable (repeat each Argument) async throws -> Result
    ) -> HubSubscription {
        let id = handlers.add(method) { values, hubProtocol in
            var index = 0
            let arguments = (repeat try ArgumentDecoder.next((each Argument).self, values, &index, hubProtocol))
            return .result(HubValue(try await handler(repeat each arguments)))
        }
        return HubSubscription(method: method, id: id, connection: self)
    }

    /// Registers a handler that receives every argument as a ``JSONValue`` and answers the
    /// server's client-result calls with the ``JSONValue`` it returns (for tools and hubs you
    /// do not model).
    ///
    /// ```swift
    /// await connection.on("GetMessage", jsonResult: { _ in .string("answer") })
    /// ```
    ///
    /// - Parameters:
    ///   - method: the client method's name, matched case-insensitively.
    ///   - handler: receives all the arguments, in order; returns the result.
    /// - Returns: a subscription that removes this handler.
    @discardableResult
    public func on(
        _ method: String, jsonResult handler: @escaping @Sendable ([JSONValue]) async throws -> JSONValue
    ) -> HubSubscription {
        let id = handlers.add(method) { values, hubProtocol in
            let arguments = try values.map { try hubProtocol.decode(JSONValue.self, from: $0) }
            return .result(HubValue(try await handler(arguments)))
        }
        return HubSubscription(method: method, id: id, connection: self)
    }
}
