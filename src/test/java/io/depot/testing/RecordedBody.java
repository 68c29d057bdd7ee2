package io.depot.testing;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.Flow;

import static java.util.Objects.requireNonNull;

/**
 * A request body as it is sent, kept up to {@link #LIMIT} bytes so that the exchange can be
 * checked against the API's document; the body still streams (a test's 1 GiB upload is not held).
 */
final class RecordedBody
        implements HttpRequest.BodyPublisher
{
    static final int LIMIT = 1024 * 1024;

    private final HttpRequest.BodyPublisher body;
    private ByteArrayOutputStream sent = new ByteArrayOutputStream();
    private boolean truncated;

    private RecordedBody(HttpRequest.BodyPublisher body)
    {
        this.body = requireNonNull(body, "body is null");
    }

    /** {@code request} with its body recorded as it is sent, and the recorder. */
    static Recorded record(HttpRequest request)
    {
        if (request.bodyPublisher().isEmpty()) {
            return new Recorded(request, Optional.empty());
        }
        RecordedBody recorder = new RecordedBody(request.bodyPublisher().get());
        HttpRequest copy = HttpRequest.newBuilder(request, (name, value) -> true).method(request.method(), recorder).build();
        return new Recorded(copy, Optional.of(recorder));
    }

    record Recorded(HttpRequest request, Optional<RecordedBody> body)
    {
        /** What was sent, unless it was longer than the limit. */
        Optional<byte[]> bytes()
        {
            return body.isEmpty() ? Optional.of(new byte[0]) : body.get().bytes();
        }
    }

    synchronized Optional<byte[]> bytes()
    {
        return truncated ? Optional.empty() : Optional.of(sent.toByteArray());
    }

    @Override
    public long contentLength()
    {
        return body.contentLength();
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber)
    {
        synchronized (this) {
            // The client subscribes again when it resends: keep only the last sending.
            sent = new ByteArrayOutputStream();
            truncated = false;
        }
        body.subscribe(new Flow.Subscriber<>()
        {
            @Override
            public void onSubscribe(Flow.Subscription subscription)
            {
                subscriber.onSubscribe(subscription);
            }

            @Override
            public void onNext(ByteBuffer item)
            {
                keep(item.duplicate());
                subscriber.onNext(item);
            }

            @Override
            public void onError(Throwable throwable)
            {
                subscriber.onError(throwable);
            }

            @Override
            public void onComplete()
            {
                subscriber.onComplete();
            }
        });
    }

    private synchronized void keep(ByteBuffer item)
    {
        if (truncated || sent.size() + item.remaining() > LIMIT) {
            truncated = true;
            return;
        }
        byte[] bytes = new byte[item.remaining()];
        item.get(bytes);
        sent.write(bytes, 0, bytes.length);
    }
}
