package io.depot.core;

import java.util.Locale;
import java.util.regex.Pattern;

/** The Content-Type a file is stored and served with. */
public final class MediaTypes
{
    /** Any file's bytes, without saying what they are. */
    public static final String OCTET_STREAM = "application/octet-stream";

    // RFC 6838 type/subtype names, optionally followed by parameters; a value starts right after its
    // "=" (a value of spaces alone would have no canonical form).
    private static final Pattern MEDIA_TYPE = Pattern.compile(
            "[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(\\s*;\\s*[!-~&&[^;]]+=[!-~&&[^;]][ -~&&[^;]]*)*");

    // Types a browser renders or runs (script, styles, markup with script): served as bytes, never as themselves.
    private static final Pattern ACTIVE = Pattern.compile(
            "(text/(html|xml|javascript|ecmascript|css|xsl|vtt)|application/(xhtml\\+xml|xml|javascript|ecmascript|x-javascript|xslt\\+xml|rdf\\+xml|mathml\\+xml|x-shockwave-flash)"
                    + "|image/svg\\+xml|[a-z0-9.+-]+/[a-z0-9.-]+\\+xml|multipart/x-mixed-replace)");

    private MediaTypes() {}

    /**
     * The Content-Type a download is served with: the stored type, except for types a browser
     * would render or execute, which are served as application/octet-stream (always as an
     * attachment too, see {@link ContentDisposition}).
     */
    public static String forDownload(String storedType)
    {
        String essence = storedType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return ACTIVE.matcher(essence).matches() ? OCTET_STREAM : storedType;
    }

    /**
     * The form of a valid type that is sent to object storage and signed: type, subtype and parameter
     * names in lower case, a charset's value in upper case (its preferred MIME name's case), no
     * whitespace around ";" and "=". What is stored and served is the type exactly as the client sent
     * it; this form keeps what S3 receives identical to what was signed even where a server in between
     * rewrites well-known Content-Type values (Jetty, which S3Proxy runs on, turns any spelling of
     * text/plain; charset=utf-8 into its own).
     */
    public static String canonical(String validType)
    {
        String[] parts = validType.split(";");
        StringBuilder canonical = new StringBuilder(parts[0].trim().toLowerCase(Locale.ROOT));
        for (int index = 1; index < parts.length; index++) {
            String[] parameter = parts[index].split("=", 2);
            String name = parameter[0].trim().toLowerCase(Locale.ROOT);
            String value = parameter[1].trim();
            canonical.append(';').append(name).append('=').append(name.equals("charset") ? value.toUpperCase(Locale.ROOT) : value);
        }
        return canonical.toString();
    }

    /** A file's media type: forms and multipart bodies are rejected because Depot stores the raw body as the file. */
    public static String forStoredFile(String contentType)
    {
        if (contentType == null || contentType.isBlank()) {
            throw new UnsupportedContentTypeException("Content-Type is required: send the file as the raw body with its media type, e.g. image/png");
        }
        String trimmed = contentType.trim();
        if (trimmed.length() > 255 || !MEDIA_TYPE.matcher(trimmed).matches()) {
            throw new UnsupportedContentTypeException("Content-Type '" + printable(trimmed) + "' is not a valid media type");
        }
        String lower = trimmed.toLowerCase(Locale.ROOT);
        if (lower.startsWith("multipart/") || lower.startsWith("application/x-www-form-urlencoded")) {
            throw new UnsupportedContentTypeException("Content-Type " + lower.split(";")[0] + " is not accepted: send the file as the raw body with its own media type");
        }
        return trimmed;
    }

    /** Client text fit to quote in an error message: at most 64 characters, printable ASCII only. */
    public static String printable(String text)
    {
        String shortened = text.length() > 64 ? text.substring(0, 64) + "..." : text;
        return shortened.replaceAll("[^ -~]", "?");
    }
}
