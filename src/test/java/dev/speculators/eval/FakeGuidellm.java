package dev.speculators.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * Writes a stand-in {@code guidellm} executable: a bash script that records its arguments, finds
 * the target URL and the output path in either CLI (0.7 typed specs, 0.6 flags), "benchmarks" by
 * POSTing the target's {@code /advance} (bash's {@code /dev/tcp}, no curl needed), and copies a
 * recorded-format result file to the output path. Variants fail the ways GuideLLM can.
 */
final class FakeGuidellm {
  enum Behaviour {
    OK,
    EXIT_3,
    NO_OUTPUT,
    HANG
  }

  private FakeGuidellm() {}

  static boolean bashAvailable() {
    return Files.isExecutable(Path.of("/bin/bash"));
  }

  /**
   * @param results the result file to copy for each target URL prefix: {target, file}
   */
  static Path write(Path dir, Behaviour behaviour, List<String[]> results) throws IOException {
    StringBuilder pick = new StringBuilder();
    for (String[] r : results) {
      pick.append("  \"").append(r[0]).append("\") fixture='").append(r[1]).append("' ;;\n");
    }
    String failure =
        switch (behaviour) {
          case OK -> "";
          case EXIT_3 ->
              "echo 'ValueError: backend validation failed: model not found' >&2\nexit 3\n";
          case NO_OUTPUT -> "exit 0\n";
          case HANG -> "sleep 60\n";
        };
    String script =
        "#!/bin/bash\n"
            + "set -euo pipefail\n"
            + "printf '%s\\n' \"$@\" > \""
            + dir.resolve("args-$$.txt")
            + "\"\n"
            + "printf '%s\\n' \"$$\" >> \""
            + dir.resolve("calls.txt")
            + "\"\n"
            + "out=''; target=''\n"
            + "while [ $# -gt 0 ]; do\n"
            + "  case \"$1\" in\n"
            + "    --output) out=\"${2#*path=}\"; shift 2 ;;\n"
            + "    --output-path) out=\"$2\"; shift 2 ;;\n"
            + "    --backend) target=$(printf '%s' \"$2\" | sed -n 's/.*target=\\([^,]*\\).*/\\1/p'); shift 2 ;;\n"
            + "    --target) target=\"$2\"; shift 2 ;;\n"
            + "    *) shift ;;\n"
            + "  esac\n"
            + "done\n"
            + "echo \"GuideLLM (fake) benchmarking $target\"\n"
            + failure
            + "sleep 0.2\n"
            + "hostport=${target#http://}; host=${hostport%%:*}; port=${hostport##*:}\n"
            + "exec 3<>/dev/tcp/$host/$port\n"
            + "printf 'POST /advance HTTP/1.0\\r\\nHost: %s\\r\\nConnection: close\\r\\nContent-Length: 0\\r\\n\\r\\n' \"$host\" >&3\n"
            + "cat <&3 > /dev/null\n"
            + "exec 3>&-\n"
            + "fixture=''\n"
            + "case \"$target\" in\n"
            + pick
            + "esac\n"
            + "cp \"$fixture\" \"$out\"\n"
            + "echo \"Benchmarks complete, results saved\"\n";
    Path exe = dir.resolve("guidellm");
    Files.writeString(exe, script, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
    return exe;
  }

  /** The argument lists of every call, in call order. */
  static List<List<String>> calls(Path dir) throws IOException {
    List<String> pids = Files.readAllLines(dir.resolve("calls.txt"));
    return pids.stream()
        .map(
            pid -> {
              try {
                return Files.readAllLines(dir.resolve("args-" + pid + ".txt"));
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            })
        .toList();
  }
}
