import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The line of every element's start tag, in document order.
///
/// SWXMLHash builds the tree but keeps no positions, and an import must name the line of every
/// block it could not map. Foundation's `XMLParser` (the same parser SWXMLHash drives) knows the
/// line at each start tag, so one extra pass records them; walking SWXMLHash's tree in document
/// order then gives element *n* the *n*-th line here. Nothing is parsed by hand.
struct XMLLineIndex {
    private(set) var lines: [Int] = []
    /// Where the parser gave up on malformed XML (Linux's FoundationXML leaves the line out of
    /// the error SWXMLHash sees, but the parser itself knows it).
    private(set) var error: (line: Int, column: Int)?

    init(_ data: Data) {
        let recorder = Recorder()
        let parser = XMLParser(data: data)
        parser.delegate = recorder
        _ = parser.parse()
        lines = recorder.lines
        error = recorder.error
    }

    /// The line of the `ordinal`-th element (0 is the root), when the parser got that far.
    func line(ofElement ordinal: Int) -> Int? {
        lines.indices.contains(ordinal) ? lines[ordinal] : nil
    }

    private final class Recorder: NSObject, XMLParserDelegate {
        var lines: [Int] = []
        var error: (line: Int, column: Int)?
        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            lines.append(parser.lineNumber)
        }
        func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
            if error == nil { error = (parser.lineNumber, parser.columnNumber) }
        }
    }
}
