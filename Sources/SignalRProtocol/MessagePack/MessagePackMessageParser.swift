/// Reads one hub message array from a MessagePack body.
enum MessagePackMessageParser {
    static func parse(_ body: ArraySlice<UInt8>) throws -> HubMessage? {
        var reader = MessagePackReader(body)
        let count = try reader.readArrayHeader()
        guard count >= 1 else { throw invalid("Hub message array is empty.") }
        let typeNumber = try reader.readInt64()
        guard let type = HubMessageType(rawValue: Int(truncatingIfNeeded: typeNumber)) else { return nil }
        func need(_ minimum: Int) throws {
            if count < minimum { throw invalid("Invalid \(type) message: expected at least \(minimum) elements, got \(count).") }
        }
        switch type {
        case .invocation, .streamInvocation:
            try need(5)
            let headers = try readHeaders(&reader)
            let id = try reader.readOptionalString()
            let target = try reader.readString()
            let arguments = try readArguments(&reader, body)
            // Older peers omit streamIds; accept that short form.
            let streamIds = count >= 6 ? try readStreamIds(&reader) : []
            if type == .invocation {
                return .invocation(
                    InvocationMessage(invocationId: id, target: target, arguments: arguments, streamIds: streamIds, headers: headers))
            }
            guard let id else { throw HubProtocolError(.missingField, "A StreamInvocation requires an invocation id.") }
            return .streamInvocation(
                StreamInvocationMessage(invocationId: id, target: target, arguments: arguments, streamIds: streamIds, headers: headers))
        case .streamItem:
            try need(4)
            let headers = try readHeaders(&reader)
            let id = try reader.readString()
            let item = HubValue.rawMessagePack(body[try reader.skipValue()])
            return .streamItem(StreamItemMessage(invocationId: id, item: item, headers: headers))
        case .completion:
            try need(4)
            let headers = try readHeaders(&reader)
            let id = try reader.readString()
            let kind = try reader.readInt64()
            let result: CompletionResult
            switch kind {
            case 1:
                try need(5)
                result = .error(try reader.readString())
            case 2:
                result = .void
            case 3:
                try need(5)
                result = .value(.rawMessagePack(body[try reader.skipValue()]))
            default:
                throw invalid("Invalid invocation result kind \(kind).")
            }
            return .completion(CompletionMessage(invocationId: id, result: result, headers: headers))
        case .cancelInvocation:
            try need(3)
            let headers = try readHeaders(&reader)
            return .cancelInvocation(CancelInvocationMessage(invocationId: try reader.readString(), headers: headers))
        case .ping:
            return .ping
        case .close:
            try need(2)
            let error = try reader.readOptionalString()
            // Older peers omit allowReconnect; accept that short form.
            let allowReconnect = count >= 3 ? try reader.readBool() : false
            return .close(CloseMessage(error: error, allowReconnect: allowReconnect))
        case .ack:
            try need(2)
            return .ack(AckMessage(sequenceId: try reader.readInt64()))
        case .sequence:
            try need(2)
            return .sequence(SequenceMessage(sequenceId: try reader.readInt64()))
        }
    }

    private static func invalid(_ message: String) -> HubProtocolError {
        HubProtocolError(.invalidMessagePack, message)
    }

    private static func readHeaders(_ reader: inout MessagePackReader) throws -> [String: String] {
        let count = try reader.readMapHeader()
        guard count > 0 else { return [:] }
        var headers: [String: String] = [:]
        for _ in 0..<count {
            let key = try reader.readString()
            headers[key] = try reader.readString()
        }
        return headers
    }

    private static func readArguments(_ reader: inout MessagePackReader, _ body: ArraySlice<UInt8>) throws -> [HubValue] {
        let count = try reader.readArrayHeader()
        var arguments: [HubValue] = []
        arguments.reserveCapacity(count)
        for _ in 0..<count { arguments.append(.rawMessagePack(body[try reader.skipValue()])) }
        return arguments
    }

    private static func readStreamIds(_ reader: inout MessagePackReader) throws -> [String] {
        let count = try reader.readArrayHeader()
        var ids: [String] = []
        ids.reserveCapacity(count)
        for _ in 0..<count { ids.append(try reader.readString()) }
        return ids
    }
}
