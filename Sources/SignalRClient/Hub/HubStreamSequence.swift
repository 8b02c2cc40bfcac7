import SignalRProtocol

/// The items of a streaming hub method, returned by ``HubConnection/stream(_:_:as:bufferSize:)``
/// (the official client's `IStreamResult`).
///
/// Each iteration calls the hub method when its first `next()` runs and ends with the hub's
/// Completion. Leaving the loop early or cancelling the task sends CancelInvocation.
///
/// ```swift
/// for try await n in connection.stream("Counter", 10, 500, as: Int.self) {
///     print(n)
/// }
/// ```
public struct HubStreamSequence<Element: Decodable & Sendable>: AsyncSequence, Sendable {
    /// How many received items may wait for the consumer unless the call says otherwise.
    public static var defaultBufferSize: Int { 1_024 }

    let connection: HubConnection
    let method: String
    let arguments: [HubValue]
    /// How many received items may wait for the consumer (at least 1).
    public let bufferSize: Int

    init(connection: HubConnection, method: String, arguments: [HubValue], bufferSize: Int) {
        self.connection = connection
        self.method = method
        self.arguments = arguments
        self.bufferSize = Swift.max(1, bufferSize)
    }

    /// Starts an iteration; the hub method is called on its first `next()`.
    public func makeAsyncIterator() -> Iterator {
        Iterator(connection: connection, method: method, arguments: arguments, channel: StreamChannel(capacity: bufferSize))
    }

    /// Reads the items of one call of the streaming method.
    public struct Iterator: AsyncIteratorProtocol {
        private enum Phase {
            case idle
            case started
            case done
        }

        private let connection: HubConnection
        private let method: String
        private let arguments: [HubValue]
        /// Cancels the stream when the last copy of this iterator goes away (an early `break`).
        private let owner: ChannelOwner
        private var phase = Phase.idle

        init(connection: HubConnection, method: String, arguments: [HubValue], channel: StreamChannel) {
            self.connection = connection
            self.method = method
            self.arguments = arguments
            self.owner = ChannelOwner(channel)
        }

        /// The next item; nil once the hub completed the stream.
        /// - Throws: as ``HubConnection/stream(_:_:as:bufferSize:)`` describes; after an
        ///   error, `next()` returns nil.
        public mutating func next() async throws -> Element? {
            let channel = owner.channel
            do {
                switch phase {
                case .done:
                    return nil
                case .idle:
                    phase = .started
                    try await connection.beginStream(method, arguments: arguments, channel: channel)
                case .started:
                    break
                }
                guard let value = try await channel.next() else {
                    phase = .done
                    return nil
                }
                return try decode(value, channel: channel)
            } catch {
                phase = .done
                throw error
            }
        }

        private func decode(_ value: HubValue, channel: StreamChannel) throws -> Element {
            do {
                return try connection.hubProtocol.decode(Element.self, from: value)
            } catch {
                let failure = SignalRError(
                    .protocolError, "An item of the stream '\(method)' could not be decoded as \(Element.self): \(error)",
                    underlyingError: error
                )
                channel.cancel(failure)
                throw failure
            }
        }
    }
}

/// Owns an iterator's channel: when the iterator is dropped before the stream ended, the
/// stream is cancelled (CancelInvocation is sent) at once.
final class ChannelOwner: Sendable {
    let channel: StreamChannel

    init(_ channel: StreamChannel) { self.channel = channel }

    deinit {
        channel.cancel(CancellationError())
    }
}
