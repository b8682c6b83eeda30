import TreadCore

/// Maps one block at a time, collecting notes. Holds what mapping needs across blocks: the
/// options, which reference paces were used, and which blocks produced segments.
struct BlockMapper {
    let workout: ZwiftWorkoutFile
    let file: String
    let options: ZwiftImport.Options
    private(set) var notes: [ImportNote] = []
    private(set) var pacesUsed: Set<ZwiftPace> = []
    /// Indexes of the first and last blocks that became segments (for warm-up and cool-down roles).
    private(set) var firstMappedBlock: Int?
    private(set) var lastMappedBlock: Int?

    init(workout: ZwiftWorkoutFile, file: String, options: ZwiftImport.Options) {
        self.workout = workout
        self.file = file
        self.options = options
    }

    /// One stretch at one speed before it becomes a segment: seconds are whole.
    struct Piece {
        var direction: Direction = .forward
        var kmh: Double
        var seconds: Int
        var message: String?
    }

    mutating func map(_ index: Int) throws(ZwiftImportError) -> [Program.Item] {
        let block = workout.blocks[index]
        let items: [Program.Item]
        switch block.name.lowercased() {
        case "steadystate": items = try steady(block, recovery: isRecovery(index))
        case "warmup", "cooldown", "ramp": items = try ramp(block)
        case "intervalst": items = try intervals(block)
        case "freeride":
            items = skip(block, "a free run has no target speed; a program segment needs one")
        case "maxeffort":
            items = skip(block, "an all-out effort has no target speed; a program segment needs one")
        case "textevent", "textnotification":
            items = skip(block, "a message outside any block has no segment to show on")
        default:
            items = skip(block, "not a block this import knows (SteadyState, Warmup, Cooldown, Ramp, IntervalsT)")
        }
        if !items.isEmpty {
            if firstMappedBlock == nil { firstMappedBlock = index }
            lastMappedBlock = index
        }
        return items
    }

    // MARK: Blocks

    private mutating func steady(_ b: ZwiftBlock, recovery: Bool) throws(ZwiftImportError) -> [Program.Item] {
        guard let power = b.number("Power") ?? mean(b.number("PowerLow"), b.number("PowerHigh")) else {
            return skip(b, "no Power (a share of the reference pace) to set a speed from")
        }
        guard let length = b.number("Duration"), length > 0 else { return skip(b, "no Duration above 0") }
        guard let kmh = try speed(b, power) else { return skip(b, standstill(power)) }
        guard let seconds = seconds(length, kmh) else { return skip(b, "a Duration of \(length) is not one a session can hold") }
        var pieces = [Piece(kmh: kmh, seconds: seconds)]
        attachTextEvents(b, to: &pieces)
        if recovery { pieces = split(pieces[0], b) }
        return pieces.map { .segment(segment($0, b)) }
    }

    private mutating func ramp(_ b: ZwiftBlock) throws(ZwiftImportError) -> [Program.Item] {
        guard var low = b.number("PowerLow") ?? b.number("Power"), var high = b.number("PowerHigh") ?? b.number("Power") else {
            return skip(b, "no PowerLow/PowerHigh (shares of the reference pace) to set speeds from")
        }
        // A cool-down that speeds up is never what its author meant, whichever way round
        // the file names the two ends: cool-downs always slow down.
        if b.name.lowercased() == "cooldown", low < high { swap(&low, &high) }
        guard let length = b.number("Duration"), length > 0 else { return skip(b, "no Duration above 0") }
        guard length <= maxLength else { return skip(b, "a Duration of \(length) is not one a session can hold") }
        guard let lowKmh = try speed(b, low), let highKmh = try speed(b, high) else { return skip(b, standstill(min(low, high))) }
        let steps = (timeAt(length, (lowKmh + highKmh) / 2) / options.rampStep.inSeconds).rounded()
        let stepCount = Int(min(120, max(1, steps)))
        var pieces: [Piece] = []
        let edges = (0...stepCount).map { length * Double($0) / Double(stepCount) }
        for i in 0..<stepCount {
            // The mean of a straight ramp over a step is its speed at the step's middle.
            let kmh = rounded(lowKmh + (highKmh - lowKmh) * (Double(i) + 0.5) / Double(stepCount))
            // Whole seconds that add up to the block's length: each step ends at its rounded edge.
            let part = workout.distanceBased ? seconds(edges[i + 1] - edges[i], kmh)
                : Int(edges[i + 1].rounded()) - Int(edges[i].rounded())
            guard let s = part, s >= 1 else {
                return skip(b, "a Duration of \(length) is not one a session can hold")
            }
            if let last = pieces.last, last.kmh == kmh { pieces[pieces.count - 1].seconds += s } else { pieces.append(Piece(kmh: kmh, seconds: s)) }
        }
        if lowKmh != highKmh {
            notes.append(ImportNote(.approximated, line: b.line, block: b.name,
                                    "a ramp from \(formatKmh(lowKmh)) to \(formatKmh(highKmh)) km/h, run as "
                                    + (pieces.count == 1 ? "one steady speed" : "\(pieces.count) steady steps") + " (programs hold one speed a segment)"))
        }
        let label = b.name.lowercased() == "warmup" ? "Warm-up" : b.name.lowercased() == "cooldown" ? "Cool-down" : nil
        for i in pieces.indices { pieces[i].message = label }
        attachTextEvents(b, to: &pieces)
        return pieces.map { .segment(segment($0, b)) }
    }

