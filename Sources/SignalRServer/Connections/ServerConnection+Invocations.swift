import Logging
import SignalRProtocol

extension ServerConnection {
    private var detailedErrors: Bool { endpoint.configuration.enableDetailedErrors }

    private func sendError(_ invocationId: String?, _ text: String) {
        guard let invocationId else { return }
        send(.completion(CompletionMessage(invocationId: invocationId, result: .error(text))))
    }

    /// Looks up the method and checks the call kind and the number of upload streams.
    private func resolve(target: String, invocationId: String?, streamIds: [String], streaming: Bool) -> HubMethod? {
        guard let method = endpoint.hub.method(named: target) else {
            sendError(invocationId, "\(ErrorText.bindingFailed(target)) HubException: \(ErrorText.methodDoesNotExist)")
            return nil
        }
        if method.isStreaming != streaming {
            let text = streaming
                ? "The client attempted to invoke the non-streaming '\(target)' method with a streaming invocation."
                : "The client attempted to invoke the streaming '\(target)' method with a non-streaming invocation."
            sendError(invocationId, text)
            return nil
        }
        if streamIds.count != method.shape.streamCount {
            let error = HubError("Client sent \(streamIds.count) stream(s), Hub method expects \(method.shape.streamCount).")
            sendError(invocationId, ErrorText.build(ErrorText.invokeFailed(target), error, detailed: detailedErrors))
            return nil
        }
        return method
    }

    /// Opens one upload stream per stream id; StreamItems arriving before the method runs wait in them.
    private func openUploads(_ streamIds: [String], hubProtocol: any HubProtocol, values: [HubValue]) -> InvocationArguments {
        var streams: [AsyncThrowingStream<HubValue, any Error>] = []
        for streamId in streamIds {
            let (stream, continuation) = AsyncThrowingStream.makeStream(of: HubValue.self)
            uploads[streamId]?.finish()
            uploads[streamId] = continuation
            streams.append(stream)
        }
        return InvocationArguments(values: values, uploads: streams, hubProtocol: hubProtocol)
    }

    private func closeUploads(_ streamIds: [String]) {
        for streamId in streamIds { uploads.removeValue(forKey: streamId)?.finish() }
    }

    /// Starts an Invocation: in order with the connection's other plain invocations, or in the
    /// background when it takes upload streams (as ASP.NET Core does).
    func startInvocation(_ message: InvocationMessage) {
        guard let hubProtocol = negotiatedProtocol(), let context = makeContext() else { return }
        guard let method = resolve(
            target: message.target, invocationId: message.invocationId, streamIds: message.streamIds, streaming: false)
        else { return }
        let arguments = openUploads(message.streamIds, hubProtocol: hubProtocol, values: message.arguments)
        let work: TaskSpawner.Work = {
            await self.runInvocation(method, message: message, arguments: arguments, context: context)
        }
        let started = message.streamIds.isEmpty ? invocationQueue.spawn(work) : jobs.spawn(work)
        if !started { closeUploads(message.streamIds) }
    }

    private func runInvocation(
        _ method: HubMethod, message: InvocationMessage, arguments: InvocationArguments, context: HubContext
    ) async {
        let result: CompletionResult
        do {
            result = .value(try await method.call(arguments, context, { _ in }))
        } catch let error as ArgumentBindingError {
            result = .error(ErrorText.build(ErrorText.bindingFailed(message.target), error, detailed: detailedErrors))
        } catch {
            result = .error(ErrorText.build(ErrorText.invokeFailed(message.target), error, detailed: detailedErrors))
        }
        closeUploads(message.streamIds)
        guard let invocationId = message.invocationId else { return }
        send(.completion(CompletionMessage(invocationId: invocationId, result: result)))
    }

    /// Starts a StreamInvocation in the background; CancelInvocation cancels it.
    func startStreamInvocation(_ message: StreamInvocationMessage) {
        guard let hubProtocol = negotiatedProtocol(), let context = makeContext() else { return }
        guard let method = resolve(
            target: message.target, invocationId: message.invocationId, streamIds: message.streamIds, streaming: true)
        else { return }
        guard activeStreams[message.invocationId] == nil else {
            sendError(message.invocationId, "Invocation ID '\(message.invocationId)' is already in use.")
            return
        }
        let arguments = openUploads(message.streamIds, hubProtocol: hubProtocol, values: message.arguments)
        // A task of its own so a CancelInvocation can cancel this stream alone; the job below
        // awaits it, so it stays inside the connection's task tree.
        let task = Task {
            await self.runStream(method, message: message, arguments: arguments, context: context)
        }
        activeStreams[message.invocationId] = task
        let started = jobs.spawn {
            await withTaskCancellationHandler {
                await task.value
            } onCancel: {
                task.cancel()
            }
        }
        if !started { task.cancel() }
    }

    private func runStream(
        _ method: HubMethod, message: StreamInvocationMessage, arguments: InvocationArguments, context: HubContext
    ) async {
        let invocationId = message.invocationId
        var error: String?
        do {
            _ = try await method.call(arguments, context) { item in
                try await self.emit(item, invocationId: invocationId)
            }
        } catch let failure as StreamingFailure {
            if !(Task.isCancelled && failure.underlying is CancellationError) {
                error = ErrorText.build(ErrorText.streamingFailed, failure.underlying, detailed: detailedErrors)
            }
        } catch let failure as ArgumentBindingError {
            error = ErrorText.build(ErrorText.bindingFailed(message.target), failure, detailed: detailedErrors)
        } catch let failure {
            if !(Task.isCancelled && failure is CancellationError) {
                error = ErrorText.build(ErrorText.invokeFailed(message.target), failure, detailed: detailedErrors)
            }
        }
        closeUploads(message.streamIds)
        activeStreams[invocationId] = nil
        send(.completion(CompletionMessage(invocationId: invocationId, result: error.map { .error($0) } ?? .void)))
    }

    private func emit(_ item: HubValue, invocationId: String) throws {
        try Task.checkCancellation()
        guard send(.streamItem(StreamItemMessage(invocationId: invocationId, item: item))) else {
            throw CancellationError()
        }
    }

    /// Invokes `method` on the client and waits for its Completion.
    /// - Returns: the result and the protocol to decode it with.
    /// - Throws: ``HubError`` with the client's error, on timeout, or when the connection closes.
    func invokeClient(
        _ method: String, arguments: [HubValue], timeout: Duration
    ) async throws -> (HubValue, any HubProtocol) {
        guard let hubProtocol = negotiatedProtocol() else { throw HubError("Connection '\(id)' is not connected.") }
        let invocationId = String(nextClientInvocationId)
        nextClientInvocationId += 1
        let clock = clock
        let deadline = clock.now + timeout
        let value = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                let cancelled = (try? await clock.sleep(until: deadline)) == nil
                await self.failClientResult(
                    invocationId,
                    cancelled ? CancellationError() : HubError("Timed out waiting for the client result of '\(method)'."))
            }
            defer { group.cancelAll() }
            return try await withCheckedThrowingContinuation { continuation in
                pendingClientResults[invocationId] = continuation
                let message = InvocationMessage(invocationId: invocationId, target: method, arguments: arguments)
                if !send(.invocation(message)) {
                    failClientResult(invocationId, HubError("Connection '\(id)' disconnected."))
                }
            }
        }
        return (value, hubProtocol)
    }

    func failClientResult(_ invocationId: String, _ error: any Error) {
        pendingClientResults.removeValue(forKey: invocationId)?.resume(throwing: error)
    }
}
