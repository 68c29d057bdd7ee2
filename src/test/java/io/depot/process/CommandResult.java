package io.depot.process;

import java.util.List;

/** What one run of `java -jar depot.jar ...` left behind. */
record CommandResult(List<String> arguments, int exitCode, String stdout, String stderr)
{
    String lastStdoutLine()
    {
        List<String> lines = stdout.strip().lines().toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1).strip();
    }

    @Override
    public String toString()
    {
        return "depot.jar " + String.join(" ", arguments) + " exited " + exitCode
                + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
    }
}