    private mutating func intervals(_ b: ZwiftBlock) throws(ZwiftImportError) -> [Program.Item] {
        guard let repeatCount = b.number("Repeat"), repeatCount >= 1, repeatCount <= 10_000 else {
            return skip(b, "no Repeat count between 1 and 10000")
        }
        let times = Int(repeatCount.rounded())
        guard let onPower = b.number("OnPower") ?? mean(b.number("PowerOnLow"), b.number("PowerOnHigh")),
              let offPower = b.number("OffPower") ?? mean(b.number("PowerOffLow"), b.number("PowerOffHigh")) else {
            return skip(b, "no OnPower and OffPower (shares of the reference pace) to set speeds from")
        }
        guard let onLength = b.number("OnDuration"), onLength > 0, let offLength = b.number("OffDuration"), offLength >= 0 else {
            return skip(b, "no OnDuration above 0 and OffDuration")
        }
        guard let onKmh = try speed(b, onPower) else { return skip(b, standstill(onPower)) }
        guard let onSeconds = seconds(onLength, onKmh) else { return skip(b, "an OnDuration of \(onLength) is not one a session can hold") }
        var round = [Piece(kmh: onKmh, seconds: onSeconds, message: "Effort")]
        if offLength > 0 {
            guard let offKmh = try speed(b, offPower) else {
                return skip(b, "its recovery is a " + standstill(offPower))
            }
            guard let offSeconds = seconds(offLength, offKmh) else { return skip(b, "an OffDuration of \(offLength) is not one a session can hold") }
            round += split(Piece(kmh: offKmh, seconds: offSeconds, message: "Recovery"), b)
        }
        for t in b.textEvents {
            notes.append(ImportNote(.unmapped, line: t.line ?? b.line, block: "textevent",
                                    "\"\(t.message.prefix(60))\": an interval block's segments repeat, so a message at one moment of it has no segment of its own"))
        }
        let segments = round.map { segment($0, b) }
        // Program files repeat a block at most 100 times; more become several blocks.
        var items: [Program.Item] = []
        var left = times
        while left > 0 {
            items.append(.repeated(times: min(100, left), segments: segments))
            left -= 100
        }
        return items
    }

    // MARK: Parts

    /// Of a recovery, the reverse share walked backwards first, then the rest forwards.
    private mutating func split(_ recovery: Piece, _ b: ZwiftBlock) -> [Piece] {
        guard options.reverseShare > 0 else { return [recovery] }
        let back = Int((Double(recovery.seconds) * options.reverseShare).rounded())
        guard Double(back) >= options.minimumReverseBout.inSeconds else {
            notes.append(ImportNote(.approximated, line: b.line, block: b.name,
                                    "a \(recovery.seconds) s recovery has no room for a backwards bout of at least \(Int(options.minimumReverseBout.inSeconds)) s at a reverse share of \(percent(options.reverseShare)); it stays forwards"))
            return [recovery]
        }
        let reverse = Piece(direction: .reverse, kmh: min(options.reverseSpeed.kmh, recovery.kmh), seconds: back,
                            message: "Walk backwards: hold the rails")
        var forward = recovery
        forward.seconds -= back
        return forward.seconds > 0 ? [reverse, forward] : [reverse]
    }

