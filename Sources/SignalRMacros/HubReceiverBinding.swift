/// Registers a handler's methods as the handlers of client methods; `@HubReceiver`
/// generates one for each protocol it is attached to.
public protocol HubReceiverBinding {
    /// The handler: a value conforming to the `@HubReceiver` protocol.
    associatedtype Handler: Sendable

    /// Registers one handler per client method with ``HubConnection/on(_:_:)``.
    /// - Returns: the subscriptions, in the order the protocol declares its methods.
    static func subscribe(_ handler: Handler, to connection: HubConnection) async -> [HubSubscription]
}

/// The client methods one ``HubConnection/register(_:handler:)`` registered; remove them
/// together.
public struct HubReceiverRegistration: Sendable, Hashable {
    /// One subscription per client method.
    public let subscriptions: [HubSubscription]

    /// Removes every handler this registration added; other handlers of the same methods stay.
    public func remove() async {
        for subscription in subscriptions {
            await subscription.remove()
        }
    }
}

extension HubConnection {
    /// Makes `handler` the handler of the client methods its `@HubReceiver` protocol declares.
    ///
    /// ```swift
    /// let registration = await connection.register(ChatClientReceiver.self, handler: MyChatClient())
    /// ```
    ///
    /// Handlers behave as those registered with ``on(_:_:)``: several may handle one method,
    /// calls run in arrival order, and a method that returns a value answers client-result calls.
    ///
    /// - Parameters:
    ///   - binding: the `<Protocol>Receiver` type `@HubReceiver` generated.
    ///   - handler: the value whose methods handle the calls.
    /// - Returns: what removes these handlers again.
    @discardableResult
    public nonisolated func register<Binding: HubReceiverBinding>(
        _ binding: Binding.Type, handler: Binding.Handler
    ) async -> HubReceiverRegistration {
        HubReceiverRegistration(subscriptions: await Binding.subscribe(handler, to: self))
    }
}
