import Foundation

/// Encodes `Encodable` values as MessagePack, the way MessagePack-CSharp's contractless
/// resolver (used by ASP.NET Core SignalR) lays them out.
///
/// - Keyed containers (structs, classes, `[String: V]`) become maps with string keys,
///   in the order the keys are encoded. Absent optionals are left out (as
///   `encodeIfPresent` does); `nil` written explicitly is MessagePack `nil`.
/// - Unkeyed containers become arrays; single values use their native format, and
///   integers always their smallest format.
/// - `Date` becomes the timestamp extension (-1), `Data` bin, `URL` its absolute string
///   and `Decimal` its exact decimal string (as MessagePack-CSharp writes `decimal`).
///   `[UInt8]` stays an array of integers.
/// - A value that requests no container at all is written as an empty map.
public struct MessagePackEncoder: Sendable {
    /// Values passed to every `encode(to:)` through `Encoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    /// Creates an encoder.
    public init() {}

    /// Encodes `value` as one MessagePack value.
    /// - Throws: `EncodingError` when a value cannot be represented (a non-finite `Date`,
    ///   a misused container) or whatever `value`'s `encode(to:)` throws.
    public func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        var writer = MessagePackWriter()
        try encode(value, into: &writer)
        return writer.bytes
    }

    /// Appends `value` to `writer` as one MessagePack value.
    /// - Throws: as ``encode(_:)``; `writer` is then left as it was.
    public func encode<T: Encodable>(_ value: T, into writer: inout MessagePackWriter) throws {
        // Plain values need none of the machinery below.
        if try MessagePackEncodingNode.writeNative(value, to: &writer, path: { [] }) { return }
        let start = writer.count
        let buffer = MessagePackEncodingBuffer(taking: &writer)
        let context = MessagePackEncodingContext(userInfo: userInfo)
        do {
            try MessagePackEncodingNode.encode(value, into: buffer, context: context, parent: nil, key: nil)
            if let error = context.deferredError { throw error }
            writer = buffer.take()
        } catch {
            writer = buffer.take()
            writer.truncate(to: start)
            throw error
        }
    }
}

/// The byte buffer that nested encoders share, so that values are written in place.
final class MessagePackEncodingBuffer {
    var writer: MessagePackWriter

    init() {
        writer = MessagePackWriter(reservingCapacity: 32)
    }

    /// Moves `writer`'s storage in without copying it.
    init(taking writer: inout MessagePackWriter) {
        self.writer = writer
        writer = MessagePackWriter(reservingCapacity: 0)
    }

    /// Moves the storage out again.
    func take() -> MessagePackWriter {
        var taken = MessagePackWriter(reservingCapacity: 0)
        swap(&taken, &writer)
        return taken
    }
}

/// State shared by every encoder of one `encode` call.
final class MessagePackEncodingContext {
    let userInfo: [CodingUserInfoKey: Any]
    /// The first container misuse; `Encoder`'s container methods cannot throw, so it is
    /// thrown when the top-level `encode` finishes.
    var deferredError: (any Error)?

    init(userInfo: [CodingUserInfoKey: any Sendable]) {
        self.userInfo = userInfo.isEmpty ? [:] : userInfo.mapValues { $0 as Any }
    }
}

/// The `Encoder` for one value.
///
/// Values are written straight into the shared buffer in the order `encode(to:)` writes
/// them. An array or map header gets a one-byte placeholder that ``finish()`` fills in
/// (widening it if needed) once the element count is known. Containers made with
/// `nestedContainer`/`superEncoder` may be written in any order relative to their parent,
/// so they get buffers of their own that are spliced into the parent when it finishes.
final class MessagePackEncodingNode: Encoder {
    enum State {
        case empty
        case single(written: Bool)
        case keyed(header: Int)
        case unkeyed(header: Int)
    }

    enum Kind {
        case single
        case keyed
        case unkeyed
    }

    private struct Splice {
        let offset: Int
        let node: MessagePackEncodingNode
    }

    let buffer: MessagePackEncodingBuffer
    let context: MessagePackEncodingContext
    var state = State.empty
    /// Elements (or pairs) written to this node's array or map.
    var count = 0
    private var splices: [Splice] = []
    // The coding path is built only when asked for (errors, mostly), from the parent
    // chain. Spliced nodes copy their parent's path instead: the parent holds them until
    // it finishes, so a reference back would make a cycle.
    private let parent: MessagePackEncodingNode?
    private let basePath: [any CodingKey]
    private let key: (any CodingKey)?

