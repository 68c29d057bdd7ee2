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
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A Content-Type that is empty, sent twice, not a media type, or weighted (q=) is a 400 naming it, before Jersey
 * reads it: Jersey parses it before any resource or filter of its own runs, and what it cannot
 * parse ended in the container's bare "Bad Request". The test is Jersey's own parser, so what
 * passes here is what Jersey reads; what a route accepts is the route's to say.
 */
public class ContentTypeFilter
        implements Filter
{
    private final ObjectMapper json;

    public ContentTypeFilter(ObjectMapper json)
    {
        this.json = requireNonNull(json, "json is null");
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException
    {
        Optional<String> problem = problem(Collections.list(((HttpServletRequest) request).getHeaders(HttpHeaders.CONTENT_TYPE)));
        if (problem.isPresent()) {
            ErrorResponses.write((HttpServletResponse) response, json, HttpServletResponse.SC_BAD_REQUEST, problem.get());
            return;
        }
        chain.doFilter(request, response);
    }

    /** What is wrong with the request's Content-Type fields, if anything; none at all is the route's to judge. */
    static Optional<String> problem(List<String> values)
    {
        if (values.size() > 1) {
            return Optional.of("Content-Type is sent " + values.size() + " times: send the body's media type once");
        }
        if (values.isEmpty()) {
            return Optional.empty();
        }
        String value = values.get(0);
        if (value.isBlank()) {
            return Optional.of("Content-Type is empty: send the body's media type, e.g. application/json or image/png");
        }
        MediaType mediaType;
        try {
            mediaType = MediaType.valueOf(value);
        }
        catch (RuntimeException e) {
            return Optional.of("Content-Type '" + MediaTypes.printable(value.trim())
                    + "' is not a media type: type/subtype with optional parameters, e.g. text/plain; charset=utf-8");
        }
        // Jersey reads a q parameter as a weight wherever it meets one, and failed on one it could not read (a 500).
        if (mediaType.getParameters().keySet().stream().anyMatch(name -> name.equalsIgnoreCase("q"))) {
            return Optional.of("Content-Type may not have a q parameter: it weighs the media ranges of Accept, it is not a media type's");
        }
        return Optional.empty();
    }
}
