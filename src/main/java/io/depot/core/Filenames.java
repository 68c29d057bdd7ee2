package io.depot.core;

import java.nio.charset.StandardCharsets;

/** What a stored filename may be: it ends up in Content-Disposition and in people's download folders. */
public final class Filenames
{
    public static final int MAX_BYTES = 255;

    private Filenames() {}

    /** Returns the filename, or throws {@link InvalidInputException} saying exactly what is wrong with it. */
    public static String validate(String filename)
    {
        if (filename == null || filename.isEmpty()) {
            throw new InvalidInputException("filename is required");
        }
        if (filename.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw new InvalidInputException("filename is longer than " + MAX_BYTES + " bytes in UTF-8");
        }
        if (filename.codePoints().allMatch(Filenames::space)) {
            throw new InvalidInputException("filename must contain a character other than spaces");
        }
        if (filename.equals(".") || filename.equals("..")) {
            throw new InvalidInputException("filename may not be '.' or '..'");
        }
        for (int index = 0; index < filename.length(); index++) {
            char character = filename.charAt(index);
            if (character == '/' || character == '\\') {
                throw new InvalidInputException("filename may not contain a path separator ('/' or '\\')");
            }
            if (Character.isISOControl(character)) {
                throw new InvalidInputException("filename may not contain control characters (found U+%04X at position %d)".formatted((int) character, index));
            }
            // By code point: the tag characters (U+E0000-U+E007F) are invisible too, and lie outside the BMP.
            int codePoint = filename.codePointAt(index);
            if (invisible(codePoint)) {
                throw new InvalidInputException("filename may not contain invisible or direction-changing characters (found U+%04X at position %d)"
                        .formatted(codePoint, index));
            }
            if (Character.isSurrogate(character) && !validSurrogatePair(filename, index)) {
                throw new InvalidInputException("filename is not valid Unicode");
            }
        }
        return filename;
    }

    /**
     * Format characters (bidi overrides and isolates U+202A-U+202E, U+2066-U+2069, zero-width
     * U+200B-U+200F, U+2060-U+2064, U+FEFF, the tags U+E0001-U+E007F, ...) and line or paragraph separators: they make
     * "evil\u202Etxt.exe" look like "evilexe.txt" in a download dialog.
     */
    private static boolean invisible(int codePoint)
    {
        int type = Character.getType(codePoint);
        return type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
    }

    /** Every kind of space, the no-break ones too: a name of spaces alone shows as nothing in a download folder. */
    private static boolean space(int codePoint)
    {
        return Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint);
    }

    private static boolean validSurrogatePair(String text, int index)
    {
        char character = text.charAt(index);
        if (Character.isHighSurrogate(character)) {
            return index + 1 < text.length() && Character.isLowSurrogate(text.charAt(index + 1));
        }
        return index > 0 && Character.isHighSurrogate(text.charAt(index - 1));
    }
}
