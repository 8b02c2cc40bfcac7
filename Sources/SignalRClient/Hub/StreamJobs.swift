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

/// The stream job queue of a ``HubConnection``'s current session, and which transports are
/// closing.
///
/// Lives in the actor (`HubConnection.streamJobs`); the streams themselves are pending
/// calls in the state machine. Each session's task drains the job queue it opened; cancel
/// hooks of stream channels reach the queue of whichever session is current through
/// `currentJobs`.
struct StreamJobs: Sendable {
    /// The job queue of the current session, shared with the cancel hooks of the channels.
    let currentJobs = Locked<(generation: Int, queue: AsyncStream<StreamJob>.Continuation)?>(nil)
    /// Transports that are closing: a receive loop waiting for a full stream buffer gives up.
    private var closingGenerations: Set<Int> = []

    /// Creates the job queue of session `generation` (its session task drains it).
    mutating func openJobs(generation: Int) -> AsyncStream<StreamJob> {
        let (stream, continuation) = AsyncStream.makeStream(of: StreamJob.self)
        let previous = currentJobs.withLock { current in
            defer { current = (generation, continuation) }
            return current?.queue
        }
        previous?.finish()
        closingGenerations = closingGenerations.filter { $0 > generation }
        return stream
    }

    /// The job queue when it belongs to session `generation`.
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

    /// Session `generation` ended: its job queue ends (its task cancels what runs).
    func closeJobs(generation: Int) {
        let queue: AsyncStream<StreamJob>.Continuation? = currentJobs.withLock { current in
            guard let queue = current?.queue, current?.generation == generation else { return nil }
            current = nil
            return queue
        }
        queue?.finish()
    }
}
