import Foundation
import SignalRProtocol

/// An argument that is sent to the hub as a client-to-server stream (an upload).
///
/// Wrap any `AsyncSequence` of `Encodable` values (an `AsyncStream`, an
/// `AsyncThrowingStream`, your own sequence) and pass it to
/// ``HubConnection/invoke(_:_:returning:)``, ``HubConnection/send(_:_:)`` or
/// ``HubConnection/stream(_:_:as:bufferSize:)`` like any other argument. As the official
/// clients do, the argument's place is taken by an entry in the message's `streamIds`,
/// each element goes out as a StreamItem, the end as a Completion, and a sequence that
/// throws ends with a Completion carrying the error's text.
///
/// ```swift
/// let (numbers, input) = AsyncStream.makeStream(of: Int.self)
/// async let sum: Int = connection.invoke("UploadSum", UploadStream(numbers))
/// for n in 1...10 { input.yield(n) }
/// input.finish()
/// print(try await sum)   // 55
/// ```
///
/// Upload stream ids come from the connection's invocation id counter, before the id of the
/// call they belong to (first upload: `streamIds: ["0"]`, invocation id `"1"`). Items are
/// sent once the call's own message is written, one at a time (each waits for the transport).
/// The upload ends when the sequence ends, when the call ends (``HubConnection/invoke(_:_:returning:)``
/// returns or throws, or a ``HubStreamSequence`` ends), or when the connection stops: its
/// task is then cancelled, and ``HubConnection/stop()`` waits for it. A sequence that
/// ignores task cancellation delays `stop()` until it produces its next element.
///
/// Encoding an `UploadStream` any other way (for example with a `JSONEncoder`) throws.
public struct UploadStream<Element: Encodable & Sendable>: Encodable, Sendable {
    let source: UploadSource

    /// Wraps `sequence` as an upload stream argument.
    /// - Parameter sequence: the elements to send; it is iterated once, by the connection.
    public init<Source: AsyncSequence & Sendable>(_ sequence: Source) where Source.Element == Element {
        source = UploadSource { emit in
            for try await element in sequence {
                guard await emit(HubValue(element)) else { return }
            }
        }
    }

    /// Throws: an upload stream is sent as a stream, never encoded as a value.
    public func encode(to encoder: any Encoder) throws {
        throw EncodingError.invalidValue(
            self,
            EncodingError.Context(
                codingPath: encoder.codingPath,
                debugDescription: "An UploadStream is sent as a stream by HubConnection's invoke, send or stream; it cannot be encoded as a value."
            )
        )
    }
}

/// The type-erased body of an ``UploadStream``.
struct UploadSource: Sendable {
    /// Iterates the sequence, handing each element to `emit`; stops early when `emit`
    /// returns false (the connection can no longer send). Throws what the sequence throws.
    let run: @Sendable (_ emit: @Sendable (HubValue) async -> Bool) async throws -> Void
}

/// Lets the connection find ``UploadStream`` arguments without knowing their element type.
protocol UploadStreamArgument {
    var uploadSource: UploadSource { get }
}

extension UploadStream: UploadStreamArgument {
    var uploadSource: UploadSource { source }
}

/// The arguments of a call with its upload streams taken out.
struct SplitArguments: Sendable {
    /// The arguments that travel in the message's `arguments`.
    var values: [HubValue]
    /// The upload streams, in argument order; their ids go in `streamIds`.
    var uploads: [UploadSource]

    /// Separates ``UploadStream`` arguments from the others.
    init(_ arguments: [HubValue]) {
        // Most calls have no upload: they keep the array they came with (no copy, no allocation).
        guard arguments.contains(where: { $0.encodableValue is any UploadStreamArgument }) else {
            values = arguments
            uploads = []
            return
        }
        values = []
        uploads = []
        for argument in arguments {
            if let upload = argument.encodableValue as? any UploadStreamArgument {
                uploads.append(upload.uploadSource)
            } else {
                values.append(argument)
            }
        }
    }
}

extension SignalRError {
    /// The text a Completion carries for `error`: a ``SignalRError``'s message, a
    /// `LocalizedError`'s description, or the error's description (the JS client uses `err.message`).
    static func completionText(for error: any Error) -> String {
        if let error = error as? SignalRError { return error.message }
        if let localized = error as? any LocalizedError, let text = localized.errorDescription { return text }
        return String(describing: error)
    }
}
