/// An error a hub method throws to send its text to the client, like ASP.NET Core's `HubException`.
///
/// The client sees `An unexpected error occurred invoking 'Method' on the server. HubException: <message>`,
/// whatever ``HubServerConfiguration/enableDetailedErrors`` says. Any other error a method
/// throws is hidden unless detailed errors are on.
///
/// ```swift
/// hub.on("Throw") { (message: String) -> Int in throw HubError(message) }
/// ```
public struct HubError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text sent to the client.
    public var message: String

    /// Creates an error whose `message` the client sees.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// A client result call that failed: the client answered with an error, the call timed out,
/// or the connection closed first.
public struct ClientResultError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Why the call failed (the client's error text, or a description of the timeout or close).
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// The error texts ASP.NET Core sends, built the way its `ErrorMessageHelper` builds them.
enum ErrorText {
    /// `message`, followed by ` <ExceptionType>: <detail>` for a ``HubError`` or when detailed errors are on.
    static func build(_ message: String, _ error: any Error, detailed: Bool) -> String {
        if let hubError = error as? HubError {
            return "\(message) HubException: \(hubError.message)"
        }
        if let binding = error as? ArgumentBindingError {
            return detailed ? "\(message) InvalidDataException: \(binding.message)" : message
        }
        guard detailed else { return message }
        return "\(message) \(String(describing: type(of: error))): \(error)"
    }

    static func invokeFailed(_ target: String) -> String {
        "An unexpected error occurred invoking '\(target)' on the server."
    }

    static func bindingFailed(_ target: String) -> String {
        "Failed to invoke '\(target)' due to an error on the server."
    }

    static let streamingFailed = "An error occurred on the server while streaming results."
    static let methodDoesNotExist = "Method does not exist."
}

/// A hub method's arguments do not fit its parameters (ASP.NET Core's `InvalidDataException` while binding).
struct ArgumentBindingError: Error, Sendable {
    var message: String

    static func count(provided: Int, expected: Int) -> ArgumentBindingError {
        ArgumentBindingError(message: "Invocation provides \(provided) argument(s) but target expects \(expected).")
    }

    static let types = ArgumentBindingError(
        message: "Error binding arguments. Make sure that the types of the provided values match the types of the hub method being invoked."
    )
}
