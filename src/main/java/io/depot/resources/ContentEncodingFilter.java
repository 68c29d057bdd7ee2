package io.depot.resources;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.depot.core.MediaTypes;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

import static java.util.Objects.requireNonNull;

/**
 * Request bodies in a content coding (RFC 9110 §8.4): gzip is decoded here, as it is read, and a
 * body that is not valid gzip fails its read with an {@link UndecodableBodyException} (a 400);
 * any other coding is 415 with Accept-Encoding: gzip, before a byte is read. Jetty's own request
 * inflation is off (server.gzip.bufferSize: 0B): its decoding errors surfaced as a 500.
 */
public class ContentEncodingFilter
        implements Filter
{
    private static final String GZIP = "gzip";
    private static final Set<String> GZIP_NAMES = Set.of("gzip", "x-gzip");
    // What the decoded body no longer has: its coding and the coded length.
    private static final Set<String> HIDDEN = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);

    static {
        HIDDEN.addAll(List.of("Content-Encoding", "Content-Length"));
    }

    private final ObjectMapper json;

    public ContentEncodingFilter(ObjectMapper json)
    {
        this.json = requireNonNull(json, "json is null");
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException
    {
        HttpServletRequest http = (HttpServletRequest) request;
        List<String> codings = Collections.list(http.getHeaders("Content-Encoding")).stream()
                .flatMap(value -> Arrays.stream(value.split(",")))
                .map(coding -> coding.trim().toLowerCase(Locale.ROOT))
                .filter(coding -> !coding.isEmpty() && !coding.equals("identity"))
                .toList();
        // Without a body the coding describes nothing: a GET that names one is a GET.
        if (codings.isEmpty() || !RefusedBodyFilter.hasBody(http)) {
            chain.doFilter(request, response);
        }
        else if (codings.size() == 1 && GZIP_NAMES.contains(codings.get(0))) {
            chain.doFilter(new GzipDecodedRequest(http), response);
        }
        else {
            HttpServletResponse refusal = (HttpServletResponse) response;
            refusal.setHeader("Accept-Encoding", GZIP);
            ErrorResponses.write(refusal, json, HttpServletResponse.SC_UNSUPPORTED_MEDIA_TYPE, "Content-Encoding " + MediaTypes.printable(String.join(", ", codings))
                    + " is not supported: send the body as it is, or gzip-compressed with Content-Encoding: gzip");
        }
    }

    private static final class GzipDecodedRequest
            extends HttpServletRequestWrapper
    {
        private ServletInputStream decoded;

        GzipDecodedRequest(HttpServletRequest request)
        {
            super(request);
        }

        @Override
        public ServletInputStream getInputStream()
                throws IOException
        {
            if (decoded == null) {
                decoded = new DecodingStream(super.getInputStream());
            }
            return decoded;
        }

        @Override
        public int getContentLength()
        {
            return -1;
        }

        @Override
        public long getContentLengthLong()
        {
            return -1;
        }

        @Override
        public String getHeader(String name)
        {
            return HIDDEN.contains(name) ? null : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name)
        {
            return HIDDEN.contains(name) ? Collections.emptyEnumeration() : super.getHeaders(name);
        }

        @Override
        public Enumeration<String> getHeaderNames()
        {
            return Collections.enumeration(Collections.list(super.getHeaderNames()).stream().filter(name -> !HIDDEN.contains(name)).toList());
        }
    }

    /** Decodes on first read, so nothing is read before the application asks for the body. */
    private static final class DecodingStream
            extends ServletInputStream
    {
        private final ServletInputStream coded;
        private InputStream gzip;
        private boolean finished;

        DecodingStream(ServletInputStream coded)
        {
            this.coded = coded;
        }

        @Override
        public int read()
                throws IOException
        {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length)
                throws IOException
        {
            try {
                if (gzip == null) {
                    gzip = new GZIPInputStream(coded, 8192);
                }
                int read = gzip.read(buffer, offset, length);
                finished = read < 0;
                return read;
            }
            // A bad header or checksum, or a body that ends inside the gzip stream.
            catch (ZipException | EOFException e) {
                throw new UndecodableBodyException(GZIP, e);
            }
        }

        @Override
        public boolean isFinished()
        {
            return finished;
        }

        @Override
        public boolean isReady()
        {
            return true;
        }

        @Override
        public void setReadListener(ReadListener listener)
        {
            throw new IllegalStateException("a gzip-coded body is read blocking");
        }
    }
}
