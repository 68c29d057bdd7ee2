package io.depot.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/** Which release this process is: what /version reports and the deploy tooling verifies. */
public record ReleaseInfo(String version, String commit, String sha256, Instant startedAt)
{
    private static final String UNKNOWN = "unknown";

    /**
     * {@link #of}, on a thread of its own: hashing the jar takes a second of a cold JVM, which
     * start-up does not wait for; /version answers once it is done.
     */
    public static CompletableFuture<ReleaseInfo> load(Class<?> anchor, Instant startedAt)
    {
        CompletableFuture<ReleaseInfo> release = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                release.complete(of(anchor, startedAt));
            }
            catch (RuntimeException | Error e) {
                release.completeExceptionally(e);
            }
        }, "release-info");
        thread.setDaemon(true);
        thread.start();
        return release;
    }

    /** Reads the manifest of the jar this class was loaded from and hashes that jar. */
    public static ReleaseInfo of(Class<?> anchor, Instant startedAt)
    {
        Path jar;
        try {
            jar = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        }
        catch (URISyntaxException | RuntimeException e) {
            return new ReleaseInfo("dev", UNKNOWN, UNKNOWN, startedAt);
        }
        if (!Files.isRegularFile(jar)) {
            return new ReleaseInfo("dev", UNKNOWN, UNKNOWN, startedAt);
        }
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            String version = manifest == null ? null : manifest.getMainAttributes().getValue("Implementation-Version");
            String commit = manifest == null ? null : manifest.getMainAttributes().getValue("Depot-Commit");
            return new ReleaseInfo(orUnknown(version), orUnknown(commit), sha256(jar), startedAt);
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot read " + jar, e);
        }
    }

    private static String orUnknown(String value)
    {
        return value == null || value.isBlank() ? UNKNOWN : value;
    }

    private static String sha256(Path file)
            throws IOException
    {
        MessageDigest digest = Hashes.sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
