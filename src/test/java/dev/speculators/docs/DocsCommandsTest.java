package dev.speculators.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.speculators.cli.Main;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every {@code java -jar ... COMMAND [SUBCOMMAND] --flag} in a fenced code block of the README or
 * docs/ names a command and options the application really has, read from picocli's model of the
 * commands (not from help text).
 */
class DocsCommandsTest {

  private static final Path ROOT = Path.of("").toAbsolutePath();

  /** Tokens that end a command on a shell line. */
  private static final Set<String> SHELL_OPERATORS =
      Set.of("&&", "||", ";", "|", "&", ">", ">>", "2>", "2>&1", "<", ")");

  @Test
  void everyDocumentedCommandUsesRealCommandsAndFlags() {
    List<String> checked = new ArrayList<>();
    List<String> problems = check(ROOT, MarkdownDocs.files(ROOT), checked);
    assertThat(problems).isEmpty();
    // the pages show each worker command at least once; a parser that finds nothing proves nothing
    assertThat(checked)
        .as("commands found in the docs")
        .anyMatch(c -> c.startsWith("run "))
        .anyMatch(c -> c.startsWith("datagen "))
        .anyMatch(c -> c.startsWith("train "))
        .anyMatch(c -> c.startsWith("eval analyze-log "))
        .anyMatch(c -> c.startsWith("eval "))
        .anyMatch(c -> c.startsWith("verify-golden "))
        .anyMatch(c -> c.startsWith("make-tiny-model "));
  }

  @Test
  void reportsTheFileTheLineAndTheFlag(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("docs"));
    Files.writeString(dir.resolve("README.md"), "# x\n");
    Files.writeString(
        dir.resolve("docs/page.md"),
        String.join(
            "\n",
            "# Page",
            "`java -jar app.jar train --not-checked-in-prose`",
            "```bash",
            "mvn -B -q package && java -jar target/quarkus-app/quarkus-run.jar run -f x.yaml",
            "java -Xmx2g -jar app.jar train --verifier v \\   # a comment",
            "  --data d --output=o --no-train-lm-head --epochs-typo 3 \\",
            "  --verifier-name '--looks-like-a-flag' > log.txt --after-redirect",
            "java -jar app.jar eval analyze-log vllm.log -o out.txt --wrong",
            "java -jar app.jar evaluate --endpoint x",
            "java -jar app.jar --version",
            "```"));
    List<String> checked = new ArrayList<>();
    assertThat(check(dir, MarkdownDocs.files(dir), checked))
        .containsExactly(
            "docs/page.md:5: train has no option --epochs-typo",
            "docs/page.md:8: eval analyze-log has no option --wrong",
            "docs/page.md:9: speculators has no command or option evaluate");
    assertThat(checked).hasSize(5);
  }

  /** "file:line: problem" for every documented command line that the CLI would not accept. */
  static List<String> check(Path root, List<Path> files, List<String> checked) {
    List<String> problems = new ArrayList<>();
    for (Path file : files) {
      List<String> text = MarkdownDocs.read(file);
      for (MarkdownDocs.CodeBlock block : MarkdownDocs.codeBlocks(file, text)) {
        for (ShellLine line : ShellLine.join(block.lines())) {
          String where = root.relativize(file) + ":" + line.number() + ": ";
          List<String> words = line.words();
          for (int jar = applicationStart(words, 0); jar >= 0; jar = applicationStart(words, jar)) {
            List<String> args = new ArrayList<>();
            for (int i = jar; i < words.size() && !SHELL_OPERATORS.contains(words.get(i)); i++) {
              args.add(words.get(i));
            }
            checked.add(String.join(" ", args));
            checkArgs(args).forEach(p -> problems.add(where + p));
          }
        }
      }
    }
    return problems;
  }

  /** The index just after {@code java [jvm options] -jar X.jar} at or after {@code from}, or -1. */
  private static int applicationStart(List<String> words, int from) {
    for (int i = from; i < words.size(); i++) {
      if (!words.get(i).equals("java") && !words.get(i).endsWith("/java")) {
        continue;
      }
      for (int j = i + 1; j + 1 < words.size() && words.get(j).startsWith("-"); j++) {
        if (words.get(j).equals("-jar")) {
          return j + 2;
        }
      }
    }
    return -1;
  }

  /** What picocli would reject of these arguments: unknown commands and unknown options. */
  static List<String> checkArgs(List<String> args) {
    List<String> problems = new ArrayList<>();
    CommandLine command = Main.commandLine();
    boolean positionalSeen = false;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      CommandSpec spec = command.getCommandSpec();
      if (!positionalSeen && command.getSubcommands().containsKey(arg)) {
        command = command.getSubcommands().get(arg);
        continue;
      }
      if (arg.equals("--")) {
        break;
      }
      if (!arg.startsWith("-") || arg.equals("-") || arg.startsWith("@")) {
        if (command.getSubcommands().size() > 1
            && !positionalSeen
            && spec.positionalParameters().isEmpty()) {
          problems.add(name(spec) + " has no command or option " + arg);
          break;
        }
        positionalSeen = true;
        continue;
      }
      String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      OptionSpec option = option(spec, name);
      if (option == null) {
        problems.add(name(spec) + " has no option " + name);
      } else if (!arg.contains("=") && option.arity().min() > 0) {
        i += option.arity().min();
      }
    }
    return problems;
  }

  /** The command as typed after the jar: {@code eval analyze-log}; the root is "speculators". */
  private static String name(CommandSpec spec) {
    return spec.parent() == null ? spec.name() : spec.qualifiedName(" ").replaceFirst("^\\S+ ", "");
  }

  /** The option with this name, its negated form ({@code --no-x}) included. */
  private static OptionSpec option(CommandSpec spec, String name) {
    OptionSpec option = spec.findOption(name);
    return option != null ? option : spec.negatedOptionsMap().get(name);
  }
}
