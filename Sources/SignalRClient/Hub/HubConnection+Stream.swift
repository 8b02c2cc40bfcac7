import Logging
import SignalRProtocol

extension HubConnection {
    /// Calls a streaming hub method and returns its items as an `AsyncSequence` (the official
    /// client's `stream`).
    ///
    /// ```swift
    /// for try await n in connection.stream("Counter", 10, 500, as: Int.self) {
    ///     print(n)
    /// }
    /// ```
    ///
    /// Like the official client's `stream`, it returns at once, without `await` (it is
    /// `nonisolated`), so a typed proxy's streaming method need not be `async`.
    /// Nothing is sent until iteration starts: the first `next()` sends the StreamInvocation
    /// (and each new iteration calls the method anew). Items arrive in order; the hub's
    /// Completion ends the sequence. Leaving the loop early, or cancelling the consuming task,
    /// sends CancelInvocation at once and drops later items. Arguments may include
    /// ``UploadStream``s (client-to-server streams).
    ///
    /// Buffering: at most `bufferSize` received items wait for the consumer. When that many
    /// wait, the connection stops reading from the transport until the consumer takes one
    /// (backpressure on the whole connection, so memory stays bounded and nothing is lost).
    /// A loop body that awaits another call on the same connection while `bufferSize` items
    /// are queued therefore stalls that connection (and, after ``serverTimeout``, ends it):
    /// raise `bufferSize`, or hand the items to another task.
    ///
    /// - Parameters:
    ///   - method: the hub method's name.
    ///   - arguments: the arguments, each encoded by the hub protocol.
    ///   - as: the type of the items.
    ///   - bufferSize: how many received items may wait for the consumer (default 1,024; at least 1).
    /// - Returns: the items; iterating throws ``SignalRError``: ``SignalRError/Code/hubError``
    ///   with the server's text when the hub fails the stream; ``SignalRError/Code/invalidState``
    ///   ("Cannot send data if the connection is not in the 'Connected' State.") when not
    ///   connected; the connection's error, or ``SignalRError/Code/connectionClosed``
    ///   ("Invocation canceled due to the underlying connection being closed.") after ``stop()``;
    ///   ``SignalRError/Code/protocolError`` when an item is not an `Element` (that stream
    ///   alone ends, and CancelInvocation is sent). `CancellationError` when the task is cancelled.
    public nonisolated func stream<Element: Decodable & Sendable, each Argument: Encodable & Sendable>(
        _ method: String, _ arguments: repeat each Argument, as: Element.Type = Element.self,
        bufferSize: Int = HubStreamSequence<Element>.defaultBufferSize
    ) -> HubStreamSequence<Element> {
        HubStreamSequence(connection: self, method: method, arguments: Self.hubValues(repeat each arguments), bufferSize: bufferSize)
    }

    /// Calls a streaming hub method with arguments known only at run time (tools, scripts,
    /// generated proxies).
    ///
    /// ```swift
    /// for try await item in connection.stream("Counter", arguments: [3, 0], as: JSONValue.self) {
    ///     print(item.jsonString)
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - method: the hub method's name.
    ///   - arguments: the arguments, in order (``UploadStream``s included).
    ///   - as: the type of the items; ``JSONValue`` reads any item.
    ///   - bufferSize: how many received items may wait for the consumer.
    /// - Returns: the items, as ``stream(_:_:as:bufferSize:)`` describes.
    public nonisolated func stream<Element: Decodable & Sendable>(
        _ method: String, arguments: [any Encodable & Sendable], as: Element.Type = Element.self,
        bufferSize: Int = HubStreamSequence<Element>.defaultBufferSize
    ) -> HubStreamSequence<Element> {
        HubStreamSequence(connection: self, method: method, arguments: arguments.map { HubValue($0) }, bufferSize: bufferSize)
    }

