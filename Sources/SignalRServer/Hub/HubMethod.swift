import SignalRProtocol

/// Sends one item of a server-to-client stream.
typealias StreamEmitter = @Sendable (HubValue) async throws -> Void

/// An error thrown while a streaming method's sequence was being iterated (after the method returned it).
struct StreamingFailure: Error {
    var underlying: any Error
}

/// One entry of a hub's method table.
struct HubMethod: Sendable {
    /// The name as registered (the table's key is its lowercased form).
    var name: String
    /// Whether the method returns a stream (called with StreamInvocation).
    var isStreaming: Bool
    /// How many arguments and upload streams it takes.
    var shape: ParameterShape
    /// Binds the arguments and runs the method. Invocations return the result; streaming
    /// methods emit items and return `.null`.
    /// - Throws: ``ArgumentBindingError`` when binding fails, ``StreamingFailure`` when
    ///   iteration fails, or what the method threw.
    var call: @Sendable (InvocationArguments, HubContext, StreamEmitter) async throws -> HubValue
}

/// A user closure and the parameter types it decodes (one of the two closures is set).
struct MethodBody<each A: Decodable & Sendable, R>: Sendable {
    var plain: (@Sendable (repeat each A) async throws -> R)?
    var withContext: (@Sendable (HubContext, repeat each A) async throws -> R)?

    var shape: ParameterShape { .of(repeat (each A).self) }

    /// Binds the parameters from `arguments` and calls the closure.
    /// - Throws: ``ArgumentBindingError`` when binding fails, or what the closure threw.
    func call(_ arguments: InvocationArguments, _ context: HubContext) async throws -> R {
        let expected = shape.argumentCount
        guard expected == arguments.values.count else {
            throw ArgumentBindingError.count(provided: arguments.values.count, expected: expected)
        }
        let binder = ArgumentBinder(arguments)
        if let withContext {
            return try await withContext(context, repeat try binder.next((each A).self))
        }
        guard let plain else { throw HubError("The hub method has no body.") }
        return try await plain(repeat try binder.next((each A).self))
    }
}

extension MethodBody where R: AsyncSequence, R.Element: Encodable & Sendable {
    /// Calls the closure, then sends each element of the sequence it returns.
    /// - Throws: what ``call(_:_:)`` throws, or ``StreamingFailure`` when iteration fails.
    func stream(_ arguments: InvocationArguments, _ context: HubContext, _ emit: StreamEmitter) async throws {
        let sequence = try await call(arguments, context)
        do {
            for try await item in sequence {
                try await emit(HubValue(item))
            }
        } catch {
            throw StreamingFailure(underlying: error)
        }
    }
}

extension HubMethod {
    static func invocation<each A, R>(
        _ name: String, _ body: MethodBody<repeat each A, R>, encode: @escaping @Sendable (R) -> HubValue
    ) -> HubMethod {
        HubMethod(name: name, isStreaming: false, shape: body.shape) { arguments, context, _ in
            encode(try await body.call(arguments, context))
        }
    }

    static func streaming<each A, S: AsyncSequence & SendableMetatype>(
        _ name: String, _ body: MethodBody<repeat each A, S>
    ) -> HubMethod where S.Element: Encodable & Sendable {
        HubMethod(name: name, isStreaming: true, shape: body.shape) { arguments, context, emit in
            try await body.stream(arguments, context, emit)
            return .null
        }
    }
}
