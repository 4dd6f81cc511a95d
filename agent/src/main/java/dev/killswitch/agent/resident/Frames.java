package dev.killswitch.agent.resident;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The resident agent's wire format. The client sends one request line (JSON: argv and env), then the command's
 * standard input to end of file; the agent answers with frames — a kind byte, a 4-byte length and that many
 * bytes — of standard output, standard error and, last, the exit code. One connection, one command.
 */
public final class Frames {
    public static final byte OUT = 'o';
    public static final byte ERR = 'e';
    public static final byte EXIT = 'x';
    /** Larger writes are split: a frame's length is trusted by the reader only up to this. */
    public static final int MAX = 1 << 20;

    private Frames() {
    }

    /** One frame as read; for {@link #EXIT} the code is in {@link #exitCode()}. */
    public record Frame(byte kind, byte[] data) {
        public int exitCode() {
            return ((data[0] & 0xff) << 24) | ((data[1] & 0xff) << 16) | ((data[2] & 0xff) << 8) | (data[3] & 0xff);
        }
    }

    /** The next frame, or null at a clean end of the stream. */
    public static Frame read(DataInputStream in) throws IOException {
        int kind = in.read();
        if (kind < 0) {
            return null;
        }
        int length = in.readInt();
        if (length < 0 || length > MAX || (kind != OUT && kind != ERR && kind != EXIT)
                || (kind == EXIT && length != 4)) {
            throw new IOException("not a resident agent frame (kind " + kind + ", length " + length + ")");
        }
        byte[] data = new byte[length];
        in.readFully(data);
        return new Frame((byte) kind, data);
    }

    /** A stream that sends what is written to it as frames of {@code kind}; flushing it flushes {@code sink}. */
    public static OutputStream stream(DataOutputStream sink, byte kind) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                synchronized (sink) {
                    for (int at = off; at < off + len; at += MAX) {
                        int n = Math.min(MAX, off + len - at);
                        sink.writeByte(kind);
                        sink.writeInt(n);
                        sink.write(b, at, n);
                    }
                }
            }

            @Override
            public void flush() throws IOException {
                synchronized (sink) {
                    sink.flush();
                }
            }
        };
    }

    /** The last frame: the command's exit code. */
    public static void exit(DataOutputStream sink, int code) throws IOException {
        synchronized (sink) {
            sink.writeByte(EXIT);
            sink.writeInt(4);
            sink.writeInt(code);
            sink.flush();
        }
    }

    /**
     * A socket's input as a stream. Not {@code Channels.newInputStream}: its reads hold the channel's blocking lock,
     * which its writes need too, so a read waiting for input would stop output from going out.
     */
    public static InputStream in(java.nio.channels.SocketChannel ch) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return len == 0 ? 0 : ch.read(java.nio.ByteBuffer.wrap(b, off, len));
            }
        };
    }

    /** A socket's output as a stream (see {@link #in}). */
    public static OutputStream out(java.nio.channels.SocketChannel ch) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b, off, len);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
        };
    }

    /** Reads the request line (up to {@code limit} bytes, without its newline). */
    public static String line(InputStream in, int limit) throws IOException {
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("the request ended before its first line");
            }
            if (line.size() >= limit) {
                throw new IOException("request line longer than " + limit + " bytes");
            }
            line.write(b);
        }
        return line.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
