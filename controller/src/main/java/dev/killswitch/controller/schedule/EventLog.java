package dev.killswitch.controller.schedule;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.agent.report.Json;
import java.io.PrintStream;
import java.time.Clock;

/**
 * The scheduled service's structured log: one JSON object per line ({@code time}, {@code level}, {@code event},
 * then the event's fields), so journald and log shippers can filter on fields instead of parsing text.
 */
public final class EventLog {
    private static final ObjectWriter LINE = Json.MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT);
    private final PrintStream out;
    private final Clock clock;

    public EventLog(PrintStream out, Clock clock) {
        this.out = out;
        this.clock = clock;
    }

    /** The log on stderr, stdout being left to the command's results. */
    public static EventLog stderr() {
        return new EventLog(System.err, Clock.systemUTC());
    }

    public void info(String event, Object... fields) {
        write("info", event, fields);
    }

    public void warn(String event, Object... fields) {
        write("warn", event, fields);
    }

    public void error(String event, Object... fields) {
        write("error", event, fields);
    }

    /** Writes one line; {@code fields} alternate name and value (String, Number, Boolean, or anything as text). */
    private void write(String level, String event, Object... fields) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("time", clock.instant().toString());
        o.put("level", level);
        o.put("event", event);
        for (int i = 0; i + 1 < fields.length; i += 2) {
            String name = fields[i].toString();
            Object v = fields[i + 1];
            if (v == null) {
                o.putNull(name);
            } else if (v instanceof Integer n) {
                o.put(name, n);
            } else if (v instanceof Long n) {
                o.put(name, n);
            } else if (v instanceof Boolean b) {
                o.put(name, b);
            } else {
                o.put(name, v.toString());
            }
        }
        try {
            String line = LINE.writeValueAsString(o);
            synchronized (out) {
                out.println(line);
                out.flush();
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
