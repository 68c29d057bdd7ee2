package io.depot.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

public final class Hashes
{
    private Hashes() {}

    public static MessageDigest sha256()
    {
        try {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** The SHA-256 of {@code in} read to its end in a fixed buffer; empty once more than {@code limit} bytes came. */
    public static Optional<String> sha256Hex(InputStream in, long limit)
            throws IOException
    {
        MessageDigest digest = sha256();
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
            total += read;
            if (total > limit) {
                return Optional.empty();
            }
            digest.update(buffer, 0, read);
        }
        return Optional.of(HexFormat.of().formatHex(digest.digest()));
    }

    public static String sha256Hex(String text)
    {
        return sha256Hex(text.getBytes(StandardCharsets.UTF_8));
    }

    public static String sha256Hex(byte[] bytes)
    {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }
}
