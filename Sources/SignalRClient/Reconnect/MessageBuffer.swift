import SignalRProtocol

/// The Ack and Sequence bookkeeping of stateful reconnect on the client (the official
/// client's `MessageBuffer`), with no I/O: the connection asks it what to do.
///
/// Sending: each sequenced message (Invocation, StreamItem, Completion, StreamInvocation,
/// CancelInvocation) gets the next id, starting at 1, and stays buffered until an Ack from
/// the server covers it. A send that fills the buffer (``limit`` bytes or more) waits until
/// an Ack covers it or frees enough room. After the transport drops, ``replay`` gives the
/// Sequence id and the messages to send again.
///
/// Receiving: sequenced messages are counted; after a drop the messages before the server's
/// Sequence message are ignored, and the server's replay of what was already processed is
/// skipped. ``takeAck()`` says what to acknowledge.
struct MessageBuffer: Sendable {
    /// Bytes of unacknowledged messages above which sends wait.
    let limit: Int
    private var items: [(id: Int64, bytes: [UInt8])] = []
    private var firstItem = 0
    private(set) var bufferedBytes = 0
    /// Ids of sends waiting for room, in order.
    private var waiting: [Int64] = []
    /// The id of the last sequenced message sent.
    private(set) var lastSentId: Int64 = 0
    /// The id the next received sequenced message has.
    private var nextReceivingId: Int64 = 1
    /// The highest received id that was processed.
    private(set) var latestReceivedId: Int64 = 0
    /// The id last acknowledged to the server.
    private var lastAckSentId: Int64 = 0
    /// After a drop, nothing is processed until the server's Sequence message.
    private(set) var waitingForSequence = false

    init(limit: Int) {
        self.limit = limit
    }

    // MARK: Sending

    /// Buffers a sent sequenced message.
    /// - Returns: its id, and whether the send must wait for room (see ``acknowledge(upTo:)``).
    mutating func append(_ bytes: [UInt8]) -> (id: Int64, mustWait: Bool) {
        lastSentId += 1
        items.append((lastSentId, bytes))
        bufferedBytes += bytes.count
        let mustWait = bufferedBytes >= limit
        if mustWait { waiting.append(lastSentId) }
        return (lastSentId, mustWait)
    }

    /// The server acknowledged every message up to `sequenceId`.
    /// - Returns: the ids of waiting sends that may go on (acknowledged, or room was freed).
    mutating func acknowledge(upTo sequenceId: Int64) -> [Int64] {
        while firstItem < items.count, items[firstItem].id <= sequenceId {
            bufferedBytes -= items[firstItem].bytes.count
            firstItem += 1
        }
        if firstItem > 64, firstItem * 2 > items.count {
            items.removeFirst(firstItem)
            firstItem = 0
        }
        let released = waiting.filter { $0 <= sequenceId || bufferedBytes < limit }
        waiting.removeAll { $0 <= sequenceId || bufferedBytes < limit }
        return released
    }

    /// Whether the send with `id` still waits for room.
    func isWaiting(_ id: Int64) -> Bool { waiting.contains(id) }

    /// Removes every waiting send (the connection ended): their ids.
    mutating func takeWaiting() -> [Int64] {
        defer { waiting = [] }
        return waiting
    }

    /// What to send on a new transport: a Sequence message with `firstId` (the first
    /// unacknowledged id, or the next id when everything was acknowledged), then `messages`.
    var replay: (firstId: Int64, messages: [[UInt8]]) {
        let pending = items[firstItem...]
        return (pending.first?.id ?? lastSentId + 1, pending.map(\.bytes))
    }

    // MARK: Receiving

    /// The transport dropped: ignore what arrives until the server's Sequence message, and
    /// acknowledge again on the new transport (the last Ack may have been lost).
    mutating func disconnected() {
        waitingForSequence = true
        lastAckSentId = 0
    }

    /// Whether a received message should be handled. Counts sequenced messages and skips the
    /// ones already processed (a replay); skips everything but Sequence after a drop.
    mutating func shouldProcess(_ message: HubMessage) -> Bool {
        if waitingForSequence {
            guard case .sequence = message else { return false }
            waitingForSequence = false
            return true
        }
        guard message.isSequenced else { return true }
        let id = nextReceivingId
        nextReceivingId += 1
        guard id > latestReceivedId else { return false }
        latestReceivedId = id
        return true
    }

    /// The server's Sequence message: its next sequenced message has id `sequenceId`.
    /// - Returns: false when that skips messages never received (the connection must end with
    ///   "Sequence ID greater than amount of messages we've received.").
    ///
    /// Checked against the highest id processed, not the running count: after a cut in the
    /// middle of a replay the count is behind what was already processed (and acknowledged),
    /// and the server rightly resumes after the acknowledged id.
    mutating func resetSequence(to sequenceId: Int64) -> Bool {
        guard sequenceId <= latestReceivedId + 1 else { return false }
        nextReceivingId = sequenceId
        return true
    }

    /// The id to acknowledge, when messages arrived since the last Ack.
    mutating func takeAck() -> Int64? {
        guard latestReceivedId > lastAckSentId else { return nil }
        lastAckSentId = latestReceivedId
        return latestReceivedId
    }
}
