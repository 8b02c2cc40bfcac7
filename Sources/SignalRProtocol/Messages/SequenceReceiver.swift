/// The receiving half of stateful reconnect's bookkeeping (HubProtocol.md, "Ack" and
/// "Sequence"), the same on both ends of a connection, with no I/O.
///
/// Sequenced messages (``HubMessage/isSequenced``) are numbered from 1 in arrival order.
/// After the transport drops, nothing counts until the peer's Sequence message, which says
/// the id of the next message it sends; messages up to the highest id already processed are
/// then skipped as the peer's replay. ``takeAck()`` says what to acknowledge.
public struct SequenceReceiver: Sendable {
    /// The id the next received sequenced message has.
    private var nextReceivingId: Int64 = 1
    /// The highest received id that was processed.
    public private(set) var latestReceivedId: Int64 = 0
    /// The id last acknowledged to the peer.
    private var lastAckSentId: Int64 = 0
    /// After a drop, nothing is processed until the peer's Sequence message.
    public private(set) var waitingForSequence = false

    /// Creates the state of a new connection.
    public init() {}

    /// The transport dropped: ignore what arrives until the peer's Sequence message, and
    /// acknowledge again on the new transport (the last Ack may have been lost).
    public mutating func disconnected() {
        waitingForSequence = true
        lastAckSentId = 0
    }

    /// Whether a received message should be handled. Counts sequenced messages and skips the
    /// ones already processed (a replay); skips everything but Sequence after a drop.
    public mutating func shouldProcess(_ message: HubMessage) -> Bool {
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

    /// The peer's Sequence message: its next sequenced message has id `sequenceId`.
    /// - Returns: false when that skips messages never received (the connection must end with
    ///   "Sequence ID greater than amount of messages we've received.").
    ///
    /// Checked against the highest id processed, not the running count: after a cut in the
    /// middle of a replay the count is behind what was already processed (and acknowledged),
    /// and the peer rightly resumes after the acknowledged id.
    public mutating func resetSequence(to sequenceId: Int64) -> Bool {
        guard sequenceId <= latestReceivedId + 1 else { return false }
        nextReceivingId = sequenceId
        return true
    }

    /// The id to acknowledge, when messages arrived since the last Ack.
    public mutating func takeAck() -> Int64? {
        guard latestReceivedId > lastAckSentId else { return nil }
        lastAckSentId = latestReceivedId
        return latestReceivedId
    }
}
