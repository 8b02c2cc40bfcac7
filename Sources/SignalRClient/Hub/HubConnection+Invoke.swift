import Logging
import SignalRProtocol

extension HubConnection {
    /// Invokes a hub method and waits for its result (the official client's `invoke`).
    ///
    /// ```swift
    /// let sum: Int = try await connection.invoke("Add", 1, 2)
    /// let user = try await connection.invoke("GetUser", 7, returning: User.self)
    /// ```
    ///
    /// - Parameters:
    ///   - method: the hub method's name.
    ///   - arguments: the arguments, each encoded by the hub protocol.
    ///   - returning: the result type; a hub method returning nothing decodes as `nil` for an optional type.
    /// - Returns: the hub method's result.
    /// - Throws: ``SignalRError``: ``SignalRError/Code/hubError`` with the server's message;
    ///   ``SignalRError/Code/invalidState`` ("Cannot send data if the connection is not in the
    ///   'Connected' State.") when not connected; the connection's error, or
    ///   ``SignalRError/Code/connectionClosed`` ("Invocation canceled due to the underlying
    ///   connection being closed."), when it ends first; ``SignalRError/Code/protocolError``
    ///   when the result is not a `Result`. `CancellationError` when the calling task is
    ///   cancelled (a late result is then dropped).
    public nonisolated func invoke<Result: Decodable & Sendable, each Argument: Encodable & Sendable>(
        _ method: String, _ arguments: repeat each Argument, returning: Result.Type = Result.self
    ) async throws -> Result {
        let outcome = try await invokeCore(method, arguments: Self.hubValues(repeat each arguments))
        let value: HubValue
        switch outcome {
        case .error(let text): throw SignalRError(.hubError, text)
        case .void: value = .null
        case .value(let result): value = result
        }
        do {
            return try hubProtocol.decode(Result.self, from: value)
        } catch {
            throw SignalRError(
                .protocolError, "The result of '\(method)' could not be decoded as \(Result.self): \(error)",
                underlyingError: error
            )
        }
    }

    /// Invokes a hub method that returns nothing and waits for it to finish.
    ///
    /// - Parameters:
    ///   - method: the hub method's name.
    ///   - arguments: the arguments.
    /// - Throws: as ``invoke(_:_:returning:)``; a result the server sends anyway is ignored.
    public nonisolated func invoke<each Argument: Encodable & Sendable>(_ method: String, _ arguments: repeat each Argument) async throws {
        if case .error(let text) = try await invokeCore(method, arguments: Self.hubValues(repeat each arguments)) {
            throw SignalRError(.hubError, text)
        }
    }

    /// Calls a hub method without waiting for it (the official client's `send`): returns once
    /// the message was written.
    ///
    /// ```swift
    /// try await connection.send("SendMessage", "ana", "hello")
    /// ```
    ///
    /// - Parameters:
    ///   - method: the hub method's name.
    ///   - arguments: the arguments.
    /// - Throws: ``SignalRError`` with ``SignalRError/Code/invalidState`` when not connected, or
    ///   the transport's error when the write fails.
    public func send<each Argument: Encodable & Sendable>(_ method: String, _ arguments: repeat each Argument) async throws {
        try await sendCore(method, arguments: Self.hubValues(repeat each arguments))
    }

    /// Sends an Invocation with an id and waits for its Completion. The non-generic core of
    /// `invoke`, for streams and generated proxies to build on. ``UploadStream`` arguments
    /// become upload streams that run until the Completion arrives (or the wait ends).
    ///
    /// Only sending the Invocation needs the actor. The wait and what follows it do not, so
    /// the receive loop's Completion resumes the caller's task without the actor: the caller
    /// does not queue behind the receive loop (which holds the actor while it handles frames)
    /// on its way back.
    /// - Throws: as ``invoke(_:_:returning:)``.
    nonisolated func invokeCore(_ method: String, arguments: [HubValue]) async throws -> CompletionResult {
        let call = try await beginInvocation(method, arguments: arguments)
        defer { call.ended?.end() }
        do {
            return try await call.waiter.wait()
        } catch {
            // Cancelled (the protocol cannot cancel a plain invocation), or a queued write
            // failed: forget it so a late Completion is dropped.
            await forgetInvocation(call.invocationId)
            throw error
        }
    }

    /// An Invocation that was sent (or failed to be): what ``invokeCore(_:arguments:)`` waits on.
    struct StartedInvocation: Sendable {
        let waiter: InvocationWaiter
        let invocationId: String
        /// Ends the invocation's upload streams.
        let ended: CallEndSignal?
    }

    /// Reserves an invocation id, writes the Invocation and starts its uploads. A failed
    /// write is reported through the waiter (as the official client rejects the invoke).
    /// - Throws: ``SignalRError/notConnected`` when not connected.
    private func beginInvocation(_ method: String, arguments: [HubValue]) async throws -> StartedInvocation {
        let split = SplitArguments(arguments)
        let waiter = InvocationWaiter()
        guard let (transport, invocationId, streamIds) = machine.beginInvocation(waiter, uploads: split.uploads.count),
            let link = links[transport.generation]
        else { throw SignalRError.notConnected }
        let message = HubMessage.invocation(
            InvocationMessage(invocationId: invocationId, target: method, arguments: split.values, streamIds: streamIds)
        )
        var ended: CallEndSignal?
        do {
            try await writeInvocation(message, waiter: waiter, on: link)
            ended = startUploads(split.uploads, streamIds: streamIds, session: link.session)
        } catch {
            machine.removeInvocation(invocationId)
            waiter.finish(.failure(error))
        }
        return StartedInvocation(waiter: waiter, invocationId: invocationId, ended: ended)
    }

    private func forgetInvocation(_ invocationId: String) {
        machine.removeInvocation(invocationId)
    }

    /// Sends an Invocation without an id. The non-generic core of `send`. ``UploadStream``
    /// arguments keep running after it returns, until they end or the connection stops.
    /// - Throws: as ``send(_:_:)``.
    func sendCore(_ method: String, arguments: [HubValue]) async throws {
        let split = SplitArguments(arguments)
        let (link, streamIds) = try reserveUploadIds(split.uploads.count)
        let message = HubMessage.invocation(
            InvocationMessage(invocationId: nil, target: method, arguments: split.values, streamIds: streamIds)
        )
        try await write(message, on: link)
        _ = startUploads(split.uploads, streamIds: streamIds, session: link.session)
    }

    /// Wraps each argument for the hub protocol.
    static func hubValues<each Argument: Encodable & Sendable>(_ arguments: repeat each Argument) -> [HubValue] {
        var values: [HubValue] = []
        for argument in repeat each arguments {
            values.append(HubValue(argument))
        }
        return values
    }
}
