import SwiftDiagnostics
import SwiftSyntax
import SwiftSyntaxMacros

/// Which macro reads the protocol: a proxy calls hub methods, a receiver handles client methods.
enum HubMacroRole {
    case proxy
    case receiver

    var macroName: String {
        switch self {
        case .proxy: "@HubProxy"
        case .receiver: "@HubReceiver"
        }
    }
}

/// One method of a `@HubProxy` or `@HubReceiver` protocol, checked.
struct HubMethodModel {
    /// How a proxy calls the hub method; a receiver method is always `.invoke`.
    enum Call: Equatable {
        case invoke
        case send
        case stream
    }

    /// A parameter: its argument label (nil for `_`), the name the generated code uses, its type.
    struct Parameter {
        let label: String?
        let name: String
        let type: TypeSyntax
    }

    let declaration: FunctionDeclSyntax
    /// `add(_:_:)`, for messages.
    let displayName: String
    let wireName: String
    let call: Call
    let parameters: [Parameter]
    /// The result type of an invoke, or the element type of a stream; nil for no value.
    let resultType: TypeSyntax?
    let isAsync: Bool
    let isThrowing: Bool
}

/// A `@HubProxy` or `@HubReceiver` protocol, read from its syntax, with every problem
/// reported to the expansion context.
struct HubProtocolModel {
    let name: String
    /// The access modifier of the generated type (the protocol's own), with a trailing space.
    let typeAccess: String
    /// The access modifier of the generated members, with a trailing space.
    let memberAccess: String
    let methods: [HubMethodModel]

    /// Reads `declaration`; nil (after reporting why) when it is not a protocol or any part of
    /// it cannot be generated.
    static func read(
        _ declaration: some DeclSyntaxProtocol, attribute: AttributeSyntax, role: HubMacroRole,
        in context: some MacroExpansionContext
    ) -> HubProtocolModel? {
        guard let proto = declaration.as(ProtocolDeclSyntax.self) else {
            context.diagnose(Diagnostic(node: attribute, message: HubMacroDiagnostic.notAProtocol(macro: role.macroName)))
            return nil
        }
        var reader = MethodReader(role: role, protocolName: proto.name.text)
        for inherited in proto.inheritanceClause?.inheritedTypes ?? [] {
            reader.checkInheritance(inherited.type)
        }
        for member in proto.memberBlock.members {
            reader.read(member.decl)
        }
        for diagnostic in reader.diagnostics {
            context.diagnose(diagnostic)
        }
        guard reader.diagnostics.isEmpty else { return nil }
        let access = proto.modifiers.first { modifier in
            [.keyword(.public), .keyword(.package), .keyword(.internal), .keyword(.fileprivate), .keyword(.private)]
                .contains(modifier.name.tokenKind)
        }.map { $0.name.text }
        let memberAccess = access.flatMap { ["private", "fileprivate"].contains($0) ? nil : $0 }
        return HubProtocolModel(
            name: proto.name.text,
            typeAccess: access.map { "\($0) " } ?? "",
            memberAccess: memberAccess.map { "\($0) " } ?? "",
            methods: reader.methods
        )
    }
}

/// Checks the members of a protocol one by one, collecting methods and diagnostics.
private struct MethodReader {
    let role: HubMacroRole
    let protocolName: String
    var methods: [HubMethodModel] = []
    var diagnostics: [Diagnostic] = []
    /// The first method that used each lowercased wire name.
    private var wireNames: [String: (method: HubMethodModel, node: Syntax)] = [:]

    init(role: HubMacroRole, protocolName: String) {
        self.role = role
        self.protocolName = protocolName
    }

    /// Only `Sendable` may be inherited: the generated type conforms to the protocol, but the
    /// macro sees only this declaration's methods (and a struct proxy cannot be `AnyObject`).
    mutating func checkInheritance(_ type: TypeSyntax) {
        let name = HubTypeRules.nominal(type)
        guard let name, name.name == "Sendable", name.arguments.isEmpty else {
            report(type, .unsupportedInheritance(macro: role.macroName, type: type.trimmedDescription))
            return
        }
    }

