import TreadCore

/// A program imported from a Zwift workout, with what the import could not carry over.
/// The program's segments carry the *.zwo* line of the block they came from (`Segment.line`),
/// so any later check (treadd's limits) can name the block that broke it.
public struct ImportedProgram: Hashable, Sendable {
    public var program: Program
    public var notes: [ImportNote]
    /// Block element names by their line, to name a block from a segment's line.
    public var blockNames: [Int: String]
    /// The reference paces the blocks used.
    public var pacesUsed: Set<ZwiftPace>
    public var paces: ReferencePaces

    /// The block a segment (by its index in the expanded program, from 0) came from.
    public func origin(ofSegment index: Int) -> (line: Int?, block: String)? {
        guard program.segments.indices.contains(index) else { return nil }
        let line = program.segments[index].line
        return (line, line.flatMap { blockNames[$0] } ?? "workout")
    }

    /// Paces used that were not given but derived (Riegel), with the pace used.
    public var derivedPaces: [(pace: ZwiftPace, secondsPerKm: Double)] {
        pacesUsed.sorted { $0.rawValue < $1.rawValue }.compactMap { p in
            paces.given[p] == nil ? paces.secondsPerKm(p).map { (p, $0) } : nil
        }
    }
}
