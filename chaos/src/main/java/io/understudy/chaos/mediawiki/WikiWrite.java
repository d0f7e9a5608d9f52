package io.understudy.chaos.mediawiki;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;

/**
 * One write a client of the switch sent to the wiki and what came back.
 *
 * @param kind       a page edit or a file upload
 * @param name       the page title or file name, unique to this write
 * @param content    the page's text (UTF-8) or the file's bytes
 * @param sentNanos  {@link System#nanoTime} when it was sent
 * @param doneNanos  when its answer (or the failure) came
 * @param epoch      the epoch that served it ({@code X-Understudy-Served-Epoch}), -1 when unknown
 * @param pageId     the page id the wiki answered (for an upload, 0)
 * @param revisionId the revision the edit created; 0 for an upload, or an edit that found the text already there
 * @param failure    null when the wiki acknowledged the write; else why not
 * @param noChange   the wiki answered {@code nochange}: this request changed nothing, an earlier attempt's rows were
 *                   already there (an attempt the gateway reported in doubt)
 */
public record WikiWrite(Kind kind, String name, byte[] content, long sentNanos, long doneNanos, long epoch, long pageId,
                        long revisionId, String failure, boolean noChange) {

    public enum Kind {
        /** {@code action=edit} of a new page. */
        PAGE,
        /** {@code action=upload} of a new file. */
        UPLOAD
    }

    public boolean acked() {
        return failure == null;
    }

    public String text() {
        return new String(content, StandardCharsets.UTF_8);
    }

    /**
     * Reads the wiki's answer to an edit. A {@code nochange} success means this very text is already the page's
     * latest: an earlier attempt of this write was applied (the switch sent it again after a failure).
     */
    static WikiWrite ofEdit(String title, byte[] text, long sent, WikiClient.Answer a) {
        JsonNode edit = a.body().path("edit");
        String failure = a.failure();
        if (failure == null && !"Success".equals(edit.path("result").asText())) {
            failure = "edit result: " + edit;
        }
        return new WikiWrite(Kind.PAGE, title, text, sent, System.nanoTime(), a.epoch(), edit.path("pageid").asLong(),
                edit.path("newrevid").asLong(), failure, edit.has("nochange"));
    }

    /**
     * Reads the wiki's answer to an upload. A warning that the file exists with exactly this content
     * ({@code nochange}) means an earlier attempt of this write was applied; any other warning is a failure.
     */
    static WikiWrite ofUpload(String fileName, byte[] bytes, long sent, WikiClient.Answer a) {
        JsonNode upload = a.body().path("upload");
        String result = upload.path("result").asText();
        String failure = a.failure();
        if (failure == null && !"Success".equals(result)
                && !("Warning".equals(result) && upload.path("warnings").has("nochange"))) {
            failure = "upload result: " + upload;
        }
        boolean noChange = "Warning".equals(result) && upload.path("warnings").has("nochange");
        return new WikiWrite(Kind.UPLOAD, fileName, bytes, sent, System.nanoTime(), a.epoch(), 0, 0, failure, noChange);
    }

    /** One line for the writer's log. */
    String logLine() {
        return String.format("%d %s %s epoch=%d page=%d rev=%d bytes=%d %s", doneNanos, kind, name, epoch, pageId,
                revisionId, content.length, acked() ? (noChange ? "ACK nochange" : "ACK") : "FAILED " + failure);
    }
}