    mutating func read(_ member: DeclSyntax) {
        guard let function = member.as(FunctionDeclSyntax.self) else {
            if member.is(IfConfigDeclSyntax.self) {
                report(member, .conditionalMembers(macro: role.macroName))
            } else if !member.is(MissingDeclSyntax.self) {
                // Stray semicolons aside, only methods can be generated.
                report(member, .unsupportedMember(macro: role.macroName, kind: Self.kind(of: member)))
            }
            return
        }
        let problems = diagnostics.count
        let displayName = Self.displayName(function)
        if function.modifiers.contains(where: { $0.name.tokenKind == .keyword(.static) || $0.name.tokenKind == .keyword(.class) }) {
            report(function, .staticMethod(macro: role.macroName))
        }
        if function.genericParameterClause != nil || function.genericWhereClause != nil {
            report(function, .genericMethod(macro: role.macroName))
        }
        if role == .receiver, let mutating = function.modifiers.first(where: { $0.name.tokenKind == .keyword(.mutating) }) {
            report(mutating, .mutatingClientMethod(method: displayName))
        }
        if role == .proxy, function.name.text.trimmingBackticks == "connection", function.signature.parameterClause.parameters.isEmpty {
            report(function.name, .reservedProxyName(method: displayName))
        }
        let isSend = hasAttribute("HubSend", function)
        if isSend && role == .receiver {
            report(attribute("HubSend", function) ?? Syntax(function), .sendInReceiver)
        }
        let wireName = readWireName(function)

        let parameters = readParameters(function, displayName: displayName)
        let effects = function.signature.effectSpecifiers
        let isAsync = effects?.asyncSpecifier != nil
        let isThrowing = effects?.throwsClause?.throwsSpecifier.tokenKind == .keyword(.throws)
        if let typed = effects?.throwsClause, typed.type != nil {
            report(typed, .typedThrows(method: displayName, role: role))
        }
        if role == .receiver, Self.namesHandler(function.signature) {
            report(function.signature, .shadowedHandlerType(method: displayName, protocolName: protocolName))
        }
        let returnType = function.signature.returnClause?.type
        let (call, resultType) = readResult(function, returnType, isSend: isSend, displayName: displayName)

        if call != .stream {
            checkEffects(function, displayName: displayName, isAsync: isAsync, isThrowing: isThrowing)
        }
        guard diagnostics.count == problems, let wireName else { return }
        let method = HubMethodModel(
            declaration: function, displayName: displayName, wireName: wireName, call: call,
            parameters: parameters, resultType: resultType, isAsync: isAsync, isThrowing: isThrowing
        )
        let key = wireName.lowercased()
        if let (first, firstNode) = wireNames[key] {
            diagnostics.append(
                Diagnostic(
                    node: function.name,
                    message: HubMacroDiagnostic.wireNameCollision(method: displayName, other: first.displayName, wireName: wireName),
                    notes: [
                        Note(node: firstNode, message: HubMacroDiagnostic.wireNameFirstUse(wireName: first.wireName))
                    ]
                )
            )
            return
        }
        wireNames[key] = (method, Syntax(function.name))
        methods.append(method)
    }

    /// The wire name: `@HubMethod("Name")`'s, or the base name with its first letter uppercased.
    private mutating func readWireName(_ function: FunctionDeclSyntax) -> String? {
        guard let attribute = attribute("HubMethod", function)?.as(AttributeSyntax.self) else {
            let base = function.name.text.trimmingBackticks
            return base.prefix(1).uppercased() + base.dropFirst()
        }
        guard case .argumentList(let arguments) = attribute.arguments, arguments.count == 1,
            let first = arguments.first, first.label == nil,
            let literal = first.expression.as(StringLiteralExprSyntax.self),
            literal.openingPounds == nil, literal.openingQuote.tokenKind == .stringQuote,
            literal.segments.count == 1,
            case .stringSegment(let segment) = literal.segments.first,
            !segment.content.text.isEmpty, !segment.content.text.contains("\\")
        else {
            report(attribute, .invalidWireName)
            return nil
        }
        return segment.content.text
    }

