import TreadCore

func seg(_ d: Direction, _ kmh: Double, _ seconds: Int, line: Int? = nil) -> Segment {
    Segment(direction: d, speed: .kmh(kmh), duration: .seconds(seconds), line: line)
}

func program(_ segments: Segment...) -> Program {
    Program(name: "test", items: segments.map { .segment($0) })
}
