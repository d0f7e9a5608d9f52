package io.understudy.chaos.mediawiki;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * What one node holds of the wiki, read from its own database and uploads directory, never through the wiki: so
 * a check does not depend on the node being primary, or on its PHP server at all.
 */
public final class WikiReadBack {

    private static final String LATEST_TEXT = "SELECT p.page_id, t.old_text FROM mediawiki.page p"
            + " JOIN mediawiki.slots s ON s.slot_revision_id = p.page_latest"
            + " JOIN mediawiki.content c ON c.content_id = s.slot_content_id"
            + " JOIN mediawiki.text t ON c.content_address = 'tt:' || t.old_id"
            + " WHERE p.page_namespace = 0 AND p.page_title = ?";

    private final Connection db;
    private final Path filesDir;

    /** @param db node's database (the caller closes it) */
    public WikiReadBack(Connection db, Path filesDir) {
        this.db = db;
        this.filesDir = filesDir;
    }

    /**
     * Every acknowledged write of {@code writes} this node lacks or holds differently, one line each. An upload
     * answered {@code nochange} stored nothing itself: it confirms that the wiki's rows of an earlier attempt, one the
     * gateway reported in doubt, are there, and only those rows are checked. Such an attempt may have been cut off
     * after the wiki committed its rows and before the node captured its file (see {@link #inDoubtUploadsWithoutFile}).
     */
    public List<String> missing(List<WikiWrite> writes) throws SQLException, IOException {
        List<String> missing = new ArrayList<>();
        for (WikiWrite w : writes) {
            if (!w.acked()) {
                continue;
            }
            String problem = w.kind() == WikiWrite.Kind.PAGE ? checkPage(w)
                    : w.noChange() ? checkUploadRow(w) : checkUpload(w);
            if (problem != null) {
                missing.add(w.kind() + " " + w.name() + ": " + problem);
            }
        }
        return missing;
    }

    /**
     * Uploads whose only acknowledgement was {@code nochange} and whose file this node lacks: an attempt cut off after
     * the wiki committed its rows and before the node captured its file left the rows without the file. Reported,
     * not counted as lost: no request that stored the file was acknowledged.
     */
    public List<String> inDoubtUploadsWithoutFile(List<WikiWrite> writes) throws SQLException, IOException {
        List<String> found = new ArrayList<>();
        for (WikiWrite w : writes) {
            if (w.acked() && w.noChange() && w.kind() == WikiWrite.Kind.UPLOAD && checkUploadRow(w) == null) {
                String problem = checkUploadFile(w);
                if (problem != null) {
                    found.add(w.name() + ": " + problem);
                }
            }
        }
        return found;
    }

    private String checkPage(WikiWrite w) throws SQLException {
        try (PreparedStatement st = db.prepareStatement(LATEST_TEXT)) {
            st.setString(1, dbKey(w.name()));
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return "no page";
                }
                if (w.pageId() != 0 && rs.getLong(1) != w.pageId()) {
                    return "page id " + rs.getLong(1) + ", acknowledged as " + w.pageId();
                }
                // MediaWiki drops trailing whitespace from what it saves
                if (!rs.getString(2).equals(w.text().stripTrailing())) {
                    return "a different latest text";
                }
            }
        }
        if (w.revisionId() != 0 && revisionPage(w.revisionId()) != w.pageId()) {
            return "revision " + w.revisionId() + " is not a revision of page " + w.pageId();
        }
        return null;
    }

    private long revisionPage(long revisionId) throws SQLException {
        try (PreparedStatement st = db.prepareStatement("SELECT rev_page FROM mediawiki.revision WHERE rev_id = ?")) {
            st.setLong(1, revisionId);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }

    private String checkUpload(WikiWrite w) throws SQLException, IOException {
        String row = checkUploadRow(w);
        return row != null ? row : checkUploadFile(w);
    }

    private String checkUploadRow(WikiWrite w) throws SQLException {
        try (PreparedStatement st = db.prepareStatement("SELECT img_size, img_sha1 FROM mediawiki.image WHERE img_name = ?")) {
            st.setString(1, dbKey(w.name()));
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return "no image row";
                }
                if (rs.getLong(1) != w.content().length || !rs.getString(2).equals(sha1Base36(w.content()))) {
                    return "image row of " + rs.getLong(1) + " bytes, sha1 " + rs.getString(2);
                }
            }
        }
        return null;
    }

    private String checkUploadFile(WikiWrite w) throws IOException {
        Path file = uploadPath(filesDir, w.name());
        if (!Files.isRegularFile(file)) {
            return "no file " + file;
        }
        return Arrays.equals(Files.readAllBytes(file), w.content()) ? null : "file " + file + " differs";
    }

    /** Where MediaWiki keeps an upload's current version: {@code <md5 of the name>[0]/[0..1]/<name>} in {@code filesDir}. */
    public static Path uploadPath(Path filesDir, String fileName) {
        String hash = HexFormat.of().formatHex(digest("MD5", dbKey(fileName).getBytes(StandardCharsets.UTF_8)));
        return filesDir.resolve(hash.substring(0, 1)).resolve(hash.substring(0, 2)).resolve(dbKey(fileName));
    }

    /** The highest value of {@code column} in {@code mediawiki.table}, 0 when empty. */
    public long maxId(String table, String column) throws SQLException {
        try (Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT coalesce(max(" + column + "), 0) FROM mediawiki." + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Whether {@code mediawiki.table} exists. */
    public boolean hasTable(String table) throws SQLException {
        try (PreparedStatement st = db.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            st.setString(1, "mediawiki." + table);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Title or file name as MediaWiki stores it: spaces as underscores. */
    static String dbKey(String name) {
        return name.replace(' ', '_');
    }

    /** MediaWiki's {@code img_sha1}: the SHA-1 in base 36, zero-padded to 31 digits. */
    static String sha1Base36(byte[] content) {
        String base36 = new BigInteger(1, digest("SHA-1", content)).toString(36);
        return "0".repeat(31 - base36.length()) + base36;
    }

    private static byte[] digest(String algorithm, byte[] bytes) {
        try {
            return MessageDigest.getInstance(algorithm).digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is part of every Java runtime", e);
        }
    }
}