    private mutating func readParameters(_ function: FunctionDeclSyntax, displayName: String) -> [HubMethodModel.Parameter] {
        var parameters: [HubMethodModel.Parameter] = []
        let namedParameters = Set(function.signature.parameterClause.parameters.map { ($0.secondName ?? $0.firstName).text.trimmingBackticks })
        for (index, parameter) in function.signature.parameterClause.parameters.enumerated() {
            let label = parameter.firstName.tokenKind == .wildcard ? nil : parameter.firstName.text
            let written = (parameter.secondName ?? parameter.firstName)
            // A keyword used as a name (`in`, `for`) needs backticks where the body passes it on.
            let name: String
            if written.tokenKind == .wildcard {
                // A name for an unnamed parameter that no named one uses.
                var candidate = "arg\(index)"
                while namedParameters.contains(candidate) { candidate = "_" + candidate }
                name = candidate
            } else if Self.reservedWords.contains(written.text) {
                name = "`\(written.text)`"
            } else {
                name = written.text
            }
            let shownName = label ?? (written.tokenKind == .wildcard ? "#\(index + 1)" : written.text)
            if parameter.ellipsis != nil {
                report(parameter, .unsupportedParameter(method: displayName, parameter: shownName, reason: "variadic parameters are not supported; use an array"))
            } else if HubTypeRules.isUploadStream(parameter.type) || HubTypeRules.hubStreamElement(parameter.type) != nil {
                if role == .receiver {
                    report(parameter.type, .streamToHubInReceiver(method: displayName))
                } else if !HubTypeRules.isUploadStream(parameter.type) {
                    report(parameter.type, .unsupportedParameter(method: displayName, parameter: shownName, reason: "to stream items to the hub, take an UploadStream<Element>"))
                }
            } else if let problem = HubTypeRules.valueProblem(parameter.type) {
                report(parameter.type, .unsupportedParameter(method: displayName, parameter: shownName, reason: problem))
            }
            parameters.append(.init(label: label, name: name, type: parameter.type.trimmed))
        }
        return parameters
    }

    /// How the method is called and what it returns; reports unsupported results.
    private mutating func readResult(
        _ function: FunctionDeclSyntax, _ returnType: TypeSyntax?, isSend: Bool, displayName: String
    ) -> (HubMethodModel.Call, TypeSyntax?) {
        guard let returnType, !HubTypeRules.isVoid(returnType) else {
            return (isSend ? .send : .invoke, nil)
        }
        if isSend {
            var signature = function.signature
            signature.returnClause = nil
            report(
                returnType, .sendWithResult(method: displayName),
                fixIt: FixIt(message: HubMacroFixIt(message: "remove the return type"), changes: [
                    .replace(oldNode: Syntax(function.signature), newNode: Syntax(Self.respaced(signature)))
                ])
            )
            return (.send, nil)
        }
        if let element = HubTypeRules.hubStreamElement(returnType) {
            if role == .receiver {
                report(returnType, .unsupportedReturn(method: displayName, reason: "a client method answers with one value, not a stream"))
            } else if let problem = HubTypeRules.valueProblem(element) {
                report(element, .unsupportedReturn(method: displayName, reason: "stream items: \(problem)"))
            }
            return (.stream, element.trimmed)
        }
        if let problem = HubTypeRules.valueProblem(returnType) {
            let reason = returnType.is(SomeOrAnyTypeSyntax.self) && role == .proxy
                ? "\(problem) (a streaming hub method returns HubStreamSequence<Element>)" : problem
            report(returnType, .unsupportedReturn(method: displayName, reason: reason))
        }
        return (.invoke, returnType.trimmed)
    }

    /// A proxy method must be `async throws` (a call waits and can fail); a client method `async`.
    private mutating func checkEffects(_ function: FunctionDeclSyntax, displayName: String, isAsync: Bool, isThrowing: Bool) {
        let needsThrows = role == .proxy
        guard !isAsync || (needsThrows && !isThrowing) else { return }
        let missing = needsThrows ? "async throws" : "async"
        let reason = needsThrows
            ? "a call waits for the hub and fails when the connection ends"
            : "the hub's calls are handled off the connection's own work"
        var signature = function.signature
        signature.effectSpecifiers = FunctionEffectSpecifiersSyntax(
            asyncSpecifier: .keyword(.async),
            throwsClause: (needsThrows || isThrowing) ? ThrowsClauseSyntax(throwsSpecifier: .keyword(.throws)) : nil
        )
        let fixed = Self.respaced(signature)
        // The fix-it names only what it adds.
        let added = [isAsync ? nil : "async", needsThrows && !isThrowing ? "throws" : nil].compactMap { $0 }.joined(separator: " ")
        report(
            function.name, .missingEffects(method: displayName, missing: missing, reason: reason),
            fixIt: FixIt(message: HubMacroFixIt(message: "add '\(added)'"), changes: [
                .replace(oldNode: Syntax(function.signature), newNode: Syntax(fixed))
            ])
        )
    }

