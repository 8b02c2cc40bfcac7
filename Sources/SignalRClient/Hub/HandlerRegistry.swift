import SignalRProtocol

/// What a handler of a server call produced.
enum HandlerOutcome: Sendable {
    /// The handler returns nothing.
    case noResult
    /// The handler returned a value (client results).
    case result(HubValue)
}

/// A handler with its argument decoding built in.
typealias ErasedHandler = @Sendable ([HubValue], any HubProtocol) async throws -> HandlerOutcome

/// One registered handler.
struct HandlerEntry: Sendable {
    let id: UInt64
    let handler: ErasedHandler
}

/// The handlers by method name, matched case-insensitively (the official client lowercases names).
struct HandlerRegistry: Sendable {
    private var entries: [String: [HandlerEntry]] = [:]
    private var nextId: UInt64 = 0

    /// Adds a handler for `method` and returns its id.
    mutating func add(_ method: String, _ handler: @escaping ErasedHandler) -> UInt64 {
        nextId += 1
        entries[method.lowercased(), default: []].append(HandlerEntry(id: nextId, handler: handler))
        return nextId
    }

    /// Removes one handler.
    mutating func remove(_ method: String, id: UInt64) {
        let key = method.lowercased()
        entries[key]?.removeAll { $0.id == id }
        if entries[key]?.isEmpty == true { entries[key] = nil }
    }

    /// Removes every handler of `method`.
    mutating func removeAll(_ method: String) {
        entries[method.lowercased()] = nil
    }

    /// The handlers of `method`, in registration order.
    func handlers(for method: String) -> [HandlerEntry] {
        entries[method.lowercased()] ?? []
    }
}
