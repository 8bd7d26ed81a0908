/// The common frame of every chart: size, margins, title, legend, axes with ticks and labels.
struct SVGFrame {
    /// Total width in px.
    let width = 640.0
    /// Total height in px.
    let height: Double
    /// Left edge of the plot area (wider for long tick labels).
    let left: Double
    /// Right edge of the plot area.
    let right: Double
    /// Top edge of the plot area (lower when the legend wraps).
    let top: Double
    /// Bottom edge of the plot area.
    let bottom: Double

    /// A frame; a right axis needs room for its labels, a legend of `legendRows` rows pushes the plot down.
    /// A panel of a stacked chart passes its own `top`, `bottom` and the whole chart's `height`.
    init(rightAxis: Bool, legendRows: Int = 1, leftLabelChars: Int = 4, top: Double? = nil, bottom: Double = 246, height: Double = 300) {
        left = max(66, 34 + 7 * Double(leftLabelChars))
        right = rightAxis ? 574 : 622
        self.top = top ?? 52 + 13 * Double(max(legendRows, 1) - 1)
        self.bottom = bottom
        self.height = height
    }

    /// How many rows `labels` take in the legend row layout.
    static func legendRows(_ labels: [String]) -> Int {
        var rows = 1
        var x = 66.0
        for label in labels {
            let width = 34 + Double(label.count) * 6.4
            if x + width > 632, x > 66 {
                rows += 1
                x = 66
            }
            x += width
        }
        return rows
    }

    /// The x pixel of axis fraction `fraction`.
    func x(_ fraction: Double) -> Double { left + fraction * (right - left) }

    /// The y pixel of axis fraction `fraction` (0 at the bottom).
    func y(_ fraction: Double) -> Double { bottom - fraction * (bottom - top) }

    /// Opens the `<svg>` element with the title and an accessible label.
    func open(_ labels: ChartLabels, kind: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart \(kind)\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" "
            + "width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"\(Markup.escape(labels.title))\">"
            + "<text class=\"title\" x=\"\(Markup.coord(left))\" y=\"18\">\(Markup.escape(labels.title))</text>"
    }

    /// Legend entries in a row under the title: a swatch (solid or dashed) and the label.
    func legend(_ entries: [(label: String, color: Int, dashed: Bool)]) -> String {
        var out = "<g class=\"legend\">"
        var x = left
        var y = 36.0
        for entry in entries {
            let width = 34 + Double(entry.label.count) * 6.4
            if x + width > self.width - 8, x > left {
                x = left
                y += 13
            }
            let dash = entry.dashed ? " stroke-dasharray=\"5 3\"" : ""
            out += "<line x1=\"\(Markup.coord(x))\" y1=\"\(Markup.coord(y - 4))\" x2=\"\(Markup.coord(x + 20))\" y2=\"\(Markup.coord(y - 4))\" "
                + "stroke=\"\(ChartPalette.color(entry.color))\" stroke-width=\"3\"\(dash)/>"
            out += "<text x=\"\(Markup.coord(x + 25))\" y=\"\(Markup.coord(y))\">\(Markup.escape(entry.label))</text>"
            x += width
        }
        return out + "</g>"
    }

    /// Horizontal grid lines with left (or right) tick labels for `axis`, and the axis title.
    func verticalAxis(_ axis: ChartAxis, title: String, side: ChartSeries.Axis) -> String {
        var out = "<g class=\"axis y\(axis.logarithmic ? " log" : "")\">"
        for tick in axis.ticks {
            let y = Markup.coord(self.y(axis.fraction(tick)))
            if side == .left {
                out += "<line class=\"grid\" x1=\"\(Markup.coord(left))\" y1=\"\(y)\" x2=\"\(Markup.coord(right))\" y2=\"\(y)\"/>"
                out += "<text x=\"\(Markup.coord(left - 6))\" y=\"\(y)\" text-anchor=\"end\" dy=\"4\">\(axis.label(tick))</text>"
            } else {
                out += "<text x=\"\(Markup.coord(right + 6))\" y=\"\(y)\" dy=\"4\">\(axis.label(tick))</text>"
            }
        }
        let middle = Markup.coord((top + bottom) / 2)
        if side == .left {
            out += "<text class=\"label\" transform=\"translate(14 \(middle)) rotate(-90)\" text-anchor=\"middle\">\(Markup.escape(title))</text>"
        } else {
            out += "<text class=\"label\" transform=\"translate(\(Markup.coord(width - 8)) \(middle)) rotate(90)\" text-anchor=\"middle\">\(Markup.escape(title))</text>"
        }
        return out + "</g>"
    }

    /// Tick marks and labels along the bottom for a numeric `axis`, and the axis title.
    func horizontalAxis(_ axis: ChartAxis, title: String) -> String {
        var out = "<g class=\"axis x\">"
        for tick in axis.ticks {
            let x = Markup.coord(self.x(axis.fraction(tick)))
            out += "<line x1=\"\(x)\" y1=\"\(Markup.coord(bottom))\" x2=\"\(x)\" y2=\"\(Markup.coord(bottom + 5))\"/>"
            out += "<text x=\"\(x)\" y=\"\(Markup.coord(bottom + 18))\" text-anchor=\"middle\">\(axis.label(tick))</text>"
        }
        return out + baseline + xTitle(title) + "</g>"
    }

    /// The plot's bottom and left border.
    var baseline: String {
        "<path class=\"frame\" d=\"M\(Markup.coord(left)) \(Markup.coord(top)) V\(Markup.coord(bottom)) H\(Markup.coord(right))\"/>"
    }

    /// The horizontal axis title, centred under the plot.
    func xTitle(_ title: String) -> String {
        "<text class=\"label\" x=\"\(Markup.coord((left + right) / 2))\" y=\"\(Markup.coord(height - 14))\" text-anchor=\"middle\">\(Markup.escape(title))</text>"
    }
}
