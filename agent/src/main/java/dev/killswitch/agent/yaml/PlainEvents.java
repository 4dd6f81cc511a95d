package dev.killswitch.agent.yaml;

import dev.killswitch.agent.rules.InputError;
import dev.killswitch.agent.rules.Origin;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.parser.Parser;

/**
 * The YAML parser's events, restricted to plain data: no anchors or aliases (no YAML bombs), no tags
 * (an unquoted {@code ! -s 10.0.0.0/8} would otherwise silently lose its {@code !}), bounded nesting.
 */
public final class PlainEvents implements Parser {
    private final Parser parser;
    private final String file;
    private final int maxDepth;
    private int depth;

    public PlainEvents(Parser parser, String file, int maxDepth) {
        this.parser = parser;
        this.file = file;
        this.maxDepth = maxDepth;
    }

    @Override
    public boolean checkEvent(Event.ID id) {
        return parser.checkEvent(id);
    }

    @Override
    public Event peekEvent() {
        return parser.peekEvent();
    }

    @Override
    public Event getEvent() {
        Event e = parser.getEvent();
        if (e.is(Event.ID.Alias)) {
            throw refuse(e, "aliases (*" + ((NodeEvent) e).getAnchor() + ") are not supported in a desired state");
        }
        if (e instanceof NodeEvent n && n.getAnchor() != null) {
            throw refuse(e, "anchors (&" + n.getAnchor() + ") are not supported in a desired state");
        }
        String tag = e instanceof ScalarEvent s ? s.getTag()
                : e instanceof CollectionStartEvent c ? c.getTag() : null;
        if (tag != null) {
            throw refuse(e, "YAML tags (" + tag.replace("tag:yaml.org,2002:", "!!") + ") are not supported; quote a value that starts with '!'");
        }
        if (e instanceof CollectionStartEvent && ++depth > maxDepth) {
            throw refuse(e, "nested deeper than " + maxDepth + " levels");
        }
        if (e.is(Event.ID.SequenceEnd) || e.is(Event.ID.MappingEnd)) {
            depth--;
        }
        return e;
    }

    private InputError refuse(Event e, String message) {
        return new InputError(new Origin(file, e.getStartMark().getLine() + 1, ""), message);
    }
}
