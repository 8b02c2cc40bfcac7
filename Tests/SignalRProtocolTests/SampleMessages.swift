import SignalRProtocol

/// One or more messages of every type, with and without optional fields.
enum SampleMessages {
    static let all: [HubMessage] = [
        .invocation(InvocationMessage(invocationId: "0", target: "Add", arguments: [HubValue(1), HubValue(2)])),
        .invocation(InvocationMessage(invocationId: nil, target: "Send", arguments: [HubValue("ana"), HubValue("hi")])),
        .invocation(
            InvocationMessage(
                invocationId: "7", target: "Upload", arguments: [HubValue(true)], streamIds: ["5", "6"],
                headers: ["a": "b", "c": "d"])),
        .streamInvocation(StreamInvocationMessage(invocationId: "1", target: "Counter", arguments: [HubValue(10), HubValue(5)])),
        .streamInvocation(
            StreamInvocationMessage(invocationId: "2", target: "Echo", arguments: [], streamIds: ["1"], headers: ["x": "y"])),
        .streamItem(StreamItemMessage(invocationId: "1", item: HubValue("item"))),
        .streamItem(StreamItemMessage(invocationId: "1", item: .null, headers: ["h": "v"])),
        .completion(CompletionMessage(invocationId: "1", result: .void)),
        .completion(CompletionMessage(invocationId: "1", result: .value(HubValue(42)))),
        .completion(CompletionMessage(invocationId: "1", result: .value(.null))),
        .completion(CompletionMessage(invocationId: "1", result: .error("boom"), headers: ["k": "v"])),
        .cancelInvocation(CancelInvocationMessage(invocationId: "9")),
        .ping,
        .close(CloseMessage()),
        .close(CloseMessage(error: "bye", allowReconnect: true)),
        .ack(AckMessage(sequenceId: 1394)),
        .sequence(SequenceMessage(sequenceId: 1)),
    ]
}
