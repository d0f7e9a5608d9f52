package io.understudy.replicator.apply;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Pure: finds, in the query string a captured schema change came in, the statement to run on the secondary. The
 * capture trigger records the whole query string ({@code current_query()}), the command's tag and its ordinal among
 * the schema-changing commands of that string; here the string is split, the statements that fire PostgreSQL's event
 * triggers are counted, and the one at the ordinal must carry the recorded tag. Any disagreement is an error, never a
 * guess: running the wrong statement on a secondary would be worse than stopping.
 */
public final class DdlStatement {

    /** First words of commands that fire {@code ddl_command_end}. */
    private static final Set<String> DDL_VERBS = Set.of("CREATE", "ALTER", "DROP", "COMMENT", "GRANT", "REVOKE", "SECURITY",
            "IMPORT", "REFRESH");
    /** Objects shared by the whole server: event triggers never fire for commands on them. */
    private static final Set<String> SHARED_OBJECTS = Set.of("DATABASE", "ROLE", "USER", "GROUP", "TABLESPACE", "SYSTEM");
    /** Words a statement may carry between its verb and its object type, which the command tag leaves out. */
    private static final Set<String> MODIFIERS = Set.of("OR", "REPLACE", "UNIQUE", "TEMP", "TEMPORARY", "UNLOGGED", "GLOBAL",
            "LOCAL", "CONSTRAINT", "RECURSIVE", "TRUSTED", "PROCEDURAL");

    private DdlStatement() {
    }

    /**
     * The statement of {@code query} that ran as command {@code ordinal} (1-based) with tag {@code tag}.
     *
     * @throws ApplyException when the statement at that ordinal does not carry the tag, or there is none
     */
    public static String find(String query, int ordinal, String tag) {
        List<SqlScript.Statement> ddl = new ArrayList<>();
        for (SqlScript.Statement statement : SqlScript.split(query)) {
            if (firesEventTrigger(statement)) {
                ddl.add(statement);
            }
        }
        if (ordinal < 1 || ordinal > ddl.size()) {
            throw new ApplyException("schema change " + tag + " #" + ordinal + " cannot be found in its query string, which holds "
                    + ddl.size() + " schema-changing statement(s): " + abbreviate(query));
        }
        SqlScript.Statement statement = ddl.get(ordinal - 1);
        if (!carriesTag(statement, tag)) {
            throw new ApplyException("schema change " + tag + " #" + ordinal + " does not match statement '" + abbreviate(statement.text())
                    + "' of its query string");
        }
        return statement.text();
    }

    /**
     * The statement as it can run inside the secondary's apply transaction: {@code CONCURRENTLY} (which PostgreSQL
     * refuses in a transaction block) is dropped from index commands; the index is then built while the secondary's
     * apply holds its lock, which only the secondary's readers of that table notice.
     */
    public static String forTransaction(String statement) {
        SqlScript.Statement parsed = SqlScript.split(statement).get(0);
        List<String> lead = parsed.leading(4);
        boolean indexCommand = lead.contains("INDEX") || !lead.isEmpty() && lead.get(0).equals("REINDEX");
        if (indexCommand) {
            for (SqlScript.Word word : parsed.words()) {
                if (word.text().equals("CONCURRENTLY") && word.depth() == 0) {
                    String text = parsed.text();
                    return text.substring(0, word.start()) + text.substring(word.end()).replaceFirst("^\\s+", "");
                }
            }
        }
        return parsed.text();
    }

    /** Whether running {@code statement} fires {@code ddl_command_end} (SELECT INTO included, shared objects not). */
    static boolean firesEventTrigger(SqlScript.Statement statement) {
        List<String> lead = statement.leading(5);
        String verb = lead.get(0);
        if (verb.equals("SELECT")) {
            return statement.hasTopLevel("INTO");
        }
        if (!DDL_VERBS.contains(verb)) {
            return false;
        }
        if (verb.equals("GRANT") || verb.equals("REVOKE")) {
            // without ON it grants a role; ON DATABASE and ON TABLESPACE are shared objects
            int on = indexOfTopLevel(statement, "ON");
            return on >= 0 && on + 1 < statement.words().size() && !SHARED_OBJECTS.contains(statement.words().get(on + 1).text());
        }
        List<String> object = withoutModifiers(lead);
        if (verb.equals("COMMENT") || verb.equals("SECURITY")) {
            int on = indexOfTopLevel(statement, "ON");
            return on < 0 || on + 1 >= statement.words().size() || !SHARED_OBJECTS.contains(statement.words().get(on + 1).text());
        }
        boolean userMapping = object.size() >= 3 && object.get(1).equals("USER") && object.get(2).equals("MAPPING");
        return object.size() < 2 || userMapping || !(SHARED_OBJECTS.contains(object.get(1)) || object.get(1).equals("EVENT"));
    }

    private static boolean carriesTag(SqlScript.Statement statement, String tag) {
        List<String> expected = List.of(tag.trim().toUpperCase(java.util.Locale.ROOT).split("\\s+"));
        if (expected.equals(List.of("SELECT", "INTO"))) {
            return statement.leading(1).equals(List.of("SELECT"));
        }
        if (expected.size() > 2 && expected.get(expected.size() - 1).equals("AS")) {
            expected = expected.subList(0, expected.size() - 1); // CREATE TABLE AS: AS follows the name
        }
        List<String> words = withoutModifiers(statement.leading(expected.size() + 4));
        return words.size() >= expected.size() && words.subList(0, expected.size()).equals(expected);
    }

    private static List<String> withoutModifiers(List<String> words) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            if (i == 0 || !MODIFIERS.contains(words.get(i))) {
                out.add(words.get(i));
            }
        }
        return out;
    }

    private static int indexOfTopLevel(SqlScript.Statement statement, String word) {
        for (int i = 0; i < statement.words().size(); i++) {
            SqlScript.Word w = statement.words().get(i);
            if (w.depth() == 0 && w.text().equals(word)) {
                return i;
            }
        }
        return -1;
    }

    private static String abbreviate(String text) {
        String flat = text.replaceAll("\\s+", " ").trim();
        return flat.length() <= 200 ? flat : flat.substring(0, 200) + "...";
    }
}
