package dev.killswitch.controller.report;

import dev.killswitch.controller.history.Check;
import java.util.Locale;

/**
 * How an outcome is drawn: a colour from the Okabe-Ito palette (told apart with the common colour-vision
 * deficiencies) and a shape of its own, so that a marker reads without its colour too.
 */
enum Mark {
    IN_SYNC("#009E73", "circle"),
    DRIFTED("#E69F00", "triangle"),
    CHANGED("#0072B2", "square"),
    UNREACHABLE("#6E6E6E", "ring"),
    REFUSED("#D55E00", "diamond"),
    FAILED("#1A1A1A", "cross");

    final String colour;
    final String shape;

    Mark(String colour, String shape) {
        this.colour = colour;
        this.shape = shape;
    }

    static Mark of(Check.Outcome o) {
        return valueOf(o.name());
    }

    /** The shape centred on (x, y), about 14 units across. */
    String svg(double x, double y) {
        String cx = num(x);
        String cy = num(y);
        return switch (shape) {
            case "circle" -> "<circle cx=\"" + cx + "\" cy=\"" + cy + "\" r=\"6\" fill=\"" + colour + "\"/>";
            case "ring" -> "<circle cx=\"" + cx + "\" cy=\"" + cy + "\" r=\"5\" fill=\"#fff\" stroke=\"" + colour
                    + "\" stroke-width=\"2.5\"/>";
            case "triangle" -> path("M" + num(x) + " " + num(y - 7) + "L" + num(x + 7) + " " + num(y + 5.5) + "L"
                    + num(x - 7) + " " + num(y + 5.5) + "Z", true);
            case "square" -> "<rect x=\"" + num(x - 5.5) + "\" y=\"" + num(y - 5.5)
                    + "\" width=\"11\" height=\"11\" rx=\"1.5\" fill=\"" + colour + "\"/>";
            case "diamond" -> path("M" + num(x) + " " + num(y - 7.5) + "L" + num(x + 7.5) + " " + num(y) + "L" + num(x)
                    + " " + num(y + 7.5) + "L" + num(x - 7.5) + " " + num(y) + "Z", true);
            default -> path("M" + num(x - 5) + " " + num(y - 5) + "L" + num(x + 5) + " " + num(y + 5) + "M"
                    + num(x + 5) + " " + num(y - 5) + "L" + num(x - 5) + " " + num(y + 5), false);
        };
    }

    /** A small inline icon of the shape, for badges and the legend. */
    String glyph() {
        return "<svg class=\"glyph\" viewBox=\"-8 -8 16 16\" aria-hidden=\"true\">" + svg(0, 0) + "</svg>";
    }

    private String path(String d, boolean filled) {
        return filled ? "<path d=\"" + d + "\" fill=\"" + colour + "\"/>"
                : "<path d=\"" + d + "\" fill=\"none\" stroke=\"" + colour
                        + "\" stroke-width=\"3\" stroke-linecap=\"round\"/>";
    }

    static String num(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
