/// The sending half of stateful reconnect's bookkeeping (HubProtocol.md, "Ack" and
/// "Sequence"), the same on both ends of a connection, with no I/O.
///
/// Each sent sequenced message gets the next id, starting at 1, and is kept until an Ack
/// from the peer covers it; after the transport drops, ``replay`` gives the Sequence id and
/// the messages to send again.
public struct SequenceSender: Sendable {
    private var items: [(id: Int64, bytes: [UInt8])] = []
    private var firstItem = 0
    /// Bytes of the messages not yet acknowledged.
    public private(set) var bufferedBytes = 0
    /// The id of the last sequenced message sent (0 before the first).
    public private(set) var lastSentId: Int64 = 0

    /// Creates the state of a new connection.
    public init() {}

    /// Keeps a sent sequenced message until it is acknowledged.
    /// - Returns: its id.
    public mutating func append(_ bytes: [UInt8]) -> Int64 {
        lastSentId += 1
        items.append((lastSentId, bytes))
        bufferedBytes += bytes.count
        return lastSentId
    }

    /// The peer acknowledged every message up to `sequenceId`: they are dropped.
    public mutating func acknowledge(upTo sequenceId: Int64) {
        while firstItem < items.count, items[firstItem].id <= sequenceId {
            bufferedBytes -= items[firstItem].bytes.count
            firstItem += 1
        }
        // Compact now and then rather than shifting the array on every Ack.
        if firstItem > 64, firstItem * 2 > items.count {
            items.removeFirst(firstItem)
            firstItem = 0
        }
    }

    /// What to send on a new transport: a Sequence message with `firstId` (the first
    /// unacknowledged id, or the next id when everything was acknowledged), then `messages`.
    public var replay: (firstId: Int64, messages: [[UInt8]]) {
        let pending = items[firstItem...]
        return (pending.first?.id ?? lastSentId + 1, pending.map(\.bytes))
    }
}
