extension MessagePackHubProtocol {
    /// Writes the message array with the element counts ASP.NET Core writes
    /// (Invocation always with its streamIds array; Close always with allowReconnect).
    func writeBody(_ message: HubMessage, into writer: inout MessagePackWriter) throws {
        let type = Int64(message.messageType.rawValue)
        switch message {
        case .invocation(let invocation):
            writer.writeArrayHeader(6)
            writer.write(type)
            writeHeaders(invocation.headers, into: &writer)
            if let id = invocation.invocationId { writer.write(id) } else { writer.writeNil() }
            try writeCallTail(invocation.target, invocation.arguments, invocation.streamIds, into: &writer)
        case .streamInvocation(let invocation):
            writer.writeArrayHeader(6)
            writer.write(type)
            writeHeaders(invocation.headers, into: &writer)
            writer.write(invocation.invocationId)
            try writeCallTail(invocation.target, invocation.arguments, invocation.streamIds, into: &writer)
        case .streamItem(let item):
            writer.writeArrayHeader(4)
            writer.write(type)
            writeHeaders(item.headers, into: &writer)
            writer.write(item.invocationId)
            try writeValue(item.item, into: &writer)
        case .completion(let completion):
            switch completion.result {
            case .error(let text):
                writer.writeArrayHeader(5)
                writer.write(type)
                writeHeaders(completion.headers, into: &writer)
                writer.write(completion.invocationId)
                writer.write(Int64(1))
                writer.write(text)
            case .void:
                writer.writeArrayHeader(4)
                writer.write(type)
                writeHeaders(completion.headers, into: &writer)
                writer.write(completion.invocationId)
                writer.write(Int64(2))
            case .value(let value):
                writer.writeArrayHeader(5)
                writer.write(type)
                writeHeaders(completion.headers, into: &writer)
                writer.write(completion.invocationId)
                writer.write(Int64(3))
                try writeValue(value, into: &writer)
            }
        case .cancelInvocation(let cancel):
            writer.writeArrayHeader(3)
            writer.write(type)
            writeHeaders(cancel.headers, into: &writer)
            writer.write(cancel.invocationId)
        case .ping:
            writer.writeArrayHeader(1)
            writer.write(type)
        case .close(let close):
            writer.writeArrayHeader(3)
            writer.write(type)
            if let error = close.error { writer.write(error) } else { writer.writeNil() }
            writer.write(close.allowReconnect)
        case .ack(let ack):
            writer.writeArrayHeader(2)
            writer.write(type)
            writer.write(ack.sequenceId)
        case .sequence(let sequence):
            writer.writeArrayHeader(2)
            writer.write(type)
            writer.write(sequence.sequenceId)
        }
    }

    private func writeHeaders(_ headers: [String: String], into writer: inout MessagePackWriter) {
        writer.writeMapHeader(headers.count)
        for key in headers.keys.sorted() {
            writer.write(key)
            writer.write(headers[key] ?? "")
        }
    }

    private func writeCallTail(
        _ target: String, _ arguments: [HubValue], _ streamIds: [String], into writer: inout MessagePackWriter
    ) throws {
        writer.write(target)
        writer.writeArrayHeader(arguments.count)
        for argument in arguments { try writeValue(argument, into: &writer) }
        writer.writeArrayHeader(streamIds.count)
        for id in streamIds { writer.write(id) }
    }

    /// Writes one value.
    func writeValue(_ value: HubValue, into writer: inout MessagePackWriter) throws {
        switch value.storage {
        case .null:
            writer.writeNil()
        case .messagePack(let bytes):
            writer.writeRaw(bytes)
        case .json(let token):
            // A value read by the other protocol (a server relaying it): convert through the dynamic value.
            try encoder.encode(try JSONValue(parsing: token), into: &writer)
        case .encodable(let local):
            switch local {
            case let string as String: writer.write(string)
            case let int as Int: writer.write(Int64(int))
            case let bool as Bool: writer.write(bool)
            case let double as Double: writer.write(double)
            default:
                if value.isNull {
                    writer.writeNil()
                    return
                }
                do {
                    try encoder.encode(local, into: &writer)
                } catch {
                    throw HubProtocolError(
                        .invalidValue, "Could not encode a value of type \(type(of: local)) as MessagePack: \(error)")
                }
            }
        }
    }
}