    /// The speed for a share of the block's reference pace, to 0.1 km/h; nil for a standstill.
    private mutating func speed(_ b: ZwiftBlock, _ power: Double) throws(ZwiftImportError) -> Double? {
        let pace = pace(b)
        guard let kmh = options.paces.speedKmh(pace, share: power) else {
            throw .noReferencePace(file: file, line: b.line, pace: pace)
        }
        pacesUsed.insert(pace)
        let r = rounded(kmh)
        return r > 0 ? r : nil
    }

    private mutating func pace(_ b: ZwiftBlock) -> ZwiftPace {
        guard let text = b.attributes["pace"] else { return .mile }
        if let n = Int(text.trimmingCharacters(in: .whitespaces)), let p = ZwiftPace(rawValue: n) { return p }
        notes.append(ImportNote(.approximated, line: b.line, block: b.name,
                                "pace=\"\(text.prefix(20))\" is not one of Zwift's reference paces (0 mile ... 4 marathon); used the 1-mile pace, Zwift's default"))
        return .mile
    }

    /// Whole seconds for a block length: seconds as written, or metres at `kmh` in a
    /// distance workout. Nil when it rounds to nothing or is beyond a day.
    private func seconds(_ length: Double, _ kmh: Double) -> Int? {
        let s = timeAt(length, kmh).rounded()
        guard s >= 1, s <= 86_400 else { return nil }
        return Int(s)
    }

    /// The longest block length read: a day in seconds, or 1000 km in a distance workout
    /// (checked before any conversion to whole numbers, which would trap beyond Int).
    private var maxLength: Double { workout.distanceBased ? 1_000_000 : 86_400 }

    private func timeAt(_ length: Double, _ kmh: Double) -> Double {
        workout.distanceBased ? length / (kmh / 3.6) : length
    }

    /// Each text event becomes the message of the piece it falls in; a piece shows one
    /// message, so a second one there is reported, not lost silently.
    private mutating func attachTextEvents(_ b: ZwiftBlock, to pieces: inout [Piece]) {
        var start = 0.0
        var taken = Set<Int>()
        // In a distance workout offsets are metres: each piece covers its time at its speed.
        let bounds = pieces.map { p -> (Double, Double) in
            let length = workout.distanceBased ? Double(p.seconds) * p.kmh / 3.6 : Double(p.seconds)
            defer { start += length }
            return (start, start + length)
        }
        for t in b.textEvents.sorted(by: { $0.offset < $1.offset }) {
            let i = bounds.firstIndex { t.offset >= $0.0 && t.offset < $0.1 } ?? (pieces.count - 1)
            guard !taken.contains(i), !t.message.isEmpty else {
                notes.append(ImportNote(.unmapped, line: t.line ?? b.line, block: "textevent",
                                        "\"\(t.message.prefix(60))\" at \(formatKmh(t.offset)) \(workout.distanceBased ? "m" : "s"): its segment already shows an earlier message"))
                continue
            }
            taken.insert(i)
            pieces[i].message = String(t.message.prefix(200))
        }
    }

    private func segment(_ p: Piece, _ b: ZwiftBlock) -> Segment {
        Segment(direction: p.direction, speed: .kmh(p.kmh), duration: .seconds(p.seconds), message: p.message, line: b.line)
    }

    /// A recovery is the off part of an interval block, and also a steady block slower than
    /// the steady or interval efforts right before and after it.
    private func isRecovery(_ index: Int) -> Bool {
        func effort(_ i: Int) -> Double? {
            guard workout.blocks.indices.contains(i) else { return nil }
            let b = workout.blocks[i]
            switch b.name.lowercased() {
            case "steadystate": return b.number("Power")
            case "intervalst": return b.number("OnPower")
            default: return nil
            }
        }
        guard let own = workout.blocks[index].number("Power"), let before = effort(index - 1), let after = effort(index + 1) else { return false }
        return own < before && own < after
    }

    private mutating func skip(_ b: ZwiftBlock, _ why: String) -> [Program.Item] {
        notes.append(ImportNote(.unmapped, line: b.line, block: b.name, why))
        return []
    }

    private func standstill(_ power: Double) -> String {
        "Power \(power) is a standstill on the belt; a pause is not a program segment"
    }

    private func mean(_ a: Double?, _ b: Double?) -> Double? {
        guard let a, let b else { return nil }
        return (a + b) / 2
    }

    private func rounded(_ kmh: Double) -> Double { (kmh * 10).rounded() / 10 }

    private func percent(_ share: Double) -> String { "\(Int((share * 100).rounded()))%" }
}