    /// Sends the StreamInvocation of one iteration, with `channel` registered to receive its items.
    /// - Throws: ``SignalRError/notConnected``, an encoding error, or `CancellationError` when the
    ///   consumer already left. A failed write is left to the connection's end.
    func beginStream(_ method: String, arguments: [HubValue], channel: StreamChannel) async throws {
        let split = SplitArguments(arguments)
        guard let (transport, streamId, streamIds) = machine.beginStream(channel, uploads: split.uploads.count),
            let link = links[transport.generation]
        else { throw SignalRError.notConnected }
        let jobs = streamJobs.currentJobs
        guard channel.activate(cancelHook: { jobs.withLock { $0?.queue }?.yield(.cancel(streamId: streamId)) }) else {
            _ = machine.removeStream(streamId)
            throw CancellationError()
        }
        let message = HubMessage.streamInvocation(
            StreamInvocationMessage(invocationId: streamId, target: method, arguments: split.values, streamIds: streamIds)
        )
        let bytes: [UInt8]
        do {
            bytes = try encode(message)
        } catch {
            _ = machine.removeStream(streamId)
            channel.finish(error)
            throw error
        }
        do {
            try await write(encoded: bytes, sequenced: true, on: link)
        } catch {
            guard link.transport.failedSendEndsConnection else {
                _ = machine.removeStream(streamId)
                channel.finish(error)
                throw error
            }
            // The failed write ends the connection, whose end finishes the stream with its cause
            // (what the write saw while the connection was ending would mislead).
            logger.debug("Writing a StreamInvocation failed.", metadata: ["signalr.error": "\(error)"])
        }
        if let callEnded = startUploads(split.uploads, streamIds: streamIds, session: link.session) {
            channel.onEnd { callEnded.end() }
        }
    }

    /// A StreamItem arrived on transport `generation`: hands it to its stream, waiting while
    /// that stream's buffer is full (unless the transport is closing: the item is then dropped).
    func streamItemReceived(_ message: StreamItemMessage, generation: Int) async {
        guard let channel = machine.stream(message.invocationId) else {
            logger.debug("Dropped a stream item for an unknown stream.", metadata: ["signalr.invocationId": "\(message.invocationId)"])
            return
        }
        while channel.offer(message.item) == .full {
            guard !streamJobs.isClosing(generation: generation) else { return }
            logger.trace("A stream's buffer is full; waiting for its consumer.", metadata: ["signalr.invocationId": "\(message.invocationId)"])
            await channel.waitForSpace()
        }
    }

    /// The Completion of a stream arrived: the stream ends (with the hub's error, if any).
    func streamCompleted(_ channel: StreamChannel, _ message: CompletionMessage) {
        if case .error(let text) = message.result {
            channel.finish(SignalRError(.hubError, text))
        } else {
            channel.finish(nil)
        }
    }

    /// The consumer of `streamId` left early: sends CancelInvocation unless the stream ended meanwhile.
    func sendStreamCancel(_ streamId: String) async {
        guard let link = linkForSending(), machine.removeStream(streamId) != nil else { return }
        logger.debug("Canceling a stream.", metadata: ["signalr.invocationId": "\(streamId)"])
        do {
            try await write(.cancelInvocation(CancelInvocationMessage(invocationId: streamId)), on: link)
        } catch {
            logger.debug("Sending CancelInvocation failed.", metadata: ["signalr.error": "\(error)"])
        }
    }

    /// stop(): sends the CancelInvocation of streams whose consumer has left but whose cancel
    /// job has not run yet, so that they go out before the Close message.
    func sendPendingStreamCancels(on link: TransportRuntime) async {
        let cancelled = machine.streams.filter { $0.channel.isCancelled }.map(\.id).sorted()
        for streamId in cancelled {
            guard machine.removeStream(streamId) != nil else { continue }
            try? await write(.cancelInvocation(CancelInvocationMessage(invocationId: streamId)), on: link)
        }
    }

    /// Transport `generation` is closing: a receive loop waiting for a full stream buffer goes
    /// on (dropping that item) so that it sees the transport close.
    func streamsClosing(generation: Int) {
        streamJobs.markClosing(generation: generation)
        for (_, channel) in machine.streams { channel.wakeProducer() }
    }
}
