package dev.killswitch.agent.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.killswitch.agent.rules.Tokenizer.Token;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tokenizer splits exactly like iptables-restore's add_param_to_argv. */
class TokenizerTest {

    private static List<String> texts(String line) {
        return Tokenizer.tokenize(line, Origin.unknown()).stream().map(Token::text).toList();
    }

    private static List<Boolean> quoted(String line) {
        return Tokenizer.tokenize(line, Origin.unknown()).stream().map(Token::quoted).toList();
    }

    private static boolean suspect(String line) {
        return Tokenizer.tokenize(line, Origin.unknown()).suspect();
    }

    @Test
    void aTokenWithAShellMetacharacterOrControlCharacterIsSuspectWhereverItStands() {
        for (String line : List.of("-j LOG$x", "--comment \"a;b\"", "--comment \"a\\`b\"", "--comment \"a\tb\"",
                "x\"y|z", "--comment \"a&", "-i eth0\u007f", "-i eth\r0", "--comment \"<\"")) {
            assertEquals(true, suspect(line), line);
        }
        // separators are not in any token, non-ASCII letters are not suspect
        assertFalse(suspect(" -p\ttcp\n--dport 22 -m comment --comment \"caf\u00e9 d'\u00e9t\u00e9\""));
    }

    @Test
    void spacesTabsAndNewlinesSeparate() {
        assertEquals(List.of("-p", "tcp", "--dport", "22"), texts("  -p\ttcp \t --dport\n22  "));
    }

    @Test
    void doubleQuotesGroupAndAreRemembered() {
        assertEquals(List.of("--comment", "a b c"), texts("--comment \"a b c\""));
        assertEquals(List.of(false, true), quoted("--comment \"a b c\""));
    }

    @Test
    void aQuoteMayStartInTheMiddleOfAToken() {
        assertEquals(List.of("abc d", "x"), texts("ab\"c d\" x"));
        assertEquals(List.of(true, false), quoted("ab\"c d\" x"));
    }

    @Test
    void theClosingQuoteEndsTheToken() {
        assertEquals(List.of("a", "b"), texts("\"a\"b"));
    }

    @Test
    void insideQuotesABackslashEscapesTheNextCharacter() {
        assertEquals(List.of("a\"b\\c'd"), texts("\"a\\\"b\\\\c\\'d\""));
    }

    @Test
    void outsideQuotesABackslashIsOrdinary() {
        // a backslash before a quote does not escape it: the quote opens, and the next one closes
        assertEquals(List.of("a\\b", "c\\x"), texts("a\\b c\\\"x\""));
    }

    @Test
    void singleQuotesAreOrdinaryCharacters() {
        assertEquals(List.of("'a", "b'"), texts("'a b'"));
    }

    @Test
    void anEmptyQuotedStringIsAToken() {
        assertEquals(List.of("--comment", ""), texts("--comment \"\""));
        assertEquals(List.of(false, true), quoted("--comment \"\""));
    }

    @Test
    void anUnterminatedQuoteKeepsItsTextUnquoted() {
        assertEquals(List.of("abc d"), texts("\"abc d"));
        assertEquals(List.of(false), quoted("\"abc d"));
    }

    @Test
    void tokensKnowWhereTheyAre() {
        List<Tokenizer.Span> t = Tokenizer.spans("-A  X \"y z\"", Integer.MAX_VALUE, Origin.unknown());
        assertEquals(new Tokenizer.Span(new Token("-A", false), 0, 2), t.get(0));
        assertEquals(new Tokenizer.Span(new Token("X", false), 4, 5), t.get(1));
        assertEquals(new Tokenizer.Span(new Token("y z", true), 6, 11), t.get(2));
    }

    @Test
    void aTooLongParameterIsAnInputError() {
        Origin o = new Origin("f", 3, "filter INPUT");
        InputError e = assertThrows(InputError.class, () -> Tokenizer.tokenize("--comment " + "x".repeat(1024), o));
        assertEquals(o, e.origin());
        assertEquals(List.of("x".repeat(1023)), texts("x".repeat(1023)));
    }

    @Test
    void onlyAnUnquotedBangNegates() {
        List<Token> t = Tokenizer.tokenize("! \"!\"", Origin.unknown());
        assertEquals(true, t.get(0).isBang());
        assertEquals(false, t.get(1).isBang());
    }
}
