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

/// Decodes the arguments of a server call for a handler's parameter types.
enum ArgumentDecoder {
    /// Decodes `values[index]` as `T` and advances `index`.
    /// - Throws: ``SignalRError`` with ``SignalRError/Code/protocolError`` when it is missing or not a `T`.
    static func next<T: Decodable>(
        _ type: T.Type, _ values: [HubValue], _ index: inout Int, _ hubProtocol: any HubProtocol
    ) throws -> T {
        defer { index += 1 }
        guard index < values.count else {
            throw SignalRError(.protocolError, "Missing argument \(index + 1) of type \(T.self).")
        }
        do {
            return try hubProtocol.decode(T.self, from: values[index])
        } catch {
            throw SignalRError(
                .protocolError, "Argument \(index + 1) could not be decoded as \(T.self): \(error)", underlyingError: error
            )
        }
    }
}
