import SignalRProtocol

/// Work for a connection's stream task (see ``StreamJobRunner``).
enum StreamJob: Sendable {
    /// Send the items of an upload stream, then its Completion.
    case upload(UploadJob)
    /// The consumer of server-to-client stream `id` left early: send CancelInvocation.
    case cancel(streamId: String)
}

/// One upload stream of a call.
struct UploadJob: Sendable {
    let streamId: String
    let source: UploadSource
    /// Cancelled when the call the upload belongs to ends.
    let callEnded: CallEndSignal
}

/// The server-to-client streams of a ``HubConnection`` and the job queue of its current
/// transport.
///
/// Lives in the actor (`HubConnection.streams`). A stream is registered when its
/// StreamInvocation is about to be sent and removed by its Completion, its cancellation or
/// the end of the connection (``HubConnection/connectionEnded(_:)``; streams survive a
/// stateful reconnect's transport resume). Each transport's run task drains the job queue
/// it opened; cancel hooks reach the queue of whichever transport is current through
/// `currentJobs`.
struct StreamRegistry: Sendable {
    private var streams: [String: StreamChannel] = [:]
    /// The job queue of the current transport, shared with the cancel hooks of the channels.
    let currentJobs = Locked<(generation: Int, queue: AsyncStream<StreamJob>.Continuation)?>(nil)
    /// Transports that are closing: a receive loop waiting for a full stream buffer gives up.
    private var closingGenerations: Set<Int> = []

    // MARK: Streams

    mutating func add(_ streamId: String, channel: StreamChannel) {
        streams[streamId] = channel
    }

    func channel(_ streamId: String) -> StreamChannel? {
        streams[streamId]
    }

    /// Removes `streamId` and returns its channel, if registered.
    mutating func remove(_ streamId: String) -> StreamChannel? {
        streams.removeValue(forKey: streamId)
    }

    var allChannels: [StreamChannel] { Array(streams.values) }

    /// The streams whose consumer left (CancelInvocation is due), in id order.
    func cancelledStreamIds() -> [String] {
        streams.filter { $0.value.isCancelled }.map(\.key).sorted()
    }

    /// Removes every stream (the connection ended). Returns them, to end with its error.
    mutating func removeAll() -> [StreamChannel] {
        defer { streams = [:] }
        return Array(streams.values)
    }

    // MARK: Transports

    /// Creates the job queue of transport `generation` (its run task drains it) and queues a
    /// CancelInvocation for each stream whose consumer left while no transport was open.
    mutating func openJobs(generation: Int) -> AsyncStream<StreamJob> {
        let (stream, continuation) = AsyncStream.makeStream(of: StreamJob.self)
        let previous = currentJobs.withLock { current in
            defer { current = (generation, continuation) }
            return current?.queue
        }
        previous?.finish()
        closingGenerations = closingGenerations.filter { $0 > generation }
        for (streamId, channel) in streams where channel.isCancelled {
            continuation.yield(.cancel(streamId: streamId))
        }
        return stream
    }

    /// The job queue when it belongs to transport `generation`.
    func jobQueue(generation: Int) -> AsyncStream<StreamJob>.Continuation? {
        currentJobs.withLock { current in
            guard let current, current.generation == generation else { return nil }
            return current.queue
        }
    }

    /// Transport `generation` is closing.
    mutating func markClosing(generation: Int) {
        closingGenerations.insert(generation)
    }

    func isClosing(generation: Int) -> Bool {
        closingGenerations.contains(generation)
    }

    /// Transport `generation` closed: its job queue ends (its run task cancels what runs).
    func closeJobs(generation: Int) {
        let queue: AsyncStream<StreamJob>.Continuation? = currentJobs.withLock { current in
            guard let queue = current?.queue, current?.generation == generation else { return nil }
            current = nil
            return queue
        }
        queue?.finish()
    }
}

/// Tells the uploads of one call that the call has ended.
///
/// `end()` may come from any task, before or after the uploads start waiting; it wakes
/// every waiter once. A waiting task that is cancelled stops waiting too.
final class CallEndSignal: Sendable {
    private struct State {
        var ended = false
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
    }

    private let state = Locked(State())

    /// Marks the call as ended and wakes the waiters.
    func end() {
        let waiters: [CheckedContinuation<Void, Never>] = state.withLock { state in
            state.ended = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        waiters.forEach { $0.resume() }
    }

    /// Returns once the call has ended or the calling task is cancelled.
    func wait() async {
        let id: Int = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready: Bool = state.withLock { state in
                    if state.ended || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}
