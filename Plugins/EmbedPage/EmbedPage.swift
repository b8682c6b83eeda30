import Foundation
import PackagePlugin

/// Compiles the console page (Sources/treadconsole/Page) into treadconsole. It is built in,
/// not a resource bundle, because the .deb installs the binary alone (scripts/build-deb.sh):
/// a bundle folder next to it would be left behind. An installed console therefore always
/// serves the page it was built with. PageEmbedder does the work; every file in Page/ is an
/// input, so editing any of them rebuilds the page.
@main
struct EmbedPage: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let page = target.directoryURL.appending(path: "Page")
        let files = try FileManager.default.contentsOfDirectory(at: page, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") }
        let output = context.pluginWorkDirectoryURL.appending(path: "ConsolePage+HTML.swift")
        return [
            .buildCommand(
                displayName: "Embedding the console page from \(page.path(percentEncoded: false))",
                executable: try context.tool(named: "PageEmbedder").url,
                arguments: [page.appending(path: "index.html").path(percentEncoded: false), output.path(percentEncoded: false)],
                inputFiles: files,
                outputFiles: [output])
        ]
    }
}
