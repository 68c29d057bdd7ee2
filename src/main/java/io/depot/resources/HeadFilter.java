package io.depot.resources;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;

/**
 * HEAD is GET without the body (RFC 9110 §9.3.2): the GET runs, its body is counted and dropped,
 * and the response says the Content-Length the GET's body has. Left to Jersey, a HEAD of a body
 * GET streams said Content-Length: 0.
 */
public class HeadFilter
        implements Filter
{
    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException
    {
        HttpServletRequest http = (HttpServletRequest) request;
        if (!"HEAD".equals(http.getMethod())) {
            chain.doFilter(request, response);
            return;
        }
        BodilessResponse bodiless = new BodilessResponse((HttpServletResponse) response);
        chain.doFilter(new HttpServletRequestWrapper(http)
        {
            @Override
            public String getMethod()
            {
                return "GET";
            }
        }, bodiless);
        bodiless.finish();
    }

    private static final class BodilessResponse
            extends HttpServletResponseWrapper
    {
        private final CountingStream body = new CountingStream();
        private PrintWriter writer;

        BodilessResponse(HttpServletResponse response)
        {
            super(response);
        }

        @Override
        public ServletOutputStream getOutputStream()
        {
            return body;
        }

        @Override
        public PrintWriter getWriter()
        {
            if (writer == null) {
                writer = new PrintWriter(new OutputStreamWriter(body, Charset.forName(getCharacterEncoding())));
            }
            return writer;
        }

        // Nothing is committed before the whole body has been counted.
        @Override
        public void flushBuffer() {}

        @Override
        public void resetBuffer()
        {
            super.resetBuffer();
            body.count = 0;
        }

        @Override
        public void reset()
        {
            super.reset();
            body.count = 0;
        }

        void finish()
        {
            if (writer != null) {
                writer.flush();
            }
            if (!isCommitted() && getHeader("Content-Length") == null) {
                setContentLengthLong(body.count);
            }
        }
    }

    private static final class CountingStream
            extends ServletOutputStream
    {
        private long count;

        @Override
        public void write(int b)
        {
            count++;
        }

        @Override
        public void write(byte[] bytes, int offset, int length)
        {
            count += length;
        }

        @Override
        public boolean isReady()
        {
            return true;
        }

        @Override
        public void setWriteListener(WriteListener listener) {}
    }
}
