package dev.killswitch.agent.resident;

import dev.killswitch.agent.report.Json;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The caller's side of one request to the resident agent, over any byte stream that reaches its socket (an SSH
 * channel from the controller). It behaves as running the command over SSH does: optionally a dialogue on the
 * first line of output, standard input to end of file, output lines handed on as they come, then the exit code.
 */
public final class Conversation {

    /** What the command printed and how it ended. */
    public record Reply(int exitCode, String stdout, String stderr) {
    }

    /** Ends what the caller sends (the command's standard input) without closing what it receives. */
    @FunctionalInterface
    public interface EndOfInput {
        void end() throws IOException;
    }

    private Conversation() {
    }

    /**
     * Sends {@code argv} with SSH_CONNECTION and waits for the command to end.
     *
     * @param answer with a value, the dialogue: the reply to the first line of output becomes standard input, and
     *     stdout is then what came after that line; with null, {@code stdin} is standard input (null for none)
     * @param then gets each whole line of stdout (after the dialogue's) as it arrives; may be null
     * @param timeout how long the caller waits (the agent gives up on a request that runs much longer); null: no limit
     */
    public static Reply run(InputStream from, OutputStream to, EndOfInput endInput, List<String> argv,
                            String sshConnection, Function<String, byte[]> answer, byte[] stdin,
                            Consumer<String> then, java.time.Duration timeout) throws IOException {
        Map<String, String> env = sshConnection == null ? Map.of() : Map.of(Resident.SSH_CONNECTION, sshConnection);
        to.write(Json.MAPPER.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                .writeValueAsBytes(new Resident.Request(argv, env, timeout == null ? null : timeout.toMillis())));
        to.write('\n');
        DataInputStream frames = new DataInputStream(new BufferedInputStream(from));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        if (answer == null) {
            if (stdin != null) {
                to.write(stdin);
            }
            to.flush();
            endInput.end();
        } else {
            to.flush();
        }
        boolean answered = answer == null;
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            Frames.Frame f = Frames.read(frames);
            if (f == null) {
                throw new EOFException("the resident agent ended the request without an exit code");
            }
            if (f.kind() == Frames.EXIT) {
                if (!answered) {
                    out.write(line.toByteArray()); // it ended without a whole first line: that is its output
                    endInput.end();
                }
                return new Reply(f.exitCode(), out.toString(StandardCharsets.UTF_8),
                        err.toString(StandardCharsets.UTF_8));
            }
            if (f.kind() == Frames.ERR) {
                err.write(f.data());
                continue;
            }
            for (byte b : f.data()) {
                if (!answered) {
                    if (b == '\n') {
                        answered = true;
                        byte[] reply = answer.apply(line.toString(StandardCharsets.UTF_8));
                        line.reset();
                        if (reply != null) {
                            to.write(reply);
                        }
                        to.flush();
                        endInput.end();
                    } else {
                        line.write(b);
                    }
                    continue; // the dialogue's first line is not part of the result
                }
                out.write(b);
                if (then != null) {
                    if (b == '\n') {
                        then.accept(line.toString(StandardCharsets.UTF_8));
                        line.reset();
                    } else {
                        line.write(b);
                    }
                }
            }
        }
    }
}
