import SwiftDiagnostics

/// Every error and note the hub macros report, with its text in one place.
enum HubMacroDiagnostic: DiagnosticMessage {
    case notAProtocol(macro: String)
    case unsupportedMember(macro: String, kind: String)
    case staticMethod(macro: String)
    case genericMethod(macro: String)
    case missingEffects(method: String, missing: String, reason: String)
    case typedThrows(method: String, role: HubMacroRole)
    case unsupportedInheritance(macro: String, type: String)
    case conditionalMembers(macro: String)
    case mutatingClientMethod(method: String)
    case reservedProxyName(method: String)
    case shadowedHandlerType(method: String, protocolName: String)
    case unsupportedParameter(method: String, parameter: String, reason: String)
    case unsupportedReturn(method: String, reason: String)
    case sendWithResult(method: String)
    case streamToHubInReceiver(method: String)
    case sendInReceiver
    case wireNameCollision(method: String, other: String, wireName: String)
    case wireNameFirstUse(wireName: String)
    case invalidWireName
    case markerOnNonMethod(String)

    var message: String {
        switch self {
        case .notAProtocol(let macro):
            "\(macro) can only be attached to a protocol"
        case .unsupportedMember(let macro, let kind):
            "\(macro) protocols can declare only methods; remove this \(kind)"
        case .staticMethod(let macro):
            "\(macro) methods are called on a connection, so they cannot be static"
        case .genericMethod(let macro):
            "\(macro) methods cannot be generic: the argument and result types must be known to encode and decode them"
        case .missingEffects(let method, let missing, let reason):
            "'\(method)' must be '\(missing)': \(reason)"
        case .typedThrows(let method, .proxy):
            "'\(method)' cannot use typed throws: calls fail with SignalRError or CancellationError; use plain 'throws'"
        case .typedThrows(let method, .receiver):
            "'\(method)' cannot use typed throws: the error a client method throws goes to the hub as text; use plain 'throws'"
        case .unsupportedInheritance(let macro, let type):
            "\(macro) protocols can inherit only Sendable: the macro sees this protocol's own methods, not those of '\(type)'; declare them here"
        case .conditionalMembers(let macro):
            "\(macro) protocols cannot use #if: the macro cannot tell which branch is compiled; declare the methods unconditionally or use one protocol per variant"
        case .mutatingClientMethod(let method):
            "client method '\(method)' cannot be 'mutating': the registered handler is called as a shared value; keep state in a class or actor"
        case .reservedProxyName(let method):
            "'\(method)' clashes with the generated proxy's 'connection' property; name the method otherwise and keep the wire name with @HubMethod(\"Connection\")"
        case .shadowedHandlerType(let method, let protocolName):
            "'\(method)' names the type 'Handler', which inside the generated \(protocolName)Receiver means the registered handler; qualify it with its module ('MyModule.Handler') or use a typealias"
        case .unsupportedParameter(let method, let parameter, let reason):
            "parameter '\(parameter)' of '\(method)' is not supported: \(reason)"
        case .unsupportedReturn(let method, let reason):
            "the return type of '\(method)' is not supported: \(reason)"
        case .sendWithResult(let method):
            "@HubSend method '\(method)' cannot return a value: send does not wait for the hub's answer"
        case .streamToHubInReceiver(let method):
            "'\(method)' is a client method: the hub calls it with values, so it cannot take UploadStream or HubStreamSequence"
        case .sendInReceiver:
            "@HubSend applies to the methods of a @HubProxy protocol; client methods are always called by the hub"
        case .wireNameCollision(let method, let other, let wireName):
            "'\(method)' and '\(other)' both use the wire name '\(wireName)' (SignalR matches method names case-insensitively); rename one or give it @HubMethod(\"...\")"
        case .wireNameFirstUse(let wireName):
            "'\(wireName)' is first used here"
        case .invalidWireName:
            "@HubMethod takes one non-empty plain string literal (no interpolation, escapes, raw or multi-line delimiters), the method's name on the wire"
        case .markerOnNonMethod(let macro):
            "\(macro) applies only to a method of a @HubProxy or @HubReceiver protocol"
        }
    }

    var diagnosticID: MessageID {
        let id: String
        switch self {
        case .notAProtocol: id = "notAProtocol"
        case .unsupportedMember: id = "unsupportedMember"
        case .staticMethod: id = "staticMethod"
        case .genericMethod: id = "genericMethod"
        case .missingEffects: id = "missingEffects"
        case .typedThrows: id = "typedThrows"
        case .unsupportedInheritance: id = "unsupportedInheritance"
        case .conditionalMembers: id = "conditionalMembers"
        case .mutatingClientMethod: id = "mutatingClientMethod"
        case .reservedProxyName: id = "reservedProxyName"
        case .shadowedHandlerType: id = "shadowedHandlerType"
        case .unsupportedParameter: id = "unsupportedParameter"
        case .unsupportedReturn: id = "unsupportedReturn"
        case .sendWithResult: id = "sendWithResult"
        case .streamToHubInReceiver: id = "streamToHubInReceiver"
        case .sendInReceiver: id = "sendInReceiver"
        case .wireNameCollision: id = "wireNameCollision"
        case .wireNameFirstUse: id = "wireNameFirstUse"
        case .invalidWireName: id = "invalidWireName"
        case .markerOnNonMethod: id = "markerOnNonMethod"
        }
        return MessageID(domain: "SignalRMacros", id: id)
    }

    var severity: DiagnosticSeverity {
        if case .wireNameFirstUse = self { return .note }
        return .error
    }
}

extension HubMacroDiagnostic: NoteMessage {
    var noteID: MessageID { diagnosticID }
}

/// The text of a fix-it.
struct HubMacroFixIt: FixItMessage {
    let message: String
    var fixItID: MessageID { MessageID(domain: "SignalRMacros", id: message) }
}
