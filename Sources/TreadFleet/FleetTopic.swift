import TreadProtocol

/// A machine's topic, `treadd/<site>/<machine>/<leaf>`: where a message says it comes from,
/// checked against the envelope so one machine cannot write another's rows.
public struct FleetTopic: Sendable, Hashable {
    public var site: String
    public var machine: String
    public var kind: FleetKind

    public init(site: String, machine: String, kind: FleetKind) {
        self.site = site; self.machine = machine; self.kind = kind
    }

    /// Nil unless exactly four non-empty levels, the first `treadd`, the last a kind's leaf.
    public init?(_ topic: String) {
        let levels = topic.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard levels.count == 4, levels[0] == "treadd", !levels[1].isEmpty, !levels[2].isEmpty,
              let kind = FleetKind.allCases.first(where: { $0.topicLeaf == levels[3] })
        else { return nil }
        self.init(site: levels[1], machine: levels[2], kind: kind)
    }

    public var name: String { "treadd/\(site)/\(machine)/\(kind.topicLeaf)" }
}
