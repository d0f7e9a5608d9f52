package io.understudy.failoverswitch.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import io.understudy.cluster.ClusterJson;
import io.understudy.failoverswitch.proxy.RetryPolicy.Failure;
import io.undertow.client.ClientExchange;
import io.undertow.client.ClientResponse;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.xnio.channels.StreamSourceChannel;

/**
 * A node's answer that means "not me": 421 {@code epoch_mismatch} (the node is not the primary of
 * the stamped epoch) or 503 {@code not_primary} (its write gate is closed). Both are sent before
 * the node does anything, so the request can go to the real primary. Also 503
 * {@code not_acknowledged}: committed, but the node stopped being primary before acknowledging;
 * such a request goes to the next primary only when sending it twice is harmless, else the node's
 * answer is relayed. Only small JSON answers with those statuses are read here; anything else is
 * the client's response, and so is every answer an application gateway relays from its application
 * (it carries {@code X-Understudy-Application}).
 *
 * @param failure the refusal, or null when the answer is to be relayed as it is
 * @param body    the answer's body, read in full
 */
record Refusal(Failure failure, byte[] body) {

    private static final HttpString APPLICATION = HttpString.tryFromString(io.understudy.cluster.Headers.APPLICATION);

    /** Bodies larger than this are never refusals (the node's are a few hundred bytes). */
    static final int MAX_BODY = 16 * 1024;

    static boolean mayBeRefusal(ClientResponse response) {
        int status = response.getResponseCode();
        if (status != 421 && status != 503) {
            return false;
        }
        if (response.getResponseHeaders().contains(APPLICATION)) {
            // relayed by an application gateway: the application's own answer, which may use the same words
            return false;
        }
        String length = response.getResponseHeaders().getFirst(Headers.CONTENT_LENGTH);
        try {
            return length != null && Long.parseLong(length.trim()) <= MAX_BODY;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** What the answer means, from its status and the {@code error} field of its JSON body. Pure. */
    static Failure classify(int status, byte[] body) {
        if (status == 503 && body.length == 0) {
            // A node's own answers always carry a JSON body; an empty 503 is its HTTP server
            // turning the request away while it stops, before any handler saw it.
            return Failure.NOT_SENT;
        }
        String error;
        try {
            JsonNode json = ClusterJson.MAPPER.readTree(body);
            error = json == null ? null : json.path("error").asText(null);
        } catch (IOException e) {
            return null;
        }
        if (status == 421 && "epoch_mismatch".equals(error)) {
            return Failure.EPOCH_MISMATCH;
        }
        if (status == 503 && "not_primary".equals(error)) {
            return Failure.NOT_PRIMARY;
        }
        if (status == 503 && "not_acknowledged".equals(error)) {
            return Failure.NOT_CONFIRMED;
        }
        return null;
    }

    /** Reads the whole (small) body without blocking, then calls {@code done} on the IO thread. */
    static void read(ClientExchange result, Consumer<Refusal> done, Consumer<IOException> failed) {
        int length = Integer.parseInt(result.getResponse().getResponseHeaders().getFirst(Headers.CONTENT_LENGTH).trim());
        ByteBuffer buffer = ByteBuffer.allocate(length);
        readInto(result, result.getResponseChannel(), buffer, done, failed);
    }

    private static void readInto(ClientExchange result, StreamSourceChannel channel, ByteBuffer buffer,
            Consumer<Refusal> done, Consumer<IOException> failed) {
        try {
            while (true) {
                int read = channel.read(buffer);
                if (read == -1) {
                    channel.getReadSetter().set(null);
                    channel.suspendReads();
                    channel.close();
                    byte[] body = new byte[buffer.position()];
                    buffer.flip().get(body);
                    done.accept(new Refusal(classify(result.getResponse().getResponseCode(), body), body));
                    return;
                }
                if (read == 0) {
                    channel.getReadSetter().set(c -> readInto(result, c, buffer, done, failed));
                    channel.resumeReads();
                    return;
                }
            }
        } catch (IOException e) {
            failed.accept(e);
        }
    }
}
