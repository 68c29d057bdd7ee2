package io.depot.resources;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

import java.io.IOException;

/**
 * An error answered to a request that carries a body says {@code Connection: close}. Most
 * refusals (a token, a content coding, a size, a rate) come before the body is read; Jetty then
 * cannot reuse the connection, but the response is already committed without saying so, and a
 * client or nginx that sends its next request on that connection gets no answer at all (nginx
 * answers a POST that met it with a 502). Requests without a body keep their connection.
 */
public class RefusedBodyFilter
        implements Filter
{
    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException
    {
        chain.doFilter(request, hasBody((HttpServletRequest) request) ? new CloseOnError((HttpServletResponse) response) : response);
    }

    /** Whether the request carries a body: a length above zero, or chunks. */
    static boolean hasBody(HttpServletRequest request)
    {
        return request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
    }

    private static final class CloseOnError
            extends HttpServletResponseWrapper
    {
        CloseOnError(HttpServletResponse response)
        {
            super(response);
        }

        @Override
        public void setStatus(int status)
        {
            closeOnError(status);
            super.setStatus(status);
        }

        @Override
        public void sendError(int status)
                throws IOException
        {
            closeOnError(status);
            super.sendError(status);
        }

        @Override
        public void sendError(int status, String message)
                throws IOException
        {
            closeOnError(status);
            super.sendError(status, message);
        }

        private void closeOnError(int status)
        {
            if (status >= 400 && !isCommitted()) {
                setHeader("Connection", "close");
            }
        }
    }
}
