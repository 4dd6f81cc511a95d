package dev.killswitch.agent.yaml;

import dev.killswitch.agent.rules.InputError;
import dev.killswitch.agent.rules.Origin;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.ReaderException;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Reads a YAML document of ours into located {@link Field}s: SnakeYAML's parser with its line marks,
 * no anchors, aliases or tags, a size limit and a depth limit. Desired states and playbooks use it.
 */
public final class YamlDocument {
    private final int maxBytes;
    private final int maxDepth;
    private final String what;

    /** @param what the kind of document, for messages ("a desired state") */
    public YamlDocument(int maxBytes, int maxDepth, String what) {
        this.maxBytes = maxBytes;
        this.maxDepth = maxDepth;
        this.what = what;
    }

    /** The root node, or null for an empty document. */
    public Field read(Path path) {
        String file = path.toString();
        byte[] bytes;
        try (InputStream in = Files.newInputStream(path)) {
            bytes = in.readNBytes(maxBytes + 1);
        } catch (IOException e) {
            throw new InputError(new Origin(file, 0, ""), "cannot read " + what + ": " + e);
        }
        if (bytes.length > maxBytes) {
            throw tooBig(file);
        }
        return read(file, utf8(file, bytes));
    }

    /** The root node of a document held in memory, or null for an empty document. */
    public Field read(String fileName, String text) {
        if (text.length() > maxBytes
                || (text.length() > maxBytes / 3 && text.getBytes(StandardCharsets.UTF_8).length > maxBytes)) {
            throw tooBig(fileName);
        }
        Node root = compose(fileName, text);
        if (root == null || (root instanceof ScalarNode s && s.getTag().equals(Tag.NULL))) {
            return null;
        }
        return new Field(fileName, "", root);
    }

    private InputError tooBig(String file) {
        return new InputError(new Origin(file, 0, ""),
                "file is larger than " + maxBytes / (1024 * 1024) + " MiB; " + what + " is never that big");
    }

    private static String utf8(String file, byte[] bytes) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = d.decode(in, out, true);
        if (r.isError()) {
            int line = 1;
            for (int i = 0; i < in.position(); i++) {
                line += bytes[i] == '\n' ? 1 : 0;
            }
            throw new InputError(new Origin(file, line, ""), "not valid UTF-8 (byte offset " + in.position() + ")");
        }
        d.flush(out);
        out.flip();
        return out.toString();
    }

    private Node compose(String file, String text) {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(maxBytes + 1); // size is checked above, in bytes
        options.setMaxAliasesForCollections(0); // PlainEvents refuses aliases first; this is the backstop
        options.setNestingDepthLimit(maxDepth + 1);
        options.setProcessComments(false);
        PlainEvents events = new PlainEvents(
                new ParserImpl(new StreamReader(new StringReader(text)), options), file, maxDepth);
        try {
            return new Composer(events, new Resolver(), options).getSingleNode();
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String context = e.getContext() == null ? "" : e.getContext() + ", ";
            throw new InputError(new Origin(file, mark == null ? 0 : mark.getLine() + 1, ""),
                    "malformed YAML: " + context + e.getProblem());
        } catch (ReaderException e) {
            throw new InputError(new Origin(file, lineOfCodePoint(text, e.getPosition()), ""),
                    "malformed YAML: character U+" + String.format("%04X", e.getCodePoint()) + " is not allowed");
        } catch (YAMLException e) {
            throw new InputError(new Origin(file, 0, ""), "malformed YAML: " + e.getMessage());
        }
    }

    private static int lineOfCodePoint(String text, int position) {
        int line = 1;
        int end = text.offsetByCodePoints(0, Math.min(position, text.codePointCount(0, text.length())));
        for (int i = 0; i < end; i++) {
            line += text.charAt(i) == '\n' ? 1 : 0;
        }
        return line;
    }

}
