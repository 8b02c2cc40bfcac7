import SignalRProtocol

/// A registered handler; pass it to ``HubConnection/off(_:)-(HubSubscription)`` or call
/// ``remove()`` to unregister just this one.
public struct HubSubscription: Sendable, Hashable {
    /// The method name the handler was registered for.
    public let method: String
    let id: UInt64
    weak var connection: HubConnection?

    /// Removes this handler; other handlers of the method stay.
    public func remove() async {
        await connection?.off(self)
    }

    public static func == (lhs: HubSubscription, rhs: HubSubscription) -> Bool {
        lhs.id == rhs.id && lhs.method == rhs.method
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(method)
    }
}

extension HubConnection {
    /// Registers a handler for calls of `method` from the server (the official client's `on`).
    ///
    /// Method names match case-insensitively; several handlers of one method all run, in the
    /// order they were added. Calls run one at a time, in the order they arrived (a call that
    /// expects a result runs beside later calls: see the `on` whose handler returns a value). A handler
    /// that throws, or whose parameter types do not match the arguments, is logged and the
    /// connection carries on.
    ///
    /// ```swift
    /// await connection.on("ReceiveMessage") { (user: String, message: String) in
    ///     print("\(user): \(message)")
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - method: the client method's name.
    ///   - handler: receives the arguments, decoded as its parameter types.
    /// - Returns: a subscription that removes this handler.
    @discardableResult
    public func on<each Argument: Decodable & Sendable>(
        _ method: String, _ handler: @escaping @Sendable (repeat each Argument) async throws -> Void
    ) -> HubSubscription {
        let id = handlers.add(method) { values, hubProtocol in
            var index = 0
            let arguments = (repeat try ArgumentDecoder.next((each Argument).self, values, &index, hubProtocol))
            try await handler(repeat each arguments)
            return .noResult
        }
        return HubSubscription(method: method, id: id, connection: self)
    }

    /// Removes every handler of `method` (the official client's `off(methodName)`).
    /// - Parameter method: the client method's name, matched case-insensitively.
    public func off(_ method: String) {
        handlers.removeAll(method)
    }

    /// Removes one handler.
    /// - Parameter subscription: what ``on(_:_:)`` returned.
    public func off(_ subscription: HubSubscription) {
        handlers.remove(subscription.method, id: subscription.id)
    }
}
