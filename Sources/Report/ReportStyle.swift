/// The report's inline stylesheet: system fonts only, readable on screen and on paper.
enum ReportStyle {
    /// CSS for the whole document.
    static let css = """
    :root { color-scheme: light; }
    body { font: 14px/1.45 -apple-system, "Segoe UI", "DejaVu Sans", "Liberation Sans", Helvetica, Arial, sans-serif;
           color: #1b1f24; background: #fff; margin: 0 auto; max-width: 1340px; padding: 24px 32px; }
    h1 { font-size: 24px; margin: 0 0 4px; }
    h2 { font-size: 19px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 2px solid #d0d7de; }
    h3 { font-size: 15px; margin: 18px 0 6px; }
    p { margin: 6px 0; max-width: 980px; }
    code, .hash { font-family: "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
    a.hash { color: #0550ae; text-decoration: none; border-bottom: 1px dotted #0550ae; }
    table { border-collapse: collapse; margin: 8px 0 14px; font-size: 13px; }
    th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; }
    th { background: #f3f5f7; font-weight: 600; }
    td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    td.text { max-width: 330px; white-space: pre-wrap; word-break: break-word; font-family: "DejaVu Sans Mono", monospace; font-size: 12px; }
    pre.text { white-space: pre-wrap; word-break: break-word; background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 6px;
               padding: 8px 12px; max-width: 1100px; max-height: 560px; overflow: auto; font: 12px/1.4 "DejaVu Sans Mono", monospace; }
    td.text .scores { margin-top: 4px; color: #57606a; font: 11.5px "DejaVu Sans", Helvetica, Arial, sans-serif; }
    .markdown { max-width: 1100px; } .markdown h4 { font-size: 16px; margin: 14px 0 6px; } .markdown h5 { font-size: 14px; margin: 12px 0 4px; }
    .markdown h6 { font-size: 13px; }
    .note { color: #57606a; font-size: 12.5px; }
    .meta td:first-child { color: #57606a; }
    .charts { display: flex; flex-wrap: wrap; gap: 14px; }
    figure { margin: 0; border: 1px solid #d0d7de; border-radius: 6px; padding: 6px; background: #fff; break-inside: avoid; }
    figcaption { font-size: 12px; color: #57606a; max-width: 630px; padding: 2px 4px; }
    svg.chart text { font: 11.5px "DejaVu Sans", "Liberation Sans", Helvetica, Arial, sans-serif; fill: #24292f; }
    svg.chart text.title { font-size: 14px; font-weight: 600; }
    svg.chart text.label { font-size: 12px; fill: #57606a; }
    svg.chart .grid { stroke: #eaeef2; stroke-width: 1; }
    svg.chart .frame, svg.chart .axis line { stroke: #8c959f; stroke-width: 1; fill: none; }
    svg.chart polyline.series { fill: none; stroke-width: 2; stroke-linejoin: round; }
    svg.chart .reference { stroke: #6e7781; stroke-dasharray: 4 4; stroke-width: 1.2; }
    svg.chart .whisker { stroke: #1b1f24; stroke-width: 1.4; fill: none; }
    svg.chart circle.point { fill-opacity: 0.75; }
    svg.dag { max-width: 100%; height: auto; }
    svg.dag text { font: 11.5px "DejaVu Sans", Helvetica, Arial, sans-serif; fill: #24292f; }
    svg.dag text.name { font-weight: 600; font-size: 12.5px; }
    svg.dag text.small { font: 10.5px "DejaVu Sans Mono", monospace; fill: #57606a; }
    svg.dag path.edge { stroke: #8c959f; stroke-width: 1.3; fill: none; }
    .state { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 12px; font-weight: 600; color: #fff; }
    .s-built, .s-up-to-date { background: #1a7f37; } .s-not-upstream { background: #8c959f; } .s-reused { background: #0969da; }
    .s-stale { background: #9a6700; } .s-blocked, .s-fail { background: #cf222e; }
    .s-never-built { background: #6e7781; } .s-pass { background: #1a7f37; } .s-warn { background: #9a6700; }
    .missing { color: #57606a; font-style: italic; border-left: 4px solid #d0d7de; padding: 4px 10px; background: #f6f8fa; }
    .error { color: #cf222e; border-left: 4px solid #cf222e; padding: 4px 10px; background: #fff5f5; }
    .override { color: #cf222e; font-weight: 700; }
    .headline { display: flex; flex-wrap: wrap; gap: 12px; margin: 14px 0; }
    .kpi { border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 14px; min-width: 150px; }
    .kpi b { display: block; font-size: 21px; font-variant-numeric: tabular-nums; }
    .kpi span { color: #57606a; font-size: 12px; }
    .good { color: #1a7f37; } .bad { color: #cf222e; }
    .lineage li { margin: 4px 0; }
    nav { font-size: 13px; margin: 8px 0 0; } nav a { margin-right: 12px; color: #0550ae; }
    @media print { body { max-width: none; padding: 0; } nav { display: none; } h2 { break-after: avoid; } table, figure { break-inside: avoid; } }
    """
}
