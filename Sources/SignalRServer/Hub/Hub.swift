import SignalRProtocol

/// A hub: the methods clients call by name, with `Codable` arguments and results.
///
/// Names match case-insensitively, as in ASP.NET Core. Give a method a leading ``HubContext``
/// parameter to reach the caller, other clients and groups. Parameters of type ``HubStream``
/// receive client upload streams; ``stream(_:_:)-swift.method`` methods return an
/// `AsyncSequence` sent to the client item by item.
///
/// ```swift
/// var hub = Hub()
/// hub.on("Add") { (a: Int, b: Int) in a + b }
/// hub.on("SendMessage") { (context: HubContext, user: String, message: String) in
///     try await context.clients.all.send("ReceiveMessage", user, message)
/// }
/// hub.stream("Counter") { (count: Int, delayMs: Int) in
///     AsyncStream { continuation in … }
/// }
/// ```
public struct Hub: Sendable {
    var methods: [String: HubMethod] = [:]
    var connectedHandlers: [@Sendable (HubContext) async -> Void] = []
    var disconnectedHandlers: [@Sendable (HubContext) async -> Void] = []

    /// Creates a hub without methods.
    public init() {}

    /// The registered method names, as registered.
    public var methodNames: [String] { methods.values.map(\.name).sorted() }

    func method(named name: String) -> HubMethod? {
        methods[name.lowercased()]
    }

    private mutating func add(_ method: HubMethod) {
        methods[method.name.lowercased()] = method
    }

    /// Registers a method that returns a value. A method of the same name (any case) is replaced.
    /// - Parameters:
    ///   - name: the method name clients call.
    ///   - body: decodes its parameters from the arguments; its result is the Completion's `result`.
    public mutating func on<each A: Decodable & Sendable, R: Encodable & Sendable>(
        _ name: String, _ body: @escaping @Sendable (repeat each A) async throws -> R
    ) {
        add(.invocation(name, MethodBody<repeat each A, R>(plain: body), encode: { HubValue($0) }))
    }

    /// Registers a method that returns nothing (its Completion carries `result: null`, as ASP.NET Core's do).
    public mutating func on<each A: Decodable & Sendable>(
        _ name: String, _ body: @escaping @Sendable (repeat each A) async throws -> Void
    ) {
        add(.invocation(name, MethodBody<repeat each A, Void>(plain: body), encode: { _ in .null }))
    }

    /// Registers a method that takes the ``HubContext`` first and returns a value.
    public mutating func on<each A: Decodable & Sendable, R: Encodable & Sendable>(
        _ name: String, _ body: @escaping @Sendable (HubContext, repeat each A) async throws -> R
    ) {
        add(.invocation(name, MethodBody<repeat each A, R>(withContext: body), encode: { HubValue($0) }))
    }

    /// Registers a method that takes the ``HubContext`` first and returns nothing.
    public mutating func on<each A: Decodable & Sendable>(
        _ name: String, _ body: @escaping @Sendable (HubContext, repeat each A) async throws -> Void
    ) {
        add(.invocation(name, MethodBody<repeat each A, Void>(withContext: body), encode: { _ in .null }))
    }

    /// Registers a streaming method: each element of the returned sequence is sent as a StreamItem,
    /// then a Completion. A client CancelInvocation cancels the task iterating the sequence.
    public mutating func stream<each A: Decodable & Sendable, S: AsyncSequence & SendableMetatype>(
        _ name: String, _ body: @escaping @Sendable (repeat each A) async throws -> S
    ) where S.Element: Encodable & Sendable {
        add(.streaming(name, MethodBody<repeat each A, S>(plain: body)))
    }

    /// Registers a streaming method that takes the ``HubContext`` first.
    public mutating func stream<each A: Decodable & Sendable, S: AsyncSequence & SendableMetatype>(
        _ name: String, _ body: @escaping @Sendable (HubContext, repeat each A) async throws -> S
    ) where S.Element: Encodable & Sendable {
        add(.streaming(name, MethodBody<repeat each A, S>(withContext: body)))
    }

    /// Runs `handler` after each connection's handshake (ASP.NET Core `OnConnectedAsync`).
    public mutating func onConnected(_ handler: @escaping @Sendable (HubContext) async -> Void) {
        connectedHandlers.append(handler)
    }

    /// Runs `handler` when a connection that completed its handshake ends (`OnDisconnectedAsync`).
    public mutating func onDisconnected(_ handler: @escaping @Sendable (HubContext) async -> Void) {
        disconnectedHandlers.append(handler)
    }
}
