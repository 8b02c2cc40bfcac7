import SignalRProtocol

/// A client-to-server (upload) stream parameter of a hub method.
///
/// Declare a parameter of this type and the client's stream (sent as StreamItem messages
/// with the id listed in the invocation's `streamIds`) arrives here; a client Completion
/// with an error makes iteration throw ``ClientResultError`` with the client's text.
///
/// ```swift
/// hub.stream("StreamEcho") { (input: HubStream<String>) in input }
/// ```
public struct HubStream<Element: Decodable & Sendable>: AsyncSequence, Sendable {
    public typealias Failure = any Error

    private let values: AsyncThrowingStream<HubValue, any Error>
    private let hubProtocol: any HubProtocol

    init(values: AsyncThrowingStream<HubValue, any Error>, hubProtocol: any HubProtocol) {
        self.values = values
        self.hubProtocol = hubProtocol
    }

    /// Iterates the items; each is decoded as `Element` when it is reached.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<HubValue, any Error>.AsyncIterator
        let hubProtocol: any HubProtocol

        /// The next item, or nil when the client completed the stream.
        /// - Throws: ``ClientResultError`` when the client ended the stream with an error, or a
        ///   decoding error when an item is not an `Element`.
        public mutating func next() async throws -> Element? {
            guard let value = try await base.next() else { return nil }
            return try hubProtocol.decode(Element.self, from: value)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: values.makeAsyncIterator(), hubProtocol: hubProtocol)
    }
}

extension HubStream: Decodable {
    /// Always fails: an upload stream is bound from `streamIds`, never decoded from an argument.
    public init(from decoder: any Decoder) throws {
        throw DecodingError.dataCorrupted(
            .init(codingPath: decoder.codingPath, debugDescription: "An upload stream cannot be read from an argument.")
        )
    }
}

/// Parameter types bound to an upload stream rather than to an argument.
protocol UploadStreamParameter {
    static func make(values: AsyncThrowingStream<HubValue, any Error>, hubProtocol: any HubProtocol) -> Self
}

extension HubStream: UploadStreamParameter {
    static func make(values: AsyncThrowingStream<HubValue, any Error>, hubProtocol: any HubProtocol) -> HubStream {
        HubStream(values: values, hubProtocol: hubProtocol)
    }
}
