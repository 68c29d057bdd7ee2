package io.depot.core;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import io.depot.api.Asset;
import io.depot.api.AssetPage;
import io.depot.cache.AssetCache;
import io.depot.db.AssetDao;
import io.depot.db.OutboxDao;
import io.depot.db.UploadDao;
import io.depot.storage.ChecksumMismatchException;
import io.depot.storage.ObjectRejectedException;
import io.depot.storage.ObjectStore;
import io.depot.storage.ObjectTooLargeException;
import io.depot.storage.StorageUnavailableException;
import io.depot.storage.StoredObject;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * The rules that keep bytes and rows consistent: an object is written before its row, a row
 * that cannot be written takes its object with it, and a deleted row leaves an outbox entry
 * until its object is gone. No row ever points at a missing object.
 */
public class AssetService
{
    private static final Logger log = LoggerFactory.getLogger(AssetService.class);
    // Longer than any /complete takes (its S3 calls are bounded by the storage time limits); a
    // claim whose holder died lapses after it.
    private static final Duration COMPLETE_LEASE = Duration.ofMinutes(2);
    private static final Pattern OBJECT_KEY = Pattern.compile("tenants/[a-z0-9][a-z0-9-]{0,62}/assets/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    // The balancer has taken the stopping instance out of its targets: a retry lands elsewhere at once.
    private static final int RETRY_AFTER_CUT_SECONDS = 1;

    private final Jdbi jdbi;
    private final ObjectStore objects;
    private final AssetCache cache;
    private final Clock clock;
    private final long uploadLimit;
    private final UploadCapacity capacity;
    private final Duration uploadTimeBound;
    private final Counter uploadedBytes;

    /** {@code orphanAge}: the reconciler's; a streamed upload may last half of it. */
    public AssetService(Jdbi jdbi, ObjectStore objects, AssetCache cache, Clock clock, long uploadLimit, UploadCapacity capacity, Duration orphanAge,
            MetricRegistry metrics)
    {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.objects = requireNonNull(objects, "objects is null");
        this.cache = requireNonNull(cache, "cache is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.uploadLimit = uploadLimit;
        this.capacity = requireNonNull(capacity, "capacity is null");
        this.uploadTimeBound = requireNonNull(orphanAge, "orphanAge is null").dividedBy(2);
        this.uploadedBytes = metrics.counter("depot.upload.bytes");
    }

    public long uploadLimit()
    {
        return uploadLimit;
    }

    /** Counts an upload of {@code tenant} in flight until closed; refused when the tenant already has its most. */
    public UploadCapacity.Admission admitUpload(String tenant)
    {
        return capacity.admit(tenant);
    }

    public static String objectKey(String tenant, UUID id)
    {
        return "tenants/" + tenant + "/assets/" + id;
    }

    /** Whether a key has the shape {@link #objectKey} makes: anything else in the bucket is not Depot's to remove. */
    public static boolean isObjectKey(String key)
    {
        return OBJECT_KEY.matcher(key).matches();
    }

    /** Stores {@code body} (of {@code declaredLength} bytes, when known) as a new asset; a {@code declaredSha256} the body does not match stores nothing. */
    public Asset upload(String tenant, String filename, String contentType, InputStream body, OptionalLong declaredLength, Optional<String> declaredSha256)
    {
        UUID id = UUID.randomUUID();
        String key = objectKey(tenant, id);
        StoredObject stored;
        try (UploadCapacity.Buffers buffers = capacity.buffers(declaredLength)) {
            stored = objects.put(key, MediaTypes.canonical(contentType), bounded(body), buffers.first(), buffers::spare, uploadLimit, declaredSha256,
                    uploadedBytes::inc);
        }
        catch (ObjectTooLargeException e) {
            throw new TooLargeException(e.getMessage());
        }
        catch (ChecksumMismatchException e) {
            throw new InvalidInputException(e.getMessage() + "; nothing was stored");
        }
        catch (UncheckedIOException e) {
            throw unreadable(e.getCause());
        }
        catch (ObjectRejectedException e) {
            throw new InvalidInputException("object storage refused the file (%s: %s); nothing was stored: check its Content-Type and digest headers"
                    .formatted(e.errorCode(), e.getMessage()));
        }
        catch (StorageUnavailableException e) {
            throw storageUnavailable(e);
        }
        return insertOrDiscard(tenant, id, filename, contentType, stored);
    }

    /** The SHA-256 of an upload body read to its end and kept nowhere: how a retry is compared with the request it repeats. */
    public String sha256Of(InputStream body)
    {
        try {
            return Hashes.sha256Hex(bounded(body), uploadLimit).orElseThrow(() -> new TooLargeException(ObjectTooLargeException.describe(uploadLimit)));
        }
        catch (IOException e) {
            throw unreadable(e);
        }
    }

    /** An upload body bounded in time and cut when a stopping instance cuts the uploads in flight. */
    private InputStream bounded(InputStream body)
    {
        return new TimeBoundInputStream(body, clock, uploadTimeBound, capacity::uploadsCut);
    }

    /**
     * A body that failed to read: once the stop has cut the uploads, whatever ended the read (the
     * cut itself, or the connection of a client that had stopped sending closed by the stop) means
     * "send it again elsewhere", not a bad request.
     */
    private RuntimeException unreadable(IOException cause)
    {
        if (capacity.uploadsCut()) {
            return new OverloadedException("this instance is stopping and cut the upload before its end; nothing was stored: send it again, "
                    + "another instance takes it", RETRY_AFTER_CUT_SECONDS);
        }
        return new InvalidInputException("the upload body could not be read to its end: " + cause.getMessage());
    }

    private Asset insertOrDiscard(String tenant, UUID id, String filename, String contentType, StoredObject stored)
    {
        Asset asset = new Asset(id, filename, contentType, stored.size(), stored.sha256(), now());
        try {
            jdbi.useExtension(AssetDao.class, dao -> dao.insert(id, tenant, filename, contentType, stored.size(), stored.sha256(), stored.key(),
                    asset.createdAt().atOffset(ZoneOffset.UTC)));
            return asset;
        }
        catch (JdbiException e) {
            discardObject(stored.key(), e);
            throw new DependencyUnavailableException("the database is unavailable; nothing was stored", e);
        }
    }

    /** The row failed: remove the object now, or leave it to the reconciler if S3 is failing too. */
    private void discardObject(String key, Exception cause)
    {
        try {
            objects.delete(key);
        }
        catch (RuntimeException e) {
            cause.addSuppressed(e);
            log.warn("could not remove {} after its row failed; the reconciler will", key);
        }
    }

    public Optional<Asset> find(String tenant, UUID id)
    {
        return cache.get(tenant, id, () -> database(() -> jdbi.withExtension(AssetDao.class, dao -> dao.find(tenant, id))));
    }

    public AssetPage list(String tenant, int limit, Optional<Cursor> after)
    {
        List<Asset> rows = database(() -> jdbi.withExtension(AssetDao.class, dao -> after
                .map(cursor -> dao.olderThan(tenant, cursor.createdAt().atOffset(ZoneOffset.UTC), cursor.id(), limit + 1))
                .orElseGet(() -> dao.newest(tenant, limit + 1))));
        if (rows.size() <= limit) {
            return new AssetPage(rows, null);
        }
        List<Asset> page = rows.subList(0, limit);
        Asset last = page.get(limit - 1);
        return new AssetPage(page, new Cursor(last.createdAt(), last.id()).encode());
    }

    /**
     * A presigned GET serving the asset with the type {@link MediaTypes#forDownload} gives it, or as
     * application/octet-stream (what any file is) when the caller does not accept that type but accepts this one.
     */
    public URI downloadUrl(String tenant, UUID id, Predicate<String> acceptable)
    {
        Asset asset = find(tenant, id).orElseThrow(() -> notFound(id));
        String type = MediaTypes.forDownload(asset.contentType());
        String served;
        if (acceptable.test(type)) {
            served = type;
        }
        else if (acceptable.test(MediaTypes.OCTET_STREAM)) {
            served = MediaTypes.OCTET_STREAM;
        }
        else {
            throw new NotAcceptableException("asset %s is served as %s; send an Accept header that allows it, %s/*, */* or %s".formatted(id, type, type.split("/", 2)[0], MediaTypes.OCTET_STREAM));
        }
        return storage(() -> objects.presignGet(objectKey(tenant, id), served, ContentDisposition.attachment(asset.filename())));
    }

    /** Removes the row and records the object for deletion in one transaction, then deletes the object. */
    public void delete(String tenant, UUID id)
    {
        String key = database(() -> jdbi.inTransaction(handle -> {
            Optional<String> deleted = handle.attach(AssetDao.class).delete(tenant, id);
            deleted.ifPresent(handle.attach(OutboxDao.class)::enqueue);
            return deleted;
        })).orElseThrow(() -> notFound(id));
        cache.invalidate(tenant, id);
        try {
            objects.delete(key);
            database(() -> {
                jdbi.useExtension(OutboxDao.class, dao -> dao.done(key));
                return null;
            });
        }
        catch (RuntimeException e) {
            log.warn("deleting {} failed, the outbox will retry: {}", key, e.toString());
        }
    }

    public record NewUpload(UUID id, ObjectStore.PresignedPut presigned) {}

    /** A ticket for a direct upload of {@code size} bytes; with {@code sha256}, /complete accepts only those bytes. */
    public NewUpload announceUpload(String tenant, String filename, String contentType, long size, Optional<String> sha256)
    {
        if (size > uploadLimit) {
            throw new TooLargeException("size " + size + " is larger than the upload limit of " + uploadLimit + " bytes");
        }
        UUID id = UUID.randomUUID();
        String key = objectKey(tenant, id);
        ObjectStore.PresignedPut presigned = storage(() -> objects.presignPut(key, MediaTypes.canonical(contentType), size));
        database(() -> {
            jdbi.useExtension(UploadDao.class, dao -> dao.insert(id, tenant, filename, contentType, size, sha256.orElse(null), key,
                    presigned.expiresAt().atOffset(ZoneOffset.UTC)));
            return null;
        });
        return new NewUpload(id, presigned);
    }

    /**
     * Turns a ticket whose object has been uploaded into an asset. One /complete at a time holds
     * the ticket (a concurrent duplicate is 409); a ticket past its expiry is 410 whatever was
     * uploaded; a retry after success returns the asset.
     */
    public Asset completeUpload(String tenant, UUID uploadId)
    {
        Optional<Asset> existing = find(tenant, uploadId);
        if (existing.isPresent()) {
            return existing.get();
        }
        Optional<UploadDao.PendingUpload> claimed = database(() -> jdbi.withExtension(UploadDao.class, dao -> dao.claim(tenant, uploadId, COMPLETE_LEASE.toSeconds())));
        if (claimed.isEmpty()) {
            return unclaimable(tenant, uploadId);
        }
        UploadDao.PendingUpload upload = claimed.get();
        boolean completed = false;
        try {
            Asset asset = verifyAndRecord(tenant, upload);
            completed = true;
            return asset;
        }
        finally {
            if (!completed) {
                releaseQuietly(uploadId);
            }
        }
    }

    private Asset verifyAndRecord(String tenant, UploadDao.PendingUpload upload)
    {
        UUID uploadId = upload.id();
        if (upload.expiresAt().isBefore(clock.instant())) {
            throw new GoneException("upload " + uploadId + " expired at " + upload.expiresAt() + "; start a new one");
        }
        long uploaded = storage(() -> objects.size(upload.objectKey()))
                .orElseThrow(() -> new ConflictException("nothing has been uploaded for " + uploadId + " yet: PUT the file to the presigned URL first"));
        if (uploaded != upload.size()) {
            discardObject(upload.objectKey(), new IllegalStateException("size mismatch"));
            throw new ConflictException("the uploaded object has %d bytes but %d were announced; it was removed, upload it again"
                    .formatted(uploaded, upload.size()));
        }
        String sha256 = storage(() -> objects.sha256(upload.objectKey()));
        if (upload.sha256() != null && !upload.sha256().equals(sha256)) {
            discardObject(upload.objectKey(), new IllegalStateException("checksum mismatch"));
            throw new InvalidInputException("the uploaded object's SHA-256 is %s but %s was announced; it was removed, upload the announced bytes again"
                    .formatted(sha256, upload.sha256()));
        }
        Asset asset = new Asset(uploadId, upload.filename(), upload.contentType(), upload.size(), sha256, now());
        // Whoever removes the ticket records the asset: a /complete whose lease ran out while it
        // read the object cannot record it twice.
        boolean recorded = database(() -> jdbi.inTransaction(handle -> {
            if (!handle.attach(UploadDao.class).delete(uploadId)) {
                return false;
            }
            handle.attach(AssetDao.class).insert(uploadId, tenant, upload.filename(), upload.contentType(), upload.size(), sha256, upload.objectKey(),
                    asset.createdAt().atOffset(ZoneOffset.UTC));
            return true;
        }));
        if (!recorded) {
            return find(tenant, uploadId).orElseThrow(() -> new ConflictException("upload " + uploadId + " was completed or removed meanwhile"));
        }
        uploadedBytes.inc(upload.size());
        return asset;
    }

    /**
     * A ticket that could not be claimed: held by another /complete (409), completed since the
     * first look (the asset), or none (404). The ticket is looked at first: it goes in the
     * transaction that records the asset, so once it is gone the asset is there, if any; the
     * other order lets a /complete that ends in between make a completed upload look unknown.
     */
    private Asset unclaimable(String tenant, UUID uploadId)
    {
        boolean pending = database(() -> jdbi.withExtension(UploadDao.class, dao -> dao.find(tenant, uploadId))).isPresent();
        if (pending) {
            throw new ConflictException("another /complete of upload " + uploadId + " is in progress; retry when it has answered");
        }
        return find(tenant, uploadId).orElseThrow(() -> new NotFoundException("no upload " + uploadId));
    }

    private void releaseQuietly(UUID uploadId)
    {
        try {
            jdbi.useExtension(UploadDao.class, dao -> dao.release(uploadId));
        }
        catch (JdbiException e) {
            log.warn("could not release the claim on upload {}; it lapses after {}", uploadId, COMPLETE_LEASE);
        }
    }

    private Instant now()
    {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private static NotFoundException notFound(UUID id)
    {
        return new NotFoundException("no asset " + id);
    }

    /** Runs a database call, turning a database failure into one the client can retry. */
    private static <T> T database(Supplier<T> call)
    {
        try {
            return call.get();
        }
        catch (JdbiException e) {
            throw new DependencyUnavailableException("the database is unavailable", e);
        }
    }

    /** Runs an object-storage call, turning a storage failure into one the client can retry. */
    private static <T> T storage(Supplier<T> call)
    {
        try {
            return call.get();
        }
        catch (StorageUnavailableException e) {
            throw storageUnavailable(e);
        }
    }

    private static DependencyUnavailableException storageUnavailable(StorageUnavailableException e)
    {
        return new DependencyUnavailableException("object storage is unavailable", e);
    }
}