    init(
        buffer: MessagePackEncodingBuffer, context: MessagePackEncodingContext,
        parent: MessagePackEncodingNode?, basePath: [any CodingKey] = [], key: (any CodingKey)?
    ) {
        self.buffer = buffer
        self.context = context
        self.parent = parent
        self.basePath = basePath
        self.key = key
    }

    var codingPath: [any CodingKey] {
        Self.path(parent, basePath, key)
    }

    private static func path(
        _ parent: MessagePackEncodingNode?, _ basePath: [any CodingKey], _ key: (any CodingKey)?
    ) -> [any CodingKey] {
        var path = parent?.codingPath ?? basePath
        if let key { path.append(key) }
        return path
    }

    var userInfo: [CodingUserInfoKey: Any] { context.userInfo }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(MessagePackKeyedEncodingContainer<Key>(node: start(.keyed)))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        MessagePackUnkeyedEncodingContainer(node: start(.unkeyed))
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        MessagePackSingleValueEncodingContainer(node: start(.single))
    }

    /// Starts a container of `kind` on this node and returns the node to write to.
    ///
    /// Asking again for the same kind continues the same container (a subclass and its
    /// superclass may share one keyed container). Asking for a different kind is a bug in
    /// the caller's `encode(to:)`; it is reported when encoding ends, and the misused
    /// container writes to a scratch node that is thrown away.
    func start(_ kind: Kind) -> MessagePackEncodingNode {
        switch (state, kind) {
        case (.empty, .single):
            state = .single(written: false)
        case (.empty, .keyed):
            state = .keyed(header: buffer.writer.reserveContainerHeader())
        case (.empty, .unkeyed):
            state = .unkeyed(header: buffer.writer.reserveContainerHeader())
        case (.single, .single), (.keyed, .keyed), (.unkeyed, .unkeyed):
            break
        default:
            if context.deferredError == nil {
                context.deferredError = EncodingError.invalidValue(
                    "\(kind) container", EncodingError.Context(
                        codingPath: codingPath,
                        debugDescription: "Requested a \(kind) container after another kind was used for the same value."))
            }
            let scratch = MessagePackEncodingNode(
                buffer: MessagePackEncodingBuffer(), context: context, parent: nil, basePath: codingPath, key: nil)
            return scratch.start(kind)
        }
        return self
    }

    /// Makes the encoder for a nested container or super encoder at the current end of
    /// this node's bytes, with a buffer of its own.
    func makeSplicedChild(key: any CodingKey, kind: Kind?) -> MessagePackEncodingNode {
        let child = MessagePackEncodingNode(
            buffer: MessagePackEncodingBuffer(), context: context, parent: nil, basePath: codingPath, key: key)
        if let kind { _ = child.start(kind) }
        splices.append(Splice(offset: buffer.writer.count, node: child))
        return child
    }

    /// Completes this node's value once its `encode(to:)` has returned: splices in nested
    /// containers, then writes the final array or map header.
    func finish() {
        switch state {
        case .empty:
            buffer.writer.writeMapHeader(0)
        case .single(let written):
            if !written { buffer.writer.writeNil() }
        case .keyed(let header):
            applySplices()
            buffer.writer.patchContainerHeader(at: header, count: count, isMap: true)
        case .unkeyed(let header):
            applySplices()
            buffer.writer.patchContainerHeader(at: header, count: count, isMap: false)
        }
    }

    // Back to front, so the offsets of earlier splices stay valid.
    private func applySplices() {
        guard !splices.isEmpty else { return }
        for splice in splices.reversed() {
            splice.node.finish()
            buffer.writer.insert(splice.node.buffer.writer.bytes, at: splice.offset)
        }
        splices.removeAll()
    }

    /// Encodes `value` as a child of this node (a keyed or unkeyed element, or this
    /// node's single value) at the end of the shared buffer.
    func encodeChild<T: Encodable>(_ value: T, key: @autoclosure () -> (any CodingKey)?) throws {
        try Self.encode(value, into: buffer, context: context, parent: self, key: key())
    }

    /// Encodes `value` at the end of `buffer`: natively when it has a MessagePack form,
    /// else through its `encode(to:)` with a node of its own.
    static func encode<T: Encodable>(
        _ value: T, into buffer: MessagePackEncodingBuffer, context: MessagePackEncodingContext,
        parent: MessagePackEncodingNode?, key: @autoclosure () -> (any CodingKey)?
    ) throws {
        // The key is only made when needed: for an error or a value with a node of its own.
        if try writeNative(value, to: &buffer.writer, path: { path(parent, [], key()) }) { return }
        let node = MessagePackEncodingNode(buffer: buffer, context: context, parent: parent, key: key())
        try value.encode(to: node)
        node.finish()
    }
}
