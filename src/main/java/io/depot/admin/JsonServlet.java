package io.depot.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

import static java.util.Objects.requireNonNull;

/** Admin-side endpoints answer small JSON documents and must never be cached by anything in between. */
abstract class JsonServlet
        extends HttpServlet
{
    private static final long serialVersionUID = 1L;

    private final transient ObjectMapper json;

    JsonServlet(ObjectMapper json)
    {
        this.json = requireNonNull(json, "json is null");
    }

    void write(HttpServletResponse response, int status, Object body)
            throws IOException
    {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setHeader("Cache-Control", "no-store");
        json.writeValue(response.getOutputStream(), body);
    }
}
