import NIOConcurrencyHelpers

/// Something that runs submitted work as child tasks of a task it belongs to.
protocol WorkSpawner: Sendable {
    /// Submits `work`; returns false (and drops it) once no more work is accepted.
    @discardableResult
    func spawn(_ work: @escaping TaskSpawner.Work) -> Bool
}

/// Runs work submitted from anywhere as child tasks of one owning task.
///
/// The owner calls ``run()`` inside its own scope; ``spawn(_:)`` may be called from any
/// context and the work becomes a child of that `run()` call, so cancelling the owner
/// cancels every spawned task, and `run()` returns only when all of them have ended
/// (structured concurrency without handing a task group around).
struct TaskSpawner: WorkSpawner {
    typealias Work = @Sendable () async -> Void

    private let stream: AsyncStream<Work>
    private let continuation: AsyncStream<Work>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: Work.self)
    }

    /// Submits `work`; returns false (and drops it) once ``finish()`` was called.
    @discardableResult
    func spawn(_ work: @escaping Work) -> Bool {
        if case .enqueued = continuation.yield(work) { return true }
        return false
    }

    /// Stops accepting work; ``run()`` returns when the running work has ended.
    func finish() {
        continuation.finish()
    }

    /// Runs submitted work until ``finish()`` is called and all of it has ended.
    ///
    /// Cancelling the calling task cancels every child.
    func run() async {
        await withDiscardingTaskGroup { group in
            for await work in stream {
                group.addTask { await work() }
            }
        }
    }
}

extension TaskSpawner {
    /// Runs submitted work one item at a time, in submission order, as children of a
    /// ``WorkSpawner``: a child drains the queue while there is work and ends when
    /// it is empty, so an idle queue costs no task. Cancelling the owner cancels the current
    /// item and skips the rest.
    struct Serial: Sendable {
        private struct State {
            var items: [Work] = []
            var draining = false
            var finished = false
        }

        private let spawner: any WorkSpawner
        private let state = NIOLockedValueBox(State())

        init(on spawner: any WorkSpawner) {
            self.spawner = spawner
        }

        /// Submits `work`; returns false (and drops it) once ``finish()`` was called.
        @discardableResult
        func spawn(_ work: @escaping Work) -> Bool {
            let startDrain = state.withLockedValue { state -> Bool? in
                guard !state.finished else { return nil }
                state.items.append(work)
                guard !state.draining else { return false }
                state.draining = true
                return true
            }
            guard let startDrain else { return false }
            if startDrain, !spawner.spawn({ await drain() }) {
                state.withLockedValue { $0 = State(finished: true) }
                return false
            }
            return true
        }

        /// Stops accepting work.
        func finish() {
            state.withLockedValue { $0.finished = true }
        }

        private func drain() async {
            while let work = state.withLockedValue({ state -> Work? in
                guard !state.items.isEmpty else {
                    state.draining = false
                    return nil
                }
                return state.items.removeFirst()
            }) {
                if Task.isCancelled { continue }
                await work()
            }
        }
    }
}
