package io.depot.resources;

import io.depot.core.MediaTypes;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.QuotedCSV;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;

import java.util.EnumSet;
import java.util.Set;

/**
 * Refuses, before any handler runs, a Content-Encoding or Accept-Encoding that Jetty's own list
 * parser cannot read. Jetty's gzip handler parses them ahead of Depot's filters, and a value such
 * as {@code ;a=""} (a parameter before any coding) failed it with an IndexOutOfBoundsException:
 * a 500 instead of a 400 naming the header.
 */
public final class CodingListsCustomizer
        implements HttpConfiguration.Customizer
{
    // An EnumSet: a header Jetty does not know has no HttpHeader (null), which Set.of's contains refuses.
    private static final Set<HttpHeader> CODING_LISTS = EnumSet.of(HttpHeader.CONTENT_ENCODING, HttpHeader.ACCEPT_ENCODING);

    @Override
    public Request customize(Request request, HttpFields.Mutable responseHeaders)
    {
        for (HttpField field : request.getHeaders()) {
            if (CODING_LISTS.contains(field.getHeader()) && !readable(field.getValue())) {
                throw new BadMessageException(HttpStatus.BAD_REQUEST_400,
                        "%s '%s' is not a comma-separated list of codings".formatted(field.getName(), MediaTypes.printable(field.getValue())));
            }
        }
        return request;
    }

    private static boolean readable(String value)
    {
        try {
            new QuotedCSV(false, value);
            return true;
        }
        catch (RuntimeException e) {
            return false;
        }
    }
}
