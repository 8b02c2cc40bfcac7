import SwiftSyntax

/// What the macros can tell about a type from its spelling alone (a macro sees syntax, not
/// types): whether it is one of the client's stream types, `Void`, or something that can
/// never be a hub value. Whether a named type is `Codable & Sendable` is left to the type
/// checker, through the generic constraints of the calls the macros generate.
enum HubTypeRules {
    /// The last name and generic arguments of `Name<...>` or `Module.Name<...>`.
    static func nominal(_ type: TypeSyntax) -> (name: String, arguments: [TypeSyntax])? {
        if let identifier = type.as(IdentifierTypeSyntax.self) {
            return (identifier.name.text, identifier.genericArgumentClause.map(genericArguments) ?? [])
        }
        if let member = type.as(MemberTypeSyntax.self) {
            return (member.name.text, member.genericArgumentClause.map(genericArguments) ?? [])
        }
        return nil
    }

    private static func genericArguments(_ clause: GenericArgumentClauseSyntax) -> [TypeSyntax] {
        clause.arguments.compactMap { argument in
            argument.argument.as(TypeSyntax.self)
        }
    }

    /// `Void` or `()`.
    static func isVoid(_ type: TypeSyntax) -> Bool {
        if let tuple = type.as(TupleTypeSyntax.self) { return tuple.elements.isEmpty }
        return nominal(type).map { $0.name == "Void" && $0.arguments.isEmpty } ?? false
    }

    /// The element type when `type` is `HubStreamSequence<Element>`.
    static func hubStreamElement(_ type: TypeSyntax) -> TypeSyntax? {
        guard let (name, arguments) = nominal(type), name == "HubStreamSequence", arguments.count == 1 else { return nil }
        return arguments[0]
    }

    /// Whether `type` is `UploadStream<Element>`.
    static func isUploadStream(_ type: TypeSyntax) -> Bool {
        guard let (name, arguments) = nominal(type) else { return false }
        return name == "UploadStream" && arguments.count == 1
    }

    /// Why `type` can never be encoded or decoded as one hub value, or nil when it may be.
    static func valueProblem(_ type: TypeSyntax) -> String? {
        if type.is(FunctionTypeSyntax.self) {
            return "a function cannot be encoded; pass a Codable & Sendable value"
        }
        if let attributed = type.as(AttributedTypeSyntax.self) {
            let isInout = attributed.specifiers.contains { specifier in
                specifier.as(SimpleTypeSpecifierSyntax.self)?.specifier.tokenKind == .keyword(.inout)
            }
            if isInout { return "an inout value cannot travel to the hub and back" }
            if let specifier = attributed.specifiers.first {
                // `sending`, `borrowing`, `consuming`: the generated calls pass plain values.
                return "'\(specifier.trimmedDescription)' is not supported: hub values are copied to and from the wire"
            }
            return valueProblem(attributed.baseType)
        }
        if type.is(SomeOrAnyTypeSyntax.self) || type.is(CompositionTypeSyntax.self) {
            return "'\(type.trimmedDescription)' is not a concrete type; name a Codable & Sendable type"
        }
        if type.is(MetatypeTypeSyntax.self) {
            return "a metatype cannot be encoded"
        }
        if type.is(PackExpansionTypeSyntax.self) || type.is(PackElementTypeSyntax.self) {
            return "parameter packs are not supported"
        }
        if let tuple = type.as(TupleTypeSyntax.self) {
            switch tuple.elements.count {
            case 0: return "Void is not a value"
            case 1: return tuple.elements.first.flatMap { valueProblem($0.type) }
            default: return "tuples are not Codable; use a Codable struct"
            }
        }
        if let optional = type.as(OptionalTypeSyntax.self) {
            return valueProblem(optional.wrappedType)
        }
        if type.is(ImplicitlyUnwrappedOptionalTypeSyntax.self) {
            return "use an optional ('T?') instead of an implicitly unwrapped optional"
        }
        if let array = type.as(ArrayTypeSyntax.self) {
            return valueProblem(array.element)
        }
        if let dictionary = type.as(DictionaryTypeSyntax.self) {
            return valueProblem(dictionary.key) ?? valueProblem(dictionary.value)
        }
        if let (name, arguments) = nominal(type) {
            switch name {
            case "Any", "AnyObject":
                return "'\(name)' is not a concrete type; name a Codable & Sendable type (JSONValue holds any JSON value)"
            case "HubStreamSequence", "UploadStream":
                return "a stream can only be a whole parameter (UploadStream<Element>) or the whole return type (HubStreamSequence<Element>)"
            case "AsyncStream", "AsyncThrowingStream":
                return "use UploadStream<Element> to stream to the hub, or return HubStreamSequence<Element> to stream from it"
            default:
                return arguments.lazy.compactMap(valueProblem).first
            }
        }
        return nil
    }
}
