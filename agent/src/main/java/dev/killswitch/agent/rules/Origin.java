package dev.killswitch.agent.rules;

/** Where an input came from, so that every error can name the file, the line and the field. */
public record Origin(String file, int line, String field) {

    public static Origin unknown() {
        return new Origin("<unknown>", 0, "");
    }

    @Override
    public String toString() {
        return file + ":" + line + (field == null || field.isEmpty() ? "" : ": " + field);
    }
}
