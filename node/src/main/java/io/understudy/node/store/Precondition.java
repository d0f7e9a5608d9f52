package io.understudy.node.store;

/**
 * HTTP conditional-write headers reduced to what the store checks.
 *
 * @param ifMatch        {@code null} (no header), {@code "*"} (must exist), or an entity tag without quotes
 * @param ifNoneMatchAny {@code If-None-Match: *}: must not exist yet
 */
public record Precondition(String ifMatch, boolean ifNoneMatchAny) {

    public static final Precondition NONE = new Precondition(null, false);

    /** Whether there is no condition at all: then the current state need not be read. */
    public boolean unconditional() {
        return ifMatch == null && !ifNoneMatchAny;
    }

    /** Whether a write may go ahead given the current entity tag ({@code null} when absent). */
    public boolean allows(String currentEtag) {
        if (ifNoneMatchAny && currentEtag != null) {
            return false;
        }
        if (ifMatch == null) {
            return true;
        }
        return currentEtag != null && (ifMatch.equals("*") || ifMatch.equals(currentEtag));
    }
}
