import Foundation

extension JSONHubProtocol {
    /// Writes the message object in the field order ASP.NET Core's JSON protocol uses:
    /// `type`, `headers` (when any), `invocationId`, `target`, `arguments`, `streamIds` (when any).
    func writeEnvelope(_ message: HubMessage, into buffer: inout [UInt8]) throws {
        buffer.append(contentsOf: #"{"type":"#.utf8)
        JSONWriter.writeInteger(message.messageType.rawValue, into: &buffer)
        buffer.append(UInt8(ascii: ","))
        switch message {
        case .invocation(let invocation):
            try writeCall(
                headers: invocation.headers, invocationId: invocation.invocationId, target: invocation.target,
                arguments: invocation.arguments, streamIds: invocation.streamIds, into: &buffer)
        case .streamInvocation(let invocation):
            try writeCall(
                headers: invocation.headers, invocationId: invocation.invocationId, target: invocation.target,
                arguments: invocation.arguments, streamIds: invocation.streamIds, into: &buffer)
        case .streamItem(let item):
            writeHeadersAndId(item.headers, item.invocationId, into: &buffer)
            buffer.append(contentsOf: #","item":"#.utf8)
            try writeValue(item.item, into: &buffer)
        case .completion(let completion):
            writeHeadersAndId(completion.headers, completion.invocationId, into: &buffer)
            switch completion.result {
            case .void: break
            case .error(let text):
                buffer.append(contentsOf: #","error":"#.utf8)
                JSONWriter.writeString(text, into: &buffer)
            case .value(let value):
                buffer.append(contentsOf: #","result":"#.utf8)
                try writeValue(value, into: &buffer)
            }
        case .cancelInvocation(let cancel):
            writeHeadersAndId(cancel.headers, cancel.invocationId, into: &buffer)
        case .ping:
            buffer.removeLast()
        case .close(let close):
            buffer.removeLast()
            if let error = close.error {
                buffer.append(contentsOf: #","error":"#.utf8)
                JSONWriter.writeString(error, into: &buffer)
            }
            if close.allowReconnect { buffer.append(contentsOf: #","allowReconnect":true"#.utf8) }
        case .ack(let ack):
            buffer.append(contentsOf: #""sequenceId":"#.utf8)
            JSONWriter.writeInteger(ack.sequenceId, into: &buffer)
        case .sequence(let sequence):
            buffer.append(contentsOf: #""sequenceId":"#.utf8)
            JSONWriter.writeInteger(sequence.sequenceId, into: &buffer)
        }
        buffer.append(UInt8(ascii: "}"))
    }

    private func writeHeadersAndId(_ headers: [String: String], _ id: String, into buffer: inout [UInt8]) {
        if !headers.isEmpty { JSONWriter.writeHeaders(headers, into: &buffer) }
        buffer.append(contentsOf: #""invocationId":"#.utf8)
        JSONWriter.writeString(id, into: &buffer)
    }

    private func writeCall(
        headers: [String: String], invocationId: String?, target: String, arguments: [HubValue], streamIds: [String],
        into buffer: inout [UInt8]
    ) throws {
        if !headers.isEmpty { JSONWriter.writeHeaders(headers, into: &buffer) }
        if let invocationId {
            buffer.append(contentsOf: #""invocationId":"#.utf8)
            JSONWriter.writeString(invocationId, into: &buffer)
            buffer.append(UInt8(ascii: ","))
        }
        buffer.append(contentsOf: #""target":"#.utf8)
        JSONWriter.writeString(target, into: &buffer)
        buffer.append(contentsOf: #","arguments":["#.utf8)
        for (offset, argument) in arguments.enumerated() {
            if offset > 0 { buffer.append(UInt8(ascii: ",")) }
            try writeValue(argument, into: &buffer)
        }
        buffer.append(UInt8(ascii: "]"))
        if !streamIds.isEmpty {
            buffer.append(contentsOf: #","streamIds":["#.utf8)
            for (offset, id) in streamIds.enumerated() {
                if offset > 0 { buffer.append(UInt8(ascii: ",")) }
                JSONWriter.writeString(id, into: &buffer)
            }
            buffer.append(UInt8(ascii: "]"))
        }
    }

    /// Writes one value as a JSON token.
    func writeValue(_ value: HubValue, into buffer: inout [UInt8]) throws {
        switch value.storage {
        case .null:
            buffer.append(contentsOf: "null".utf8)
        case .json(let token):
            buffer.append(contentsOf: token)
        case .messagePack(let bytes):
            // A value read by the other protocol (a server relaying it): convert through the dynamic value.
            JSONWriter.write(try MessagePackDecoder().decode(JSONValue.self, from: bytes), into: &buffer)
        case .encodable(let local):
            switch local {
            case let string as String: JSONWriter.writeString(string, into: &buffer)
            case let int as Int: JSONWriter.writeInteger(int, into: &buffer)
            case let bool as Bool: buffer.append(contentsOf: (bool ? "true" : "false").utf8)
            case let json as JSONValue: JSONWriter.write(json, into: &buffer)
            default:
                if value.isNull {
                    buffer.append(contentsOf: "null".utf8)
                    return
                }
                do {
                    buffer.append(contentsOf: try encoder.encode(local))
                } catch {
                    throw HubProtocolError(.invalidValue, "Could not encode a value of type \(type(of: local)) as JSON: \(error)")
                }
            }
        }
    }
}
