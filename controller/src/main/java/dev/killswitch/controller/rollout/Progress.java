package dev.killswitch.controller.rollout;

import java.io.PrintStream;

/** Live progress of a rollout, one line per event, while it runs. */
public interface Progress {

    void batch(int index, int count, java.util.List<String> hosts);

    void host(String host, String event);

    void done(HostResult result);

    /** Nothing printed (JSON output, tests). */
    Progress QUIET = new Progress() {
        @Override
        public void batch(int index, int count, java.util.List<String> hosts) {
        }

        @Override
        public void host(String host, String event) {
        }

        @Override
        public void done(HostResult result) {
        }
    };

    /** Lines like {@code [gw3] applying} on a terminal stream, colored when asked. */
    static Progress console(PrintStream out, boolean color) {
        return new Progress() {
            @Override
            public synchronized void batch(int index, int count, java.util.List<String> hosts) {
                out.println();
                out.println("BATCH " + index + "/" + count + (index == 1 && count > 1 ? " (canary)" : "") + ": "
                        + String.join(", ", hosts));
            }

            @Override
            public synchronized void host(String host, String event) {
                out.println("  [" + host + "] " + event);
            }

            @Override
            public synchronized void done(HostResult r) {
                String word = r.status().name().toLowerCase().replace('_', ' ');
                String c = !color ? "" : switch (r.status()) {
                    case OK -> "\u001b[32m";
                    case CHANGED -> "\u001b[33m";
                    case SKIPPED -> "\u001b[36m";
                    default -> "\u001b[31m";
                };
                out.println("  [" + r.host() + "] " + c + word + (color ? "\u001b[0m" : "")
                        + (r.message() == null || r.message().isEmpty() ? "" : ": " + r.message())
                        + String.format(" (%.1f s)", r.millis() / 1000.0));
            }
        };
    }
}
