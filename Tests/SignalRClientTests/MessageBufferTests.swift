import SignalRProtocol
import Testing
@testable import SignalRClient

/// The receiving side of stateful reconnect's bookkeeping, message by message.
@Suite struct MessageBufferTests {
    static let item = HubMessage.invocation(InvocationMessage(invocationId: nil, target: "Number", arguments: []))

    @Test func replayedMessagesAreSkippedAndNewOnesProcessed() {
        var buffer = MessageBuffer(limit: 1_000)
        for _ in 1...5 {
            let processed = buffer.shouldProcess(Self.item)
            #expect(processed)
        }
        buffer.disconnected()
        let early = buffer.shouldProcess(Self.item)
        #expect(!early, "nothing counts before the server's Sequence")
        let sequence = buffer.shouldProcess(.sequence(SequenceMessage(sequenceId: 4)))
        #expect(sequence)
        let reset = buffer.resetSequence(to: 4)
        #expect(reset)
        let replayed = [buffer.shouldProcess(Self.item), buffer.shouldProcess(Self.item), buffer.shouldProcess(Self.item)]
        #expect(replayed == [false, false, true])  // 4 and 5 again, then 6
        let ack = buffer.takeAck()
        #expect(ack == 6)
    }

    @Test func aCutInTheMiddleOfAReplayAcceptsASequenceAfterWhatWasProcessed() {
        var buffer = MessageBuffer(limit: 1_000)
        for _ in 1...10 { _ = buffer.shouldProcess(Self.item) }
        let ack = buffer.takeAck()
        #expect(ack == 10)
        buffer.disconnected()
        _ = buffer.shouldProcess(.sequence(SequenceMessage(sequenceId: 3)))
        let first = buffer.resetSequence(to: 3)
        #expect(first)
        let replayed = (3...5).map { _ in buffer.shouldProcess(Self.item) }  // cut here, replay half done
        #expect(replayed == [false, false, false])
        buffer.disconnected()
        // The server had the Ack for 10: it resumes at 11, beyond the running count (6).
        _ = buffer.shouldProcess(.sequence(SequenceMessage(sequenceId: 11)))
        let second = buffer.resetSequence(to: 11)
        #expect(second)
        let next = buffer.shouldProcess(Self.item)  // 11
        #expect(next)
    }

    @Test func aSequenceBeyondWhatWasReceivedIsRefused() {
        var buffer = MessageBuffer(limit: 1_000)
        for _ in 1...3 { _ = buffer.shouldProcess(Self.item) }
        buffer.disconnected()
        let reset = buffer.resetSequence(to: 5)
        #expect(!reset)
    }
}
