package dev.killswitch.controller.inventory;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a line into words the way Python's shlex does in POSIX mode (which Ansible uses for INI host
 * lines and {@code -e key=value}): quotes group and are removed, a backslash escapes, {@code #} outside
 * quotes starts a comment.
 */
final class ShellWords {

    private ShellWords() {
    }

    /** The words of {@code line}; throws IllegalArgumentException on an unclosed quote. */
    static List<String> split(String line, boolean comments) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i++);
            if (c == '\'' || c == '"') {
                inWord = true;
                int close = closing(line, i, c);
                for (int j = i; j < close; j++) {
                    char q = line.charAt(j);
                    if (c == '"' && q == '\\' && j + 1 < close && (line.charAt(j + 1) == '"' || line.charAt(j + 1) == '\\')) {
                        q = line.charAt(++j);
                    }
                    word.append(q);
                }
                i = close + 1;
            } else if (c == '\\' && i < line.length()) {
                inWord = true;
                word.append(line.charAt(i++));
            } else if (Character.isWhitespace(c) || (comments && c == '#')) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                if (c == '#') {
                    break;
                }
            } else {
                inWord = true;
                word.append(c);
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    private static int closing(String line, int from, char quote) {
        for (int j = from; j < line.length(); j++) {
            char c = line.charAt(j);
            if (quote == '"' && c == '\\') {
                j++;
            } else if (c == quote) {
                return j;
            }
        }
        throw new IllegalArgumentException("no closing quotation (" + quote + ")");
    }
}
