import Foundation
import SWXMLHash

/// A Zwift workout file (.zwo) as written: its name, sport and blocks in order, each with the
/// line of its start tag. Only reading happens here; `ZwiftImport` decides what becomes of it.
///
/// The XML is parsed by SWXMLHash (over FoundationXML); element and attribute names are
/// matched without regard to case, because real files write both `Cooldown` and `CoolDown`,
/// `Repeat` and `repeat`.
public struct ZwiftWorkoutFile: Hashable, Sendable {
    public var name: String?
    public var description: String?
    public var sport: String?
    public var sportLine: Int?
    /// `<durationType>distance</durationType>`: durations are metres, not seconds.
    public var distanceBased: Bool
    public var workoutLine: Int?
    public var blocks: [ZwiftBlock]

    public static func read(_ data: Data, file: String) throws(ZwiftImportError) -> ZwiftWorkoutFile {
        let parsed = XMLHash.config { $0.detectParsingErrors = true }.parse(data)
        let lines = XMLLineIndex(data)
        if case .parsingError(let e) = parsed {
            let at = e.line > 0 ? (line: e.line, column: e.column) : lines.error ?? (line: 1, column: 1)
            throw .notXML(file: file, line: max(1, at.line), column: max(1, at.column))
        }
        guard let root = parsed.element?.children.lazy.compactMap({ $0 as? SWXMLHash.XMLElement }).first else {
            throw .notXML(file: file, line: lines.error?.line ?? 1, column: lines.error?.column ?? 1)
        }
        // Document order, as XMLParser reported the start tags: element n is lines[n].
        var ordinals: [ObjectIdentifier: Int] = [:]
        func number(_ e: SWXMLHash.XMLElement) {
            ordinals[ObjectIdentifier(e)] = ordinals.count
            for child in e.children { if let c = child as? SWXMLHash.XMLElement { number(c) } }
        }
        number(root)
        func line(_ e: SWXMLHash.XMLElement) -> Int? { ordinals[ObjectIdentifier(e)].flatMap(lines.line(ofElement:)) }

        guard root.name.lowercased() == "workout_file" else { throw .notAWorkoutFile(file: file, root: String(root.name.prefix(40))) }
        func child(_ name: String) -> SWXMLHash.XMLElement? { root.elements.first { $0.name.lowercased() == name } }
        func text(_ name: String) -> String? {
            child(name).map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        let workout = child("workout")
        return ZwiftWorkoutFile(
            name: text("name"), description: text("description"),
            sport: text("sporttype"), sportLine: child("sporttype").flatMap(line),
            distanceBased: text("durationtype")?.lowercased() == "distance",
            workoutLine: workout.flatMap(line),
            blocks: (workout?.elements ?? []).map { e in
                ZwiftBlock(name: e.name, line: line(e), attributes: e.attributeDictionary,
                           textEvents: e.elements.filter { ["textevent", "textnotification"].contains($0.name.lowercased()) }.map { t in
                               let a = t.attributeDictionary
                               // Distance workouts place text events by `distoffset` (metres).
                               return ZwiftBlock.TextEvent(offset: Double(a["timeoffset"] ?? a["distoffset"] ?? "") ?? 0,
                                                           message: a["message"] ?? a["text"] ?? "", line: line(t))
                           })
            })
    }
}

/// One block of a `<workout>` (`SteadyState`, `IntervalsT`, ...), with its attributes keyed by
/// lowercased name and the text events inside it.
public struct ZwiftBlock: Hashable, Sendable {
    public struct TextEvent: Hashable, Sendable {
        /// From the start of the block: seconds, or metres in a distance workout.
        public var offset: Double
        public var message: String
        public var line: Int?
    }

    public var name: String
    public var line: Int?
    public var attributes: [String: String]
    public var textEvents: [TextEvent]

    public init(name: String, line: Int?, attributes: [String: String], textEvents: [TextEvent] = []) {
        self.name = name
        self.line = line
        self.attributes = Dictionary(attributes.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        self.textEvents = textEvents
    }

    /// A number attribute; nil when absent or not a finite number.
    public func number(_ key: String) -> Double? {
        guard let text = attributes[key.lowercased()], let v = Double(text.trimmingCharacters(in: .whitespaces)), v.isFinite else { return nil }
        return v
    }
}

extension SWXMLHash.XMLElement {
    var elements: [SWXMLHash.XMLElement] { children.compactMap { $0 as? SWXMLHash.XMLElement } }

    var attributeDictionary: [String: String] {
        Dictionary(allAttributes.values.map { ($0.name.lowercased(), $0.text) }, uniquingKeysWith: { a, _ in a })
    }
}
