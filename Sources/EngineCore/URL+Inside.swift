import Foundation

extension URL {
    /// This URL's path relative to the directory `root` when it lies inside it, else nil. Both sides are standardised
    /// (`.` and `..` removed) without resolving symlinks: the one workspace-relative path rule of the engine and the stages.
    public func path(inside root: URL) -> String? {
        let base = root.standardizedFileURL.path
        let path = standardizedFileURL.path
        guard path.hasPrefix(base + "/") else { return nil }
        return String(path.dropFirst(base.count + 1))
    }
}

extension StageContext {
    /// `url` as stages name it in messages and outputs: workspace-relative when inside the workspace, else absolute.
    public func displayPath(_ url: URL) -> String {
        url.path(inside: workspace) ?? url.standardizedFileURL.path
    }
}
