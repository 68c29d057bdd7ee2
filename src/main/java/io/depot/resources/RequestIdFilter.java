package io.depot.resources;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.MDC;

import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Every request carries an id: the caller's X-Request-Id when it is well-formed (nginx passes
 * its own), a new one otherwise. It is returned in the response, logged in the request log and
 * in every application log line written while the request runs.
 */
public class RequestIdFilter
        implements Filter
{
    public static final String HEADER = "X-Request-Id";
    /** A caller's id that is kept; the OpenAPI document states it. */
    static final String WELL_FORMED_PATTERN = "[A-Za-z0-9._:-]{8,128}";
    private static final Pattern WELL_FORMED = Pattern.compile(WELL_FORMED_PATTERN);

    /** The caller's id when it is well-formed, a new one otherwise. */
    public static String requestId(String offered)
    {
        return offered != null && WELL_FORMED.matcher(offered).matches() ? offered : randomId();
    }

    /**
     * A version-4 UUID from the thread's own generator: an id to find a request by, not a secret,
     * so it need not queue every request on the one lock of SecureRandom.
     */
    private static String randomId()
    {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & ~(0xC000L << 48)) | (0x8000L << 48);
        return new UUID(high, low).toString();
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException
    {
        String requestId = requestId(((HttpServletRequest) request).getHeader(HEADER));
        ((HttpServletResponse) response).setHeader(HEADER, requestId);
        MDC.put("requestId", requestId);
        try {
            chain.doFilter(request, response);
        }
        finally {
            MDC.remove("requestId");
        }
    }
}
