package io.depot.resources;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.depot.core.MediaTypes;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * A method HTTP does not define is 501 Not Implemented (RFC 9110 §15.6.2), in the API's error
 * shape. Every method it defines goes on to Jersey, which answers 405 with an Allow header naming
 * what the route takes when the route does not take that one.
 */
public class KnownMethodsFilter
        implements Filter
{
    /** RFC 9110 §9 and PATCH (RFC 5789); server.allowedMethods in config.yml lets the same set through. */
    public static final Set<String> KNOWN = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

    private final ObjectMapper json;

    public KnownMethodsFilter(ObjectMapper json)
    {
        this.json = requireNonNull(json, "json is null");
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException
    {
        String method = ((HttpServletRequest) request).getMethod();
        if (KNOWN.contains(method)) {
            chain.doFilter(request, response);
            return;
        }
        ErrorResponses.write((HttpServletResponse) response, json, HttpServletResponse.SC_NOT_IMPLEMENTED,
                "method " + MediaTypes.printable(method) + " is not implemented; Depot's API takes GET, HEAD, POST, DELETE and OPTIONS");
    }
}