    /// `signature` with one space before each effect and before the return arrow.
    private static func respaced(_ signature: FunctionSignatureSyntax) -> FunctionSignatureSyntax {
        var result = signature
        result.parameterClause.trailingTrivia = []
        if var effects = result.effectSpecifiers {
            effects.asyncSpecifier = effects.asyncSpecifier?.with(\.leadingTrivia, .space).with(\.trailingTrivia, [])
            if var throwsClause = effects.throwsClause {
                throwsClause.throwsSpecifier = throwsClause.throwsSpecifier.with(\.leadingTrivia, .space).with(\.trailingTrivia, [])
                effects.throwsClause = throwsClause
            }
            result.effectSpecifiers = effects
        }
        if var returnClause = result.returnClause {
            returnClause.arrow = returnClause.arrow.with(\.leadingTrivia, .space)
            result.returnClause = returnClause
        }
        return result.with(\.leadingTrivia, signature.leadingTrivia).with(\.trailingTrivia, signature.trailingTrivia)
    }

    private mutating func report(_ node: some SyntaxProtocol, _ message: HubMacroDiagnostic, fixIt: FixIt? = nil) {
        diagnostics.append(Diagnostic(node: node, message: message, fixIts: fixIt.map { [$0] } ?? []))
    }

    private func attribute(_ name: String, _ function: FunctionDeclSyntax) -> Syntax? {
        function.attributes.first { element in
            element.as(AttributeSyntax.self).flatMap { HubTypeRules.nominal($0.attributeName)?.name } == name
        }.map { Syntax($0) }
    }

    private func hasAttribute(_ name: String, _ function: FunctionDeclSyntax) -> Bool {
        attribute(name, function) != nil
    }

    /// Whether the signature names a type `Handler` without a module: inside the generated
    /// receiver enum that name means the binding's handler type.
    private static func namesHandler(_ signature: FunctionSignatureSyntax) -> Bool {
        final class Finder: SyntaxVisitor {
            var found = false
            override func visit(_ node: IdentifierTypeSyntax) -> SyntaxVisitorContinueKind {
                if node.name.text.trimmingBackticks == "Handler" { found = true }
                return .visitChildren
            }
        }
        let finder = Finder(viewMode: .sourceAccurate)
        finder.walk(signature)
        return finder.found
    }

    /// Words a parameter may be named but that need backticks in an expression.
    private static let reservedWords: Set<String> = [
        "as", "associatedtype", "break", "case", "catch", "class", "continue", "default", "defer", "deinit",
        "do", "else", "enum", "extension", "fallthrough", "false", "fileprivate", "for", "func", "guard", "if",
        "import", "in", "init", "inout", "internal", "is", "let", "nil", "operator", "private", "protocol",
        "public", "repeat", "rethrows", "return", "static", "struct", "subscript", "super", "switch", "throw",
        "throws", "true", "try", "typealias", "var", "where", "while",
    ]

    private static func displayName(_ function: FunctionDeclSyntax) -> String {
        let labels = function.signature.parameterClause.parameters.map { "\($0.firstName.text):" }.joined()
        return "\(function.name.text.trimmingBackticks)(\(labels))"
    }

    private static func kind(of member: DeclSyntax) -> String {
        switch member.kind {
        case .variableDecl: "property"
        case .subscriptDecl: "subscript"
        case .initializerDecl: "initializer"
        case .associatedTypeDecl: "associated type"
        case .typeAliasDecl: "type alias"
        default: "declaration"
        }
    }
}

extension String {
    /// The name without the backticks that escape a keyword.
    var trimmingBackticks: String {
        hasPrefix("`") && hasSuffix("`") && count >= 2 ? String(dropFirst().dropLast()) : self
    }
}
