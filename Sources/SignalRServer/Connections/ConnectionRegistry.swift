/// The connections of one hub endpoint, by token and by id, and its groups.
actor ConnectionRegistry {
    private var byToken: [String: ServerConnection] = [:]
    private var byId: [String: ServerConnection] = [:]
    private var groups: [String: Set<String>] = [:]
    private var memberships: [String: Set<String>] = [:]

    func add(_ connection: ServerConnection) {
        byToken[connection.token] = connection
        byId[connection.id] = connection
    }

    func remove(_ connection: ServerConnection) {
        if byToken[connection.token] === connection { byToken[connection.token] = nil }
        if byId[connection.id] === connection { byId[connection.id] = nil }
        for group in memberships.removeValue(forKey: connection.id) ?? [] {
            groups[group]?.remove(connection.id)
            if groups[group]?.isEmpty == true { groups[group] = nil }
        }
    }

    func connection(token: String) -> ServerConnection? { byToken[token] }

    func connection(id: String) -> ServerConnection? { byId[id] }

    var all: [ServerConnection] { Array(byId.values) }

    var connectionIds: [String] { Array(byId.keys) }

    func addToGroup(connectionId: String, group: String) {
        guard byId[connectionId] != nil else { return }
        groups[group, default: []].insert(connectionId)
        memberships[connectionId, default: []].insert(group)
    }

    func removeFromGroup(connectionId: String, group: String) {
        groups[group]?.remove(connectionId)
        if groups[group]?.isEmpty == true { groups[group] = nil }
        memberships[connectionId]?.remove(group)
    }

    func select(_ selection: ClientSelection) -> [ServerConnection] {
        switch selection {
        case .all(let excluded):
            return byId.values.filter { !excluded.contains($0.id) }
        case .connections(let ids):
            return ids.compactMap { byId[$0] }
        case .groups(let names, let excluded):
            var ids: Set<String> = []
            for name in names { ids.formUnion(groups[name] ?? []) }
            return ids.subtracting(excluded).compactMap { byId[$0] }
        }
    }
}
