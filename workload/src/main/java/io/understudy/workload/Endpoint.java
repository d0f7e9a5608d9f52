package io.understudy.workload;

import java.net.URI;
import java.net.http.HttpRequest;

/**
 * What the load's writes and reads are on the wire. {@link Writers} adds the {@code Idempotency-Key} and the time
 * bound; an endpoint decides the method, path, headers and body of write number {@code seq}.
 */
public interface Endpoint {

    /** The node's built-in object API: a keyed PUT of a JSON document per id, every other one create-only. */
    Endpoint OBJECTS = new Endpoint() {
        @Override
        public String body(long seq, int writer, String id) {
            return "{\"writer\":" + writer + ",\"n\":" + seq + ",\"note\":\"\\u2713 " + id + "\"}";
        }

        @Override
        public boolean createOnly(long seq) {
            return seq % 2 == 1;
        }

        @Override
        public HttpRequest.Builder write(String baseUrl, long seq, String id, String body) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + "/api/objects/" + id))
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(body));
            return createOnly(seq) ? request.header("If-None-Match", "*") : request;
        }

        @Override
        public HttpRequest.Builder read(String baseUrl, String id) {
            return HttpRequest.newBuilder(URI.create(baseUrl + "/api/objects/" + id)).GET();
        }
    };

    /** The body write {@code seq} of {@code writer} sends for {@code id}; unique in the run. */
    String body(long seq, int writer, String id);

    /** Whether write {@code seq} must create (applying it twice would be refused). */
    boolean createOnly(long seq);

    /** The request of write {@code seq}, without its key and timeout. */
    HttpRequest.Builder write(String baseUrl, long seq, String id, String body);

    /** A read of the acknowledged write of {@code id}, which answers exactly its body. */
    HttpRequest.Builder read(String baseUrl, String id);

    /** Told every acknowledged attempt with the body of its answer (e.g. the id the application gave it). */
    default void acknowledged(Op op, String answer) {
    }
}
