package dev.killswitch.controller.template;

import java.util.List;

/** A parsed {@code {{ }}} expression: a literal, a variable path, or a default() around another. */
sealed interface Expr {

    /** A quoted string, a number, true/false or none. */
    record Literal(Object value) implements Expr {
    }

    /** {@code root.key[0]['other']}; keys are Strings or Integers; text is how it was written. */
    record Path(String root, List<Object> keys, String text) implements Expr {
    }

    /** {@code subject | default(fallback[, true])}: with orFalsy, empty and false values are replaced too. */
    record Default(Expr subject, Expr fallback, boolean orFalsy) implements Expr {
    }
}
