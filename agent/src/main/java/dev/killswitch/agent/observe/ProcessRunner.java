package dev.killswitch.agent.observe;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The real {@link CommandRunner}: a child process per call, output read on separate threads. */
public final class ProcessRunner implements CommandRunner {
    /**
     * The threads that read programs' output, kept for the next program: a resident agent runs about twenty per
     * apply, and the common pool (one thread on two cores) would start a new thread for each stream.
     */
    private static final ExecutorService READERS = Executors.newCachedThreadPool(task -> {
        Thread t = new Thread(task, "program-output");
        t.setDaemon(true);
        return t;
    });

    @Override
    public Result run(List<String> argv, String stdin) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().put("LC_ALL", "C");
        if (stdin == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process p = pb.start();
        CompletableFuture<byte[]> out = drain(p.getInputStream());
        CompletableFuture<byte[]> err = drain(p.getErrorStream());
        if (stdin != null) {
            try (OutputStream os = p.getOutputStream()) {
                os.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // the program may exit before reading all input (a parse error); its exit code says why
            }
        }
        try {
            int code = p.waitFor();
            return new Result(code, new String(out.join(), StandardCharsets.UTF_8),
                    new String(err.join(), StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + argv.get(0), e);
        }
    }

    private static CompletableFuture<byte[]> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                in.transferTo(buf);
                return buf.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, READERS);
    }
}
