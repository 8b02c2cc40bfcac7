/// Hands every state change of one connection to each subscriber's own stream.
///
/// Lives beside the actor (not in it) so that ``HubConnection/stateChanges`` is nonisolated:
/// a subscriber gets the current state and every later one with no `await`, and the lock
/// makes "read the current state, then register" one step, so no change falls in between.
/// Each stream buffers the newest ``bufferSize`` changes: a consumer that stops reading never
/// holds up the connection, it only misses the oldest changes (never the latest).
final class StateBroadcaster: Sendable {
    static let bufferSize = 32

    private struct Subscribers {
        var current: HubConnectionStateChange = .disconnected(nil)
        var streams: [Int: AsyncStream<HubConnectionStateChange>.Continuation] = [:]
        var nextId = 0
    }

    private let subscribers = Locked(Subscribers())

    /// A new stream that starts with the current state.
    func subscribe() -> AsyncStream<HubConnectionStateChange> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: HubConnectionStateChange.self, bufferingPolicy: .bufferingNewest(Self.bufferSize)
        )
        let id: Int = subscribers.withLock { subscribers in
            let id = subscribers.nextId
            subscribers.nextId += 1
            subscribers.streams[id] = continuation
            continuation.yield(subscribers.current)
            return id
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.streams.removeValue(forKey: id) }
        }
        return stream
    }

    /// Delivers `change` to every subscriber, unless it is the current state already.
    func publish(_ change: HubConnectionStateChange) {
        subscribers.withLock { subscribers in
            guard subscribers.current != change else { return }
            subscribers.current = change
            for continuation in subscribers.streams.values { continuation.yield(change) }
        }
    }

    /// Ends every stream (the connection is gone).
    func finish() {
        let streams = subscribers.withLock { subscribers in
            defer { subscribers.streams = [:] }
            return Array(subscribers.streams.values)
        }
        streams.forEach { $0.finish() }
    }
}
