import SignalRProtocol

/// What an invocation brings to bind a method's parameters from.
struct InvocationArguments: Sendable {
    /// The `arguments` of the message, not yet decoded.
    var values: [HubValue]
    /// One stream of items per entry of `streamIds`, in order.
    var uploads: [AsyncThrowingStream<HubValue, any Error>]
    /// The protocol that decodes the values.
    var hubProtocol: any HubProtocol
}

/// How many arguments and upload streams a method's parameter list takes.
struct ParameterShape: Sendable, Equatable {
    var argumentCount = 0
    var streamCount = 0

    static func of<each A>(_ types: repeat (each A).Type) -> ParameterShape {
        var shape = ParameterShape()
        for type in repeat each types {
            if type is any UploadStreamParameter.Type {
                shape.streamCount += 1
            } else {
                shape.argumentCount += 1
            }
        }
        return shape
    }
}

/// Reads parameters one by one from ``InvocationArguments``; a reference so a parameter
/// pack expansion can advance it.
final class ArgumentBinder {
    private let arguments: InvocationArguments
    private var nextArgument = 0
    private var nextStream = 0

    init(_ arguments: InvocationArguments) {
        self.arguments = arguments
    }

    /// Binds the next parameter: an upload stream, or the next argument decoded as `T`.
    /// - Throws: ``ArgumentBindingError/types`` when the value is not a `T`.
    func next<T: Decodable & Sendable>(_ type: T.Type) throws -> T {
        if let streamType = type as? any UploadStreamParameter.Type {
            guard nextStream < arguments.uploads.count else { throw ArgumentBindingError.types }
            let values = arguments.uploads[nextStream]
            nextStream += 1
            guard let stream = streamType.make(values: values, hubProtocol: arguments.hubProtocol) as? T else {
                throw ArgumentBindingError.types
            }
            return stream
        }
        guard nextArgument < arguments.values.count else { throw ArgumentBindingError.types }
        let value = arguments.values[nextArgument]
        nextArgument += 1
        do {
            return try arguments.hubProtocol.decode(T.self, from: value)
        } catch {
            throw ArgumentBindingError.types
        }
    }
}
