package io.depot.core;

import java.nio.charset.StandardCharsets;

/** An attachment header that browsers honour and that no filename can break out of (RFC 6266 / 8187). */
public final class ContentDisposition
{
    private ContentDisposition() {}

    public static String attachment(String filename)
    {
        StringBuilder fallback = new StringBuilder();
        filename.codePoints().forEach(codePoint -> fallback.append(
                codePoint >= 0x20 && codePoint < 0x7f && codePoint != '"' && codePoint != '\\' && codePoint != '%' ? (char) codePoint : '_'));
        return "attachment; filename=\"" + fallback + "\"; filename*=UTF-8''" + percentEncode(filename);
    }

    private static String percentEncode(String text)
    {
        StringBuilder encoded = new StringBuilder();
        for (byte value : text.getBytes(StandardCharsets.UTF_8)) {
            int unsigned = value & 0xff;
            if ((unsigned >= 'a' && unsigned <= 'z') || (unsigned >= 'A' && unsigned <= 'Z') || (unsigned >= '0' && unsigned <= '9')
                    || "!#$&+-.^_`|~".indexOf(unsigned) >= 0) {
                encoded.append((char) unsigned);
            }
            else {
                encoded.append('%').append(Character.toUpperCase(Character.forDigit(unsigned >> 4, 16))).append(Character.toUpperCase(Character.forDigit(unsigned & 0xf, 16)));
            }
        }
        return encoded.toString();
    }
}
