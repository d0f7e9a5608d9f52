package io.understudy.replicator.apply;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Pure lexing of PostgreSQL SQL text, as far as finding statements needs: where a statement ends, and which bare
 * words it holds. Quoted strings ({@code '...'}, {@code E'...'}), quoted identifiers, dollar-quoted bodies, line and
 * (nested) block comments never end a statement nor contribute words; a SQL-standard function body
 * ({@code BEGIN ATOMIC ... END}) of a {@code CREATE FUNCTION} or {@code CREATE PROCEDURE} keeps its semicolons, as
 * in psql.
 */
public final class SqlScript {

    /** A bare word of a statement, upper-cased, with its offsets in the statement and its parenthesis depth. */
    public record Word(String text, int start, int end, int depth) {
    }

    /** One statement: its text (without the ending semicolon, trimmed) and its bare words. */
    public record Statement(String text, List<Word> words) {

        /** The first {@code n} words (fewer if the statement is shorter). */
        public List<String> leading(int n) {
            return words.stream().limit(n).map(Word::text).toList();
        }

        /** Whether {@code word} occurs outside parentheses. */
        public boolean hasTopLevel(String word) {
            return words.stream().anyMatch(w -> w.depth() == 0 && w.text().equals(word));
        }
    }

    private SqlScript() {
    }

    /** Splits {@code sql} into statements at the semicolons that end one; statements with no words are dropped. */
    public static List<Statement> split(String sql) {
        List<Statement> out = new ArrayList<>();
        Lexer lexer = new Lexer(sql);
        int start = 0;
        List<Word> words = new ArrayList<>();
        int atomicDepth = 0;
        while (true) {
            int token = lexer.next();
            if (token == Lexer.END || token == Lexer.SEMICOLON && atomicDepth == 0) {
                int end = token == Lexer.END ? sql.length() : lexer.tokenStart;
                add(out, sql, start, end, words);
                if (token == Lexer.END) {
                    return out;
                }
                start = lexer.pos;
                words = new ArrayList<>();
                continue;
            }
            if (token == Lexer.WORD) {
                String word = sql.substring(lexer.tokenStart, lexer.pos).toUpperCase(Locale.ROOT);
                words.add(new Word(word, lexer.tokenStart - start, lexer.pos - start, lexer.depth));
                if (definesRoutine(words)) {
                    if (word.equals("BEGIN") || word.equals("CASE") && atomicDepth > 0) {
                        atomicDepth++;
                    } else if (word.equals("END") && atomicDepth > 0) {
                        atomicDepth--;
                    }
                }
            }
        }
    }

    private static boolean definesRoutine(List<Word> words) {
        List<String> lead = words.stream().limit(5).map(Word::text).filter(w -> !w.equals("OR") && !w.equals("REPLACE")).toList();
        return lead.size() >= 2 && lead.get(0).equals("CREATE") && (lead.get(1).equals("FUNCTION") || lead.get(1).equals("PROCEDURE"));
    }

    private static void add(List<Statement> out, String sql, int start, int end, List<Word> words) {
        if (words.isEmpty()) {
            return;
        }
        String raw = sql.substring(start, end);
        int blank = 0;
        while (blank < raw.length() && Character.isWhitespace(raw.charAt(blank))) {
            blank++;
        }
        int lead = blank;
        String text = raw.strip();
        List<Word> shifted = words.stream().map(w -> new Word(w.text(), w.start() - lead, w.end() - lead, w.depth())).toList();
        out.add(new Statement(text, shifted));
    }

    /** A hand-written scanner: just enough of PostgreSQL's lexical rules to skip what is not a bare word. */
    private static final class Lexer {
        static final int END = 0;
        static final int WORD = 1;
        static final int SEMICOLON = 2;
        static final int OTHER = 3;

        private final String s;
        int pos;
        int tokenStart;
        int depth;

        Lexer(String s) {
            this.s = s;
        }

        int next() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                tokenStart = pos;
                if (Character.isWhitespace(c)) {
                    pos++;
                } else if (c == '-' && peek(1) == '-') {
                    int nl = s.indexOf('\n', pos);
                    pos = nl < 0 ? s.length() : nl + 1;
                } else if (c == '/' && peek(1) == '*') {
                    skipBlockComment();
                } else if (c == '\'') {
                    skipQuoted('\'', escapesAt(pos));
                    return OTHER;
                } else if (c == '"') {
                    skipQuoted('"', false);
                    return OTHER;
                } else if (c == '$' && dollarTag() != null) {
                    String tag = dollarTag();
                    int close = s.indexOf(tag, pos + tag.length());
                    pos = close < 0 ? s.length() : close + tag.length();
                    return OTHER;
                } else if (c == ';') {
                    pos++;
                    return SEMICOLON;
                } else if (isWordStart(c)) {
                    while (pos < s.length() && isWordPart(s.charAt(pos))) {
                        pos++;
                    }
                    if (pos < s.length() && s.charAt(pos) == '\'' && pos - tokenStart == 1
                            && Character.toUpperCase(c) == 'E') {
                        continue; // E'...': the string itself is the next token
                    }
                    return WORD;
                } else {
                    if (c == '(') {
                        depth++;
                    } else if (c == ')') {
                        depth = Math.max(0, depth - 1);
                    }
                    pos++;
                    return OTHER;
                }
            }
            tokenStart = pos;
            return END;
        }

        private char peek(int ahead) {
            return pos + ahead < s.length() ? s.charAt(pos + ahead) : '\0';
        }

        /** Whether the quote at {@code quote} opens an escape string ({@code E'...'}). */
        private boolean escapesAt(int quote) {
            return quote > 0 && Character.toUpperCase(s.charAt(quote - 1)) == 'E'
                    && (quote == 1 || !isWordPart(s.charAt(quote - 2)));
        }

        private void skipQuoted(char quote, boolean backslashEscapes) {
            pos++;
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (backslashEscapes && c == '\\') {
                    pos += 2;
                } else if (c == quote) {
                    if (peek(1) == quote) {
                        pos += 2;
                    } else {
                        pos++;
                        return;
                    }
                } else {
                    pos++;
                }
            }
        }

        private void skipBlockComment() {
            int nesting = 0;
            while (pos < s.length()) {
                if (s.startsWith("/*", pos)) {
                    nesting++;
                    pos += 2;
                } else if (s.startsWith("*/", pos)) {
                    nesting--;
                    pos += 2;
                    if (nesting == 0) {
                        return;
                    }
                } else {
                    pos++;
                }
            }
        }

        /** The dollar-quote opening at {@code pos} ({@code $$} or {@code $tag$}), or null if {@code $} starts none. */
        private String dollarTag() {
            if (pos > 0 && isWordPart(s.charAt(pos - 1))) {
                return null; // part of an identifier such as a$b
            }
            int i = pos + 1;
            while (i < s.length() && s.charAt(i) != '$') {
                char c = s.charAt(i);
                if (!(Character.isLetter(c) || c == '_' || i > pos + 1 && Character.isDigit(c))) {
                    return null;
                }
                i++;
            }
            return i < s.length() ? s.substring(pos, i + 1) : null;
        }

        private static boolean isWordStart(char c) {
            return Character.isLetter(c) || c == '_';
        }

        private static boolean isWordPart(char c) {
            return Character.isLetterOrDigit(c) || c == '_' || c == '$';
        }
    }
}
