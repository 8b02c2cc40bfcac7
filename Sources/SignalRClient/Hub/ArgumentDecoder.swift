import SignalRProtocol

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
