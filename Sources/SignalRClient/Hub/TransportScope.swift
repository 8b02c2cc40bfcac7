/// An open transport whose scope (``Transport/run(_:isolation:_:)``) runs in a child of the
/// connection's owner task (see ``ConnectionTaskOwner``).
///
/// The child enters the scope, hands the open connection to whoever opened it, then waits for
/// the link's loops (``start(_:)``) and runs them inside the scope; when they return, the scope
/// closes the transport. So a transport's background work (a WebSocket's scope, a poll loop) is
/// a child of the connection too, and the open/close bookkeeping lives in the transport's `run`.
final class TransportScope: Sendable {
    /// The open connection; closed once the scope has ended.
    let connection: any TransportConnection
    /// The child that runs the scope; it ends after the transport closed.
    let task: ChildTask
    private let loops: ScopeLoops

    fileprivate init(connection: any TransportConnection, task: ChildTask, loops: ScopeLoops) {
        self.connection = connection
        self.task = task
        self.loops = loops
    }

    /// Runs `body` inside the scope (once); the transport closes when it returns.
    /// - Returns: the scope's child, to cancel or await.
    func start(_ body: @escaping @Sendable () async -> Void) -> ChildTask {
        loops.hand(body)
        return task
    }

    /// Nothing will run in the scope: it closes the transport and ends.
    func release() {
        loops.hand(nil)
    }
}

/// The link's loops, handed from the actor to the scope's child once.
private final class ScopeLoops: Sendable {
    typealias Body = @Sendable () async -> Void

    private enum State {
        case waiting(CheckedContinuation<Body?, Never>?)
        case handed(Body?)
        case taken
    }

    private let state = Locked(State.waiting(nil))

    func hand(_ body: Body?) {
        let waiter: CheckedContinuation<Body?, Never>? = state.withLock { state in
            switch state {
            case .waiting(let waiter?):
                state = .taken
                return waiter
            case .waiting(nil):
                state = .handed(body)
                return nil
            case .handed, .taken:
                return nil
            }
        }
        waiter?.resume(returning: body)
    }

    /// Waits for the loops; nil when released. Not cancellable on purpose: every path that
    /// opens a scope hands it the loops (`makeLink`) or releases it (a stateful resume no
    /// longer wanted), and loops handed to a scope that had stopped waiting would never run, so
    /// the connection would wait for a handshake nobody reads. A cancelled scope runs its
    /// loops, which then see the cancellation.
    func next() async -> Body? {
        await withCheckedContinuation { (waiter: CheckedContinuation<Body?, Never>) in
            let handed: Body?? = state.withLock { state in
                switch state {
                case .handed(let body):
                    state = .taken
                    return .some(body)
                case .waiting:
                    state = .waiting(waiter)
                    return nil
                case .taken:
                    return .some(nil)
                }
            }
            if let handed { waiter.resume(returning: handed) }
        }
    }
}

/// Opens transports in scopes that are children of one connection's owner task.
struct TransportOpener: Sendable {
    let owner: ConnectionTaskOwner

    /// Enters `transport`'s scope in a new child and waits until the connection is open.
    /// - Returns: the open scope; hand it the link's loops with ``TransportScope/start(_:)``
    ///   or end it with ``TransportScope/release()``.
    /// - Throws: why the transport did not connect; `CancellationError` when the calling task
    ///   is cancelled first or the connection no longer takes children (it has ended). The
    ///   child has ended when this throws.
    func open(_ transport: any Transport, _ request: TransportRequest) async throws -> TransportScope {
        let opening = TransportOpening<any TransportConnection>()
        let loops = ScopeLoops()
        let spawned = owner.spawn {
            do {
                try await transport.run(request, isolation: nil) { connection in
                    guard opening.succeed(connection) else { return }
                    if let body = await loops.next() { await body() }
                }
            } catch {
                opening.fail(error)
            }
        }
        guard let task = spawned else { throw CancellationError() }
        do {
            let connection = try await opening.wait(cancelling: task)
            return TransportScope(connection: connection, task: task, loops: loops)
        } catch {
            await task.value
            throw error
        }
    }
}
