// Users import SignalRMacros in place of SignalRClient: the generated code names the
// client's types, so the client comes with it.
@_exported import SignalRClient

/// Generates `<Protocol>Proxy`, a struct that conforms to the protocol by calling the hub.
///
/// ```swift
/// @HubProxy
/// protocol ChatHub {
///     func sendMessage(user: String, message: String) async throws            // invoke, no result
///     func add(_ a: Int, _ b: Int) async throws -> Int                           // invoke with a result
///     @HubSend func notify(_ text: String) async throws                          // send (no wait)
///     func counter(count: Int, delayMilliseconds: Int) -> HubStreamSequence<Int> // stream from the hub
///     func uploadSum(_ numbers: UploadStream<Int>) async throws -> Int           // stream to the hub
/// }
///
/// let hub = ChatHubProxy(connection)
/// let sum = try await hub.add(2, 3)
/// ```
///
/// Each method calls the hub method named after it with its first letter uppercased
/// (`sendMessage` → `SendMessage`, as ASP.NET Core hubs are usually written; hubs match
/// names case-insensitively), or the name given with ``HubMethod(_:)``. A method returning
/// nothing or a value uses ``HubConnection/invoke(_:_:returning:)``, a ``HubSend()`` method
/// ``HubConnection/send(_:_:)``, one returning ``HubStreamSequence`` ``HubConnection/stream(_:_:as:bufferSize:)``;
/// ``UploadStream`` parameters stream to the hub. The methods throw what those calls throw.
///
/// The macro reports, at compile time: a declaration that is not a protocol; members other
/// than methods; static or generic methods; a call that is not `async throws` (streams
/// excepted), with a fix-it; parameter and result types that can never be hub values
/// (functions, tuples, `Any`, `some`/`any` types, metatypes, inout, variadics, streams
/// anywhere but their place); `@HubSend` with a result (fix-it); two methods with one wire
/// name. That a named type is `Codable & Sendable` is checked by the compiler, on the calls
/// the proxy makes.
@attached(peer, names: suffixed(Proxy))
public macro HubProxy() = #externalMacro(module: "SignalRMacrosPlugin", type: "HubProxyMacro")

/// Generates `<Protocol>Receiver`, a ``HubReceiverBinding`` that makes a value conforming to
/// the protocol the handler of the client methods the hub calls.
///
/// ```swift
/// @HubReceiver
/// protocol ChatClient {
///     func receiveMessage(user: String, message: String) async
///     func getMessage(question: String) async throws -> String   // answers a client-result call
/// }
///
/// let registration = await connection.register(ChatClientReceiver.self, handler: MyChatClient())
/// await registration.remove()
/// ```
///
/// Wire names follow ``HubProxy()``'s rule (`receiveMessage` handles `ReceiveMessage`, and
/// client methods match case-insensitively, as in the official client). Each method is
/// registered with ``HubConnection/on(_:_:)``; one that returns a value answers the hub's
/// client-result calls, and one that throws answers with the error. Methods must be `async`
/// (with a fix-it); parameters and results follow ``HubProxy()``'s rules, and streams are
/// not allowed.
@attached(peer, names: suffixed(Receiver))
public macro HubReceiver() = #externalMacro(module: "SignalRMacrosPlugin", type: "HubReceiverMacro")

/// Gives a method of a ``HubProxy()`` or ``HubReceiver()`` protocol its wire name, in place
/// of the base name with its first letter uppercased.
///
/// ```swift
/// @HubMethod("Send") func sendMessage(_ text: String) async throws
/// ```
///
/// - Parameter name: the hub or client method's name; a non-empty string literal.
@attached(peer)
public macro HubMethod(_ name: String) = #externalMacro(module: "SignalRMacrosPlugin", type: "HubMethodMacro")

/// Makes a ``HubProxy()`` method call the hub with ``HubConnection/send(_:_:)`` (returns once
/// the message is written, as the official client's `send`) instead of waiting for it.
/// Such a method returns nothing.
@attached(peer)
public macro HubSend() = #externalMacro(module: "SignalRMacrosPlugin", type: "HubSendMacro")
